"""Who may call what: every route of the URL map, for anonymous, member A, member B and an
organiser, with the outcome each must get.

The routes come from ``app.url_map`` (only /static is left out), so a new route fails
``test_every_rule_is_classified`` until it is put in ACCESS below, and a new URL parameter
name fails until the world's params say which value fills it.

The world: an organiser; member A, confirmed at a published event with matchmaking on, with a
B2B profile, a meeting with member C, a request received from C and one sent to D, a
confidential idea (a role, an interest from C) and an API token; member B, confirmed at the
same event but part of none of A's things; and an anonymous visitor. The event has a room, a
published session, a question, slots, tables and a scheduling run, for the organiser's pages.

- GET: each role gets the status its category says, and no page B or a visitor gets shows
  what is A's alone (request messages, e-mail, feed token, the confidential idea's details;
  A's own pages do show each of them, so the check is not empty). Every page of a draft
  event (GET rules whose only parameter is the slug) is 404 or the log-in page for all but
  the organiser.
- POST/PUT/PATCH/DELETE: a role that may not act gets 401/403/404 or a redirect to the log-in
  page, never a success, and no table changes (all rows compared, per rule). HTML forms get an
  empty body; API calls of A's things get a body that passes the schema (A sending it gets
  200/201/409), so B meets the access check and not a 422.
- Roles that may act, with an empty body: anything but a 500 (they run last: they change the
  world).
- CSRF: with WTF_CSRF_ENABLED, every HTML POST (PUT, PATCH, DELETE) without a token is refused
  (400) or sent to the log-in page, for anonymous, member A and the organiser; every API write
  made with the session cookie instead of a bearer token is refused (400); nothing is written;
  and no GET, by any role, writes to a table (CSRF does not guard GETs).

One world per backend (module-scoped): SQLite, and PostgreSQL when TEST_DATABASE_URL is set.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from flask import Flask

from pic_events.events.models import EventStatus
from pic_events.extensions import db
from tests.conftest import BACKENDS, backend_url, make_app
from tests.factories import (
    api_auth,
    b2b_slots,
    login,
    make_b2b_event,
    make_cluster,
    make_event,
    make_organisation,
    make_organiser,
    make_programme_session,
    make_question,
    make_registration,
    make_room,
    make_user,
)
from tests.security.db_writes import writes_seen

ROLES = ("anonymous", "member_a", "member_b", "organiser")
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")

# --- expected outcomes ---------------------------------------------------------------------
# "login": anonymous HTML -> 302 to /login, API -> 401. Sets of statuses otherwise.
LOGIN = "login"
OK = frozenset({200})
OK_OR_REDIRECT = frozenset({200, 302})
DENIED = frozenset({403, 404})
ANY_OK = frozenset({200, 302, 403, 404})  # an organiser on a member page: not asserted


@dataclass(frozen=True)
class Category:
    """What each role gets on GET; `may_write` are the roles allowed to change something."""

    get: dict[str, object]
    may_write: frozenset[str] = field(default_factory=frozenset)


EVERYONE = frozenset(ROLES)
MEMBERS = frozenset({"member_a", "member_b", "organiser"})

CATEGORIES = {
    # Anyone, logged in or not.
    "public": Category(dict.fromkeys(ROLES, OK), EVERYONE),
    # The favicon's address sends to the versioned static file.
    "favicon": Category(dict.fromkeys(ROLES, frozenset({301})), EVERYONE),
    # Log-in, sign-up, reset: anonymous sees the form; logged-in people may be sent on.
    "guest": Category(dict.fromkeys(ROLES, OK_OR_REDIRECT), EVERYONE),
    # Any logged-in person, about themselves (own account, own registration at the event).
    "logged_in": Category({"anonymous": LOGIN, **dict.fromkeys(MEMBERS, OK_OR_REDIRECT)}, MEMBERS),
    # A participant of the event (A and B are both confirmed there): their own page at the
    # event; the organiser, not registered, may get 403/404.
    "participant": Category(
        {
            "anonymous": LOGIN,
            "member_a": OK_OR_REDIRECT,
            "member_b": OK_OR_REDIRECT,
            "organiser": ANY_OK,
        },
        MEMBERS,
    ),
    # A's things: B gets 403/404; the organiser may or may not see them on member pages.
    "owner": Category(
        {"anonymous": LOGIN, "member_a": OK_OR_REDIRECT, "member_b": DENIED, "organiser": ANY_OK},
        frozenset({"member_a", "organiser"}),
    ),
    # Organisers only.
    "organiser": Category(
        {"anonymous": LOGIN, "member_a": DENIED, "member_b": DENIED, "organiser": OK_OR_REDIRECT},
        frozenset({"organiser"}),
    ),
}

# endpoint -> category: GET statuses and who may write (one row per endpoint of the URL map).
ACCESS: dict[str, str] = {
    # site
    "main.home": "public",
    "main.favicon": "favicon",
    "main.healthz": "public",
    "api-docs.openapi_json": "public",
    # accounts
    "accounts.login": "guest",
    "accounts.signup": "guest",
    "accounts.check_mail": "guest",
    "accounts.forgot_password": "guest",
    "accounts.reset_password": "guest",
    "accounts.verify_email": "guest",
    "accounts.resend_verification": "public",
    "accounts.set_language": "public",
    "accounts.logout": "public",
    "accounts.profile": "logged_in",
    "accounts.change_password": "logged_in",
    "accounts.create_token": "logged_in",
    "accounts.revoke_token": "owner",
    "accounts_api.me": "logged_in",
    "accounts_api.create_token": "public",  # e-mail and password
    "accounts_api.list_tokens": "logged_in",
    "accounts_api.revoke_token": "owner",
    # events
    "events.show": "public",
    "events.organiser_list": "organiser",
    "events.create": "organiser",
    "events.edit": "organiser",
    "events.change_status": "organiser",
    "events_api.list_events": "public",
    "events_api.create_event": "organiser",
    "events_api.get_event": "public",
    "events_api.update_event": "organiser",
    # directory
    "directory.clusters": "organiser",
    "directory.create_cluster": "organiser",
    "directory.edit_cluster": "organiser",
    "directory.organisations": "organiser",
    "directory.create_organisation": "organiser",
    "directory.edit_organisation": "organiser",
    "directory.standing_decision": "organiser",
    # registration
    "registration.register": "participant",
    "registration.mine": "participant",
    "registration.cancel": "participant",
    "registration.edit": "participant",
    "registration.my_list": "logged_in",
    "registration.my_data": "logged_in",
    "registration.privacy_page": "logged_in",
    "registration.delete_account": "logged_in",
    "registration_api.list_questions": "public",
    "registration_api.my_registration": "participant",
    "registration_api.create_registration": "participant",
    "registration_api.list_registrations": "organiser",
    "registration_api.get_registration": "owner",
    "registration_api.update_registration": "owner",
    "registration_api.cancel_registration": "owner",
    "registration_api.approve": "organiser",
    "registration_api.decline": "organiser",
    "registration_api.promote": "organiser",
    "registration_admin.questions": "organiser",
    "registration_admin.question_form": "organiser",
    "registration_admin.delete_question": "organiser",
    "registration_admin.move_question": "organiser",
    "registration_admin.settings_page": "organiser",
    "registration_admin.dashboard": "organiser",
    "registration_admin.export_csv": "organiser",
    "registration_admin.export_xlsx": "organiser",
    "registration_admin.create": "organiser",
    "registration_admin.detail": "organiser",
    "registration_admin.act": "organiser",
    "registration_admin.edit": "organiser",
    "registration_admin.standing_decision": "organiser",
    "checkin_api.check_in": "organiser",
    # programme
    "programme.programme": "public",
    "programme.my_agenda": "participant",
    "programme.choose": "participant",
    "programme.drop": "participant",
    "programme.editor": "organiser",
    "programme.publish": "organiser",
    "programme.hide_restricted": "organiser",
    "programme.rooms": "organiser",
    "programme.edit_room": "organiser",
    "programme.delete_room": "organiser",
    "programme.new_session": "organiser",
    "programme.edit_session": "organiser",
    "programme.move_session": "organiser",
    "programme.delete_session": "organiser",
    "programme.new_edition": "organiser",
    "programme_api.list_rooms": "public",
    "programme_api.create_room": "organiser",
    "programme_api.list_sessions": "public",
    "programme_api.create_session": "organiser",
    "programme_api.choose": "participant",
    "programme_api.drop": "participant",
    "programme_api.update_session": "organiser",
    "programme_api.delete_session": "organiser",
    # calendar: the feed's token is its credential
    "calendar.personal_feed": "public",
    "calendar.meeting_ics": "owner",
    "calendar.reset": "logged_in",
    "calendar.programme_ics": "public",
    "calendar.session_ics": "public",
    "calendar.reminder_settings": "organiser",
    # documents
    "documents.my_agenda_pdf": "participant",
    "documents.programme_pdf": "public",
    "documents.badges_page": "organiser",
    "documents.badges_pdf": "organiser",
    "documents.desk": "organiser",
    "documents.participants_pdf": "organiser",
    "documents.table_plan_pdf": "organiser",
    "documents.table_sheets_pdf": "organiser",
    "document_jobs.start_badges": "organiser",
    "document_jobs.progress": "organiser",
    "document_jobs.download": "organiser",
    "document_jobs.retry": "organiser",
    # matchmaking, member side (B is a participant too: catalogue and profiles are shared)
    "b2b_profiles.catalogue": "participant",
    "b2b_profiles.participant": "participant",
    "b2b_profiles.my_profile": "participant",
    "b2b_profiles.copy_previous": "participant",
    "b2b_profiles.recommendations": "participant",
    "b2b_profiles_api.list_participants": "participant",
    "b2b_profiles_api.get_profile": "participant",
    "b2b_profiles_api.put_profile": "participant",
    "b2b_profiles_api.list_recommendations": "participant",
    "matchmaking.availability": "participant",
    "matchmaking.my_meetings": "participant",
    "matchmaking.new_request": "participant",
    "matchmaking.cancel_meeting": "owner",
    "matchmaking.meeting_outcome": "owner",
    "matchmaking.accept_request": "owner",
    "matchmaking.decline_request": "owner",
    "matchmaking.cancel_request": "owner",
    "matchmaking_api.put_availability": "participant",
    "matchmaking_api.create_request": "participant",
    "matchmaking_api.list_requests": "participant",
    "matchmaking_api.list_meetings": "participant",
    "matchmaking_api.list_slots": "participant",
    "matchmaking_api.accept_request": "owner",
    "matchmaking_api.decline_request": "owner",
    "matchmaking_api.cancel_request": "owner",
    "matchmaking_api.cancel_meeting": "owner",
    "matchmaking_api.put_outcome": "owner",
    # matchmaking, organiser side
    "b2b_admin.setup_page": "organiser",
    "b2b_admin.freeze": "organiser",
    "b2b_admin.grid": "organiser",
    "b2b_admin.meeting": "organiser",
    "b2b_admin.participant": "organiser",
    "b2b_admin.place": "organiser",
    "b2b_admin.scheduling_page": "organiser",
    "b2b_admin.publish": "organiser",
    "b2b_admin.self_booking": "organiser",
    "b2b_admin.slots": "organiser",
    "b2b_admin.delete_slot": "organiser",
    "b2b_admin.edit_slot": "organiser",
    "b2b_admin.statistics": "organiser",
    "b2b_admin.tables": "organiser",
    "b2b_admin.delete_table": "organiser",
    "b2b_admin.edit_table": "organiser",
    "b2b_admin.unscheduled": "organiser",
    "b2b_admin_api.create_slot": "organiser",
    "b2b_admin_api.create_table": "organiser",
    # consortia: participants of the event see the ideas; the lead edits
    "consortia.index": "participant",
    "consortia.show": "participant",
    "consortia.new": "participant",
    "consortia.summary_pdf": "participant",
    "consortia.express_interest": "participant",
    "consortia.carry_over": "owner",
    "consortia.edit": "owner",
    "consortia.invite": "owner",
    "consortia.meeting": "owner",
    "consortia.add_role": "owner",
    "consortia.remove_role": "owner",
    "consortia.answer": "owner",
    "consortia.organiser": "organiser",
    "consortia_api.list_ideas": "participant",
    "consortia_api.create_idea": "participant",
    "consortia_api.get_idea": "participant",
    "consortia_api.update_idea": "owner",
    "consortia_api.invite": "owner",
    "consortia_api.request_scheduling": "owner",
    "consortia_api.book_meeting": "owner",
    "consortia_api.add_role": "owner",
    "consortia_api.accept": "owner",
    "consortia_api.decline": "owner",
    "consortia_api.express_interest": "participant",
}


def category(endpoint: str) -> Category:
    return CATEGORIES[ACCESS[endpoint]]


# --- the world -----------------------------------------------------------------------------


@dataclass
class World:
    organiser: object
    member_a: object
    member_b: object
    params: dict[str, object]
    bearer: dict[str, dict[str, str]]
    others: dict[str, int]
    private: list[str]
    draft_slug: str


def build_world() -> World:
    from pic_events.calendar import services as calendar
    from pic_events.consortia import services as consortia
    from pic_events.consortia.services import IdeaInput, RoleInput
    from pic_events.documents.models import DocumentJob
    from pic_events.matchmaking import booking, profiles, requests
    from pic_events.matchmaking.scheduling_models import ScheduleRun

    organiser = make_organiser(name="Olga Organiser")
    cluster = make_cluster("Authz Cluster")
    organisation = make_organisation("Authz Org", cluster=cluster)
    event = make_b2b_event(slots=4, tables=2)
    a_user = make_user("ana.private@example.org", name="Ana Member", organisation=organisation)
    b_user = make_user(name="Ben Other")
    c_user = make_user(name="Cleo Partner")
    d_user = make_user(name="Dan Partner")
    a, b, c, d = (make_registration(event, u) for u in (a_user, b_user, c_user, d_user))
    for reg in (a, b, c, d):
        profiles.save_profile(reg, profiles.ProfileInput(summary=f"{reg.user.name} offers"))
    first, second, third, fourth = b2b_slots(event)
    meeting = booking.book(event, [a.id, c.id], first.id)
    received = requests.send_request(
        event, c, a.id, message="Private note to Ana", slot_id=second.id
    )
    sent = requests.send_request(event, a, d.id, message="Private note to Dan", slot_id=third.id)
    idea = consortia.create_idea(
        event,
        a_user,
        IdeaInput(
            title="Ana's idea",
            call="HORIZON-CL6-2027-FARM2FORK-01",
            sectors=["fruit-vegetables"],
            keywords=["confidentialkeyword"],
            confidential=True,
        ),
        [RoleInput(kind="research", description="Confidential lab role", countries=[])],
    )
    role = idea.roles[0]
    interest = consortia.express_interest(role, c_user, "Private note to the lead")
    room = make_room(event)
    start = datetime.combine(event.starts_on, datetime.min.time().replace(hour=14))
    start = start.replace(tzinfo=ZoneInfo(event.timezone))
    session = make_programme_session(
        event, start, start + timedelta(hours=1), room=room, publish=True
    )
    question = make_question(event)
    run = ScheduleRun(event_id=event.id, status="done", time_limit=1.0, result={})
    db.session.add(run)
    badge_file = DocumentJob(
        event_id=event.id,
        status="done",
        params={"layout": "a6", "selection": {}},
        filename="badges.pdf",
        content=b"%PDF-1.4 badges",
        expires_at=datetime.now(ZoneInfo("UTC")) + timedelta(days=1),
    )
    db.session.add(badge_file)
    db.session.commit()
    bearer = {
        "member_a": api_auth(a_user),
        "member_b": api_auth(b_user),
        "organiser": api_auth(organiser),
    }
    from pic_events.accounts.models import ApiToken

    a_token_id = db.session.scalar(sa.select(ApiToken.id).where(ApiToken.user_id == a_user.id))
    params = {
        "slug": event.slug,
        "registration_id": a.id,
        "meeting_id": meeting.id,
        "request_id": received.id,
        "request_id@cancel": sent.id,  # A cancels what A sent
        "idea_id": idea.id,
        "role_id": role.id,
        "interest_id": interest.id,
        "session_id": session.id,
        "room_id": room.id,
        "question_id": question.id,
        "slot_id": fourth.id,
        "table_id": db.session.scalar(
            sa.text("SELECT min(id) FROM b2b_table WHERE event_id = :e"), {"e": event.id}
        ),
        "run_id": run.id,
        "job_id": badge_file.id,
        "cluster_id": cluster.id,
        "organisation_id": organisation.id,
        "user_id": a_user.id,
        "token_id": a_token_id,
        "token": calendar.reset_token(a_user),
        "token@accounts": "not-a-valid-token",  # reset-password, verify-email
        "decision": "mark",
        "action": "approve",
        "action@consortia": "accept",
        "direction": "up",
        "status": "archived",
    }
    others = {"c": c.id, "d": d.id, "role": role.id, "slot": fourth.id}
    # What only A (and the organisers) may read: B's and a visitor's pages never show it.
    private = [
        "Private note to",
        a_user.email,
        params["token"],
        "confidentialkeyword",
        "Confidential lab role",
    ]
    draft = make_event(status=EventStatus.DRAFT)
    return World(organiser, a_user, b_user, params, bearer, others, private, draft.slug)


def parameter(world: World, name: str, endpoint: str):
    """The value of URL parameter `name` for `endpoint`; fails loudly for an unknown name."""
    blueprint = endpoint.split(".")[0]
    view = endpoint.split(".")[-1]
    for key in (f"{name}@{view.split('_')[0]}", f"{name}@{blueprint}", name):
        if key in world.params:
            return world.params[key]
    raise AssertionError(
        f"URL parameter <{name}> of {endpoint} is new: add its value to the world's params"
    )


def rules(app: Flask) -> list[tuple[str, str, str]]:
    """(endpoint, method, url) for every rule and method but /static, HEAD and OPTIONS."""
    return sorted(
        (rule.endpoint, method, rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    )


def url_for_rule(app: Flask, world: World, endpoint: str, rule_text: str, **override) -> str:
    (rule,) = [
        r for r in app.url_map.iter_rules() if r.rule == rule_text and r.endpoint == endpoint
    ]
    values = {name: parameter(world, name, endpoint) for name in rule.arguments}
    return rule.build({**values, **override}, append_unknown=False)[1]


def slug_only_rules(app: Flask) -> list[tuple[str, str]]:
    """(endpoint, rule) of the GET rules whose only parameter is the event's slug."""
    return sorted(
        (rule.endpoint, rule.rule)
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and set(rule.arguments) == {"slug"}
    )


