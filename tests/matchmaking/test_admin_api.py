"""POST /api/v1/events/{slug}/slots and /tables: organisers only, 201, problems otherwise."""

from __future__ import annotations

from datetime import timedelta

from tests.factories import api_auth, b2b_slots, make_b2b_event, make_room, make_user


def _day(event, days=0):
    return (event.starts_on + timedelta(days=days)).isoformat()


def test_organisers_create_slots_and_overlaps_or_bad_times_are_refused(app, client, organiser_auth):
    event = make_b2b_event(slots=0)
    url = f"/api/v1/events/{event.slug}/slots"
    body = {"start": f"{_day(event, 1)}T09:00:00+01:00", "end": f"{_day(event, 1)}T09:20:00+01:00"}
    created = client.post(url, json=body, headers=organiser_auth)
    assert created.status_code == 201, created.json
    assert created.json["start"].endswith("09:00:00+01:00") and created.json["id"]
    overlap = client.post(
        url,
        json={
            "start": f"{_day(event, 1)}T09:10:00+01:00",
            "end": f"{_day(event, 1)}T09:30:00+01:00",
        },
        headers=organiser_auth,
    )
    assert overlap.status_code == 409
    assert overlap.mimetype == "application/problem+json"
    assert "overlaps" in overlap.json["detail"]
    backwards = client.post(
        url,
        json={"start": f"{_day(event)}T10:00:00+01:00", "end": f"{_day(event)}T09:00:00+01:00"},
        headers=organiser_auth,
    )
    assert backwards.status_code == 422 and "end" in backwards.json["errors"]
    outside = client.post(
        url,
        json={
            "start": f"{_day(event, 5)}T10:00:00+01:00",
            "end": f"{_day(event, 5)}T11:00:00+01:00",
        },
        headers=organiser_auth,
    )
    assert outside.status_code == 422
    naive = client.post(url, json={"start": "2027-01-01T10:00", "end": "x"}, headers=organiser_auth)
    assert naive.status_code == 422
    assert len(b2b_slots(event)) == 1


def test_organisers_create_tables_and_a_taken_label_is_409(app, client, organiser_auth):
    event = make_b2b_event(tables=0)
    room = make_room(event, "Hall A")
    url = f"/api/v1/events/{event.slug}/tables"
    created = client.post(url, json={"label": "T1"}, headers=organiser_auth)
    assert created.status_code == 201 and created.json["seats"] == 2
    big = client.post(
        url, json={"label": "Big", "seats": 6, "room_id": room.id}, headers=organiser_auth
    )
    assert big.status_code == 201 and big.json["room"] == "Hall A"
    again = client.post(url, json={"label": "T1"}, headers=organiser_auth)
    assert again.status_code == 409 and again.mimetype == "application/problem+json"
    empty = client.post(url, json={"label": ""}, headers=organiser_auth)
    assert empty.status_code == 422


def test_members_and_strangers_are_refused(app, client):
    event = make_b2b_event()
    member = api_auth(make_user())
    for path, body in (
        ("slots", {"start": "2027-01-01T10:00:00+01:00", "end": "2027-01-01T10:20:00+01:00"}),
        ("tables", {"label": "X"}),
    ):
        url = f"/api/v1/events/{event.slug}/{path}"
        assert client.post(url, json=body, headers=member).status_code == 403
        assert client.post(url, json=body).status_code == 401


def test_the_openapi_document_describes_them(app, client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    assert "post" in paths["/api/v1/events/{slug}/slots"]
    assert "post" in paths["/api/v1/events/{slug}/tables"]
