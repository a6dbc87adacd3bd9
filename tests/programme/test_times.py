"""Times are typed and shown in the event's zone, stored in UTC, sent with their offset;
2027-03-28 is the day Paris moves from +01:00 to +02:00."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from pic_events.extensions import db
from pic_events.programme.models import ProgrammeSession
from tests.factories import api_auth, login, make_organiser
from tests.programme.helpers import programme_event


def _create(client, event, day: str, title: str):
    return client.post(
        f"/organiser/events/{event.slug}/sessions/new",
        data={
            "kind": "plenary",
            "title": title,
            "day": day,
            "start_time": "09:00",
            "end_time": "10:00",
            "room_id": "0",
        },
    )


def test_nine_oclock_in_paris_either_side_of_the_clock_change(client):
    event = programme_event(starts_on=date(2027, 3, 27), ends_on=date(2027, 3, 29))
    login(client, make_organiser())
    assert _create(client, event, "2027-03-27", "Before the change").status_code == 302
    assert _create(client, event, "2027-03-29", "After the change").status_code == 302

    stored = {s.title: s.starts_at for s in db.session.scalars(db.select(ProgrammeSession)).all()}
    assert stored["Before the change"] == datetime(2027, 3, 27, 8, 0, tzinfo=UTC)
    assert stored["After the change"] == datetime(2027, 3, 29, 7, 0, tzinfo=UTC)

    page = client.get(f"/events/{event.slug}/programme").get_data(as_text=True)
    assert page.count(">09:00</time>") == 4  # two sessions, grid and list
    assert ">08:00<" not in page and ">07:00<" not in page
    assert 'datetime="2027-03-27T09:00:00+01:00"' in page
    assert 'datetime="2027-03-29T09:00:00+02:00"' in page

    api = client.get(f"/api/v1/events/{event.slug}/sessions").json["items"]
    starts = {s["title"]: s["start"] for s in api}
    assert starts == {
        "Before the change": "2027-03-27T09:00:00+01:00",
        "After the change": "2027-03-29T09:00:00+02:00",
    }


def test_api_times_with_any_offset_are_the_same_instant(client):
    event = programme_event(starts_on=date(2027, 3, 27), ends_on=date(2027, 3, 29))
    api_auth(make_organiser(), client)
    response = client.post(
        f"/api/v1/events/{event.slug}/sessions",
        json={
            "title": "Given in UTC",
            "kind": "plenary",
            "start": "2027-03-29T07:00:00Z",
            "end": "2027-03-29T08:00:00+00:00",
        },
    )
    assert response.status_code == 201, response.json
    assert response.json["start"] == "2027-03-29T09:00:00+02:00"
    assert response.json["end"] == "2027-03-29T10:00:00+02:00"


def test_a_time_the_clocks_skip_is_refused_next_to_the_field(client):
    """02:30 does not exist in Paris on 2027-03-28 (02:00 jumps to 03:00): saying so beats
    silently storing 03:30."""
    event = programme_event(starts_on=date(2027, 3, 27), ends_on=date(2027, 3, 29))
    login(client, make_organiser())
    form = {
        "kind": "social",
        "title": "Night walk",
        "day": "2027-03-28",
        "start_time": "02:30",
        "end_time": "04:00",
        "room_id": "0",
    }
    response = client.post(f"/organiser/events/{event.slug}/sessions/new", data=form)
    assert response.status_code == 200
    assert "02:30 does not exist" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(ProgrammeSession)) == 0

    ends_in_gap = {**form, "start_time": "01:00", "end_time": "02:15"}
    response = client.post(f"/organiser/events/{event.slug}/sessions/new", data=ends_in_gap)
    assert "02:15 does not exist" in response.get_data(as_text=True)

    fine = {**form, "start_time": "01:30", "end_time": "03:30"}
    assert client.post(f"/organiser/events/{event.slug}/sessions/new", data=fine).status_code == 302
    session = db.session.scalars(db.select(ProgrammeSession)).one()
    assert session.ends_at - session.starts_at == timedelta(hours=1)  # one hour was skipped

    moved = client.post(
        f"/organiser/events/{event.slug}/sessions/{session.id}/move",
        data={"day": "2027-03-28", "start_time": "02:00", "room_id": "0"},
    )
    assert moved.status_code == 200
    assert "02:00 does not exist" in moved.get_data(as_text=True)
    db.session.refresh(session)
    assert session.starts_at == datetime(2027, 3, 28, 0, 30, tzinfo=UTC)
