"""booking.py: the one writer of meetings refuses every double booking with a named reason."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from pic_events.extensions import db
from pic_events.matchmaking import booking
from pic_events.matchmaking.booking import BookingConflict
from pic_events.matchmaking.models import Meeting, MeetingSeat, Unavailability
from pic_events.notifications.models import OutboxMessage
from pic_events.registration import services as registration_services
from tests.factories import b2b_slots, make_b2b_event, make_registration, make_user


def _people(event, n):
    return [make_registration(event, make_user(name=f"Person {i}")) for i in range(n)]


def test_booking_writes_a_meeting_with_a_table_and_mails_both(app):
    event = make_b2b_event()
    ana, ben = _people(event, 2)
    slot = b2b_slots(event)[0]
    meeting = booking.book(event, [ana.id, ben.id], slot.id)
    assert meeting.table.label == "T1"
    assert sorted(meeting.registration_ids) == sorted([ana.id, ben.id])
    subjects = db.session.scalars(sa.select(OutboxMessage.subject)).all()
    assert len(subjects) == 2 and all("B2B meeting confirmed" in s for s in subjects)


def test_a_person_is_never_in_two_meetings_of_one_slot(app):
    event = make_b2b_event()
    ana, ben, cleo = _people(event, 3)
    slot = b2b_slots(event)[0]
    booking.book(event, [ana.id, ben.id], slot.id)
    with pytest.raises(BookingConflict) as refused:
        booking.book(event, [ana.id, cleo.id], slot.id)
    assert refused.value.code == "participant_busy"
    assert "Person 0 already has a meeting at 09:00" in str(refused.value)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Meeting)) == 1


def test_no_table_free_is_named(app):
    event = make_b2b_event(tables=1)
    a, b, c, d = _people(event, 4)
    slot = b2b_slots(event)[0]
    booking.book(event, [a.id, b.id], slot.id)
    with pytest.raises(BookingConflict) as refused:
        booking.book(event, [c.id, d.id], slot.id)
    assert refused.value.code == "no_table"
    assert "No table is free at 09:00" in str(refused.value)


def test_unavailable_and_maximum_and_unregistered_are_refused(app):
    event = make_b2b_event(max_meetings=1)
    a, b, c = _people(event, 3)
    first, second = b2b_slots(event)[:2]
    db.session.add(Unavailability(registration_id=c.id, slot_id=first.id))
    db.session.commit()
    with pytest.raises(BookingConflict) as refused:
        booking.book(event, [a.id, c.id], first.id)
    assert refused.value.code == "unavailable"
    booking.book(event, [a.id, b.id], first.id)
    with pytest.raises(BookingConflict) as refused:
        booking.book(event, [a.id, c.id], second.id)
    assert refused.value.code == "participant_full"
    c.status = "cancelled"
    db.session.commit()
    with pytest.raises(BookingConflict) as refused:
        booking.book(event, [b.id, c.id], second.id)
    assert refused.value.code == "not_registered"


def test_the_database_refuses_a_second_live_seat_even_without_the_service(app):
    event = make_b2b_event()
    a, b, c = _people(event, 3)
    slot = b2b_slots(event)[0]
    meeting = booking.book(event, [a.id, b.id], slot.id)
    table_two = [t for t in event_tables(event) if t.id != meeting.table_id][0]
    intruder = Meeting(event_id=event.id, slot_id=slot.id, table_id=table_two.id)
    intruder.seats = [
        MeetingSeat(registration_id=a.id, slot_id=slot.id),
        MeetingSeat(registration_id=c.id, slot_id=slot.id),
    ]
    db.session.add(intruder)
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()


def event_tables(event):
    from pic_events.matchmaking.models import B2BTable

    return db.session.scalars(sa.select(B2BTable).where(B2BTable.event_id == event.id)).all()


def test_move_keeps_the_meeting_and_raises_its_sequence_and_cancel_frees_the_slot(app):
    event = make_b2b_event()
    a, b, c = _people(event, 3)
    first, second = b2b_slots(event)[:2]
    meeting = booking.book(event, [a.id, b.id], first.id)
    moved = booking.move(meeting, second.id)
    assert moved.id == meeting.id and moved.slot_id == second.id and moved.sequence == 1
    booking.cancel(moved, by=a)
    assert moved.status == "cancelled" and moved.sequence == 2
    again = booking.book(event, [a.id, c.id], second.id)
    assert again.status == "confirmed"


def test_a_cancelled_registration_leaves_its_meetings(app):
    event = make_b2b_event()
    a, b = _people(event, 2)
    meeting = booking.book(event, [a.id, b.id], b2b_slots(event)[0].id)
    registration_services.cancel_registration(a, actor=a.user)
    db.session.refresh(meeting)
    assert meeting.status == "cancelled"
    assert not any(seat.live for seat in meeting.seats)


def test_frozen_schedule_refuses_self_service_but_not_organisers(app):
    from pic_events.core.types import utcnow
    from pic_events.matchmaking.models import B2BSettings

    event = make_b2b_event()
    a, b = _people(event, 2)
    db.session.get(B2BSettings, event.id).frozen_at = utcnow()
    db.session.commit()
    slot = b2b_slots(event)[0]
    with pytest.raises(BookingConflict) as refused:
        booking.book(event, [a.id, b.id], slot.id)
    assert refused.value.code == "frozen"
    assert booking.book(event, [a.id, b.id], slot.id, by_organiser=True).is_live
