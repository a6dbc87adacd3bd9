"""The programme API: reading, organiser editing, and choosing sessions."""

from __future__ import annotations

from datetime import date

import pytest

from pic_events.extensions import db
from pic_events.programme.models import ProgrammeSession, Room
from pic_events.registration.models import SessionChoice
from tests.factories import api_auth, make_organiser, make_registration, make_room, make_user
from tests.programme.helpers import paris, programme_event, workshop

DAY = date(2027, 6, 15)


def _body(**overrides):
    body = {
        "title": "Seeds workshop",
        "kind": "workshop",
        "start": "2027-06-15T11:00:00+02:00",
        "end": "2027-06-15T12:30:00+02:00",
        "capacity": 20,
        "must_choose": True,
        "speakers": [{"name": "Jan Jansen", "organisation": "Greenport", "role": "Chair"}],
    }
    body.update(overrides)
    return body


def test_list_sessions_fields(client):
    event = programme_event()
    room = make_room(event, "Salle Anjou")
    session = workshop(event, DAY, 9, 10, title="Cider", room=room, capacity=5)
    choosing = make_user()
    make_registration(event, choosing)
    api_auth(choosing, client)
    client.post(f"/api/v1/events/{event.slug}/sessions/{session.id}/choose")
    response = client.get(f"/api/v1/events/{event.slug}/sessions")
    assert response.status_code == 200
    assert response.json["total"] == 1
    item = response.json["items"][0]
    assert item == {
        **item,
        "id": session.id,
        "title": "Cider",
        "kind": "workshop",
        "start": "2027-06-15T09:00:00+02:00",
        "end": "2027-06-15T10:00:00+02:00",
        "room": "Salle Anjou",
        "capacity": 5,
        "places_left": 4,
        "must_choose": True,
        "restricted": False,
        "speakers": [],
        "chosen": True,
    }


def test_list_is_empty_for_a_draft_programme_but_not_for_organisers(client):
    event = programme_event(programme_published=False)
    workshop(event, DAY, 9, 10)
    assert client.get(f"/api/v1/events/{event.slug}/sessions").json["items"] == []
    api_auth(make_organiser(), client)
    assert client.get(f"/api/v1/events/{event.slug}/sessions").json["total"] == 1
    assert client.get("/api/v1/events/nope/sessions").status_code == 404


def test_create_update_delete_as_organiser(client):
    event = programme_event()
    make_room(event, "Salle Loire")
    api_auth(make_organiser(), client)
    created = client.post(f"/api/v1/events/{event.slug}/sessions", json=_body(room="Salle Loire"))
    assert created.status_code == 201, created.json
    assert created.json["room"] == "Salle Loire"
    assert created.json["speakers"] == [
        {"name": "Jan Jansen", "organisation": "Greenport", "role": "Chair"}
    ]
    assert created.json["warnings"] == []
    session_id = created.json["id"]
    moved = client.patch(
        f"/api/v1/sessions/{session_id}",
        json={
            "start": "2027-06-16T14:00:00+02:00",
            "end": "2027-06-16T15:30:00+02:00",
            "room": None,
        },
    )
    assert moved.status_code == 200, moved.json
    assert (moved.json["start"], moved.json["room"], moved.json["title"]) == (
        "2027-06-16T14:00:00+02:00",
        None,
        "Seeds workshop",
    )
    assert client.delete(f"/api/v1/sessions/{session_id}").status_code == 204
    assert db.session.get(ProgrammeSession, session_id) is None


def test_writes_return_warnings(client):
    event = programme_event()
    room = make_room(event, "Auditorium")
    workshop(event, DAY, 11, 12, room=room, title="Plenary")
    api_auth(make_organiser(), client)
    response = client.post(f"/api/v1/events/{event.slug}/sessions", json=_body(room="Auditorium"))
    assert response.status_code == 201
    assert any("Auditorium is already taken" in w for w in response.json["warnings"])


@pytest.mark.parametrize(
    "change, field",
    [
        ({"start": "2027-06-15T11:00:00"}, "start"),
        ({"end": "2027-06-15T10:00:00+02:00"}, "end"),
        ({"kind": "party"}, "kind"),
        ({"title": ""}, "title"),
        ({"room": "Nowhere"}, "room"),
        ({"capacity": -1}, "capacity"),
    ],
)
def test_invalid_input_is_422(client, change, field):
    event = programme_event()
    api_auth(make_organiser(), client)
    response = client.post(f"/api/v1/events/{event.slug}/sessions", json=_body(**change))
    assert response.status_code == 422, response.json
    assert response.mimetype == "application/problem+json"
    assert field in response.json["errors"]


