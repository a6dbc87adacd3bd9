"""Hostile values in HTML forms: the message next to the field, what was typed kept,
nothing saved, never a 500 (the shared base form and the services' rules)."""

from __future__ import annotations

import html
import re
from datetime import date

import pytest
from sqlalchemy import func, select

from pic_events.events.models import Event
from pic_events.extensions import db
from pic_events.programme.models import ProgrammeSession, Room
from tests.factories import login, make_event, make_organiser, make_user

EVENT_FORM = {
    "title": "PIC 2031",
    "slug": "pic-2031",
    "timezone": "Europe/Paris",
    "starts_on": "2031-03-29",
    "ends_on": "2031-03-31",
}


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def field_errors(page: str, name: str) -> list[str]:
    """The error messages shown under the field `name`."""
    at = page.index(f'id="{name}"')
    end = page.find('<div class="mb-3', at)
    block = page[at : end if end > 0 else None]
    messages = []
    for feedback in re.findall(r'invalid-feedback d-block">(.*?)</div></div>', block, re.S):
        messages += [html.unescape(m) for m in re.findall(r"<div>([^<]*)", feedback)]
    return messages


@pytest.fixture
def organiser_client(client):
    login(client, make_organiser())
    return client


def test_a_nul_in_the_log_in_form_is_an_error_next_to_the_field(client):
    make_user("member@example.org")
    response = client.post("/login", data={"email": "mem\u0000ber@example.org", "password": "x"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert any("NUL" in message for message in field_errors(page, "email"))
    assert 'value="mem' in page  # what was typed is shown again


def test_a_nul_in_an_event_form_keeps_the_rest_and_saves_nothing(organiser_client):
    data = {**EVENT_FORM, "venue": "Terra\u0000Botanica"}
    response = organiser_client.post("/organiser/events/new", data=data)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert any("NUL" in message for message in field_errors(page, "venue"))
    assert 'value="PIC 2031"' in page
    assert count(Event) == 0


def test_a_capacity_beyond_the_column_is_an_error_next_to_the_field(organiser_client):
    event = make_event(starts_on=date(2027, 6, 15))
    response = organiser_client.post(
        f"/organiser/events/{event.slug}/rooms", data={"name": "Anjou", "capacity": "2147483648"}
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert field_errors(page, "capacity") == ["This number is too large."]
    assert 'value="2147483648"' in page
    assert count(Room) == 0


def test_a_speaker_name_longer_than_its_column(organiser_client):
    event = make_event(starts_on=date(2027, 6, 15), ends_on=date(2027, 6, 16))
    data = {
        "kind": "workshop",
        "title": "Cider",
        "day": "2027-06-15",
        "start_time": "09:00",
        "end_time": "10:00",
        "room_id": "0",
        "speakers": "x" * 201 + " | VEGEPOLYS VALLEY",
    }
    response = organiser_client.post(f"/organiser/events/{event.slug}/sessions/new", data=data)
    assert response.status_code == 200
    assert any("too long" in m for m in field_errors(response.get_data(as_text=True), "speakers"))
    assert count(ProgrammeSession) == 0


@pytest.mark.parametrize(
    ("field", "value"), [("starts_on", "1850-03-29"), ("registration_opens", "1899-01-01T09:00")]
)
def test_event_dates_outside_2000_2100_are_refused_in_the_form(organiser_client, field, value):
    data = {**EVENT_FORM, field: value}
    if field == "starts_on":
        data["ends_on"] = "1850-03-30"
    response = organiser_client.post("/organiser/events/new", data=data)
    assert response.status_code == 200
    assert field_errors(response.get_data(as_text=True), field) == [
        "Give a date between 2000 and 2100."
    ]
    assert count(Event) == 0


def test_a_nul_in_a_search_box_is_422_not_500(organiser_client):
    assert organiser_client.get("/organiser/clusters?q=%00").status_code == 422
    assert organiser_client.get("/organiser/clusters?cluster=99999999999").status_code == 200


def test_huge_ids_in_the_registration_form_and_the_organiser_filters_are_not_500(client):
    from datetime import timedelta

    from pic_events.core.types import utcnow
    from tests.factories import (
        login,
        make_event,
        make_organiser,
        make_programme_session,
        make_user,
    )

    event = make_event(slug="huge-ids")
    start = utcnow() + timedelta(days=60)
    make_programme_session(event, start, start + timedelta(hours=1), must_choose=True, publish=True)
    login(client, make_user())
    huge = "9" * 30
    response = client.post(
        "/events/huge-ids/register", data={"consent": "y", "session_ids": [huge]}
    )
    assert response.status_code == 200  # the form again, the id refused next to its field
    assert "cannot be chosen" in response.get_data(as_text=True)
    login(client, make_organiser())
    base = "/organiser/events/huge-ids/registrations"
    assert client.get(f"{base}?cluster={huge}").status_code == 200
    assert client.get(f"{base}?answer=option:{huge}").status_code == 200


def test_a_nul_in_the_check_in_desk_code_is_an_unknown_badge_not_500(organiser_client):
    event = make_event(starts_on=date(2027, 6, 15))
    response = organiser_client.post(
        f"/organiser/events/{event.slug}/check-in", data={"code": "abc\u0000def"}
    )
    assert response.status_code == 200
    assert "No badge of this event has this code." in response.get_data(as_text=True)
