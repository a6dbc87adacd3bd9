"""setup.py: rules, slots from windows, one slot changed or deleted without losing meetings
silently, tables, freeze."""

from __future__ import annotations

from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from pic_events.core.validation import ConflictingInput, ServiceValidationError
from pic_events.extensions import db
from pic_events.matchmaking import booking, setup
from pic_events.matchmaking.booking import BookingConflict
from pic_events.matchmaking.models import B2BTable, Meeting, Slot
from pic_events.notifications.models import OutboxMessage
from tests.factories import (
    b2b_slots,
    make_b2b_event,
    make_event,
    make_programme_session,
    make_room,
)
from tests.matchmaking.admin_helpers import people

PARIS = ZoneInfo("Europe/Paris")


def _local(day, hh, mm=0):
    from datetime import datetime

    return datetime.combine(day, time(hh, mm), tzinfo=PARIS)


def _subjects():
    return db.session.scalars(sa.select(OutboxMessage.subject).order_by(OutboxMessage.id)).all()


def test_a_window_gives_its_slots_in_the_events_zone(app):
    event = make_b2b_event(slots=0)
    day2 = event.starts_on + timedelta(days=1)
    slots = setup.generate_slots(event, setup.Window(day2, time(9), time(12, 30), 20, 5))
    assert len(slots) == 8
    assert [s.starts_at.astimezone(PARIS).strftime("%H:%M") for s in slots[:3]] == [
        "09:00",
        "09:25",
        "09:50",
    ]
    assert slots[-1].ends_at.astimezone(PARIS).strftime("%H:%M") == "12:15"
    assert all(s.ends_at - s.starts_at == timedelta(minutes=20) for s in slots)


def test_overlapping_windows_and_slots_are_refused_and_nothing_is_added(app):
    event = make_b2b_event(slots=0)
    day = event.starts_on
    setup.generate_slots(event, setup.Window(day, time(9), time(10), 20, 0))
    with pytest.raises(ConflictingInput) as refused:
        setup.generate_slots(event, setup.Window(day, time(9, 50), time(11), 20, 0))
    assert "09:40" in str(refused.value)
    with pytest.raises(ConflictingInput):
        setup.add_slot(event, _local(day, 9, 10), _local(day, 9, 30))
    assert len(b2b_slots(event)) == 3
    # touching is not overlapping
    setup.add_slot(event, _local(day, 10), _local(day, 10, 20))
    assert len(b2b_slots(event)) == 4


def test_windows_outside_the_dates_or_in_the_skipped_hour_are_refused(app):
    event = make_event(starts_on=date(2027, 3, 27), ends_on=date(2027, 3, 28))
    with pytest.raises(ServiceValidationError) as refused:
        setup.generate_slots(event, setup.Window(date(2027, 3, 28), time(2, 30), time(4), 20, 5))
    assert "clocks go forward" in str(refused.value)
    with pytest.raises(ServiceValidationError) as refused:
        setup.generate_slots(event, setup.Window(date(2027, 3, 29), time(9), time(10), 20, 5))
    assert "day" in refused.value.errors
    with pytest.raises(ServiceValidationError):
        setup.generate_slots(event, setup.Window(date(2027, 3, 27), time(10), time(9), 20, 5))
    with pytest.raises(ServiceValidationError):
        setup.add_slot(event, _local(date(2027, 3, 30), 9), _local(date(2027, 3, 30), 10))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Slot)) == 0


def test_editing_a_booked_slot_asks_first_then_moves_its_meetings_with_it(app):
    event = make_b2b_event()
    a, b = people(event, 2)
    slot = b2b_slots(event)[0]
    meeting = booking.book(event, [a.id, b.id], slot.id)
    day = event.starts_on
    with pytest.raises(setup.NeedsConfirmation) as asked:
        setup.edit_slot(slot, _local(day, 8), _local(day, 8, 20), confirmed=False)
    assert [p.display_name for p in asked.value.affected[0].people] == ["Person 0", "Person 1"]
    db.session.refresh(slot)
    assert slot.starts_at == _local(day, 9)
    setup.edit_slot(slot, _local(day, 8), _local(day, 8, 20), confirmed=True)
    db.session.refresh(meeting)
    assert meeting.status == "confirmed" and meeting.slot_id == slot.id
    assert meeting.sequence == 1
    moved = [s for s in _subjects() if "moved" in s]
    assert len(moved) == 2 and all("08:00" in s for s in moved)


