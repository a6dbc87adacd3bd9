"""Hostile input answers 404 or 422 (problem+json), never 500, and changes nothing."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from sqlalchemy import func, select

from pic_events.events.models import Event
from pic_events.extensions import db
from pic_events.programme.models import ProgrammeSession, Room
from tests.api.test_openapi_and_problems import assert_problem
from tests.factories import api_auth, make_event, make_organiser, make_registration, make_user

API = "/api/v1"
TOO_BIG = 2**31
NEW_EVENT = {
    "slug": "pic-2031",
    "title": "PIC 2031",
    "timezone": "Europe/Paris",
    "starts": "2031-03-30",
    "ends": "2031-04-01",
}


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _int_rules(app):
    for rule in app.url_map.iter_rules():
        if "int" in {type(c).__name__ for c in rule._converters.values()} or any(
            type(c).__name__ == "RowIdConverter" for c in rule._converters.values()
        ):
            yield rule


def _filled(rule, value) -> str:
    path = rule.rule
    for name, converter in rule._converters.items():
        fill = str(value) if type(converter).__name__ == "RowIdConverter" else "x"
        path = re.sub(rf"<(?:[^:<>]+:)?{name}>", fill, path)
    return path


def test_an_id_beyond_the_integer_column_is_404_on_every_route(app, client, organiser_auth):
    rules = list(_int_rules(app))
    assert len(rules) > 10
    for rule in rules:
        method = sorted(rule.methods - {"HEAD", "OPTIONS"})[0]
        for value in (TOO_BIG, 99999999999999999999):
            response = client.open(_filled(rule, value), method=method, headers=organiser_auth)
            assert response.status_code == 404, (rule.rule, method, response.status_code)


def test_the_largest_id_is_an_ordinary_unknown_id(client, organiser_auth):
    assert_problem(client.get(f"{API}/registrations/2147483647", headers=organiser_auth), 404)
    assert_problem(client.get(f"{API}/registrations/2147483648", headers=organiser_auth), 404)


def test_openapi_documents_the_id_range(client):
    document = client.get(f"{API}/openapi.json").json
    parameter = document["paths"]["/api/v1/registrations/{registration_id}"]["parameters"][0]
    assert parameter["schema"]["maximum"] == 2**31 - 1


@pytest.mark.parametrize("capacity", [TOO_BIG, 2.589e-42, 2.5, "12", True])
def test_event_capacity_must_be_a_whole_number_the_column_holds(client, organiser_auth, capacity):
    response = client.post(
        f"{API}/events", json={**NEW_EVENT, "capacity": capacity}, headers=organiser_auth
    )
    body = assert_problem(response, 422)
    assert "capacity" in body["errors"]
    assert count(Event) == 0


def test_room_and_session_capacity_refuse_non_integers(client, organiser_auth):
    event = make_event(starts_on=date(2027, 6, 15))
    for capacity in (2.589e-42, TOO_BIG):
        room = {"name": "Salle Anjou", "capacity": capacity}
        response = client.post(
            f"{API}/events/{event.slug}/rooms", json=room, headers=organiser_auth
        )
        assert "capacity" in assert_problem(response, 422)["errors"]
        session = {
            "title": "Cider",
            "kind": "workshop",
            "start": "2027-06-15T09:00:00+02:00",
            "end": "2027-06-15T10:00:00+02:00",
            "capacity": capacity,
        }
        response = client.post(
            f"{API}/events/{event.slug}/sessions", json=session, headers=organiser_auth
        )
        assert "capacity" in assert_problem(response, 422)["errors"]
    assert count(Room) == 0 and count(ProgrammeSession) == 0


def test_session_ids_beyond_the_column_are_refused(client):
    event = make_event()
    member = make_user()
    registration = make_registration(event, member)
    auth = api_auth(member)
    body = {"consent": True, "session_ids": [TOO_BIG]}
    other = api_auth(make_user())
    response = client.post(f"{API}/events/{event.slug}/registrations", json=body, headers=other)
    assert "session_ids" in assert_problem(response, 422)["errors"]
    response = client.patch(
        f"{API}/registrations/{registration.id}", json={"session_ids": [1] * 501}, headers=auth
    )
    assert "session_ids" in assert_problem(response, 422)["errors"]


def test_answers_beyond_the_limits_are_refused(client):
    event = make_event()
    auth = api_auth(make_user())
    for answers in (
        {"1": TOO_BIG},
        {"1": "x" * 5001},
        {"1": [1] * 201},
        {"1": {"nested": 1}},
        {str(n): "a" for n in range(201)},
    ):
        body = {"consent": True, "answers": answers}
        response = client.post(f"{API}/events/{event.slug}/registrations", json=body, headers=auth)
        assert "answers" in assert_problem(response, 422)["errors"], answers


@pytest.mark.parametrize("query", ["page=99999999999999999999", "per_page=99999999999", "page=0"])
def test_page_parameters_beyond_their_range_are_422(client, organiser_auth, query):
    event = make_event()
    response = client.get(
        f"{API}/events/{event.slug}/registrations?{query}", headers=organiser_auth
    )
    assert_problem(response, 422)


def test_a_page_past_the_last_is_empty(client, organiser_auth):
    event = make_event()
    make_registration(event)
    url = f"{API}/events/{event.slug}/registrations?page=4000000&per_page=500"
    listing = client.get(url, headers=organiser_auth).json
    assert (listing["items"], listing["total"], listing["page"]) == ([], 1, 4000000)


def test_html_pages_take_huge_page_numbers(client):
    from tests.factories import login

    login(client, make_organiser())
    response = client.get("/organiser/events?page=99999999999999999999&per_page=99999999")
    assert response.status_code == 200


def test_a_nul_in_the_token_request_is_422_without_logging_in(client):
    response = client.post(f"{API}/tokens", json={"email": "a\u0000b@x.io", "password": "x"})
    assert "email" in assert_problem(response, 422)["errors"]


def test_a_nul_anywhere_in_a_body_is_422(client, organiser_auth):
    event = make_event()
    for body in ({**NEW_EVENT, "title": "PIC\u0000"}, {**NEW_EVENT, "venue\u0000": "x"}):
        assert_problem(client.post(f"{API}/events", json=body, headers=organiser_auth), 422)
    answers = {"consent": True, "answers": {"1": ["a\u0000"]}}
    member = api_auth(make_user())
    response = client.post(f"{API}/events/{event.slug}/registrations", json=answers, headers=member)
    assert "answers" in assert_problem(response, 422)["errors"]
    assert count(Event) == 1


def test_a_nul_in_a_query_string_or_a_path(client, organiser_auth):
    event = make_event()
    body = assert_problem(
        client.get(f"{API}/events/{event.slug}/registrations?q=a%00b", headers=organiser_auth), 422
    )
    assert "q" in body["errors"]
    assert client.get("/organisations?q=a%00b").status_code == 422
    assert_problem(client.get(f"{API}/events/pic%002027"), 404)
    assert client.get("/events/pic%002027").status_code == 404


def test_text_longer_than_its_column_is_422(client, organiser_auth):
    event = make_event(starts_on=date(2027, 6, 15))
    session = {
        "title": "Cider",
        "kind": "workshop",
        "start": "2027-06-15T09:00:00+02:00",
        "end": "2027-06-15T10:00:00+02:00",
        "speakers": [{"name": "x" * 201}],
    }
    response = client.post(
        f"{API}/events/{event.slug}/sessions", json=session, headers=organiser_auth
    )
    assert "speakers" in assert_problem(response, 422)["errors"]
    response = client.post(
        f"{API}/events", json={**NEW_EVENT, "city": "x" * 121}, headers=organiser_auth
    )
    assert "city" in assert_problem(response, 422)["errors"]
    assert count(ProgrammeSession) == 0


def test_every_input_field_of_the_api_has_a_limit(client):
    """Text a length, integers a range, lists a size: what the columns and forms take."""
    document = client.get(f"{API}/openapi.json").json
    schemas = document["components"]["schemas"]
    inputs = set()
    for path in document["paths"].values():
        for operation in path.values():
            if not isinstance(operation, dict):
                continue
            content = operation.get("requestBody", {}).get("content", {})
            for media in content.values():
                inputs.add(media["schema"]["$ref"].rsplit("/", 1)[1])
            for parameter in operation.get("parameters", []):
                _assert_bounded(parameter["name"], parameter["schema"], schemas)
    assert {"EventInput", "SessionInput", "RegistrationCreate", "TokenRequest"} <= inputs
    for name in inputs:
        for field, prop in schemas[name]["properties"].items():
            if not prop.get("readOnly"):
                _assert_bounded(f"{name}.{field}", prop, schemas)


def _assert_bounded(name: str, prop: dict, schemas: dict) -> None:
    if "$ref" in prop:
        target = schemas[prop["$ref"].rsplit("/", 1)[1]]
        for field, sub in target["properties"].items():
            _assert_bounded(f"{name}.{field}", sub, schemas)
        return
    kind = prop.get("type")
    if kind == "string" and "enum" not in prop and "format" not in prop:
        assert "maxLength" in prop, name
    elif kind == "integer":
        assert prop.get("maximum", 2**63) <= 2**31 - 1, name
    elif kind == "array":
        assert "maxItems" in prop, name
        _assert_bounded(f"{name}[]", prop["items"], schemas)
    elif kind == "object":
        assert "maxProperties" in prop, name


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("starts", "1899-12-31"),
        ("ends", "2101-01-01"),
        ("registration_opens", "1850-01-01T09:00:00+00:09"),
    ],
)
def test_event_dates_outside_2000_2100_are_refused(client, organiser_auth, field, value):
    response = client.post(
        f"{API}/events", json={**NEW_EVENT, field: value}, headers=organiser_auth
    )
    assert field in assert_problem(response, 422)["errors"]
    assert count(Event) == 0


def test_session_times_outside_2000_2100_are_refused(client, organiser_auth):
    event = make_event(starts_on=date(2027, 6, 15))
    session = {
        "title": "Cider",
        "kind": "workshop",
        "start": "0225-11-09T11:32:09Z",
        "end": "1619-02-28T19:38:17+20:31",
    }
    response = client.post(
        f"{API}/events/{event.slug}/sessions", json=session, headers=organiser_auth
    )
    assert {"start", "end"} <= set(assert_problem(response, 422)["errors"])


def test_a_body_over_the_limit_is_413(app, client, organiser_auth):
    big = json.dumps({**NEW_EVENT, "description": "x" * app.config["MAX_CONTENT_LENGTH"]})
    response = client.post(
        f"{API}/events", data=big, content_type="application/json", headers=organiser_auth
    )
    assert_problem(response, 413)
    html = client.post("/login", data={"email": "x" * app.config["MAX_CONTENT_LENGTH"]})
    assert html.status_code == 413 and html.mimetype == "text/html"
    assert "too much at once" in html.get_data(as_text=True)
    assert app.config["MAX_CONTENT_LENGTH"] == 1024 * 1024