# --- the app and the world, once per backend --------------------------------------------------


@pytest.fixture(scope="module", params=BACKENDS)
def matrix(request, tmp_path_factory) -> Iterator[tuple[Flask, World]]:
    url = backend_url(request.param, tmp_path_factory, name="authz")
    application = make_app(url)
    with application.app_context():
        db.drop_all()
        db.create_all()
        world = build_world()
        yield application, world
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


def client_for(app: Flask, world: World, role: str, api: bool):
    client = app.test_client()
    if role == "anonymous":
        return client
    user = getattr(world, role)
    if api:
        client.environ_base["HTTP_AUTHORIZATION"] = world.bearer[role]["Authorization"]
    else:
        login(client, user)
    return client


def is_login_redirect(response) -> bool:
    return response.status_code == 302 and "/login" in response.headers.get("Location", "")


def outcome_matches(expected, response, api: bool) -> bool:
    if expected == LOGIN:
        return response.status_code == 401 if api else is_login_redirect(response)
    return response.status_code in expected


def snapshot() -> dict[str, list]:
    """Every row of every table (volatile bookkeeping columns left out)."""
    db.session.expire_all()
    rows = {}
    for table in db.metadata.sorted_tables:
        columns = [c for c in table.columns if c.name not in VOLATILE_COLUMNS]
        rows[table.name] = sorted(
            repr(tuple(r)) for r in db.session.execute(sa.select(*columns)).all()
        )
    db.session.rollback()
    return rows


