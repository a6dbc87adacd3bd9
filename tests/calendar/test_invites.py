"""Invitations by mail: METHOD:REQUEST when a meeting is booked or moved, METHOD:CANCEL when
it is cancelled, with the feed's UID; the sender turns them into iMIP parts (RFC 6047)."""

from __future__ import annotations

import base64

import sqlalchemy as sa
from icalendar import Calendar

from pic_events.extensions import db
from pic_events.matchmaking import booking
from pic_events.notifications.models import OutboxMessage
from pic_events.notifications.sender import build_email, deliver_due
from tests.calendar.ics import check_ics, events_by_uid
from tests.calendar.test_personal_feed import _b2b_world, _book, _feed
from tests.notifications.conftest import SmtpServer


def _mails_to(user) -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            sa.select(OutboxMessage)
            .where(OutboxMessage.recipient == user.email)
            .order_by(OutboxMessage.id)
        )
    )


def _invite(message: OutboxMessage) -> tuple[str, Calendar, bytes]:
    (part,) = message.attachments
    body = base64.b64decode(part["content"])
    return part["mimetype"], check_ics(body), body


def test_booked_moved_cancelled_send_request_request_cancel(client, app):
    event, ana, ben, ana_reg, ben_reg, _ = _b2b_world()
    meeting = _book(event, ana_reg, ben_reg)
    uid = f"meeting-{meeting.id}@localhost"
    (booked,) = _mails_to(ana)
    mimetype, calendar, _body = _invite(booked)
    assert mimetype == "text/calendar; method=REQUEST; charset=utf-8"
    assert str(calendar["METHOD"]) == "REQUEST"
    (vevent,) = calendar.walk("VEVENT")
    assert str(vevent["UID"]) == uid
    assert int(vevent["SEQUENCE"]) == 0
    assert str(vevent["ORGANIZER"]) == "mailto:noreply@pic.example"
    attendees = sorted(str(a) for a in vevent["ATTENDEE"])
    assert attendees == sorted([f"mailto:{ana.email}", f"mailto:{ben.email}"])
    assert str(vevent["SUMMARY"]) == "B2B meeting: Ben Okafor (Seedlab)"
    assert str(vevent["STATUS"]) == "CONFIRMED"
    # The mail's own text repeats when, where and who (Outlook shows the body).
    assert "09:00" in booked.body_text and "T1" in booked.body_text
    assert "Ben Okafor" in booked.body_text
    # The same UID as in the feed.
    assert uid in events_by_uid(check_ics(_feed(client, ana).data))

    booking.move(meeting, event_slot(event, 2))
    moved = _mails_to(ana)[-1]
    _mimetype, calendar, _body = _invite(moved)
    (vevent,) = calendar.walk("VEVENT")
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(vevent["UID"]) == uid and int(vevent["SEQUENCE"]) == 1

    booking.cancel(meeting, by=ana_reg, reason="Flight cancelled")
    cancelled = _mails_to(ben)[-1]  # the one who cancelled is not told
    mimetype, calendar, _body = _invite(cancelled)
    assert mimetype == "text/calendar; method=CANCEL; charset=utf-8"
    (vevent,) = calendar.walk("VEVENT")
    assert str(calendar["METHOD"]) == "CANCEL"
    assert str(vevent["UID"]) == uid and int(vevent["SEQUENCE"]) == 2
    assert str(vevent["STATUS"]) == "CANCELLED"
    assert vevent.get("ORGANIZER") and vevent.get("ATTENDEE")


def event_slot(event, index):
    from tests.factories import b2b_slots

    return b2b_slots(event)[index].id


def test_the_sender_builds_an_imip_message(client, app):
    event, ana, _ben, ana_reg, ben_reg, _ = _b2b_world()
    _book(event, ana_reg, ben_reg)
    (message,) = _mails_to(ana)
    _mimetype, _calendar, ics = _invite(message)
    email = build_email(message, "PIC Meetings <noreply@pic.example>")
    assert email.get_content_type() == "multipart/mixed"
    alternative = next(email.iter_parts())
    assert alternative.get_content_type() == "multipart/alternative"
    types = [part.get_content_type() for part in alternative.iter_parts()]
    assert types == ["text/plain", "text/html", "text/calendar"]
    calendar_part = list(alternative.iter_parts())[2]
    assert calendar_part.get_param("method") == "REQUEST"
    assert calendar_part.get_content_charset() == "utf-8"
    assert calendar_part.get_payload(decode=True) == ics  # CRLF and all, byte for byte
    files = list(email.iter_attachments())
    assert [(f.get_content_type(), f.get_filename()) for f in files] == [
        ("application/ics", "invite.ics")
    ]
    assert files[0].get_payload(decode=True) == ics
    assert email.get_body(("plain",)).get_content().startswith("Hello Ana García")


def test_the_invitation_goes_through_smtp(client, app):
    server = SmtpServer().start()
    try:
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port)
        event, ana, _ben, ana_reg, ben_reg, _ = _b2b_world()
        _book(event, ana_reg, ben_reg)
        deliver_due()
        received = [m for m in server.inbox.messages if m["To"] == ana.email]
        assert len(received) == 1
        calendars = [p for p in received[0].walk() if p.get_content_type() == "text/calendar"]
        assert len(calendars) == 1 and calendars[0].get_param("method") == "REQUEST"
        body = calendars[0].get_payload(decode=True)
        calendar = check_ics(body)
        assert str(calendar["METHOD"]) == "REQUEST"
    finally:
        server.stop()
        app.config.update(MAIL_SERVER=None)


def test_an_organizer_address_can_be_set(client, app):
    app.config["CALENDAR_ORGANIZER"] = "PIC 2027 <pic2027@vegepolys.example>"
    try:
        event, ana, _ben, ana_reg, ben_reg, _ = _b2b_world()
        _book(event, ana_reg, ben_reg)
        (message,) = _mails_to(ana)
        (vevent,) = _invite(message)[1].walk("VEVENT")
        assert str(vevent["ORGANIZER"]) == "mailto:pic2027@vegepolys.example"
        assert vevent["ORGANIZER"].params["CN"] == "PIC 2027"
    finally:
        app.config.pop("CALENDAR_ORGANIZER")
