"""booking.retime_in_transaction: a meeting whose slot got new times stays in it, its
sequence goes up (calendars update) and its people are told; a cancelled one is left alone."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from pic_events.extensions import db
from pic_events.matchmaking import booking
from pic_events.matchmaking.models import Slot
from pic_events.notifications.models import OutboxMessage
from tests.factories import b2b_slots, make_b2b_event
from tests.matchmaking.admin_helpers import people


def _subjects():
    return db.session.scalars(sa.select(OutboxMessage.subject).order_by(OutboxMessage.id)).all()


def test_a_retimed_meeting_keeps_its_slot_and_table_and_its_people_are_told(app):
    event = make_b2b_event()
    a, b = people(event, 2)
    slot = b2b_slots(event)[0]
    meeting = booking.book(event, [a.id, b.id], slot.id)
    table_id = meeting.table_id
    with booking.transaction():
        booking.lock_slots([slot.id])
        previous = Slot(event_id=event.id, starts_at=slot.starts_at, ends_at=slot.ends_at)
        slot.starts_at -= timedelta(hours=1)
        slot.ends_at -= timedelta(hours=1)
        booking.retime_in_transaction(meeting, previous=previous)
    db.session.refresh(meeting)
    assert (meeting.slot_id, meeting.table_id, meeting.sequence) == (slot.id, table_id, 1)
    moved = [s for s in _subjects() if "moved" in s]
    assert len(moved) == 2 and all("08:00" in s for s in moved)


def test_a_cancelled_meeting_is_not_retimed(app):
    event = make_b2b_event()
    a, b = people(event, 2)
    slot = b2b_slots(event)[0]
    meeting = booking.cancel(booking.book(event, [a.id, b.id], slot.id), by_organiser=True)
    sequence, sent = meeting.sequence, len(_subjects())
    with booking.transaction():
        previous = Slot(event_id=event.id, starts_at=slot.starts_at, ends_at=slot.ends_at)
        booking.retime_in_transaction(meeting, previous=previous)
    db.session.refresh(meeting)
    assert meeting.sequence == sequence and len(_subjects()) == sent
