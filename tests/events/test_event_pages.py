"""The events' HTML pages: the organiser's form, status changes, who sees drafts, times."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from pic_events.events.models import Event, EventStatus
from pic_events.extensions import db
from tests.factories import login, make_event, make_organiser, make_user

FORM = {
    "title": "PIC Annual Meeting 2027",
    "slug": "pic-2027",
    "description": "Workshops, visits and B2B meetings.",
    "venue": "Terra Botanica",
    "city": "Angers",
    "country": "FR",
    "timezone": "Europe/Paris",
    "starts_on": "2027-03-29",
    "ends_on": "2027-03-31",
    "registration_opens": "2027-03-20T09:00",  # winter time: UTC+1
    "registration_closes": "2027-03-28T09:00",  # summer time from 28 March 2027: UTC+2
    "capacity": "150",
    "requires_approval": "y",
}


@pytest.fixture
def organiser_client(client):
    login(client, make_organiser())
    return client


def field_html(page: str, name: str) -> tuple[str, str]:
    """The field's own tag, and its block (label, input, help, errors)."""
    at = page.index(f'id="{name}"')
    start = page.rindex("<", 0, at)
    end = page.find('<div class="mb-3', at)
    return page[start : page.index(">", at) + 1], page[start : end if end > 0 else None]


def event_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Event))


def stored(slug: str) -> Event:
    db.session.expire_all()
    return db.session.scalar(select(Event).where(Event.slug == slug))


# Creating through the form


def test_organiser_creates_an_event_times_typed_in_its_zone_stored_in_utc(organiser_client):
    response = organiser_client.post("/organiser/events/new", data=FORM)

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/events/pic-2027")
    event = stored("pic-2027")
    assert event.registration_opens == datetime(2027, 3, 20, 8, 0, tzinfo=UTC)
    assert event.registration_closes == datetime(2027, 3, 28, 7, 0, tzinfo=UTC)
    assert (event.starts_on, event.ends_on) == (date(2027, 3, 29), date(2027, 3, 31))
    assert (event.capacity, event.requires_approval, event.country) == (150, True, "FR")
    assert event.status == EventStatus.DRAFT
    page = organiser_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "created as a draft" in page


def test_empty_capacity_means_unlimited(organiser_client):
    organiser_client.post("/organiser/events/new", data={**FORM, "capacity": ""})
    assert stored("pic-2027").capacity is None


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"timezone": "Mars/Olympus_Mons"}, "timezone", "Not a valid choice"),
        ({"slug": "PIC 2027!"}, "slug", "lower-case letters"),
        ({"starts_on": "2027-04-02"}, "ends_on", "cannot end before it starts"),
        ({"starts_on": "not a date"}, "starts_on", "Not a valid date"),
        ({"registration_opens": "2027-03-29T09:00"}, "registration_closes", "close after"),
        ({"capacity": "-3"}, "capacity", "at least 0"),
        # Paris clocks jump from 02:00 to 03:00 on 28 March 2027.
        ({"registration_closes": "2027-03-28T02:30"}, "registration_closes", "does not exist"),
    ],
)
def test_invalid_input_shows_the_error_next_to_the_field_keeps_values_writes_nothing(
    organiser_client, changes, field, message
):
    response = organiser_client.post("/organiser/events/new", data={**FORM, **changes})

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    tag, block = field_html(page, field)
    assert "is-invalid" in tag
    assert message in block  # the error sits next to its field
    assert "is-invalid" not in field_html(page, "title")[0]
    assert 'value="PIC Annual Meeting 2027"' in page  # what was typed is kept
    assert 'value="Terra Botanica"' in page
    for value in changes.values():
        if field != "timezone":
            assert f'value="{value}"' in page
    assert event_count() == 0


def test_slug_already_used_is_a_field_error(organiser_client):
    make_event("pic-2027")
    response = organiser_client.post("/organiser/events/new", data=FORM)
    assert response.status_code == 200
    assert "Another event already uses this address." in response.get_data(as_text=True)
    assert event_count() == 1


def test_members_and_anonymous_cannot_create(client):
    anonymous = client.get("/organiser/events/new")
    assert anonymous.status_code == 302
    assert "/login" in anonymous.headers["Location"]

    login(client, make_user())
    assert client.get("/organiser/events/new").status_code == 403
    assert client.post("/organiser/events/new", data=FORM).status_code == 403
    assert event_count() == 0


# Editing


