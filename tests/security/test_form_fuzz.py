"""Hypothesis over every HTML form: whatever is posted, never a 500 nor an exception's text in
the answer, and a refused post changes nothing.

The forms are found the way a browser finds them: every HTML page of the authorization
matrix's world is fetched as a visitor, as members A and B and as the organiser, and each
<form method="post"> is read (its target, its fields and their kinds, the values and options
shown). Each POST rule of the URL map (not /api: tests/api/test_fuzz.py covers it) is then
posted to, as the role its ACCESS category lets act, with generated bodies: any Unicode with
NUL, right-to-left and combining characters, very long text, numbers beyond any column,
malformed dates, times, e-mail addresses and URLs, wrong types for choices, fields left out,
sent twice, or unknown; URL-encoded, multipart, or in bytes that are not UTF-8.

A new form is covered as soon as a page shows it; a POST rule that no page shows a form for
fails `test_every_html_post_rule_is_fuzzed` until the world shows one or UNSEEN says why no
page shows it (it is then fuzzed with its form class's fields).

A refusal (a 4xx, the form shown again with an error, or a redirect with a warning) must
leave every table as it was; an accepted post may change the world, which is put back
before the next rule. Bounded and derandomised: the same examples every run.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException

from pic_events.accounts import services as accounts
from pic_events.extensions import db
from pic_events.matchmaking.meeting_forms import OutcomeForm
from pic_events.matchmaking.models import B2BSettings
from tests.conftest import BACKENDS, backend_url, make_app
from tests.security.db_writes import writes_seen
from tests.security.hostile_values import form_bodies
from tests.security.html_forms import FormField, post_forms
from tests.security.test_authorization_matrix import (
    ACCESS,
    World,
    build_world,
    changed_tables,
    client_for,
    rules,
    snapshot,
    url_for_rule,
)

# Per rule; FORM_FUZZ_EXAMPLES=50 makes a deeper run by hand.
EXAMPLES_PER_RULE = int(os.environ.get("FORM_FUZZ_EXAMPLES", "8"))
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES_PER_RULE,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)

# The role that posts to a rule, by its ACCESS category: someone allowed to act.
ACTING_ROLE = {
    "public": "anonymous",
    "guest": "anonymous",
    "logged_in": "member_a",
    "participant": "member_a",
    "owner": "member_a",
    "organiser": "organiser",
}
CRAWLED_ROLES = ("anonymous", "member_a", "member_b", "organiser")

# GET rules that answer files, not pages with forms.
NOT_PAGES = re.compile(r"pdf|ics|csv|xlsx|feed|openapi|healthz|favicon")

# HTML POST rules whose form the world shows no page with (it needs a state the shared world
# does not have): why, and the form class that gives their fields (None: a button, no field).
# They are fuzzed at the world's address with these fields and unknown ones.
UNSEEN: dict[str, tuple[str, type | None]] = {
    "b2b_admin.publish": ("shown for a finished run with meetings; the world's run has none", None),
    "b2b_profiles.copy_previous": ("shown when a previous edition has a profile", None),
    "consortia.carry_over": ("shown when a later edition exists to carry the idea to", None),
    "document_jobs.retry": ("shown for a badge job that failed or outlived its lease", None),
    "matchmaking.meeting_outcome": ("shown once the meeting has taken place", OutcomeForm),
    "programme.choose": ("shown in a choice window with sessions to choose", None),
    "programme.drop": ("shown for a session chosen in a choice window", None),
}

# What must never reach the person: a stack trace or the text of an exception.
LEAKS = re.compile(
    r"Traceback \(most recent call last\)|sqlalchemy\.exc|psycopg\.|IntegrityError|"
    r"OperationalError|DataError|ProgrammingError|(?:Type|Value|Key|Attribute)Error:|"
    r"Internal Server Error"
)
REFUSING_FLASHES = {"danger", "warning"}


@dataclass
class Target:
    """One POST rule as a page shows it: where its form posts and what it holds."""

    endpoint: str
    rule: str
    url: str
    role: str
    fields: dict[str, FormField]


# --- the world, once per backend, and putting it back ------------------------------------------


@pytest.fixture(scope="module", params=BACKENDS)
def fuzz_world(request, tmp_path_factory) -> Iterator[tuple[Flask, World]]:
    url = backend_url(request.param, tmp_path_factory, name="formfuzz")
    application = make_app(url)
    with application.app_context():
        db.drop_all()
        db.create_all()
        world = build_world()
        # A reset link that works, so that the new-password form is shown and can be fuzzed.
        world.params["token@accounts"] = accounts.make_password_reset_token(world.member_a)
        # Organisers and participants both book, so that the self-booking switch is shown.
        db.session.execute(sa.update(B2BSettings).values(booking_style="both"))
        db.session.commit()
        yield application, world
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


def all_rows() -> dict[str, list[dict]]:
    return {
        table.name: [dict(row._mapping) for row in db.session.execute(sa.select(table))]
        for table in db.metadata.sorted_tables
    }


def put_back(rows: dict[str, list[dict]]) -> None:
    """Every table as `rows` says (ids and sequences included)."""
    db.session.rollback()
    for table in reversed(db.metadata.sorted_tables):  # DELETE: much faster than TRUNCATE here
        db.session.execute(table.delete())
    for table in db.metadata.sorted_tables:
        if rows[table.name]:
            db.session.execute(table.insert(), rows[table.name])
    if db.engine.dialect.name == "postgresql":
        for table in db.metadata.sorted_tables:
            if "id" in table.c and table.c.id.autoincrement is not False:
                db.session.execute(
                    sa.text(
                        f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
                        f'coalesce((SELECT max(id) FROM "{table.name}"), 0) + 1, false)'
                    )
                )
    db.session.commit()
    db.session.expire_all()


# --- finding the forms -------------------------------------------------------------------------


def html_post_rules(app: Flask) -> list[tuple[str, str]]:
    return sorted(
        (endpoint, rule_text)
        for endpoint, method, rule_text in rules(app)
        if method == "POST" and not rule_text.startswith("/api/")
    )


def crawl(app: Flask, world: World) -> dict[tuple[str, str], Target]:
    """(role, rule) -> the form a page shows that role for the rule, fields of all its forms
    (a rule several pages post to, with different values) merged."""
    adapter = app.url_map.bind("localhost")
    found: dict[tuple[str, str], Target] = {}
    pages = [
        (endpoint, rule_text)
        for endpoint, method, rule_text in rules(app)
        if method == "GET" and not rule_text.startswith("/api/") and not NOT_PAGES.search(endpoint)
    ]
    for role in CRAWLED_ROLES:
        client = client_for(app, world, role, api=False)
        for endpoint, rule_text in pages:
            page_url = url_for_rule(app, world, endpoint, rule_text)
            response = client.get(page_url)
            if response.status_code != 200 or response.mimetype != "text/html":
                continue
            for form in post_forms(page_url, response.get_data(as_text=True)):
                try:
                    rule, _args = adapter.match(form.path, method="POST", return_rule=True)
                except HTTPException:
                    continue
                target = found.setdefault(
                    (role, rule.rule), Target(rule.endpoint, rule.rule, form.path, role, {})
                )
                for name, form_field in form.fields.items():
                    merged = target.fields.setdefault(name, FormField(name, form_field.kind))
                    merged.values += [v for v in form_field.values if v not in merged.values]
    return found


def targets(app: Flask, world: World) -> tuple[list[Target], list[str]]:
    """The form to fuzz for each HTML POST rule, and the rules no page shows a form for."""
    found = crawl(app, world)
    chosen, missing = [], []
    for endpoint, rule_text in html_post_rules(app):
        role = ACTING_ROLE[ACCESS[endpoint]]
        target = found.get((role, rule_text)) or next(
            (t for (r, text), t in found.items() if text == rule_text), None
        )
        if target is not None:
            chosen.append(target)
        elif endpoint in UNSEEN:
            url = url_for_rule(app, world, endpoint, rule_text)
            with app.test_request_context():
                fields = form_class_fields(UNSEEN[endpoint][1])
            chosen.append(Target(endpoint, rule_text, url, role, fields))
        else:
            missing.append(f"{endpoint} {rule_text}")
    return chosen, missing


# WTForms field types -> the <input> type a page would show.
FIELD_KINDS = {
    "IntegerField": "number",
    "DecimalField": "number",
    "FloatField": "number",
    "DateField": "date",
    "TimeField": "time",
    "DateTimeLocalField": "datetime-local",
    "EmailField": "email",
    "URLField": "url",
    "BooleanField": "checkbox",
    "RadioField": "radio",
    "SelectField": "select",
    "SelectMultipleField": "select-multiple",
    "HiddenField": "hidden",
    "TextAreaField": "textarea",
}


def form_class_fields(form_class: type | None) -> dict[str, FormField]:
    if form_class is None:
        return {}
    form = form_class(formdata=None, meta={"csrf": False})
    return {
        f.name: FormField(
            f.name,
            FIELD_KINDS.get(f.type, "text"),
            [str(value) for value, *_label in getattr(f, "choices", None) or []],
        )
        for f in form
    }


# --- posting -----------------------------------------------------------------------------------


def refused(client, response) -> bool:
    if 400 <= response.status_code < 500:
        return True
    body = response.get_data(as_text=True) if response.mimetype.startswith("text/") else ""
    if response.status_code == 200 and ("is-invalid" in body or "alert-danger" in body):
        return True
    if response.status_code in {302, 303}:
        with client.session_transaction() as session:
            flashes = session.get("_flashes", [])
        return any(category in REFUSING_FLASHES for category, _message in flashes)
    return False


# How the body travels: as a browser sends it, as multipart, or in Latin-1 (bytes that are
# not UTF-8).
ENCODINGS = ("urlencoded", "multipart", "latin-1")


def encoded(body: list[tuple[str, str]], encoding: str) -> dict:
    if encoding == "latin-1":
        raw = urlencode(body, encoding="latin-1", errors="replace")
        return {"data": raw, "content_type": "application/x-www-form-urlencoded"}
    if encoding == "multipart":
        return {"data": MultiDict(body), "content_type": "multipart/form-data"}
    return {"data": MultiDict(body)}


def fuzz_rule(app: Flask, world: World, target: Target) -> None:
    user = None if target.role == "anonymous" else getattr(world, target.role)
    session_id = user.get_id() if user is not None else None
    state = {"tables": snapshot()}

    @FUZZ_SETTINGS
    @given(body=form_bodies(target.fields), encoding=st.sampled_from(ENCODINGS))
    def no_crash_and_nothing_written_on_refusal(body: list[tuple[str, str]], encoding) -> None:
        client = app.test_client()
        if session_id is not None:
            with client.session_transaction() as session:
                session["_user_id"], session["_fresh"] = session_id, True
        with writes_seen() as writes:
            response = client.post(target.url, **encoded(body, encoding))
        # A PDF (printing badges) is an answer too: only text answers are read for leaks.
        text = response.get_data(as_text=True) if response.mimetype.startswith("text/") else ""
        assert response.status_code < 500, (response.status_code, text[:500])
        leak = LEAKS.search(text)
        assert leak is None, f"the answer shows {leak.group(0)!r}: {text[:500]}"
        if not writes:
            return
        after = snapshot()
        if refused(client, response):
            changed = changed_tables(state["tables"], after)
            assert not changed, f"refused ({response.status_code}) but wrote to {changed}"
        state["tables"] = after

    no_crash_and_nothing_written_on_refusal()


# --- the tests ---------------------------------------------------------------------------------


def test_every_html_post_rule_is_fuzzed(fuzz_world):
    """Each HTML POST rule has a form on a page of the world, or is EXEMPT with a reason;
    then every one of them gets the fuzzing run."""
    app, world = fuzz_world
    chosen, missing = targets(app, world)
    assert not missing, (
        "no page shows a form for these POST rules: make the world show one, or put them in "
        f"UNSEEN with the reason and their form class: {missing}"
    )
    stale = sorted(UNSEEN.keys() - {endpoint for endpoint, _r in html_post_rules(app)})
    assert not stale, f"UNSEEN names rules that are gone: {stale}"
    assert len(chosen) > 50
    uploads = [f"{t.endpoint} {n}" for t in chosen for n, f in t.fields.items() if f.kind == "file"]
    assert not uploads, (
        f"these forms take a file: check its size and type with a clear error, and give the "
        f"fuzzing run file values: {uploads}"
    )

    pristine = all_rows()
    pristine_snapshot = snapshot()
    failures = []
    for target in chosen:
        try:
            fuzz_rule(app, world, target)
        except Exception as error:  # noqa: BLE001 - every rule's failure is reported at once
            notes = "\n".join(getattr(error, "__notes__", []))
            failures.append(
                f"POST {target.url} ({target.endpoint}) as {target.role}: "
                f"{type(error).__name__}: {str(error)[:800]}\n{notes[:1500]}"
            )
        if changed_tables(pristine_snapshot, snapshot()):
            put_back(pristine)
    assert not failures, f"{len(failures)} forms failed:\n\n" + "\n\n".join(failures)