# Columns a refused call may touch without writing anything of substance.
VOLATILE_COLUMNS = {"last_used_at", "last_seen_at", "last_login_at"}


def changed_tables(before: dict, after: dict) -> list[str]:
    return [name for name in before if before[name] != after[name]]


def valid_bodies(world: World) -> dict[str, dict]:
    """API bodies that pass validation, so that a refused role meets the access check and
    not the schema (flask-smorest validates before the view runs)."""
    ids = world.others
    return {
        "consortia_api.add_role": {"kind": "research"},
        "consortia_api.invite": {"role_id": ids["role"], "registration_id": ids["d"]},
        "consortia_api.book_meeting": {"registration_ids": [ids["c"], ids["d"]]},
        "consortia_api.request_scheduling": {"registration_ids": [ids["c"], ids["d"]]},
        "consortia_api.update_idea": {"title": "Taken over"},
        "matchmaking_api.put_outcome": {"took_place": True, "rating": "informative"},
        "registration_api.update_registration": {"answers": {}},
    }


def _call(client, method: str, url: str, api: bool, body: dict | None = None):
    if api and method in {"POST", "PUT", "PATCH"}:
        return client.open(url, method=method, json=body or {})
    return client.open(url, method=method)


# --- the tests -----------------------------------------------------------------------------