def test_edit_form_shows_stored_times_in_the_event_zone_and_saves(organiser_client):
    make_event(
        "pic-2027",
        registration_opens=datetime(2027, 3, 20, 8, 0, tzinfo=UTC),
        registration_closes=datetime(2027, 3, 28, 7, 0, tzinfo=UTC),
    )
    page = organiser_client.get("/organiser/events/pic-2027/edit").get_data(as_text=True)
    # A valid local date and time for <input type="datetime-local">: "T" or a space.
    assert re.search(r'id="registration_opens"[^>]*value="2027-03-20[T ]09:00', page)
    assert re.search(r'id="registration_closes"[^>]*value="2027-03-28[T ]09:00', page)

    response = organiser_client.post(
        "/organiser/events/pic-2027/edit", data={**FORM, "title": "PIC 2027, Angers"}
    )

    assert response.status_code == 302
    event = stored("pic-2027")
    assert event.title == "PIC 2027, Angers"
    assert event.registration_closes == datetime(2027, 3, 28, 7, 0, tzinfo=UTC)


def test_invalid_edit_keeps_the_stored_event(organiser_client):
    make_event("pic-2027", title="Original")
    response = organiser_client.post(
        "/organiser/events/pic-2027/edit", data={**FORM, "title": "Changed", "slug": "bad slug"}
    )
    assert response.status_code == 200
    assert 'value="Changed"' in response.get_data(as_text=True)
    assert stored("pic-2027").title == "Original"


# Status


def test_publish_archive_and_back_to_draft(organiser_client):
    make_event("pic-2027", status=EventStatus.DRAFT)
    url = "/organiser/events/pic-2027/status/"

    for status, flash in [
        ("published", "members can see it"),
        ("archived", "archived"),
        ("draft", "only organisers see it"),
    ]:
        response = organiser_client.post(url + status, follow_redirects=True)
        assert response.status_code == 200
        assert flash in response.get_data(as_text=True)
        assert stored("pic-2027").status == status

    assert organiser_client.post(url + "deleted").status_code == 404


def test_members_cannot_change_status(client):
    make_event("pic-2027", status=EventStatus.PUBLISHED)
    login(client, make_user())
    assert client.post("/organiser/events/pic-2027/status/draft").status_code == 403
    assert stored("pic-2027").status == EventStatus.PUBLISHED


# Who sees what


def test_drafts_are_404_for_anonymous_and_members_visible_to_organisers(client):
    make_event("pic-2028", title="Next year, secret", status=EventStatus.DRAFT)
    assert client.get("/events/pic-2028").status_code == 404

    login(client, make_user())
    assert client.get("/events/pic-2028").status_code == 404

    login(client, make_organiser())
    page = client.get("/events/pic-2028")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    # The page's own heading and status badge, not the <title> (which names the event too).
    assert re.search(r"<h1[^>]*>Next year, secret</h1>", html)
    assert re.search(r'<span class="badge[^"]*"[^>]*>Draft</span>', html)


def test_archived_events_stay_visible(client):
    make_event("pic-2019", title="PIC 2019", status=EventStatus.ARCHIVED)
    assert client.get("/events/pic-2019").status_code == 200


def test_event_page_shows_times_in_the_event_zone_with_its_name(client):
    make_event(
        "pic-2027",
        timezone="America/Montreal",
        registration_opens=datetime(2027, 1, 15, 14, 0, tzinfo=UTC),  # 09:00 EST
        registration_closes=datetime(2027, 3, 28, 7, 0, tzinfo=UTC),  # 03:00 EDT
    )
    page = client.get("/events/pic-2027").get_data(as_text=True)
    assert "America/Montreal" in page
    assert "9:00" in page and "14:00" not in page
    assert "3:00" in page and "7:00" not in page


def test_home_lists_upcoming_soonest_first_and_past_apart(client):
    today = date.today()
    make_event("later", title="Later meeting", starts_on=today + timedelta(days=300))
    make_event("sooner", title="Sooner meeting", starts_on=today + timedelta(days=30))
    make_event(
        "past",
        title="Past meeting",
        status=EventStatus.ARCHIVED,
        starts_on=today - timedelta(days=400),
    )
    make_event("draft", title="Draft meeting", status=EventStatus.DRAFT)

    page = client.get("/").get_data(as_text=True)

    upcoming, _, past = page.partition("Past meetings")
    assert upcoming.index("Sooner meeting") < upcoming.index("Later meeting")
    assert "Past meeting" in past and "Past meeting" not in upcoming
    assert "Draft meeting" not in page


def test_home_says_so_when_nothing_is_announced(client):
    page = client.get("/").get_data(as_text=True)
    assert "No meeting is announced yet" in page
    assert "Past meetings" not in page


def test_organiser_list_shows_every_event_with_its_status(organiser_client):
    make_event("pic-2027", title="Published one")
    make_event("pic-2028", title="Draft one", status=EventStatus.DRAFT)
    page = organiser_client.get("/organiser/events").get_data(as_text=True)
    assert "Published one" in page and "Draft one" in page
    assert "Draft" in page and "Published" in page
