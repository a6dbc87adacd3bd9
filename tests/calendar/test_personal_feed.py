"""GET /calendar/{token}.ics: my sessions and B2B meetings, kept current."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from pic_events.calendar import services
from pic_events.extensions import db
from pic_events.matchmaking import booking
from pic_events.matchmaking.models import B2BTable, MatchProfile, MeetingRequest
from pic_events.registration.models import SessionChoice
from tests.calendar.ics import check_ics, events_by_uid
from tests.factories import (
    api_auth,
    b2b_slots,
    login,
    make_b2b_event,
    make_event,
    make_organisation,
    make_programme_session,
    make_registration,
    make_room,
    make_user,
)
from tests.queries import count_queries

PARIS = ZoneInfo("Europe/Paris")


def _feed(client, user):
    return client.get(f"/calendar/{user.calendar_token}.ics")


def _start(event, hour, minute=0):
    day = event.starts_on
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=PARIS)


def _b2b_world():
    """Ana (Agrobio) and Ben (Seedlab) at a B2B event with a programme; Ben has a profile."""
    event = make_b2b_event(slots=4, tables=2)
    room = make_room(event, "Hall B", location="Ground floor")
    table = db.session.scalar(
        sa.select(B2BTable).where(B2BTable.event_id == event.id).order_by(B2BTable.position)
    )
    table.room = room
    ana = make_user(name="Ana García", organisation=make_organisation("Agrobio"))
    ben = make_user(name="Ben Okafor", organisation=make_organisation("Seedlab"))
    ana_reg = make_registration(event, ana)
    ben_reg = make_registration(event, ben)
    db.session.add(MatchProfile(registration_id=ben_reg.id, summary="Seed breeding for arid soils"))
    plenary = make_programme_session(
        event, _start(event, 14), _start(event, 15), title="Plenary", publish=True
    )
    workshop = make_programme_session(
        event, _start(event, 15), _start(event, 16), title="Chosen workshop", must_choose=True
    )
    other = make_programme_session(
        event, _start(event, 16), _start(event, 17), title="Not chosen", must_choose=True
    )
    db.session.add(SessionChoice(registration_id=ana_reg.id, session_id=workshop.id))
    db.session.commit()
    return event, ana, ben, ana_reg, ben_reg, (plenary, workshop, other)


def _book(event, ana_reg, ben_reg, slot_index=0, message="Let us talk about seeds"):
    request = MeetingRequest(
        event_id=event.id,
        sender_id=ana_reg.id,
        recipient_id=ben_reg.id,
        pair_low=min(ana_reg.id, ben_reg.id),
        pair_high=max(ana_reg.id, ben_reg.id),
        message=message,
        status="accepted",
    )
    db.session.add(request)
    db.session.commit()
    slot = b2b_slots(event)[slot_index]
    return booking.book(event, [ana_reg.id, ben_reg.id], slot.id, request=request)


def test_feed_holds_my_sessions_and_meetings(client, app):
    event, ana, ben, ana_reg, ben_reg, (plenary, workshop, other) = _b2b_world()
    meeting = _book(event, ana_reg, ben_reg)
    response = _feed(client, ana)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Cache-Control"].startswith("private")
    calendar = check_ics(response.data)
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert str(calendar["X-WR-TIMEZONE"]) == "Europe/Paris"
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H" in response.data
    events = events_by_uid(calendar)
    assert set(events) == {
        f"session-{plenary.id}@localhost",
        f"session-{workshop.id}@localhost",
        f"meeting-{meeting.id}@localhost",
    }
    mine = events[f"meeting-{meeting.id}@localhost"]
    assert str(mine["SUMMARY"]) == "B2B meeting: Ben Okafor (Seedlab)"
    assert str(mine["LOCATION"]).startswith("Table T1, Hall B (Ground floor)")
    description = str(mine["DESCRIPTION"])
    assert "Seed breeding for arid soils" in description
    assert "Let us talk about seeds" in description
    assert str(mine["STATUS"]) == "CONFIRMED"
    assert int(mine["SEQUENCE"]) == 0
    assert mine.decoded("DTSTART") == b2b_slots(event)[0].starts_at
    assert mine.decoded("DTSTART").hour == 9  # 09:00 Paris time
    # Ben's feed names Ana, with the same UID.
    bens = events_by_uid(check_ics(_feed(client, ben).data))
    assert str(bens[f"meeting-{meeting.id}@localhost"]["SUMMARY"]) == (
        "B2B meeting: Ana García (Agrobio)"
    )


def test_a_moved_meeting_keeps_its_uid_and_its_sequence_goes_up(client, app):
    event, ana, _ben, ana_reg, ben_reg, _ = _b2b_world()
    meeting = _book(event, ana_reg, ben_reg)
    uid = f"meeting-{meeting.id}@localhost"
    before = _feed(client, ana)
    first = events_by_uid(check_ics(before.data))[uid]
    booking.move(meeting, b2b_slots(event)[2].id)
    after = client.get(
        f"/calendar/{ana.calendar_token}.ics", headers={"If-None-Match": before.headers["ETag"]}
    )
    assert after.status_code == 200 and after.headers["ETag"] != before.headers["ETag"]
    moved = events_by_uid(check_ics(after.data))[uid]
    assert int(moved["SEQUENCE"]) > int(first["SEQUENCE"])
    assert moved.decoded("DTSTART") == b2b_slots(event)[2].starts_at


def test_a_cancelled_meeting_stays_cancelled_until_the_event_ends(client, app):
    event, ana, _ben, ana_reg, ben_reg, _ = _b2b_world()
    meeting = _book(event, ana_reg, ben_reg)
    booking.cancel(meeting, by=ana_reg, reason="Flight cancelled")
    uid = f"meeting-{meeting.id}@localhost"
    cancelled = events_by_uid(check_ics(_feed(client, ana).data))[uid]
    assert str(cancelled["STATUS"]) == "CANCELLED"
    assert int(cancelled["SEQUENCE"]) == 1
    after_the_event = services.start_of_day(event.ends_on + timedelta(days=1), event.timezone)
    body = services.personal_calendar(ana, now=after_the_event)
    assert uid.encode() not in body
    check_ics(body)


def test_the_feed_spans_every_event_i_am_registered_for(client, app):
    event, ana, _ben, _ana_reg, _ben_reg, (plenary, *_rest) = _b2b_world()
    later = make_event(timezone="Asia/Tokyo")
    tokyo = ZoneInfo("Asia/Tokyo")
    day = later.starts_on
    start = datetime(day.year, day.month, day.day, 9, tzinfo=tokyo)
    keynote = make_programme_session(later, start, start + timedelta(hours=1), publish=True)
    make_registration(later, ana)
    not_mine = make_event()
    make_programme_session(not_mine, start, start + timedelta(hours=1), publish=True)
    calendar = check_ics(_feed(client, ana).data)
    events = events_by_uid(calendar)
    assert f"session-{plenary.id}@localhost" in events
    assert f"session-{keynote.id}@localhost" in events
    assert events[f"session-{keynote.id}@localhost"].decoded("DTSTART").hour == 9
    assert {str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")} == {"Europe/Paris", "Asia/Tokyo"}
    assert len(events) == 3  # plenary, chosen workshop, keynote


def _not_found_body(client) -> bytes:
    """What any unknown address answers (the app's 404 page)."""
    response = client.get("/no-such-page")
    assert response.status_code == 404
    return response.data


@pytest.mark.parametrize("token", ["not-a-token", "A" * 32, "", "../etc/passwd", "é" * 20])
def test_a_wrong_token_is_404_and_says_nothing(client, app, token):
    make_user()
    response = client.get(f"/calendar/{token}.ics")
    assert response.status_code == 404
    assert response.data == _not_found_body(client)


def test_reset_gives_a_new_link_and_the_old_one_stops_at_once(client, app):
    event, ana, *_ = _b2b_world()
    old = ana.calendar_token
    assert _feed(client, ana).status_code == 200
    login(client, ana)
    page = client.get(f"/events/{event.slug}/my-agenda").get_data(as_text=True)
    assert f"webcal://localhost/calendar/{old}.ics" in page
    assert f"http://localhost/calendar/{old}.ics" in page
    assert "<svg" in page and "reset" in page
    response = client.post("/calendar/reset", data={"next": f"/events/{event.slug}/my-agenda"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/events/{event.slug}/my-agenda")
    db.session.refresh(ana)
    assert ana.calendar_token != old and len(ana.calendar_token) >= 32
    visitor = app.test_client()  # a calendar app: no session
    gone = visitor.get(f"/calendar/{old}.ics")
    assert gone.status_code == 404 and gone.data == _not_found_body(visitor)
    assert _feed(client, ana).status_code == 200
    # The profile page and /api/v1/me give the new address, and it is served.
    profile = client.get("/profile").get_data(as_text=True)
    assert f"http://localhost/calendar/{ana.calendar_token}.ics" in profile
    me = client.get("/api/v1/me", headers=api_auth(ana)).get_json()
    assert me["calendar_url"] == f"http://localhost/calendar/{ana.calendar_token}.ics"
    path = me["calendar_url"].removeprefix("http://localhost")
    assert client.get(path).status_code == 200


def test_reset_needs_a_login_and_ignores_a_foreign_next(client, app):
    user = make_user()
    old = user.calendar_token
    assert client.post("/calendar/reset").status_code == 302
    db.session.refresh(user)
    assert user.calendar_token == old
    login(client, user)
    response = client.post("/calendar/reset", data={"next": "//evil.example/"})
    assert response.headers["Location"].endswith("/profile")


def test_feed_answers_304_to_a_conditional_request(client, app):
    _event, ana, *_ = _b2b_world()
    first = _feed(client, ana)
    url = f"/calendar/{ana.calendar_token}.ics"
    assert client.get(url, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    since = first.headers["Last-Modified"]
    assert client.get(url, headers={"If-Modified-Since": since}).status_code == 304
    assert client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200


def _many_entries(event, ana_reg, n, first_slot=0):
    """n sessions chosen by Ana, and n // 10 meetings with different people."""
    slots = b2b_slots(event)
    for i in range(n):
        start = _start(event, 8) + timedelta(days=1, minutes=i * 10)
        session = make_programme_session(
            event, start, start + timedelta(minutes=10), must_choose=True, publish=True
        )
        db.session.add(SessionChoice(registration_id=ana_reg.id, session_id=session.id))
    db.session.commit()
    for i in range(max(1, n // 10)):
        partner = make_registration(event, make_user(organisation=make_organisation()))
        db.session.add(MatchProfile(registration_id=partner.id, summary=f"Profile {i}"))
        db.session.commit()
        booking.book(event, [ana_reg.id, partner.id], slots[i].id)


def _queries_of_feed(client, user) -> tuple[int, int]:
    _feed(client, user)  # the feed state row exists from now on
    db.session.expire_all()
    with count_queries() as statements:
        response = _feed(client, user)
    return len(statements), len(check_ics(response.data).walk("VEVENT"))


def test_the_feed_takes_a_fixed_number_of_queries(client, app):
    """5 entries or 50 (sessions, meetings with people, organisations and profiles): the
    same number of SQL statements."""
    event = make_b2b_event(slots=5, tables=5)
    few = make_registration(event, make_user(organisation=make_organisation()))
    many = make_registration(event, make_user(organisation=make_organisation()))
    _many_entries(event, few, 5, first_slot=0)
    _many_entries(event, many, 50, first_slot=0)
    db.session.expire_all()
    few_queries, few_events = _queries_of_feed(client, few.user)
    many_queries, many_events = _queries_of_feed(client, many.user)
    assert (few_events, many_events) == (5 + 1, 50 + 5)
    print(f"feed: {few_queries} queries for 6 entries, {many_queries} for 55")
    assert few_queries == many_queries
    assert many_queries <= 15


def test_someone_registered_nowhere_gets_an_empty_valid_feed(client, app):
    user = make_user()
    response = _feed(client, user)
    assert response.status_code == 200
    calendar = check_ics(response.data)
    assert calendar.walk("VEVENT") == [] and calendar.walk("VTIMEZONE") == []
    head = client.head(f"/calendar/{user.calendar_token}.ics")
    assert head.status_code == 200 and head.headers["ETag"] == response.headers["ETag"]


def test_a_waitlisted_or_cancelled_registration_adds_nothing(client, app):
    event, ana, _ben, ana_reg, ben_reg, _ = _b2b_world()
    ana_reg.status = "waitlisted"
    db.session.commit()
    calendar = check_ics(_feed(client, ana).data)
    assert calendar.walk("VEVENT") == []