def test_every_rule_is_classified(tmp_path_factory):
    """A new route fails here until ACCESS says who may call it; no stale entries either."""
    application = make_app("sqlite://")
    endpoints = {endpoint for endpoint, _m, _u in rules(application)}
    missing = sorted(endpoints - ACCESS.keys())
    assert not missing, f"classify these endpoints in ACCESS: {missing}"
    stale = sorted(ACCESS.keys() - endpoints)
    assert not stale, f"these ACCESS entries have no route any more: {stale}"


def test_authorization_matrix(matrix):
    app, world = matrix
    all_rules = rules(app)
    failures: list[str] = []
    seen_by_a: set[str] = set()

    # 1. GET: the status per role; no GET changes a table (CSRF guards only the writes).
    tables = snapshot()
    for endpoint, method, rule_text in all_rules:
        if method != "GET":
            continue
        url = url_for_rule(app, world, endpoint, rule_text)
        api = rule_text.startswith("/api/")
        for role, expected in category(endpoint).get.items():
            with writes_seen() as writes:
                response = client_for(app, world, role, api).get(url)
            if writes:
                written = changed_tables(tables, after := snapshot())
                tables = after
                if written and endpoint not in GET_WRITES_BY_DESIGN:
                    failures.append(f"GET {url} ({endpoint}) as {role} wrote to {written}")
            if not outcome_matches(expected, response, api):
                failures.append(
                    f"GET {url} ({endpoint}) as {role}: {response.status_code} "
                    f"{response.headers.get('Location', '')}, expected {_show(expected)}"
                )
            if role == "member_a":
                seen_by_a.update(m for m in world.private if m.encode() in response.get_data())
            if role in {"anonymous", "member_b"} and endpoint not in SHOWS_OWN_SECRET:
                body = response.get_data()
                leaked = [secret for secret in world.private if secret.encode() in body]
                if leaked:
                    failures.append(f"GET {url} ({endpoint}) as {role} shows A's {leaked}")

    # The secrets are real: A's own pages show each of them.
    assert seen_by_a == set(world.private)

    # 1b. A draft event is the organisers' alone: every page of it is 404 (or the log-in page)
    # for everyone else, never 200.
    draft_pages = slug_only_rules(app)
    for endpoint, rule_text in draft_pages:
        url = url_for_rule(app, world, endpoint, rule_text, slug=world.draft_slug)
        api = rule_text.startswith("/api/")
        for role in ("anonymous", "member_a", "member_b"):
            response = client_for(app, world, role, api).get(url)
            if response.status_code not in {401, 403, 404} and not is_login_redirect(response):
                failures.append(
                    f"GET {url} ({endpoint}) of a draft event as {role}: "
                    f"{response.status_code}, expected 404"
                )
        response = client_for(app, world, "organiser", api).get(url)
        if response.status_code >= 500:
            failures.append(f"GET {url} ({endpoint}) of a draft event as organiser: 500")
    assert len(draft_pages) > 40

    # 2. Writes by roles that may not write: refused, and nothing written.
    writes = [r for r in all_rules if r[1] in WRITE_METHODS]
    bodies = valid_bodies(world)
    for endpoint, method, rule_text in writes:
        url = url_for_rule(app, world, endpoint, rule_text)
        api = rule_text.startswith("/api/")
        refused = [r for r in ROLES if r not in category(endpoint).may_write]
        if not refused:
            continue
        before = snapshot()
        for role in refused:
            body = bodies.get(endpoint)
            response = _call(client_for(app, world, role, api), method, url, api, body)
            ok = (
                response.status_code in {401, 403, 404} or is_login_redirect(response)
                if role != "anonymous" or not api
                else response.status_code == 401
            )
            if not ok:
                failures.append(
                    f"{method} {url} ({endpoint}) as {role}: {response.status_code} "
                    f"{response.headers.get('Location', '')}, expected a refusal"
                )
        changed = changed_tables(before, snapshot())
        if changed:
            failures.append(f"{method} {url} ({endpoint}) by {refused} wrote to {changed}")

    # 3. The bodies of step 2 pass the schema and the access check for A (so B met the access
    # check, not a 422): A sends them, then the empty bodies below.
    for endpoint, body in bodies.items():
        ((_e, method, rule_text),) = [w for w in writes if w[0] == endpoint]
        url = url_for_rule(app, world, endpoint, rule_text)
        response = _call(client_for(app, world, "member_a", True), method, url, True, body)
        if response.status_code not in {200, 201, 204, 409}:
            failures.append(
                f"{method} {url} ({endpoint}) as member_a with {body}: "
                f"{response.status_code} {response.get_data(as_text=True)[:300]}"
            )

    # 4. Writes by roles that may write, with an empty body: anything but a 500 (last: they
    # change the world, A even revokes her token).
    for endpoint, method, rule_text in writes:
        url = url_for_rule(app, world, endpoint, rule_text)
        api = rule_text.startswith("/api/")
        for role in sorted(category(endpoint).may_write):
            response = _call(client_for(app, world, role, api), method, url, api)
            if response.status_code >= 500:
                failures.append(f"{method} {url} ({endpoint}) as {role}: {response.status_code}")

    assert not failures, f"{len(failures)} wrong outcomes:\n" + "\n".join(failures)


