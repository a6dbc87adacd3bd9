"""The organiser's timetable editor through HTML: roles, create, edit, duplicate, move,
warnings with "save anyway", rooms, publishing."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest

from pic_events.extensions import db
from pic_events.programme.models import ProgrammeSession, Room
from pic_events.registration.models import SessionChoice
from tests.factories import login, make_organiser, make_registration, make_room, make_user
from tests.programme.helpers import paris, programme_event, workshop

DAY = date(2027, 6, 15)


@pytest.fixture
def organiser(client):
    user = make_organiser()
    login(client, user)
    return user


def _form(**overrides):
    data = {
        "kind": "workshop",
        "title": "Cider innovation",
        "day": "2027-06-15",
        "start_time": "09:00",
        "end_time": "10:30",
        "room_id": "0",
        "capacity": "",
        "speakers": "",
        "description": "",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    "path",
    [
        "/organiser/events/{slug}/programme",
        "/organiser/events/{slug}/sessions/new",
        "/organiser/events/{slug}/rooms",
        "/organiser/events/{slug}/new-edition",
    ],
)
def test_editor_pages_are_for_organisers(client, path):
    event = programme_event()
    url = path.format(slug=event.slug)
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    login(client, make_user())
    assert client.get(url).status_code == 403
    if not url.endswith("/programme"):
        assert client.post(url, data=_form()).status_code == 403
    login(client, make_organiser())
    assert client.get(url).status_code == 200


def test_member_cannot_change_sessions(client):
    event = programme_event()
    session = workshop(event, DAY, 9, 10)
    login(client, make_user())
    base = f"/organiser/events/{event.slug}/sessions/{session.id}"
    assert client.post(f"{base}/edit", data=_form(title="Hacked")).status_code == 403
    assert client.post(f"{base}/move", data={"day": "2027-06-16"}).status_code == 403
    assert client.post(f"{base}/delete").status_code == 403
    assert client.post(f"/organiser/events/{event.slug}/programme/publish").status_code == 403
    db.session.expire_all()
    assert db.session.get(ProgrammeSession, session.id).title != "Hacked"


def test_a_session_may_end_after_midnight(client, organiser):
    event = programme_event()
    url = f"/organiser/events/{event.slug}/sessions/new"
    dinner = _form(kind="social", title="Dinner", start_time="20:00", end_time="00:30")
    refused = client.post(url, data=dinner)
    assert refused.status_code in (200, 400)  # end before start, shown next to the field
    assert db.session.scalar(db.select(db.func.count()).select_from(ProgrammeSession)) == 0
    response = client.post(url, data={**dinner, "ends_next_day": "y"})
    assert response.status_code == 302
    session = db.session.scalar(db.select(ProgrammeSession))
    assert session.starts_at == datetime(2027, 6, 15, 18, 0, tzinfo=UTC)
    assert session.ends_at == datetime(2027, 6, 15, 22, 30, tzinfo=UTC)
    edit = client.get(f"/organiser/events/{event.slug}/sessions/{session.id}/edit")
    assert re.search(r'<input checked[^>]*name="ends_next_day"', edit.get_data(as_text=True))
    for page in (f"/events/{event.slug}/programme", f"/organiser/events/{event.slug}/programme"):
        shown = client.get(page)
        assert shown.status_code == 200
        assert '<time datetime="2027-06-16T00:30:00+02:00">' in shown.get_data(as_text=True)


def test_create_session_in_the_events_time_zone(client, organiser):
    event = programme_event()
    room = make_room(event, "Salle Anjou")
    response = client.post(
        f"/organiser/events/{event.slug}/sessions/new",
        data=_form(
            room_id=str(room.id),
            capacity="25",
            must_choose="y",
            speakers="Marie Dupont | VEGEPOLYS VALLEY | Moderator\nJan Jansen | Greenport",
        ),
    )
    assert response.status_code == 302
    session = db.session.scalar(db.select(ProgrammeSession))
    assert session.starts_at == datetime(2027, 6, 15, 7, 0, tzinfo=UTC)
    assert session.ends_at == datetime(2027, 6, 15, 8, 30, tzinfo=UTC)
    assert (session.room_id, session.capacity, session.must_choose) == (room.id, 25, True)
    assert [(s.name, s.organisation, s.role) for s in session.speakers] == [
        ("Marie Dupont", "VEGEPOLYS VALLEY", "Moderator"),
        ("Jan Jansen", "Greenport", ""),
    ]
    page = client.get(f"/organiser/events/{event.slug}/programme").get_data(as_text=True)
    assert "Cider innovation" in page and "09:00" in page and "Marie Dupont" in page


def test_invalid_session_keeps_what_was_typed(client, organiser):
    event = programme_event()
    response = client.post(
        f"/organiser/events/{event.slug}/sessions/new",
        data=_form(title="Late start", start_time="11:00", end_time="10:00"),
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "The session must end after it starts." in page
    assert 'value="Late start"' in page
    assert db.session.scalar(db.select(db.func.count(ProgrammeSession.id))) == 0


def test_edit_session(client, organiser):
    event = programme_event()
    session = workshop(event, DAY, 9, 10, title="Old title")
    form = client.get(f"/organiser/events/{event.slug}/sessions/{session.id}/edit")
    assert 'value="Old title"' in form.get_data(as_text=True)
    assert 'value="09:00"' in form.get_data(as_text=True)
    response = client.post(
        f"/organiser/events/{event.slug}/sessions/{session.id}/edit",
        data=_form(title="New title", start_time="14:00", end_time="15:00", must_choose="y"),
    )
    assert response.status_code == 302
    db.session.expire_all()
    session = db.session.get(ProgrammeSession, session.id)
    assert session.title == "New title"
    assert session.starts_at == paris(DAY, 14)


def test_room_taken_warns_and_save_anyway_saves(client, organiser):
    event = programme_event()
    room = make_room(event, "Auditorium")
    workshop(event, DAY, 9, 11, room=room, title="Welcome plenary")
    url = f"/organiser/events/{event.slug}/sessions/new"
    data = _form(title="Clash", room_id=str(room.id), start_time="10:00", end_time="12:00")
    warned = client.post(url, data=data)
    page = warned.get_data(as_text=True)
    assert warned.status_code == 200
    assert "Auditorium is already taken" in page and "Welcome plenary" in page
    assert "Save anyway" in page
    assert db.session.scalar(db.select(db.func.count(ProgrammeSession.id))) == 1
    saved = client.post(url, data={**data, "save_anyway": "y"})
    assert saved.status_code == 302
    assert db.session.scalar(db.select(db.func.count(ProgrammeSession.id))) == 2


def test_speaker_double_booked_warns(client, organiser):
    event = programme_event()
    workshop(event, DAY, 9, 11, title="Seeds")
    db.session.get(ProgrammeSession, 1)
    first = db.session.scalar(db.select(ProgrammeSession))
    from pic_events.programme.models import Speaker

    first.speakers = [Speaker(name="Marie Dupont", organisation="", role="")]
    db.session.commit()
    response = client.post(
        f"/organiser/events/{event.slug}/sessions/new",
        data=_form(title="Fruit", start_time="10:00", end_time="11:00", speakers="marie dupont"),
    )
    assert "is already speaking in “Seeds”" in response.get_data(as_text=True)
    back_to_back = client.post(
        f"/organiser/events/{event.slug}/sessions/new",
        data=_form(title="Fruit", start_time="11:00", end_time="12:00", speakers="Marie Dupont"),
    )
    assert back_to_back.status_code == 302


def test_duplicate_prefills_a_new_session(client, organiser):
    event = programme_event()
    room = make_room(event, "Salle Loire")
    source = workshop(event, DAY, 9, 10, title="Mushrooms", room=room, capacity=20)
    form = client.get(f"/organiser/events/{event.slug}/sessions/new?from={source.id}")
    page = form.get_data(as_text=True)
    assert 'value="Mushrooms"' in page and 'value="20"' in page and "Copy of" in page
    other_room = make_room(event, "Salle Maine")
    response = client.post(
        f"/organiser/events/{event.slug}/sessions/new?from={source.id}",
        data=_form(title="Mushrooms", room_id=str(other_room.id), capacity="20", must_choose="y"),
    )
    assert response.status_code == 302
    copies = db.session.scalars(
        db.select(ProgrammeSession).where(ProgrammeSession.title == "Mushrooms")
    ).all()
    assert sorted(s.room_id for s in copies) == sorted([room.id, other_room.id])


def test_move_keeps_length_and_warns_on_taken_room(client, organiser):
    event = programme_event()
    room = make_room(event, "Terrasse")
    workshop(event, date(2027, 6, 16), 14, 16, room=room, title="Tasting")
    session = workshop(event, DAY, 9, 10, title="Visit briefing")
    url = f"/organiser/events/{event.slug}/sessions/{session.id}/move"
    form = client.get(url).get_data(as_text=True)
    assert "60 minutes" in form
    data = {"day": "2027-06-16", "start_time": "15:00", "room_id": str(room.id)}
    warned = client.post(url, data=data)
    assert "Terrasse is already taken" in warned.get_data(as_text=True)
    assert client.post(url, data={**data, "save_anyway": "y"}).status_code == 302
    db.session.expire_all()
    moved = db.session.get(ProgrammeSession, session.id)
    assert (moved.starts_at, moved.ends_at) == (
        paris(date(2027, 6, 16), 15),
        paris(date(2027, 6, 16), 16),
    )
    assert moved.room_id == room.id
    assert (
        client.post(
            url, data={"day": "2027-06-17", "start_time": "09:00", "room_id": "0"}
        ).status_code
        == 302
    )


def test_delete_session(client, organiser):
    event = programme_event()
    session = workshop(event, DAY, 9, 10)
    response = client.post(f"/organiser/events/{event.slug}/sessions/{session.id}/delete")
    assert response.status_code == 302
    assert db.session.get(ProgrammeSession, session.id) is None


def test_rooms_add_edit_delete(client, organiser):
    event = programme_event()
    url = f"/organiser/events/{event.slug}/rooms"
    assert (
        client.post(
            url, data={"name": "Auditorium", "location": "Ground floor", "capacity": "300"}
        ).status_code
        == 302
    )
    duplicate = client.post(url, data={"name": "Auditorium"})
    assert "already has a room with that name" in duplicate.get_data(as_text=True)
    room = db.session.scalar(db.select(Room))
    assert (room.location, room.capacity) == ("Ground floor", 300)
    session = workshop(event, DAY, 9, 10, room=room)
    assert (
        client.post(f"{url}/{room.id}/edit", data={"name": "Grand auditorium"}).status_code == 302
    )
    db.session.expire_all()
    assert db.session.get(Room, room.id).name == "Grand auditorium"
    assert client.post(f"{url}/{room.id}/delete").status_code == 302
    db.session.expire_all()
    assert db.session.get(ProgrammeSession, session.id).room_id is None


def test_publish_and_unpublish(client, organiser):
    event = programme_event(programme_published=False)
    url = f"/organiser/events/{event.slug}/programme/publish"
    client.post(url, data={"published": "1"})
    db.session.expire_all()
    assert db.session.get(type(event), event.id).programme_published
    client.post(url, data={"published": "0"})
    db.session.expire_all()
    assert not db.session.get(type(event), event.id).programme_published


def test_hide_restricted_sessions_toggle(client, organiser):
    event = programme_event()
    url = f"/organiser/events/{event.slug}/programme/restricted"
    client.post(url, data={"hide": "1"})
    db.session.expire_all()
    assert db.session.get(type(event), event.id).hide_restricted_sessions
    client.post(url, data={"hide": "0"})
    db.session.expire_all()
    assert not db.session.get(type(event), event.id).hide_restricted_sessions
    login(client, make_user())
    assert client.post(url, data={"hide": "1"}).status_code == 403


def test_editor_counts_places_taken_even_beyond_a_lowered_capacity(client, organiser):
    event = programme_event(slug="pic-2027")
    session = workshop(event, DAY, 9, 10, title="Cider tasting", capacity=3)
    for _ in range(2):
        db.session.add(SessionChoice(registration=make_registration(event), session_id=session.id))
    db.session.commit()
    session.capacity = 1  # lowered after two people chose it: they keep their places
    db.session.commit()
    page = client.get("/organiser/events/pic-2027/programme").get_data(as_text=True)
    assert "2 / 1 taken" in page
