"""Programme services: new edition, the timetable grid, agenda entries, warnings."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from pic_events.agenda.services import agenda_entries
from pic_events.core.validation import ServiceValidationError
from pic_events.events.models import Event
from pic_events.extensions import db
from pic_events.programme import services
from pic_events.programme.editions import new_edition
from pic_events.programme.models import ProgrammeSession, Room, Speaker
from pic_events.programme.timetable import build_grid
from pic_events.registration.models import Question
from tests.factories import (
    login,
    make_organiser,
    make_question,
    make_registration,
    make_room,
    make_user,
)
from tests.programme.helpers import paris, programme_event, workshop

DAY = date(2027, 6, 15)


def _edition_source():
    source = programme_event(
        slug="pic-2027",
        title="PIC 2027",
        starts_on=date(2027, 3, 20),
        ends_on=date(2027, 3, 21),
        venue="Terra Botanica",
        city="Angers",
        capacity=150,
        requires_approval=True,
        privacy_notice="We keep your data for a year.",
        registration_closes=datetime(2027, 3, 19, 17, 0, tzinfo=UTC),  # 18:00 CET
        hide_restricted_sessions=True,
    )
    room = make_room(source, "Auditorium", location="Ground floor", capacity=300)
    session = workshop(
        source,
        date(2027, 3, 20),
        9,
        10,
        title="Welcome",
        room=room,
        capacity=None,
        kind="plenary",
        must_choose=False,
    )
    session.speakers = [Speaker(name="Marie Dupont", organisation="VEGEPOLYS VALLEY", role="Host")]
    db.session.commit()
    make_question(source, "Dietary needs", kind="single_choice", options=["None", ("Vegan", 40)])
    return source


def test_new_edition_copies_settings_rooms_sessions_questions(app):
    source = _edition_source()
    event = new_edition(source, slug="pic-2028", title="PIC 2028", starts_on=date(2027, 4, 3))
    assert (event.starts_on, event.ends_on) == (date(2027, 4, 3), date(2027, 4, 4))
    assert event.status == "draft" and not event.programme_published
    assert (event.venue, event.city, event.capacity, event.requires_approval) == (
        "Terra Botanica",
        "Angers",
        150,
        True,
    )
    assert event.privacy_notice == "We keep your data for a year."
    assert event.hide_restricted_sessions
    # 18:00 in Paris before the clock change, 18:00 in Paris after it.
    assert event.registration_closes == datetime(2027, 4, 2, 16, 0, tzinfo=UTC)
    (room,) = db.session.scalars(db.select(Room).where(Room.event_id == event.id)).all()
    assert (room.name, room.location, room.capacity) == ("Auditorium", "Ground floor", 300)
    (session,) = services.event_sessions(event)
    assert session.starts_at == datetime(2027, 4, 3, 7, 0, tzinfo=UTC)  # 09:00 CEST
    assert session.ends_at == datetime(2027, 4, 3, 8, 0, tzinfo=UTC)
    assert session.room_id == room.id and session.kind == "plenary"
    assert [(s.name, s.role) for s in session.speakers] == [("Marie Dupont", "Host")]
    (question,) = db.session.scalars(db.select(Question).where(Question.event_id == event.id))
    assert question.label == "Dietary needs"
    assert [(o.label, o.capacity) for o in question.options] == [("None", None), ("Vegan", 40)]
    # The source is untouched.
    assert len(services.event_sessions(source)) == 1


def test_new_edition_refuses_a_taken_slug(app):
    source = _edition_source()
    with pytest.raises(ServiceValidationError) as raised:
        new_edition(source, slug="pic-2027", title="Again", starts_on=date(2028, 6, 1))
    assert "slug" in raised.value.errors
    assert db.session.scalar(db.select(db.func.count(Event.id))) == 1


def test_new_edition_through_the_editor(client):
    source = _edition_source()
    login(client, make_organiser())
    response = client.post(
        f"/organiser/events/{source.slug}/new-edition",
        data={"title": "PIC 2028", "slug": "pic-2028", "starts_on": "2028-06-13"},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/organiser/events/pic-2028/programme")
    page = client.get("/organiser/events/pic-2028/programme").get_data(as_text=True)
    assert "Welcome" in page and "09:00" in page and "June 13, 2028" in page


def test_grid_places_rooms_as_columns_and_spans_breaks():
    class S:
        def __init__(self, start, end, room_id=None):
            self.starts_at, self.ends_at, self.room_id = (
                paris(DAY, *start),
                paris(DAY, *end),
                room_id,
            )

    class R:
        def __init__(self, id):
            self.id = id

    rooms = [R(1), R(2), R(3)]
    plenary = S((9, 0), (10, 0), 1)
    coffee = S((10, 0), (10, 30))
    a, b = S((10, 30), (12, 0), 1), S((10, 30), (11, 0), 2)
    clash = S((11, 0), (11, 30), 1)
    grid = build_grid([plenary, coffee, a, b, clash], rooms)
    assert [c.id for c in grid.columns] == [1, 2]  # room 3 has nothing that day
    assert [r.starts_at.hour for r in grid.rows] == [9, 10, 10, 11, 11]
    assert grid.rows[1].cells[0].session is coffee and grid.rows[1].cells[0].colspan == 2
    assert grid.rows[2].cells[0].session is a and grid.rows[2].cells[0].rowspan == 3
    assert grid.rows[3].covered[0] and not grid.rows[3].covered[1]
    assert grid.overflow == [clash]


def test_agenda_entries_everyone_plus_mine(app):
    event = programme_event()
    plenary = workshop(event, DAY, 9, 10, must_choose=False, title="Plenary")
    steering = workshop(event, DAY, 10, 11, must_choose=False, restricted=True)
    chosen = workshop(event, DAY, 11, 12, title="Mine")
    workshop(event, DAY, 11, 12, title="Not mine")
    registration = make_registration(event)
    from pic_events.registration.session_choices import choose_session

    choose_session(registration, chosen)
    entries = agenda_entries(event, registration)
    assert [(e.title, e.chosen) for e in entries] == [("Plenary", False), ("Mine", True)]
    claimer = make_registration(event, category="steering")  # claimed, not granted
    assert [e.session for e in agenda_entries(event, claimer)] == [plenary]
    steering_member = make_registration(event, make_user(steering_member=True))
    assert [e.session for e in agenda_entries(event, steering_member)] == [
        plenary,
        steering,
    ]


def test_warnings_outside_dates_and_room_too_small(app):
    event = programme_event()
    room = make_room(event, "Salle Maine", capacity=20)
    values = {
        "starts_at": paris(date(2027, 6, 20), 9),
        "ends_at": paris(date(2027, 6, 20), 10),
        "room_id": room.id,
        "capacity": 30,
        "speakers": [],
    }
    warnings = services.schedule_warnings(event, values)
    assert any("outside the meeting's dates" in w for w in warnings)
    assert any("seats 20" in w for w in warnings)


def test_save_session_raises_warnings_unless_confirmed(app):
    event = programme_event()
    room = make_room(event)
    workshop(event, DAY, 9, 10, room=room)
    values = {
        "kind": "workshop",
        "title": "Second",
        "starts_at": paris(DAY, 9, 30),
        "ends_at": paris(DAY, 10, 30),
        "room_id": room.id,
    }
    with pytest.raises(services.ScheduleWarnings):
        services.save_session(event, values)
    saved = services.save_session(event, values, confirmed=True)
    assert saved.warnings and saved.session.id
    assert db.session.scalar(db.select(db.func.count(ProgrammeSession.id))) == 2


def test_grid_puts_simultaneous_sessions_without_room_side_by_side():
    class S:
        room_id = None

        def __init__(self, start, end):
            self.starts_at, self.ends_at = paris(DAY, start), paris(DAY, end)

    visits = [S(14, 16), S(14, 17), S(14, 17)]
    later = S(16, 17)
    grid = build_grid([*visits, later], [])
    assert grid.columns == [None, None, None]
    assert [c.session for c in grid.rows[0].cells] == visits
    assert grid.rows[1].cells[0].session is later  # the first free column
    assert grid.overflow == []


def test_capacity_below_places_already_taken_warns(app):
    event = programme_event()
    session = workshop(event, DAY, 9, 10, capacity=5)
    from pic_events.registration.session_choices import choose_session

    for _ in range(3):
        choose_session(make_registration(event), session)
    assert services.schedule_warnings(event, {**services.duplicate_values(session)}, session) == []
    with pytest.raises(services.ScheduleWarnings) as raised:
        services.save_session(event, {"capacity": 2}, session)
    assert "3 people have already chosen" in raised.value.warnings[0]
    db.session.refresh(session)
    assert session.capacity == 5
    assert services.save_session(event, {"capacity": 3}, session).warnings == []
    assert services.save_session(event, {"capacity": 2}, session, confirmed=True).warnings


def test_moving_a_session_onto_another_that_its_choosers_also_chose_warns(app):
    from pic_events.registration.session_choices import choose_session

    event = programme_event()
    morning = workshop(event, DAY, 9, 10, title="Morning")
    afternoon = workshop(event, DAY, 14, 15, title="Afternoon")
    both, only_one = make_registration(event), make_registration(event)
    for session in (morning, afternoon):
        choose_session(both, session)
    choose_session(only_one, afternoon)
    with pytest.raises(services.ScheduleWarnings) as raised:
        services.move_session(afternoon, paris(DAY, 9, 30), None)
    assert raised.value.warnings == [
        "1 person who chose this session also chose “Morning” at that time."
    ]
    assert services.move_session(afternoon, paris(DAY, 16), None).warnings == []
