"""No N+1 queries: every GET page of the URL map sends as many SQL statements when the world
is ten times bigger (tests/query_world.py: size 3, then 30).

The pages come from ``app.url_map``: a new GET rule fails ``test_every_get_rule_is_measured``
until it is put in PAGES (who reads it) or in EXEMPT (with the reason). Each page is read
once to warm up (caches, the session's first load of the user), then counted; counts are
compared per page; the main lists must show more in the big world (else equal counts would
prove nothing). A known N+1 in code being changed elsewhere is a strict xfail
(KNOWN_N_PLUS_ONE): its fix turns the test red until the entry goes. One world per backend
(module-scoped): SQLite, and PostgreSQL when TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from flask import Flask

from pic_events.accounts.models import User
from pic_events.extensions import db
from tests.conftest import BACKENDS, backend_url, make_app
from tests.factories import login, make_user
from tests.queries import count_queries
from tests.query_world import World, build_world, grow

SMALL = 3
LARGE = 10 * SMALL

# Who reads the page: Ana in her browser or by API token, Olga the organiser likewise, a
# visitor, or Nina, a member registered nowhere (the registration form).
MEMBER, MEMBER_API, ORGANISER, ORGANISER_API, VISITOR, NEWCOMER = (
    "member",
    "member_api",
    "organiser",
    "organiser_api",
    "visitor",
    "newcomer",
)

# endpoint -> who reads it, or a tuple of those whose pages differ (query strings in QUERIES).
PAGES: dict[str, str | tuple[str, ...]] = {
    # site, accounts
    "main.home": MEMBER,
    "main.healthz": VISITOR,
    "accounts.login": VISITOR,
    "accounts.signup": VISITOR,
    "accounts.check_mail": VISITOR,
    "accounts.forgot_password": VISITOR,
    "accounts.profile": MEMBER,
    "accounts_api.me": MEMBER_API,
    "accounts_api.list_tokens": MEMBER_API,
    # events
    "events.show": MEMBER,
    "events.organiser_list": ORGANISER,
    "events.create": ORGANISER,
    "events.edit": ORGANISER,
    "events_api.list_events": VISITOR,
    "events_api.get_event": VISITOR,
    # directory
    "directory.clusters": ORGANISER,
    "directory.create_cluster": ORGANISER,
    "directory.edit_cluster": ORGANISER,
    "directory.organisations": ORGANISER,
    "directory.create_organisation": ORGANISER,
    "directory.edit_organisation": ORGANISER,
    # registration, member side
    "registration.register": NEWCOMER,
    "registration.mine": MEMBER,
    "registration.cancel": MEMBER,
    "registration.edit": MEMBER,
    "registration.my_list": MEMBER,
    "registration.my_data": MEMBER,
    "registration.privacy_page": MEMBER,
    "registration_api.list_questions": VISITOR,
    "registration_api.my_registration": MEMBER_API,
    "registration_api.get_registration": MEMBER_API,
    "registration_api.list_registrations": ORGANISER_API,
    # registration, organiser side
    "registration_admin.dashboard": ORGANISER,
    "registration_admin.detail": ORGANISER,
    "registration_admin.edit": ORGANISER,
    "registration_admin.create": ORGANISER,
    "registration_admin.export_csv": ORGANISER,
    "registration_admin.export_xlsx": ORGANISER,
    "registration_admin.questions": ORGANISER,
    "registration_admin.question_form": ORGANISER,
    "registration_admin.settings_page": ORGANISER,
    # programme
    "programme.programme": MEMBER,
    "programme.my_agenda": MEMBER,
    "programme.editor": ORGANISER,
    "programme.rooms": ORGANISER,
    "programme.edit_room": ORGANISER,
    "programme.new_session": ORGANISER,
    "programme.edit_session": ORGANISER,
    "programme.move_session": ORGANISER,
    "programme.new_edition": ORGANISER,
    "programme_api.list_rooms": VISITOR,
    "programme_api.list_sessions": MEMBER_API,
    # calendar
    "calendar.programme_ics": VISITOR,
    "calendar.session_ics": VISITOR,
    "calendar.personal_feed": VISITOR,
    "calendar.meeting_ics": MEMBER,
    "calendar.reminder_settings": ORGANISER,
    # documents
    "documents.programme_pdf": VISITOR,
    "documents.my_agenda_pdf": MEMBER,
    "documents.badges_page": ORGANISER,
    "documents.badges_pdf": ORGANISER,
    "documents.desk": ORGANISER,
    "documents.participants_pdf": ORGANISER,
    "documents.table_plan_pdf": ORGANISER,
    "documents.table_sheets_pdf": ORGANISER,
    # matchmaking, member side
    "b2b_profiles.catalogue": MEMBER,
    "b2b_profiles.participant": MEMBER,
    "b2b_profiles.my_profile": MEMBER,
    "b2b_profiles.recommendations": MEMBER,
    "b2b_profiles_api.list_participants": MEMBER_API,
    "b2b_profiles_api.get_profile": MEMBER_API,
    "b2b_profiles_api.list_recommendations": MEMBER_API,
    "matchmaking.availability": MEMBER,
    "matchmaking.my_meetings": MEMBER,
    "matchmaking.new_request": MEMBER,
    "matchmaking_api.list_requests": MEMBER_API,
    "matchmaking_api.list_meetings": (MEMBER_API, ORGANISER_API),  # mine; all of them
    "matchmaking_api.list_slots": MEMBER_API,
    # matchmaking, organiser side
    "b2b_admin.setup_page": ORGANISER,
    "b2b_admin.slots": ORGANISER,
    "b2b_admin.edit_slot": ORGANISER,
    "b2b_admin.delete_slot": ORGANISER,
    "b2b_admin.tables": ORGANISER,
    "b2b_admin.edit_table": ORGANISER,
    "b2b_admin.grid": ORGANISER,
    "b2b_admin.meeting": ORGANISER,
    "b2b_admin.participant": ORGANISER,
    "b2b_admin.place": ORGANISER,
    "b2b_admin.scheduling_page": ORGANISER,
    "b2b_admin.statistics": ORGANISER,
    "b2b_admin.unscheduled": ORGANISER,
    # consortia
    "consortia.index": MEMBER,
    "consortia.show": MEMBER,
    "consortia.new": MEMBER,
    "consortia.edit": MEMBER,
    "consortia.invite": MEMBER,
    "consortia.meeting": MEMBER,
    "consortia.summary_pdf": MEMBER,
    "consortia.organiser": ORGANISER,
    "consortia_api.list_ideas": MEMBER_API,
    "consortia_api.get_idea": MEMBER_API,
}

# Query strings: the largest page, so that a capped page shows all rows it can.
QUERIES: dict[str, str] = {
    "registration_admin.dashboard": "per_page=100",
    "registration_api.list_registrations": "per_page=500",
    "b2b_profiles.catalogue": "per_page=100",
    "b2b_profiles_api.list_participants": "per_page=100",
    "b2b_admin.participant": "registration_id={registration_id}",
}

# endpoint -> why it is not measured.
EXEMPT: dict[str, str] = {
    "main.favicon": "a redirect to a static file: no database",
    "api-docs.openapi_json": "built from the schemas: no database",
    "accounts.reset_password": "a signed token's page: one account, no list",
    "accounts.verify_email": "a signed token's page: one account, no list",
    "document_jobs.progress": "one badge job's progress: one row, no list",
    "document_jobs.download": "one badge job's stored file: one row, no list",
}

# Pages with a known N+1 in code others are changing now: strict xfail, so that the fix
# turns them green and this list must shrink.
KNOWN_N_PLUS_ONE: dict[str, str] = {}

# Statuses a measured page may answer (a redirect would measure the wrong thing).
EXPECTED_STATUS = {200}


@dataclass(frozen=True)
class Page:
    endpoint: str
    rule: str
    role: str

    @property
    def name(self) -> str:
        return f"{self.endpoint} {self.rule} as {self.role}"


def get_rules(app: Flask) -> list[tuple[str, str]]:
    """(endpoint, rule) of every GET rule but /static."""
    return sorted(
        (rule.endpoint, rule.rule)
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and rule.endpoint != "static"
    )


def pages_of(app: Flask) -> list[Page]:
    return [
        Page(endpoint, rule, role)
        for endpoint, rule in get_rules(app)
        if endpoint in PAGES
        for role in _roles(PAGES[endpoint])
    ]


def _roles(readers: str | tuple[str, ...]) -> tuple[str, ...]:
    return (readers,) if isinstance(readers, str) else readers


def parameter(world: World, name: str, endpoint: str):
    view = endpoint.split(".")[-1]
    for key in (f"{name}@{view}", name):
        if key in world.params:
            return world.params[key]
    raise AssertionError(f"URL parameter <{name}> of {endpoint} is new: add it to the world")


def url_of(app: Flask, world: World, page: Page) -> str:
    (rule,) = [
        r for r in app.url_map.iter_rules() if r.rule == page.rule and r.endpoint == page.endpoint
    ]
    values = {name: parameter(world, name, page.endpoint) for name in rule.arguments}
    url = rule.build(values, append_unknown=False)[1]
    query = QUERIES.get(page.endpoint)
    if query:
        url += "?" + query.format(**world.params)
    return url


def clients(app: Flask, world: World) -> dict[str, object]:
    member, organiser, newcomer = (app.test_client() for _ in range(3))
    login(member, db.session.get(User, world.ana_id))
    login(organiser, db.session.get(User, world.organiser_id))
    login(newcomer, make_user("nina@example.org", name="Nina Newcomer"))
    member_api, organiser_api = app.test_client(), app.test_client()
    member_api.environ_base["HTTP_AUTHORIZATION"] = world.bearer["member"]["Authorization"]
    organiser_api.environ_base["HTTP_AUTHORIZATION"] = world.bearer["organiser"]["Authorization"]
    return {
        MEMBER: member,
        MEMBER_API: member_api,
        ORGANISER: organiser,
        ORGANISER_API: organiser_api,
        VISITOR: app.test_client(),
        NEWCOMER: newcomer,
    }


@dataclass
class Measure:
    status: int
    statements: list[str]
    size: int  # of the body: the lists of the big world are longer


def measure_all(app: Flask, world: World, by_role: dict) -> dict[str, Measure]:
    measures = {}
    for page in pages_of(app):
        client = by_role[page.role]
        url = url_of(app, world, page)
        client.get(url)  # warm-up
        db.session.rollback()
        db.session.expunge_all()  # nothing cached from the set-up hides a query
        with count_queries() as statements:
            response = client.get(url)
        db.session.rollback()
        measures[page.name] = Measure(response.status_code, list(statements), len(response.data))
    return measures


@pytest.fixture(scope="module", params=BACKENDS)
def counted(request, tmp_path_factory) -> Iterator[dict[str, tuple[Measure, Measure]]]:
    url = backend_url(request.param, tmp_path_factory, name="queries")
    application = make_app(url)
    with application.app_context():
        _fast_sqlite_commits()
        db.drop_all()
        db.create_all()
        world = build_world()
        by_role = clients(application, world)
        grow(world, SMALL)
        small = measure_all(application, world, by_role)
        grow(world, LARGE - SMALL)
        large = measure_all(application, world, by_role)
        yield {name: (small[name], large[name]) for name in small}
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


def _fast_sqlite_commits() -> None:
    """The world is built with hundreds of commits: no fsync for each on SQLite (the counts
    do not depend on it)."""
    if db.engine.dialect.name != "sqlite":
        return

    def no_sync(connection, _record) -> None:
        connection.execute("PRAGMA synchronous=OFF")

    sa.event.listen(db.engine, "connect", no_sync)
    db.engine.dispose()


def _all_pages() -> list:
    app = make_app("sqlite://")
    params = []
    for page in pages_of(app):
        marks = []
        if page.endpoint in KNOWN_N_PLUS_ONE:
            marks.append(pytest.mark.xfail(reason=KNOWN_N_PLUS_ONE[page.endpoint], strict=True))
        params.append(pytest.param(page.name, id=page.name, marks=marks))
    return params


def test_every_get_rule_is_measured():
    """A new page fails here until PAGES says who reads it or EXEMPT says why not."""
    app = make_app("sqlite://")
    endpoints = {endpoint for endpoint, _rule in get_rules(app)}
    missing = sorted(endpoints - PAGES.keys() - EXEMPT.keys())
    assert not missing, f"measure these pages in PAGES (or exempt them): {missing}"
    stale = sorted((PAGES.keys() | EXEMPT.keys() | KNOWN_N_PLUS_ONE.keys()) - endpoints)
    assert not stale, f"these entries have no GET route any more: {stale}"
    assert not PAGES.keys() & EXEMPT.keys()


@pytest.mark.parametrize("name", _all_pages())
def test_query_count_does_not_grow_with_the_data(counted, name):
    small, large = counted[name]
    assert small.status in EXPECTED_STATUS, f"{name}: status {small.status}"
    assert large.status in EXPECTED_STATUS, f"{name}: status {large.status}"
    assert len(small.statements) == len(large.statements), _diff(small, large)


# The main lists: the big world must show more on each (else the world does not grow what
# they list, and equal counts would prove nothing).
LISTS = {
    "main.home",
    "events.organiser_list",
    "events_api.list_events",
    "registration.my_list",
    "registration.my_data",
    "registration.register",
    "registration_admin.dashboard",
    "registration_admin.export_csv",
    "registration_admin.questions",
    "registration_api.list_registrations",
    "programme.programme",
    "programme.my_agenda",
    "programme.editor",
    "programme.rooms",
    "programme_api.list_sessions",
    "calendar.programme_ics",
    "b2b_profiles.catalogue",
    "b2b_profiles.recommendations",
    "b2b_profiles_api.list_participants",
    "matchmaking.my_meetings",
    "matchmaking_api.list_meetings",
    "matchmaking_api.list_requests",
    "b2b_admin.slots",
    "b2b_admin.tables",
    "b2b_admin.grid",
    "b2b_admin.statistics",
    "b2b_admin.unscheduled",
    "documents.badges_pdf",
    "documents.desk",
    "consortia.index",
    "consortia.show",
    "consortia_api.list_ideas",
    "directory.clusters",
    "directory.organisations",
}


def test_the_big_world_shows_more_on_the_lists(counted):
    shorter = [
        name
        for name, (small, large) in counted.items()
        if name.split()[0] in LISTS and large.size <= small.size
    ]
    assert not shorter, f"these lists do not grow with the world: {shorter}"
    assert {name.split()[0] for name in counted} >= LISTS


def _diff(small: Measure, large: Measure) -> str:
    """The statements the big world sent more often than the small one (IN lists folded)."""
    counts: dict[str, int] = {}
    for statement in map(_folded, large.statements):
        counts[statement] = counts.get(statement, 0) + 1
    for statement in map(_folded, small.statements):
        counts[statement] = counts.get(statement, 0) - 1
    repeated = [f"{n:+d} x {s[:STATEMENT_SHOWN]}" for s, n in counts.items() if n]
    return (
        f"{len(small.statements)} statements at size {SMALL}, "
        f"{len(large.statements)} at size {LARGE}:\n" + "\n".join(repeated)
    )


STATEMENT_SHOWN = 400
_IN_LIST = re.compile(r"IN \((?:[^()]|\([^()]*\))*\)")


def _folded(statement: str) -> str:
    return " ".join(_IN_LIST.sub("IN (...)", statement).split())
