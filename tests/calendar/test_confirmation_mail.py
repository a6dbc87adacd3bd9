"""Registration confirmation mails attach the sessions I chose, as one .ics."""

from __future__ import annotations

import base64
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from pic_events.extensions import db
from pic_events.notifications.models import OutboxMessage
from pic_events.notifications.sender import build_email
from pic_events.registration import services
from pic_events.registration.services import RegistrationInput
from tests.calendar.ics import check_ics, events_by_uid
from tests.factories import make_event, make_organiser, make_programme_session, make_user

PARIS = ZoneInfo("Europe/Paris")


def _workshops(event):
    day = event.starts_on
    start = datetime(day.year, day.month, day.day, 9, tzinfo=PARIS)
    return [
        make_programme_session(
            event,
            start + timedelta(hours=2 * i),
            start + timedelta(hours=2 * i + 1),
            title=f"Workshop {i}",
            must_choose=True,
            publish=True,
        )
        for i in range(3)
    ]


def _last_mail(user) -> OutboxMessage:
    return db.session.scalars(
        sa.select(OutboxMessage)
        .where(OutboxMessage.recipient == user.email)
        .order_by(OutboxMessage.id.desc())
    ).first()


def test_the_confirmation_mail_carries_my_chosen_sessions(app):
    event = make_event()
    first, _second, third = _workshops(event)
    user = make_user()
    services.register(
        event, user, RegistrationInput(consent=True, session_ids=[first.id, third.id])
    )
    message = _last_mail(user)
    assert message.subject.startswith("Registration confirmed")
    (part,) = message.attachments
    assert part["filename"] == "my-sessions.ics"
    assert part["mimetype"] == "text/calendar; charset=utf-8"
    calendar = check_ics(base64.b64decode(part["content"]))
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert set(events_by_uid(calendar)) == {
        f"session-{first.id}@localhost",
        f"session-{third.id}@localhost",
    }
    # A plain file in the mail (no method: nothing for a calendar to act on).
    email = build_email(message, "PIC Meetings <noreply@pic.example>")
    (attached,) = email.iter_attachments()
    assert attached.get_content_type() == "text/calendar"
    assert attached.get_filename() == "my-sessions.ics"
    assert not any(
        p.get_content_type() == "text/calendar" and p.get_param("method") for p in email.walk()
    )


def test_no_sessions_chosen_no_file_and_approval_attaches_them(app):
    event = make_event(requires_approval=True)
    first, *_ = _workshops(event)
    alone = make_user()
    services.register(event, alone, RegistrationInput(consent=True))
    assert _last_mail(alone).attachments in ([], None)
    user = make_user()
    registration = services.register(
        event, user, RegistrationInput(consent=True, session_ids=[first.id])
    )
    assert _last_mail(user).attachments in ([], None)  # received, not confirmed yet
    services.approve(registration, actor=make_organiser())
    message = _last_mail(user)
    assert message.subject.startswith("Registration approved")
    (part,) = message.attachments
    assert f"session-{first.id}@localhost" in events_by_uid(
        check_ics(base64.b64decode(part["content"]))
    )