# GETs that write, and why that is no state a forged request could misuse.
GET_WRITES_BY_DESIGN = {
    # The feeds remember the ETag and time of what they served (a cache, not a state).
    "calendar.personal_feed",
    "calendar.programme_ics",
}

# The personal feed's address is the token itself: whoever has it reads it, by design.
SHOWS_OWN_SECRET = {"calendar.personal_feed"}


def _show(expected) -> str:
    return expected if isinstance(expected, str) else "/".join(map(str, sorted(expected)))


# A visitor's language switch writes only to their own session, so that public pages carry no
# per-visitor token (a member's switch, which changes the profile, is checked).
CSRF_EXEMPT_FOR_VISITORS = {"accounts.set_language"}


def test_writes_without_csrf_token_are_refused(tmp_path_factory):
    """With CSRF on, no HTML write (POST, or PUT/PATCH/DELETE should one come) and no API
    write made with the browser's session cookie is accepted without its token (SQLite)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('csrf') / 'csrf.sqlite'}"
    application = make_app(url, WTF_CSRF_ENABLED=True)
    with application.app_context():
        db.create_all()
        world = build_world()
        failures = []
        html_posts = [
            (endpoint, method, rule_text)
            for endpoint, method, rule_text in rules(application)
            if method in WRITE_METHODS and not rule_text.startswith("/api/")
        ]
        before = snapshot()
        for endpoint, method, rule_text in html_posts:
            target = url_for_rule(application, world, endpoint, rule_text)
            for role in ("anonymous", "member_a", "organiser"):
                if role == "anonymous" and endpoint in CSRF_EXEMPT_FOR_VISITORS:
                    continue
                response = client_for(application, world, role, api=False).open(
                    target, method=method
                )
                if not (response.status_code == 400 or is_login_redirect(response)):
                    failures.append(
                        f"{method} {target} ({endpoint}) as {role} without CSRF token: "
                        f"{response.status_code}"
                    )
        # The API with the browser's cookie instead of a token needs the CSRF token too.
        api_writes = [
            (endpoint, method, rule_text)
            for endpoint, method, rule_text in rules(application)
            if method in WRITE_METHODS and rule_text.startswith("/api/")
        ]
        for endpoint, method, rule_text in api_writes:
            target = url_for_rule(application, world, endpoint, rule_text)
            for role in ("member_a", "organiser"):
                client = client_for(application, world, role, api=False)
                response = client.open(target, method=method, json={})
                if response.status_code != 400:
                    failures.append(
                        f"{method} {target} ({endpoint}) as {role} by cookie without CSRF "
                        f"token: {response.status_code}"
                    )
        changed = changed_tables(before, snapshot())
        db.session.remove()
        db.engine.dispose()
    assert not failures, "\n".join(failures)
    assert not changed, f"writes without a CSRF token wrote to {changed}"
    assert len(html_posts) > 50 and len(api_writes) > 20