def test_a_meeting_whose_people_are_busy_at_the_new_time_is_cancelled_on_confirmation(app):
    from pic_events.registration.models import SessionChoice

    event = make_b2b_event()
    a, b = people(event, 2)
    slot = b2b_slots(event)[0]
    meeting = booking.book(event, [a.id, b.id], slot.id)
    day = event.starts_on
    workshop = make_programme_session(event, _local(day, 7), _local(day, 8, 30), title="Seeds")
    db.session.add(SessionChoice(registration_id=a.id, session_id=workshop.id))
    db.session.commit()
    impact = setup.slot_impact(slot, _local(day, 8), _local(day, 8, 20))
    assert impact[0].blocked == ["Person 0 attends “Seeds” then"]
    setup.edit_slot(slot, _local(day, 8), _local(day, 8, 20), confirmed=True)
    db.session.refresh(meeting)
    assert meeting.status == "cancelled"
    assert sum("cancelled" in s for s in _subjects()) == 2


def test_deleting_a_booked_slot_moves_or_cancels_never_silently(app):
    event = make_b2b_event()
    a, b, c, d = people(event, 4)
    first, second, third = b2b_slots(event)[:3]
    kept = booking.book(event, [a.id, b.id], first.id)
    booking.book(event, [c.id, d.id], second.id)
    with pytest.raises(setup.NeedsConfirmation):
        setup.delete_slot(first, confirmed=False)
    # moving onto a slot where a person is busy: refused, nothing changes
    busy = booking.book(event, [a.id, c.id], third.id)
    with pytest.raises(BookingConflict) as refused:
        setup.delete_slot(first, confirmed=True, move_to=third.id)
    assert "Person 0 already has a meeting" in str(refused.value)
    assert db.session.get(Slot, first.id) is not None
    booking.cancel(busy, by_organiser=True)
    setup.delete_slot(first, confirmed=True, move_to=third.id)
    assert db.session.get(Slot, first.id) is None
    db.session.refresh(kept)
    assert kept.slot_id == third.id and kept.status == "confirmed"
    # cancel on confirmation; the cancelled meeting in the slot goes with it
    setup.delete_slot(second, confirmed=True)
    assert db.session.get(Slot, second.id) is None
    statuses = db.session.scalars(sa.select(Meeting.status)).all()
    assert sorted(statuses) == ["cancelled", "confirmed"]  # `busy` (third slot) and `kept`


def test_tables_by_count_and_prefix_with_a_room_and_deletion_only_when_free(app):
    event = make_b2b_event(slots=1, tables=0)
    room = make_room(event, "Hall B")
    tables = setup.add_numbered_tables(event, 3, prefix="T", seats=4, room_id=room.id)
    assert [t.label for t in tables] == ["T1", "T2", "T3"]
    assert all(t.seats == 4 and t.room_id == room.id for t in tables)
    more = setup.add_numbered_tables(event, 2)
    assert [t.label for t in more] == ["T4", "T5"]
    with pytest.raises(ConflictingInput):
        setup.add_table(event, "T2")
    a, b = people(event, 2)
    meeting = booking.book(event, [a.id, b.id], b2b_slots(event)[0].id, table_id=tables[0].id)
    with pytest.raises(ConflictingInput):
        setup.delete_table(tables[0])
    booking.cancel(meeting, by_organiser=True)
    setup.delete_table(tables[0])
    labels = db.session.scalars(sa.select(B2BTable.label).order_by(B2BTable.position)).all()
    assert labels == ["T2", "T3", "T4", "T5"]


def test_rules_and_freeze(app):
    event = make_b2b_event()
    settings = setup.save_rules(
        event,
        {
            "enabled": True,
            "booking_style": "both",
            "max_meetings": 6,
            "request_deadline": _local(event.starts_on, 18),
            "request_lifetime_hours": 48,
        },
    )
    assert settings.booking_style == "both" and settings.self_booking_open is False
    with pytest.raises(ServiceValidationError):
        setup.save_rules(event, {"enabled": True, "booking_style": "x", "max_meetings": 0})
    setup.set_frozen(event, True)
    a, b = people(event, 2)
    with pytest.raises(BookingConflict) as refused:
        booking.book(event, [a.id, b.id], b2b_slots(event)[0].id)
    assert refused.value.code == "frozen"
    booking.book(event, [a.id, b.id], b2b_slots(event)[0].id, by_organiser=True)
    setup.set_frozen(event, False)
    assert not setup.saved_settings_of(event).frozen
