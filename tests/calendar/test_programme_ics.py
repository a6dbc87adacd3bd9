"""GET /events/{slug}/programme.ics and the one-session downloads."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from pic_events.events.models import EventStatus
from pic_events.extensions import db
from pic_events.programme.models import Speaker
from tests.calendar.ics import check_ics, events_by_uid
from tests.factories import (
    login,
    make_event,
    make_programme_session,
    make_registration,
    make_room,
    make_user,
)

PARIS = ZoneInfo("Europe/Paris")


def _paris(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=PARIS)


def _event_across_the_clock_change():
    """An event from 20 March to 5 April 2027: Paris moves to summer time on 28 March."""
    event = make_event(
        starts_on=date(2027, 3, 20),
        ends_on=date(2027, 4, 5),
        venue="Terra Botanica",
        city="Angers",
        title="PIC Annual Meeting 2027",
    )
    room = make_room(event, "Auditorium", location="Building A")
    winter = make_programme_session(
        event,
        _paris(date(2027, 3, 22), 9),
        _paris(date(2027, 3, 22), 10, 30),
        title="Opening plenary",
        room=room,
        kind="plenary",
        publish=True,
        description="Welcome to Angers.",
    )
    winter.speakers = [Speaker(name="Zoé Durand", organisation="VEGEPOLYS VALLEY", role="Chair")]
    summer = make_programme_session(
        event,
        _paris(date(2027, 4, 2), 9),
        _paris(date(2027, 4, 2), 12),
        title="Workshop: seeds",
        kind="workshop",
        must_choose=True,
    )
    steering = make_programme_session(
        event,
        _paris(date(2027, 4, 2), 14),
        _paris(date(2027, 4, 2), 15),
        title="Steering committee",
        kind="steering",
        restricted=True,
    )
    db.session.commit()
    return event, winter, summer, steering


def test_programme_ics_is_valid_with_iana_zone_and_stable_uids(client, app):
    event, winter, summer, steering = _event_across_the_clock_change()
    response = client.get(f"/events/{event.slug}/programme.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["ETag"] and response.headers["Last-Modified"]
    assert "max-age" in response.headers["Cache-Control"]
    calendar = check_ics(response.data)
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert str(calendar["X-WR-CALNAME"]) == "PIC Annual Meeting 2027"
    assert str(calendar["X-WR-TIMEZONE"]) == "Europe/Paris"
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H" in response.data
    assert b"X-PUBLISHED-TTL:PT1H" in response.data
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Paris"]
    events = events_by_uid(calendar)
    assert set(events) == {f"session-{s.id}@localhost" for s in (winter, summer, steering)}
    opening = events[f"session-{winter.id}@localhost"]
    assert str(opening["SUMMARY"]) == "Opening plenary"
    assert str(opening["LOCATION"]) == "Auditorium (Building A), Terra Botanica, Angers"
    assert "Zoé Durand, VEGEPOLYS VALLEY (Chair)" in str(opening["DESCRIPTION"])
    assert "Welcome to Angers." in str(opening["DESCRIPTION"])
    assert str(opening["URL"]).endswith(f"/events/{event.slug}/programme#session-{winter.id}")
    assert opening["CATEGORIES"].cats == ["Plenary"]
    # The same export again: the same UIDs, the same bytes, the same ETag.
    again = client.get(f"/events/{event.slug}/programme.ics")
    assert again.data == response.data
    assert again.headers["ETag"] == response.headers["ETag"]


def test_summer_and_winter_sessions_stay_at_nine_local_time(client, app):
    event, winter, summer, _ = _event_across_the_clock_change()
    body = client.get(f"/events/{event.slug}/programme.ics").data
    assert b"DTSTART;TZID=Europe/Paris:20270322T090000" in body
    assert b"DTSTART;TZID=Europe/Paris:20270402T090000" in body
    events = events_by_uid(check_ics(body))
    winter_start = events[f"session-{winter.id}@localhost"].decoded("DTSTART")
    summer_start = events[f"session-{summer.id}@localhost"].decoded("DTSTART")
    assert (winter_start.hour, winter_start.utcoffset()) == (9, timedelta(hours=1))
    assert (summer_start.hour, summer_start.utcoffset()) == (9, timedelta(hours=2))
    # The independent parser reads the VTIMEZONE we wrote, not its own zone data.
    import vobject

    parsed = vobject.readOne(body.decode())
    offsets = {v.uid.value: v.dtstart.value.utcoffset() for v in parsed.vevent_list}
    assert offsets[f"session-{winter.id}@localhost"] == timedelta(hours=1)
    assert offsets[f"session-{summer.id}@localhost"] == timedelta(hours=2)


def test_a_zone_without_daylight_saving_and_far_away(client, app):
    event = make_event(timezone="America/Sao_Paulo", starts_on=date(2027, 6, 1))
    start = datetime(2027, 6, 1, 9, tzinfo=ZoneInfo("America/Sao_Paulo"))
    make_programme_session(event, start, start + timedelta(hours=1), publish=True)
    calendar = check_ics(client.get(f"/events/{event.slug}/programme.ics").data)
    (vevent,) = calendar.walk("VEVENT")
    assert vevent.decoded("DTSTART").utcoffset() == timedelta(hours=-3)


def test_restricted_sessions_only_for_those_who_may_see_them(client, app):
    event, _, _, steering = _event_across_the_clock_change()
    event.hide_restricted_sessions = True
    db.session.commit()
    uid = f"session-{steering.id}@localhost".encode()
    assert uid not in client.get(f"/events/{event.slug}/programme.ics").data
    member = make_user()
    make_registration(event, member)
    login(client, member)
    response = client.get(f"/events/{event.slug}/programme.ics")
    assert uid not in response.data
    assert "private" in response.headers["Cache-Control"]
    assert client.get(f"/events/{event.slug}/sessions/{steering.id}.ics").status_code == 404
    chair = make_user(steering_member=True)
    make_registration(event, chair)
    login(client, chair)
    assert uid in client.get(f"/events/{event.slug}/programme.ics").data
    assert client.get(f"/events/{event.slug}/sessions/{steering.id}.ics").status_code == 200


def test_unpublished_programme_and_draft_event_are_404(client, app):
    event = make_event()
    start = datetime(2027, 6, 1, 9, tzinfo=PARIS)
    session = make_programme_session(event, start, start + timedelta(hours=1))
    assert client.get(f"/events/{event.slug}/programme.ics").status_code == 404
    assert client.get(f"/events/{event.slug}/sessions/{session.id}.ics").status_code == 404
    draft = make_event(status=EventStatus.DRAFT, programme_published=True)
    assert client.get(f"/events/{draft.slug}/programme.ics").status_code == 404


def test_conditional_requests_get_304_until_something_changes(client, app):
    event, winter, *_ = _event_across_the_clock_change()
    url = f"/events/{event.slug}/programme.ics"
    first = client.get(url)
    etag = first.headers["ETag"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    since = first.headers["Last-Modified"]
    assert client.get(url, headers={"If-Modified-Since": since}).status_code == 304
    winter.title = "Opening plenary (new time)"
    db.session.commit()
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag
    assert b"Opening plenary (new time)" in changed.data


def test_one_session_download_and_google_link(client, app):
    event, winter, *_ = _event_across_the_clock_change()
    response = client.get(f"/events/{event.slug}/sessions/{winter.id}.ics")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    calendar = check_ics(response.data)
    assert list(events_by_uid(calendar)) == [f"session-{winter.id}@localhost"]
    page = client.get(f"/events/{event.slug}/programme").get_data(as_text=True)
    assert f"/events/{event.slug}/sessions/{winter.id}.ics" in page
    assert "https://calendar.google.com/calendar/render?action=TEMPLATE" in page
    assert "dates=20270322T080000Z%2F20270322T093000Z" in page
    assert "ctz=Europe%2FParis" in page
