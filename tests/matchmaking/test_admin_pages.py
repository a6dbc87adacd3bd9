"""The organiser's B2B pages through HTTP: set-up, slots, tables, scheduling, grid, person,
statistics, unscheduled, moving by hand; members get 403; the grid's queries are counted."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from pic_events.extensions import db
from pic_events.matchmaking import booking
from pic_events.matchmaking.models import B2BSettings, B2BTable, Meeting, Slot
from tests.factories import b2b_slots, login, make_b2b_event, make_organiser, make_user
from tests.matchmaking.admin_helpers import accepted, people
from tests.queries import count_queries


@pytest.fixture
def organiser(client):
    user = make_organiser()
    login(client, user)
    return user


def _base(event):
    return f"/organiser/events/{event.slug}/b2b"


PAGES = [
    "",
    "/slots",
    "/tables",
    "/scheduling",
    "/unscheduled",
    "/grid",
    "/participants",
    "/statistics",
]


def test_every_page_answers_organisers_and_refuses_members(app, client):
    event = make_b2b_event()
    a, b = people(event, 2)
    meeting = booking.book(event, [a.id, b.id], b2b_slots(event)[0].id)
    extra = [
        f"/slots/{meeting.slot_id}/edit",
        f"/slots/{meeting.slot_id}/delete",
        f"/tables/{meeting.table_id}/edit",
        f"/meetings/{meeting.id}",
        f"/participants?registration={a.id}",
    ]
    login(client, make_user())
    for page in PAGES + extra:
        assert client.get(_base(event) + page).status_code == 403, page
    assert client.post(_base(event) + "/freeze", data={"frozen": "1"}).status_code == 403
    login(client, make_organiser())
    for page in PAGES + extra:
        response = client.get(_base(event) + page)
        assert response.status_code == 200, page
    show = client.get(f"/events/{event.slug}")
    assert f'href="{_base(event)}"' in show.text


def test_rules_form_saves_the_deadline_in_the_events_zone(app, client, organiser):
    event = make_b2b_event()
    day = event.starts_on.isoformat()
    response = client.post(
        _base(event),
        data={
            "enabled": "y",
            "booking_style": "organiser",
            "max_meetings": "8",
            "deadline_day": day,
            "deadline_time": "18:00",
            "request_lifetime_hours": "48",
        },
    )
    assert response.status_code == 302
    settings = db.session.get(B2BSettings, event.id)
    db.session.refresh(settings)
    assert settings.booking_style == "organiser" and settings.max_meetings == 8
    local = settings.request_deadline.astimezone(__import__("zoneinfo").ZoneInfo("Europe/Paris"))
    assert local.strftime("%Y-%m-%d %H:%M") == f"{day} 18:00"
    bad = client.post(
        _base(event),
        data={"booking_style": "self", "max_meetings": "0", "request_lifetime_hours": "48"},
    )
    assert bad.status_code == 200 and "is-invalid" in bad.text


def test_slot_window_and_one_slot_through_the_page(app, client, organiser):
    event = make_b2b_event(slots=0)
    day2 = (event.starts_on + timedelta(days=1)).isoformat()
    response = client.post(
        _base(event) + "/slots",
        data={
            "form": "window",
            "w-day": day2,
            "w-start": "09:00",
            "w-end": "12:30",
            "w-minutes": "20",
            "w-gap": "5",
        },
    )
    assert response.status_code == 302
    assert len(b2b_slots(event)) == 8
    overlap = client.post(
        _base(event) + "/slots",
        data={"form": "slot", "s-day": day2, "s-start_time": "09:10", "s-end_time": "09:30"},
    )
    assert overlap.status_code == 200 and "overlaps existing slots" in overlap.text
    assert 'value="09:10"' in overlap.text  # what was typed is kept
    assert len(b2b_slots(event)) == 8


def test_deleting_a_booked_slot_needs_confirmation_on_the_page(app, client, organiser):
    event = make_b2b_event()
    a, b = people(event, 2)
    slot = b2b_slots(event)[0]
    booking.book(event, [a.id, b.id], slot.id)
    page = client.get(_base(event) + f"/slots/{slot.id}/delete")
    assert "Person 0, Person 1" in page.text
    unconfirmed = client.post(_base(event) + f"/slots/{slot.id}/delete", data={"move_to": "0"})
    assert unconfirmed.status_code == 200 and "Tick the box" in unconfirmed.text
    assert db.session.get(Slot, slot.id) is not None
    done = client.post(
        _base(event) + f"/slots/{slot.id}/delete", data={"move_to": "0", "confirm": "y"}
    )
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(Slot, slot.id) is None
    assert db.session.scalar(sa.select(Meeting.status)) is None  # the cancelled one went too


def test_editing_a_booked_slot_shows_who_and_asks(app, client, organiser):
    event = make_b2b_event()
    a, b = people(event, 2)
    slot = b2b_slots(event)[0]
    meeting = booking.book(event, [a.id, b.id], slot.id)
    data = {"day": event.starts_on.isoformat(), "start_time": "08:00", "end_time": "08:20"}
    asked = client.post(_base(event) + f"/slots/{slot.id}/edit", data=data)
    assert asked.status_code == 200 and "Person 0, Person 1" in asked.text
    done = client.post(_base(event) + f"/slots/{slot.id}/edit", data={**data, "confirm": "y"})
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).sequence == 1


def test_tables_page_adds_numbered_tables_and_refuses_taken_labels(app, client, organiser):
    event = make_b2b_event(tables=0)
    client.post(
        _base(event) + "/tables", data={"count": "40", "prefix": "T", "seats": "2", "room_id": "0"}
    )
    labels = db.session.scalars(sa.select(B2BTable.label).order_by(B2BTable.position)).all()
    assert labels[0] == "T1" and labels[-1] == "T40" and len(labels) == 40
    taken = client.post(
        _base(event) + "/tables",
        data={"count": "2", "prefix": "T", "first": "40", "seats": "2", "room_id": "0"},
    )
    assert taken.status_code == 200 and "T40" in taken.text


def test_scheduling_page_previews_then_publishes(app, client, organiser):
    event = make_b2b_event(slots=2, tables=1, booking_style="organiser")
    a, b, c = people(event, 3)
    accepted(event, a, b)
    accepted(event, a, c)
    response = client.post(_base(event) + "/scheduling", data={"time_limit": "1"})
    assert response.status_code == 302
    page = client.get(_base(event) + "/scheduling")
    assert "Preview ready" in page.text and "Publish 2 meetings" in page.text
    from pic_events.matchmaking.scheduling import latest_run

    run = latest_run(event)
    published = client.post(_base(event) + f"/scheduling/{run.id}/publish")
    assert published.status_code == 302
    db.session.expire_all()
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(Meeting).where(Meeting.status == "confirmed")
        )
        == 2
    )
    assert "Every accepted request has a time" in client.get(_base(event) + "/unscheduled").text


def test_move_by_hand_shows_conflicts_plainly(app, client, organiser):
    event = make_b2b_event()
    a, b, c = people(event, 3)
    first, second = b2b_slots(event)[:2]
    meeting = booking.book(event, [a.id, b.id], first.id)
    booking.book(event, [a.id, c.id], second.id)
    refused = client.post(
        _base(event) + f"/meetings/{meeting.id}",
        data={"action": "move", "m-slot_id": str(second.id), "m-table_id": "0"},
        follow_redirects=True,
    )
    assert "Person 0 already has a meeting at 09:25" in refused.text
    third = b2b_slots(event)[2]
    moved = client.post(
        _base(event) + f"/meetings/{meeting.id}",
        data={"action": "move", "m-slot_id": str(third.id), "m-table_id": "0"},
    )
    assert moved.status_code == 302
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).slot_id == third.id
    client.post(
        _base(event) + f"/meetings/{meeting.id}", data={"action": "cancel", "c-reason": "ill"}
    )
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).status == "cancelled"


def _book_pairs(event, n):
    everyone = people(event, 2 * n)
    slots = b2b_slots(event)
    for i in range(n):
        pair = [everyone[2 * i].id, everyone[2 * i + 1].id]
        booking.book(event, pair, slots[i % len(slots)].id, notify=False)


def test_grid_statistics_and_a_schedule_take_a_fixed_number_of_queries(app, client, organiser):
    """5 meetings or 50: the same number of SQL statements per page."""
    small = make_b2b_event(slots=5, tables=10)
    _book_pairs(small, 5)
    large = make_b2b_event(slots=5, tables=10)
    _book_pairs(large, 50)
    for page in ("/grid", "/statistics", "/participants"):
        counts = []
        for slug in (small.slug, large.slug):
            db.session.expunge_all()  # no row cached from the set-up: both start cold
            with count_queries() as statements:
                response = client.get(f"/organiser/events/{slug}/b2b{page}")
            assert response.status_code == 200
            counts.append(len(statements))
        assert counts[0] == counts[1], (page, counts)
    grid = client.get(f"/organiser/events/{large.slug}/b2b/grid").text
    assert grid.count("b2b-grid-meeting") == 50
