"""B2B API: slots, availability, meeting requests, meetings, outcomes (CONTRACT.md)."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from pic_events.core.types import utcnow
from pic_events.extensions import db
from pic_events.matchmaking import booking
from pic_events.matchmaking.models import Meeting, MeetingRequest, Slot, Unavailability
from tests.factories import (
    api_auth,
    b2b_slots,
    make_b2b_event,
    make_organisation,
    make_organiser,
    make_registration,
    make_user,
)


def person(event, name, **kw):
    user = make_user(name=name, organisation=make_organisation(name=f"{name} Org"))
    registration = make_registration(event, user, **kw)
    return registration, api_auth(user)


def test_slots_and_availability(client):
    event = make_b2b_event(tables=2)
    (ana, ana_auth), (ben, _) = person(event, "Ana"), person(event, "Ben")
    first, second, *_ = b2b_slots(event)
    booking.book(event, [ana.id, ben.id], first.id)
    response = client.get(f"/api/v1/events/{event.slug}/slots", headers=ana_auth)
    assert response.status_code == 200
    body = response.get_json()
    assert body["total"] == 4
    assert body["items"][0] == {
        "id": first.id,
        "start": body["items"][0]["start"],
        "end": body["items"][0]["end"],
        "status": "busy",
        "free_tables": 1,
    }
    assert (
        body["items"][0]["start"]
        == first.starts_at.astimezone(ZoneInfo(event.timezone)).isoformat()
    )
    assert body["items"][1]["status"] == "free" and body["items"][1]["free_tables"] == 2

    url = f"/api/v1/events/{event.slug}/availability"
    response = client.put(url, json={"unavailable_slot_ids": [second.id]}, headers=ana_auth)
    assert response.status_code == 200 and response.get_json() == {
        "unavailable_slot_ids": [second.id]
    }
    statuses = client.get(f"/api/v1/events/{event.slug}/slots", headers=ana_auth).get_json()
    assert statuses["items"][1]["status"] == "unavailable"
    response = client.put(url, json={"unavailable_slot_ids": [first.id]}, headers=ana_auth)
    assert response.status_code == 409
    problem = response.get_json()
    assert response.mimetype == "application/problem+json"
    assert problem["code"] == "has_meeting" and "with Ben" in problem["detail"]
    response = client.put(url, json={"unavailable_slot_ids": ["x"]}, headers=ana_auth)
    assert response.status_code == 422
    response = client.put(url, json={"unavailable_slot_ids": [999999]}, headers=ana_auth)
    assert response.status_code == 422
    assert {u.slot_id for u in db.session.scalars(sa.select(Unavailability))} == {second.id}


def test_not_a_participant(client):
    event = make_b2b_event()
    outsider = api_auth(make_user())
    assert client.get(f"/api/v1/events/{event.slug}/slots", headers=outsider).status_code == 404
    assert client.get(f"/api/v1/events/{event.slug}/slots").status_code == 401


def test_request_accept_and_meetings(client):
    event = make_b2b_event()
    (ana, ana_auth), (ben, ben_auth) = person(event, "Ana"), person(event, "Ben")
    slot = b2b_slots(event)[1]
    response = client.post(
        f"/api/v1/events/{event.slug}/meeting-requests",
        json={"to_registration_id": ben.id, "message": "Seeds?", "slot_id": slot.id},
        headers=ana_auth,
    )
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert created["status"] == "pending" and created["to"]["name"] == "Ben"
    assert created["from"]["organisation"] == "Ana Org" and created["slot"]["id"] == slot.id
    again = client.post(
        f"/api/v1/events/{event.slug}/meeting-requests",
        json={"to_registration_id": ana.id, "slot_id": slot.id},
        headers=ben_auth,
    )
    assert again.status_code == 409 and again.get_json()["code"] == "already_requested"
    # Ana cannot accept her own request; Ben can.
    url = f"/api/v1/meeting-requests/{created['id']}/accept"
    refused = client.post(url, json={}, headers=ana_auth)
    assert refused.status_code == 409 and refused.get_json()["code"] == "not_recipient"
    response = client.post(url, json={}, headers=ben_auth)
    assert response.status_code == 200, response.get_json()
    meeting = response.get_json()
    assert meeting["table"] == "T1" and meeting["status"] == "confirmed"
    assert meeting["slot"]["id"] == slot.id and meeting["request_id"] == created["id"]
    assert [p["name"] for p in meeting["with"]] == ["Ana"]

    mine = client.get(f"/api/v1/events/{event.slug}/meetings", headers=ana_auth).get_json()
    assert mine["total"] == 1 and mine["items"][0]["with"][0]["name"] == "Ben"
    organiser = api_auth(make_organiser())
    everyone = client.get(f"/api/v1/events/{event.slug}/meetings", headers=organiser).get_json()
    assert {p["name"] for p in everyone["items"][0]["with"]} == {"Ana", "Ben"}
    requests_list = client.get(
        f"/api/v1/events/{event.slug}/meeting-requests", headers=ana_auth
    ).get_json()
    assert requests_list["items"][0]["meeting"]["table"] == "T1"

    response = client.post(
        f"/api/v1/meetings/{meeting['id']}/cancel", json={"reason": "Sorry"}, headers=ben_auth
    )
    assert response.status_code == 200 and response.get_json()["status"] == "cancelled"
    response = client.post(f"/api/v1/meetings/{meeting['id']}/cancel", json={}, headers=ben_auth)
    assert response.status_code == 409 and response.get_json()["code"] == "cancelled"


def test_accept_conflict_names_it(client):
    event = make_b2b_event(tables=1)
    (_ana, ana_auth), (ben, ben_auth) = person(event, "Ana"), person(event, "Ben")
    (cleo, _), (dan, _) = person(event, "Cleo"), person(event, "Dan")
    slot = b2b_slots(event)[0]
    created = client.post(
        f"/api/v1/events/{event.slug}/meeting-requests",
        json={"to_registration_id": ben.id, "slot_id": slot.id},
        headers=ana_auth,
    ).get_json()
    booking.book(event, [cleo.id, dan.id], slot.id)
    response = client.post(
        f"/api/v1/meeting-requests/{created['id']}/accept", json={}, headers=ben_auth
    )
    assert response.status_code == 409
    assert response.get_json()["code"] == "no_table"
    assert "No table is free at 09:00" in response.get_json()["detail"]
    assert db.session.scalar(sa.select(MeetingRequest.status)) == "pending"


def test_validation_and_decline_and_cancel(client):
    event = make_b2b_event()
    (ana, ana_auth), (ben, ben_auth) = person(event, "Ana"), person(event, "Ben")
    url = f"/api/v1/events/{event.slug}/meeting-requests"
    response = client.post(url, json={"to_registration_id": ben.id}, headers=ana_auth)
    assert response.status_code == 422 and "slot_id" in response.get_json()["errors"]
    response = client.post(url, json={"to_registration_id": ana.id, "slot_id": 1}, headers=ana_auth)
    assert response.status_code == 422 and "to_registration_id" in response.get_json()["errors"]
    response = client.post(url, json={"to_registration_id": 987654}, headers=ana_auth)
    assert response.status_code in (404, 422)
    slot = b2b_slots(event)[0]
    created = client.post(
        url, json={"to_registration_id": ben.id, "slot_id": slot.id}, headers=ana_auth
    ).get_json()
    response = client.post(
        f"/api/v1/meeting-requests/{created['id']}/decline",
        json={"reason": "Not now"},
        headers=ben_auth,
    )
    assert response.status_code == 200 and response.get_json()["status"] == "declined"
    assert response.get_json()["decline_reason"] == "Not now"
    second = client.post(
        url, json={"to_registration_id": ben.id, "slot_id": slot.id}, headers=ana_auth
    ).get_json()
    stranger = person(event, "Stranger")[1]
    response = client.post(f"/api/v1/meeting-requests/{second['id']}/cancel", headers=stranger)
    assert response.status_code == 404
    response = client.post(f"/api/v1/meeting-requests/{second['id']}/cancel", headers=ana_auth)
    assert response.status_code == 200 and response.get_json()["status"] == "cancelled"


def test_organiser_style_accept_is_202_without_a_meeting(client):
    event = make_b2b_event(booking_style="organiser")
    (_ana, ana_auth), (ben, ben_auth) = person(event, "Ana"), person(event, "Ben")
    created = client.post(
        f"/api/v1/events/{event.slug}/meeting-requests",
        json={"to_registration_id": ben.id, "message": "Hi"},
        headers=ana_auth,
    ).get_json()
    response = client.post(
        f"/api/v1/meeting-requests/{created['id']}/accept", json={}, headers=ben_auth
    )
    assert response.status_code == 202
    assert response.get_json()["status"] == "accepted" and response.get_json()["meeting"] is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Meeting)) == 0


def test_outcome(client):
    event = make_b2b_event()
    (ana, ana_auth), (ben, _) = person(event, "Ana"), person(event, "Ben")
    slot = b2b_slots(event)[0]
    meeting = booking.book(event, [ana.id, ben.id], slot.id)
    url = f"/api/v1/meetings/{meeting.id}/outcome"
    response = client.put(url, json={"took_place": True, "rating": "informative"}, headers=ana_auth)
    assert response.status_code == 409 and response.get_json()["code"] == "not_yet"
    row = db.session.get(Slot, slot.id)
    row.starts_at, row.ends_at = utcnow() - timedelta(hours=1), utcnow() - timedelta(minutes=40)
    db.session.commit()
    response = client.put(url, json={"took_place": True, "rating": "great"}, headers=ana_auth)
    assert response.status_code == 422
    response = client.put(url, json={"took_place": True, "rating": "informative"}, headers=ana_auth)
    assert response.status_code == 200
    assert response.get_json() == {
        "meeting_id": meeting.id,
        "took_place": True,
        "rating": "informative",
    }
    response = client.put(url, json={"took_place": False}, headers=ana_auth)
    assert response.get_json()["rating"] is None


def test_openapi_lists_the_b2b_endpoints(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in (
        "/api/v1/events/{slug}/slots",
        "/api/v1/events/{slug}/availability",
        "/api/v1/events/{slug}/meeting-requests",
        "/api/v1/meeting-requests/{request_id}/accept",
        "/api/v1/meeting-requests/{request_id}/decline",
        "/api/v1/meeting-requests/{request_id}/cancel",
        "/api/v1/events/{slug}/meetings",
        "/api/v1/meetings/{meeting_id}/cancel",
        "/api/v1/meetings/{meeting_id}/outcome",
    ):
        assert path in paths, path


def test_an_organiser_cancels_any_meeting_and_a_stranger_none(client):
    event = make_b2b_event()
    (ana, _), (ben, _) = person(event, "Ana"), person(event, "Ben")
    stranger = person(event, "Stranger")[1]
    meeting = booking.book(event, [ana.id, ben.id], b2b_slots(event)[0].id)
    url = f"/api/v1/meetings/{meeting.id}/cancel"
    assert client.post(url, json={}, headers=stranger).status_code == 404
    response = client.post(url, json={"reason": "Room closed"}, headers=api_auth(make_organiser()))
    assert response.status_code == 200 and response.get_json()["status"] == "cancelled"
    assert {p["name"] for p in response.get_json()["with"]} == {"Ana", "Ben"}


def test_a_cancelled_meeting_answers_with_full_participants(client):
    from pic_events.matchmaking.models import MatchProfile

    event = make_b2b_event()
    (ana, ana_auth), (ben, _) = person(event, "Ana"), person(event, "Ben")
    db.session.add(MatchProfile(registration_id=ben.id, offers="Seed banks", sectors=["seeds"]))
    db.session.commit()
    meeting = booking.book(event, [ana.id, ben.id], b2b_slots(event)[0].id)
    response = client.post(f"/api/v1/meetings/{meeting.id}/cancel", json={}, headers=ana_auth)
    assert response.status_code == 200
    (other,) = response.get_json()["with"]
    assert other["offers"] == "Seed banks" and other["sectors"] == ["seeds"]
