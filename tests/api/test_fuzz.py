"""A bounded, repeatable fuzzing run over /api/v1/openapi.json (schemathesis, in-process
through WSGI), as an organiser and as a member: no request may answer a 5xx.

Each operation gets a few valid and a few invalid requests (derandomised: the same run
each time), then the requests at the edges of what the document allows (the largest id and
one beyond, the longest text and one character more...). The data they meet is a published
event with a published programme, a workshop, a room, a question and the member's
registration; what a request changes (the event's address, its status) is put back before
the next operation, so that every operation is tried against something that exists. A
server error fails the test with the request that caused it (as a curl command).

It runs on PostgreSQL when TEST_DATABASE_URL is set, on SQLite otherwise.
"""

from __future__ import annotations

from datetime import date

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from pic_events.events.models import Event
from pic_events.extensions import db
from tests.conftest import TEST_DATABASE_URL, _app_on, backend_url
from tests.factories import (
    api_auth,
    make_event,
    make_organiser,
    make_programme_session,
    make_question,
    make_registration,
    make_room,
    make_user,
)
from tests.programme.helpers import paris

SLUG = "fuzz"
DAY = date(2031, 6, 15)
VALID_PER_OPERATION = 3
INVALID_PER_OPERATION = 3
FUZZ_SETTINGS = {
    "derandomize": True,
    "database": None,
    "deadline": None,
    "suppress_health_check": list(HealthCheck),
}


def _seed() -> dict[str, dict[str, str]]:
    event = make_event(SLUG, starts_on=DAY, ends_on=DAY, programme_published=True)
    room = make_room(event, "Salle Anjou", capacity=40)
    make_programme_session(
        event, paris(DAY, 9), paris(DAY, 10), kind="workshop", must_choose=True, room=room
    )
    make_question(event, "Diet", kind="single_choice", options=["None", "Vegetarian"])
    member = make_user()
    make_registration(event, member)
    return {"organiser": api_auth(make_organiser()), "member": api_auth(member)}


def _put_the_event_back() -> None:
    db.session.rollback()
    event = db.session.scalar(db.select(Event))
    if event is not None:
        event.slug, event.status, event.programme_published = SLUG, "published", True
        event.starts_on, event.ends_on = DAY, DAY
        db.session.commit()


def _cases(operation, mode: GenerationMode):
    path = {"slug": SLUG} if "{slug}" in operation.path and mode.is_positive else None
    return operation.as_strategy(generation_mode=mode, path_parameters=path)


def _can_be_invalid(operation) -> bool:
    """A body or a constrained parameter; a bare string in the path cannot be made invalid."""
    if operation.body:
        return True
    return any(
        set(p.definition.get("schema", {})) & {"enum", "maxLength", "maximum", "pattern"}
        or p.definition.get("schema", {}).get("type") != "string"
        for p in operation.iter_parameters()
    )


# Schemathesis's coverage cases at the edges of what the document allows: the largest value
# and one beyond, the longest text and one character more, the fullest list and one more.
EDGES = {
    "maximum_value",
    "value_above_maximum",
    "value_below_minimum",
    "string_above_max_length",
    "array_above_max_items",
    "object_above_max_properties",
}


def _edge_cases(schema, operation):
    cases = schema.iter_coverage_cases(
        operation,
        generation_modes=list(GenerationMode),
        generation_config=schema.config.generation_for(operation=operation),
    )
    for case in cases:
        scenario = getattr(case._meta.phase.data, "scenario", None) if case._meta else None
        if scenario in EDGES:
            if "{slug}" in operation.path:
                case.path_parameters = {**(case.path_parameters or {}), "slug": SLUG}
            yield case


@pytest.fixture
def fuzz_app(tmp_path_factory):
    """PostgreSQL when there is one (where integers and NUL bytes hurt), else SQLite: the
    run is bounded in time, so it runs once, on the database that finds the most."""
    backend = "postgresql" if TEST_DATABASE_URL else "sqlite"
    yield from _app_on(backend_url(backend, tmp_path_factory, name="fuzz"))


@pytest.mark.parametrize("who", ["organiser", "member"])
def test_no_request_answers_a_server_error(fuzz_app, who):
    app = fuzz_app
    headers = _seed()[who]
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 20

    for operation in operations:
        strategies = [_cases(operation, GenerationMode.POSITIVE)]
        examples = VALID_PER_OPERATION
        if _can_be_invalid(operation):
            strategies.append(_cases(operation, GenerationMode.NEGATIVE))
            examples += INVALID_PER_OPERATION

        @settings(max_examples=examples, **FUZZ_SETTINGS)
        @given(case=st.one_of(strategies))
        def no_server_error(case):
            response = case.call(headers=headers)
            assert response.status_code < 500, (case.as_curl_command(), response.text)

        try:
            no_server_error()
            for case in _edge_cases(schema, operation):
                response = case.call(headers=headers)
                assert response.status_code < 500, (case.as_curl_command(), response.text)
                _put_the_event_back()
        finally:
            _put_the_event_back()
