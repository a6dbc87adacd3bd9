"""A participant's view of the B2B slots: my status in each (free, busy, unavailable) with the
tables still free, the slots two people both have free, and marking my unavailability.

Whether a slot is unavailable follows availability.unavailable_slot_ids (marked, or taken by
a chosen programme session): the one rule booking applies too.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from pic_events.core.validation import ServiceValidationError
from pic_events.events.models import Event
from pic_events.extensions import db
from pic_events.matchmaking import booking
from pic_events.matchmaking.availability import unavailable_slot_ids
from pic_events.matchmaking.booking import BookingConflict
from pic_events.matchmaking.layout import event_slots
from pic_events.matchmaking.models import (
    B2BTable,
    Meeting,
    MeetingSeat,
    MeetingStatus,
    Slot,
    Unavailability,
)
from pic_events.matchmaking.settings import settings_of
from pic_events.registration.models import Registration


class SlotState(enum.StrEnum):
    FREE = "free"  # I can meet someone then
    BUSY = "busy"  # I already have a meeting then
    UNAVAILABLE = "unavailable"  # I marked it, or a session I chose overlaps it


SLOT_STATE_LABELS = {
    SlotState.FREE: _l("Free"),
    SlotState.BUSY: _l("Meeting booked"),
    SlotState.UNAVAILABLE: _l("Unavailable"),
}


@dataclass(frozen=True)
class SlotStatus:
    slot: Slot
    status: SlotState
    free_tables: int
    marked: bool  # I marked it unavailable myself (a chosen session may block it too)
    blocked_by_session: bool  # a session I chose overlaps it

    @property
    def label(self) -> str:
        return str(SLOT_STATE_LABELS[self.status])


def free_table_counts(event: Event, slots: Iterable[Slot]) -> dict[int, int]:
    """{slot id: tables with no live meeting in it} (two queries)."""
    slot_ids = [slot.id for slot in slots]
    total = db.session.scalar(
        sa.select(sa.func.count()).select_from(B2BTable).where(B2BTable.event_id == event.id)
    )
    taken = dict(
        db.session.execute(
            sa.select(Meeting.slot_id, sa.func.count())
            .where(Meeting.slot_id.in_(slot_ids), Meeting.status == MeetingStatus.CONFIRMED)
            .group_by(Meeting.slot_id)
        ).all()
    )
    return {slot_id: max(0, total - taken.get(slot_id, 0)) for slot_id in slot_ids}


def busy_slot_ids(registration_ids: Iterable[int], slot_ids: Iterable[int]) -> dict[int, set[int]]:
    """{registration id: slot ids in which it has a live meeting} (one query)."""
    ids = list(set(registration_ids))
    busy: dict[int, set[int]] = {i: set() for i in ids}
    rows = db.session.execute(
        sa.select(MeetingSeat.registration_id, MeetingSeat.slot_id).where(
            MeetingSeat.registration_id.in_(ids),
            MeetingSeat.slot_id.in_(list(slot_ids)),
            MeetingSeat.live.is_(True),
        )
    )
    for registration_id, slot_id in rows:
        busy[registration_id].add(slot_id)
    return busy


def marked_slot_ids(registration: Registration) -> set[int]:
    return set(
        db.session.scalars(
            sa.select(Unavailability.slot_id).where(
                Unavailability.registration_id == registration.id
            )
        )
    )


def slot_statuses(event: Event, registration: Registration) -> list[SlotStatus]:
    """Every slot of the event with my status in it and its free tables (a fixed number of
    queries whatever the number of slots)."""
    slots = event_slots(event)
    ids = [slot.id for slot in slots]
    blocked = unavailable_slot_ids(event.id, [registration.id], ids).get(registration.id, set())
    marked = marked_slot_ids(registration)
    busy = busy_slot_ids([registration.id], ids)[registration.id]
    tables = free_table_counts(event, slots)
    statuses = []
    for slot in slots:
        if slot.id in busy:
            state = SlotState.BUSY
        elif slot.id in blocked:
            state = SlotState.UNAVAILABLE
        else:
            state = SlotState.FREE
        statuses.append(
            SlotStatus(
                slot=slot,
                status=state,
                free_tables=tables[slot.id],
                marked=slot.id in marked,
                blocked_by_session=slot.id in blocked and slot.id not in marked,
            )
        )
    return statuses


def common_free_slots(event: Event, people: Iterable[Registration]) -> list[Slot]:
    """The slots in which all of them are free and a table is free too, in time order."""
    people = list(people)
    return common_free_slots_with(event, people[0], people[1:])[people[1].id]


def common_free_slots_with(
    event: Event, me: Registration, others: Iterable[Registration]
) -> dict[int, list[Slot]]:
    """{other's registration id: the slots both of us have free, with a free table} for many
    others at once (a fixed number of queries whatever their number)."""
    others = list(others)
    ids = [me.id, *(o.id for o in others)]
    slots = event_slots(event)
    slot_ids = [slot.id for slot in slots]
    blocked = unavailable_slot_ids(event.id, ids, slot_ids)
    busy = busy_slot_ids(ids, slot_ids)
    tables = free_table_counts(event, slots)

    def free(registration_id: int, slot: Slot) -> bool:
        return slot.id not in blocked.get(registration_id, ()) and slot.id not in busy.get(
            registration_id, ()
        )

    mine = [slot for slot in slots if tables[slot.id] > 0 and free(me.id, slot)]
    return {other.id: [slot for slot in mine if free(other.id, slot)] for other in others}


def set_unavailability(
    event: Event, registration: Registration, slot_ids: Iterable[int]
) -> set[int]:
    """Replace the slots I mark unavailable. Refused while the schedule is frozen, and for a
    slot in which I have a meeting (cancel it first). Returns the new set."""
    wanted = set(slot_ids)
    with booking.transaction():
        if settings_of(event).frozen:
            raise BookingConflict(
                _("The B2B schedule is frozen: ask the organisers for any change."), "frozen"
            )
        known = {slot.id: slot for slot in event_slots(event)}
        unknown = wanted - set(known)
        if unknown:
            raise ServiceValidationError(
                {"unavailable_slot_ids": [_("These are not slots of this meeting.")]}
            )
        # Booking locks the registrations before it reads availability: holding mine here,
        # no meeting can be booked for me in a slot I am marking, and none I miss below.
        booking.lock_registrations([registration.id])
        clashes = db.session.scalars(
            sa.select(Meeting)
            .join(MeetingSeat, MeetingSeat.meeting_id == Meeting.id)
            .where(
                MeetingSeat.registration_id == registration.id,
                MeetingSeat.live.is_(True),
                MeetingSeat.slot_id.in_(wanted),
            )
        ).all()
        if clashes:
            meeting = sorted(clashes, key=lambda m: m.slot.starts_at)[0]
            names = ", ".join(p.display_name for p in meeting.others(registration.id))
            raise BookingConflict(
                _(
                    "You have a meeting at %(time)s with %(names)s: cancel it before you "
                    "mark that slot unavailable.",
                    time=booking.slot_time(meeting.slot, event),
                    names=names,
                ),
                "has_meeting",
            )
        db.session.execute(
            sa.delete(Unavailability).where(Unavailability.registration_id == registration.id)
        )
        db.session.add_all(
            Unavailability(registration_id=registration.id, slot_id=slot_id)
            for slot_id in sorted(wanted)
        )
    return wanted