def test_editing_is_for_organisers(client):
    event = programme_event()
    session = workshop(event, DAY, 9, 10)
    url = f"/api/v1/events/{event.slug}/sessions"
    assert client.post(url, json=_body()).status_code == 401
    api_auth(make_user(), client)
    assert client.post(url, json=_body()).status_code == 403
    assert client.patch(f"/api/v1/sessions/{session.id}", json={"title": "x"}).status_code == 403
    assert client.delete(f"/api/v1/sessions/{session.id}").status_code == 403


def test_choose_rules_and_status_codes(client):
    event = programme_event()
    a = workshop(event, DAY, 9, 11, title="A", capacity=1)
    b = workshop(event, DAY, 10, 12, title="B")
    closed = workshop(event, DAY, 14, 15, title="Closed", restricted=True)
    plenary = workshop(event, DAY, 16, 17, must_choose=False)
    other = workshop(programme_event(), DAY, 9, 10)
    base = f"/api/v1/events/{event.slug}/sessions"

    assert client.post(f"{base}/{a.id}/choose").status_code == 401
    member = make_user()
    api_auth(member, client)
    assert client.post(f"{base}/{a.id}/choose").status_code == 403  # not registered
    make_registration(event, member)

    chosen = client.post(f"{base}/{a.id}/choose")
    assert chosen.status_code == 200 and chosen.json["places_left"] == 0
    overlap = client.post(f"{base}/{b.id}/choose")
    assert overlap.status_code == 409 and "same time" in overlap.json["detail"]
    assert client.post(f"{base}/{closed.id}/choose").status_code == 403
    assert client.post(f"{base}/{plenary.id}/choose").status_code == 422
    assert client.post(f"{base}/{other.id}/choose").status_code == 404
    assert client.post(f"{base}/999999/choose").status_code == 404

    rival = make_user()
    make_registration(event, rival)
    api_auth(rival, client)
    full = client.post(f"{base}/{a.id}/choose")
    assert full.status_code == 409 and "full" in full.json["detail"]

    api_auth(member, client)
    assert client.delete(f"{base}/{a.id}/choose").status_code == 204
    api_auth(rival, client)
    assert client.post(f"{base}/{a.id}/choose").status_code == 200
    assert db.session.scalar(db.select(db.func.count()).select_from(SessionChoice)) == 1


def test_rooms_endpoints(client):
    event = programme_event()
    api_auth(make_organiser(), client)
    created = client.post(
        f"/api/v1/events/{event.slug}/rooms", json={"name": "Terrasse", "capacity": 80}
    )
    assert created.status_code == 201
    assert db.session.scalar(db.select(Room.name)) == "Terrasse"
    listed = client.get(f"/api/v1/events/{event.slug}/rooms").json
    assert listed["items"][0]["capacity"] == 80
    assert (
        client.post(f"/api/v1/events/{event.slug}/rooms", json={"name": "Terrasse"}).status_code
        == 422
    )
    assert paris(DAY, 9).utcoffset().total_seconds() == 7200


def test_hidden_restricted_sessions_do_not_exist_for_others(client):
    event = programme_event(hide_restricted_sessions=True)
    closed = workshop(event, DAY, 14, 15, title="Steering budget", restricted=True)
    open_ = workshop(event, DAY, 9, 10, title="Open")
    base = f"/api/v1/events/{event.slug}/sessions"
    member = make_user()
    make_registration(event, member)
    api_auth(member, client)

    assert [s["title"] for s in client.get(base).json["items"]] == ["Open"]
    for response in (
        client.post(f"{base}/{closed.id}/choose"),
        client.delete(f"{base}/{closed.id}/choose"),
    ):
        assert response.status_code == 404
        assert "Steering budget" not in response.get_data(as_text=True)
    assert client.post(f"{base}/{open_.id}/choose").status_code == 200

    claimer = make_user()
    make_registration(event, claimer, category="steering")
    api_auth(claimer, client)
    assert [s["id"] for s in client.get(base).json["items"]] == [open_.id]
    assert client.post(f"{base}/{closed.id}/choose").status_code == 404

    steering = make_user(steering_member=True)
    make_registration(event, steering)
    api_auth(steering, client)
    assert [s["id"] for s in client.get(base).json["items"]] == [open_.id, closed.id]
    assert client.post(f"{base}/{closed.id}/choose").status_code == 200
