"""An organiser sets up B2B matchmaking: the rules, the slots, the tables, the freeze.

Slots never lose meetings silently: changing or deleting a slot that holds live meetings
first says who is affected (`slot_impact`); on confirmation its meetings keep their slot at
the new time (sequence + 1, both sides told), move to another slot through booking.move, or
are cancelled through booking.cancel, in the same transaction as the slot's change.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from pic_events.accounts.models import User
from pic_events.core.templating import local_time
from pic_events.core.timezones import localize, to_zone, wall_clock_exists
from pic_events.core.types import utcnow
from pic_events.core.validation import ConflictingInput, NotFoundError, ServiceValidationError
from pic_events.events.models import Event
from pic_events.extensions import db
from pic_events.matchmaking import booking
from pic_events.matchmaking.layout import event_slots, event_tables  # noqa: F401 (pages)
from pic_events.matchmaking.models import (
    B2BSettings,
    B2BTable,
    BookingStyle,
    Meeting,
    MeetingSeat,
    MeetingStatus,
    Slot,
)
from pic_events.matchmaking.settings import saved_settings_of
from pic_events.programme.models import ProgrammeSession, Room
from pic_events.registration.models import Registration, SessionChoice

MAX_SLOT_MINUTES = 24 * 60
MAX_TABLES_AT_ONCE = 200
LABEL_MAX = 40


# Rules ------------------------------------------------------------------------------------


def save_rules(event: Event, values: dict[str, Any]) -> B2BSettings:
    """Turn matchmaking on or off and set its rules: booking_style, max_meetings (None: no
    limit but one per slot), request_deadline (an aware instant or None),
    request_lifetime_hours."""
    errors: dict[str, list[str]] = {}
    style = values.get("booking_style", BookingStyle.SELF.value)
    if style not in {s.value for s in BookingStyle}:
        errors["booking_style"] = [_("Choose a booking style.")]
    limit = values.get("max_meetings")
    if limit is not None and (not isinstance(limit, int) or limit < 1):
        errors["max_meetings"] = [_("At least 1 meeting (empty: no limit).")]
    lifetime = values.get("request_lifetime_hours", 72)
    if not isinstance(lifetime, int) or not 1 <= lifetime <= 24 * 365:
        errors["request_lifetime_hours"] = [_("Between 1 hour and a year.")]
    deadline = values.get("request_deadline")
    if deadline is not None and (not isinstance(deadline, datetime) or deadline.tzinfo is None):
        errors["request_deadline"] = [_("Give a date and time.")]
    if errors:
        raise ServiceValidationError(errors)
    settings = saved_settings_of(event)
    before = settings.booking_style
    settings.enabled = bool(values.get("enabled"))
    settings.booking_style = style
    settings.max_meetings = limit
    settings.request_deadline = deadline
    settings.request_lifetime_hours = lifetime
    if style != before or settings.self_booking_open is None:
        # "both" opens self-booking once the organiser's run is published.
        settings.self_booking_open = style != BookingStyle.BOTH
    db.session.commit()
    return settings


def set_frozen(event: Event, frozen: bool) -> B2BSettings:
    settings = saved_settings_of(event)
    settings.frozen_at = utcnow() if frozen else None
    db.session.commit()
    return settings


def set_self_booking_open(event: Event, open_: bool) -> B2BSettings:
    settings = saved_settings_of(event)
    settings.self_booking_open = open_
    db.session.commit()
    return settings


# Slots ------------------------------------------------------------------------------------


def slot_of(event: Event, slot_id: int) -> Slot:
    slot = db.session.get(Slot, slot_id)
    if slot is None or slot.event_id != event.id:
        raise NotFoundError(_("No such slot."))
    return slot


def live_meeting_counts_by_slot(event: Event) -> dict[int, int]:
    rows = db.session.execute(
        sa.select(Meeting.slot_id, sa.func.count())
        .where(Meeting.event_id == event.id, Meeting.status == MeetingStatus.CONFIRMED)
        .group_by(Meeting.slot_id)
    )
    return dict(rows.all())


def _hhmm(moment: datetime, event: Event) -> str:
    return local_time(moment, event.timezone)


def _check_times(event: Event, starts_at: Any, ends_at: Any) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for name, moment in (("starts_at", starts_at), ("ends_at", ends_at)):
        if not isinstance(moment, datetime) or moment.tzinfo is None:
            errors[name] = [_("Give a date and time with its time zone.")]
    if errors:
        return errors
    if ends_at <= starts_at:
        errors["ends_at"] = [_("A slot must end after it starts.")]
    elif ends_at - starts_at > timedelta(minutes=MAX_SLOT_MINUTES):
        errors["ends_at"] = [_("A slot lasts at most a day.")]
    first, last = (to_zone(m, event.timezone).date() for m in (starts_at, ends_at))
    if first < event.starts_on or last > event.ends_on:
        errors.setdefault("starts_at", []).append(
            _(
                "The slot must fall within the meeting's dates (%(first)s to %(last)s).",
                first=event.starts_on.isoformat(),
                last=event.ends_on.isoformat(),
            )
        )
    return errors


def _overlapping(
    event: Event, starts_at: datetime, ends_at: datetime, ignore: int | None = None
) -> list[Slot]:
    query = sa.select(Slot).where(
        Slot.event_id == event.id, Slot.starts_at < ends_at, Slot.ends_at > starts_at
    )
    if ignore is not None:
        query = query.where(Slot.id != ignore)
    return list(db.session.scalars(query.order_by(Slot.starts_at)))


def _overlap_error(event: Event, clashes: Sequence[Slot], what: str = "starts_at"):
    names = ", ".join(f"{_hhmm(s.starts_at, event)}–{_hhmm(s.ends_at, event)}" for s in clashes[:5])
    return ConflictingInput({what: [_("This overlaps existing slots: %(slots)s.", slots=names)]})


def add_slot(event: Event, starts_at: datetime, ends_at: datetime) -> Slot:
    """One slot. 422 (ServiceValidationError) for bad times, 409 (ConflictingInput) when it
    overlaps another slot of the event."""
    errors = _check_times(event, starts_at, ends_at)
    if errors:
        raise ServiceValidationError(errors)
    clashes = _overlapping(event, starts_at, ends_at)
    if clashes:
        raise _overlap_error(event, clashes)
    slot = Slot(event_id=event.id, starts_at=starts_at, ends_at=ends_at)
    db.session.add(slot)
    _commit_slots()
    return slot


def _commit_slots() -> None:
    try:
        db.session.commit()
    except sa.exc.IntegrityError:
        db.session.rollback()
        raise ConflictingInput(
            {"starts_at": [_("Another slot was added at this time meanwhile.")]}
        ) from None


@dataclass(frozen=True)
class Window:
    """A time window cut into meetings: day, from, to (wall clock in the event's zone),
    meeting length and gap in minutes."""

    day: date
    start: time
    end: time
    minutes: int
    gap: int


def window_times(event: Event, window: Window) -> list[tuple[datetime, datetime]]:
    """The slots a window gives, as aware instants; ServiceValidationError when the window
    is not a possible one (outside the event, a time the clocks skip, nothing fits)."""
    errors: dict[str, list[str]] = {}
    tz = event.timezone
    if not event.starts_on <= window.day <= event.ends_on:
        errors["day"] = [_("Choose a day of the meeting.")]
    for name, moment in (("start", window.start), ("end", window.end)):
        if not wall_clock_exists(datetime.combine(window.day, moment), tz):
            errors[name] = [
                _(
                    "%(time)s does not exist on that day in %(zone)s: the clocks go forward. "
                    "Choose another time.",
                    time=moment.strftime("%H:%M"),
                    zone=tz,
                )
            ]
    if not isinstance(window.minutes, int) or not 5 <= window.minutes <= MAX_SLOT_MINUTES:
        errors["minutes"] = [_("A meeting lasts between 5 minutes and a day.")]
    if not isinstance(window.gap, int) or not 0 <= window.gap <= 24 * 60:
        errors["gap"] = [_("The gap is 0 minutes or more.")]
    if not errors and window.end <= window.start:
        errors["end"] = [_("The window must end after it starts.")]
    if errors:
        raise ServiceValidationError(errors)
    begin = localize(datetime.combine(window.day, window.start), tz)
    finish = localize(datetime.combine(window.day, window.end), tz)
    times = []
    step, length = timedelta(minutes=window.minutes + window.gap), timedelta(minutes=window.minutes)
    cursor = begin
    while cursor + length <= finish:
        times.append((cursor, cursor + length))
        cursor += step
    if not times:
        raise ServiceValidationError({"end": [_("Not even one meeting fits between these times.")]})
    return times


def generate_slots(event: Event, window: Window) -> list[Slot]:
    """Add the window's slots; nothing is added when one of them overlaps an existing slot."""
    times = window_times(event, window)
    errors = _check_times(event, times[0][0], times[-1][1])
    if errors:
        raise ServiceValidationError({"day": [m for ms in errors.values() for m in ms]})
    clashes = _overlapping(event, times[0][0], times[-1][1])
    clashes = [s for s in clashes if any(s.starts_at < e and s.ends_at > b for b, e in times)]
    if clashes:
        raise _overlap_error(event, clashes, "start")
    slots = [Slot(event_id=event.id, starts_at=b, ends_at=e) for b, e in times]
    db.session.add_all(slots)
    _commit_slots()
    return slots


# Changing or deleting one slot ------------------------------------------------------------


@dataclass
class Affected:
    """A live meeting in the slot and what the change does to it."""

    meeting: Meeting
    people: list[Registration]
    blocked: list[str] = field(default_factory=list)  # why it cannot keep the new time

    @property
    def names(self) -> str:
        return ", ".join(p.display_name for p in self.people)


def slot_meetings(slot: Slot) -> list[Meeting]:
    """The slot's live meetings with their people (three queries)."""
    return list(
        db.session.scalars(
            sa.select(Meeting)
            .where(Meeting.slot_id == slot.id, Meeting.status == MeetingStatus.CONFIRMED)
            .options(
                selectinload(Meeting.seats)
                .joinedload(MeetingSeat.registration)
                .joinedload(Registration.user)
                .joinedload(User.organisation)
            )
            .order_by(Meeting.id)
        ).unique()
    )


def slot_impact(
    slot: Slot, starts_at: datetime | None = None, ends_at: datetime | None = None
) -> list[Affected]:
    """Who the change touches. With new times: which meetings cannot keep them (someone
    attends a programme session at the new time)."""
    meetings = slot_meetings(slot)
    affected = [Affected(m, [s.registration for s in m.seats]) for m in meetings]
    if starts_at is None or ends_at is None or not affected:
        return affected
    ids = {p.id for a in affected for p in a.people}
    busy = db.session.execute(
        sa.select(SessionChoice.registration_id, ProgrammeSession.title)
        .join(ProgrammeSession, ProgrammeSession.id == SessionChoice.session_id)
        .where(
            SessionChoice.registration_id.in_(ids),
            ProgrammeSession.starts_at < ends_at,
            ProgrammeSession.ends_at > starts_at,
        )
    ).all()
    sessions: dict[int, list[str]] = {}
    for registration_id, title in busy:
        sessions.setdefault(registration_id, []).append(title)
    for item in affected:
        for person in item.people:
            for title in sessions.get(person.id, []):
                item.blocked.append(
                    _("%(name)s attends “%(title)s” then", name=person.display_name, title=title)
                )
    return affected


class NeedsConfirmation(Exception):
    """The change touches live meetings: show `affected` and ask again with confirmed=True."""

    def __init__(self, affected: list[Affected]) -> None:
        super().__init__(f"{len(affected)} meeting(s) affected")
        self.affected = affected


def edit_slot(slot: Slot, starts_at: datetime, ends_at: datetime, *, confirmed: bool) -> Slot:
    """New times for a slot. Its live meetings keep the slot at the new time (sequence + 1,
    both sides told); those whose people are busy at the new time are cancelled. Without
    `confirmed`, a slot with live meetings raises NeedsConfirmation and nothing changes."""
    event = slot.event
    errors = _check_times(event, starts_at, ends_at)
    if errors:
        raise ServiceValidationError(errors)
    clashes = _overlapping(event, starts_at, ends_at, ignore=slot.id)
    if clashes:
        raise _overlap_error(event, clashes)
    if starts_at == slot.starts_at and ends_at == slot.ends_at:
        return slot
    affected = slot_impact(slot, starts_at, ends_at)
    if affected and not confirmed:
        raise NeedsConfirmation(affected)
    with booking.transaction():
        booking.lock_slots([slot.id])
        affected = _unchanged(affected, slot_impact(slot, starts_at, ends_at))
        previous = Slot(event_id=event.id, starts_at=slot.starts_at, ends_at=slot.ends_at)
        for item in affected:
            if item.blocked:
                booking.cancel_in_transaction(
                    item.meeting,
                    by_organiser=True,
                    reason=_("The time of this slot changed and %(why)s.", why=item.blocked[0]),
                )
        slot.starts_at, slot.ends_at = starts_at, ends_at
        db.session.flush()
        for item in affected:
            if not item.blocked:
                booking.retime_in_transaction(item.meeting, previous=previous)
    return slot


def _unchanged(confirmed: list[Affected], now: list[Affected]) -> list[Affected]:
    """The meetings under the lock are those the organiser confirmed, else ask again."""
    if {a.meeting.id for a in confirmed} != {a.meeting.id for a in now}:
        raise NeedsConfirmation(now)
    return now


def delete_slot(slot: Slot, *, confirmed: bool, move_to: int | None = None) -> None:
    """Delete a slot. Its live meetings move to slot `move_to` through booking.move (any
    conflict: nothing changes, the BookingConflict says why) or, without it, are cancelled
    through booking.cancel. Without `confirmed`, live meetings raise NeedsConfirmation."""
    event = slot.event
    affected = slot_impact(slot)
    if affected and not confirmed:
        raise NeedsConfirmation(affected)
    if move_to is not None:
        target = slot_of(event, move_to)
        if target.id == slot.id:
            raise ServiceValidationError({"move_to": [_("Choose another slot.")]})
    with booking.transaction():
        booking.lock_slots([slot.id] + ([move_to] if move_to else []))
        affected = _unchanged(affected, slot_impact(slot))
        for item in affected:
            if move_to is not None:
                booking.move_in_transaction(item.meeting, move_to, by_organiser=True)
            else:
                booking.cancel_in_transaction(
                    item.meeting, by_organiser=True, reason=_("The organisers removed this slot.")
                )
        _forget_cancelled(Meeting.slot_id == slot.id)
        db.session.flush()
        db.session.delete(slot)


def _forget_cancelled(where) -> None:
    """Cancelled meetings keep a slot and a table without ON DELETE action: delete them
    (and their seats) before the slot or table goes."""
    dead = db.session.scalars(
        sa.select(Meeting).where(where, Meeting.status == MeetingStatus.CANCELLED)
    ).all()
    for meeting in dead:
        db.session.delete(meeting)
    db.session.flush()


# Tables -----------------------------------------------------------------------------------


def table_of(event: Event, table_id: int) -> B2BTable:
    table = db.session.get(B2BTable, table_id)
    if table is None or table.event_id != event.id:
        raise NotFoundError(_("No such table."))
    return table


def _room_id(event: Event, room_id: int | None) -> int | None:
    if room_id is None:
        return None
    room = db.session.get(Room, room_id)
    if room is None or room.event_id != event.id:
        raise ServiceValidationError({"room_id": [_("Choose one of this meeting's rooms.")]})
    return room.id


def _check_seats(seats: Any) -> None:
    if not isinstance(seats, int) or not 2 <= seats <= 100:
        raise ServiceValidationError({"seats": [_("A table seats 2 to 100 people.")]})


def add_table(event: Event, label: str, *, seats: int = 2, room_id: int | None = None) -> B2BTable:
    """One table; 409 when the label is taken."""
    label = (label or "").strip()
    if not label or len(label) > LABEL_MAX:
        raise ServiceValidationError({"label": [_("A label of 1 to 40 characters.")]})
    _check_seats(seats)
    return add_tables(event, [label], seats=seats, room_id=room_id)[0]


def numbered_labels(prefix: str, count: int, first: int) -> list[str]:
    return [f"{prefix}{n}" for n in range(first, first + count)]


def next_number(event: Event, prefix: str) -> int:
    """1 + the highest number used after this prefix ("T" with T1..T12: 13)."""
    pattern = re.compile(rf"^{re.escape(prefix)}(\d+)$")
    numbers = [
        int(match.group(1))
        for label in db.session.scalars(
            sa.select(B2BTable.label).where(B2BTable.event_id == event.id)
        )
        if (match := pattern.match(label))
    ]
    return max(numbers, default=0) + 1


def add_numbered_tables(
    event: Event,
    count: int,
    *,
    prefix: str = "T",
    first: int | None = None,
    seats: int = 2,
    room_id: int | None = None,
) -> list[B2BTable]:
    """`count` tables labelled prefix+first, prefix+first+1 ... ("T1".."T40")."""
    errors: dict[str, list[str]] = {}
    if not isinstance(count, int) or not 1 <= count <= MAX_TABLES_AT_ONCE:
        errors["count"] = [_("Between 1 and %(n)d tables at once.", n=MAX_TABLES_AT_ONCE)]
    prefix = (prefix or "").strip()
    if len(prefix) > LABEL_MAX - 4:
        errors["prefix"] = [_("A shorter prefix, please.")]
    if first is not None and (not isinstance(first, int) or not 0 <= first <= 100000):
        errors["first"] = [_("A number from 0.")]
    if errors:
        raise ServiceValidationError(errors)
    _check_seats(seats)
    start = first if first is not None else next_number(event, prefix)
    return add_tables(event, numbered_labels(prefix, count, start), seats=seats, room_id=room_id)


def add_tables(
    event: Event, labels: list[str], *, seats: int = 2, room_id: int | None = None
) -> list[B2BTable]:
    room = _room_id(event, room_id)
    taken = set(
        db.session.scalars(
            sa.select(B2BTable.label).where(
                B2BTable.event_id == event.id, B2BTable.label.in_(labels)
            )
        )
    )
    if taken:
        raise ConflictingInput(
            {"label": [_("These labels are taken: %(labels)s.", labels=", ".join(sorted(taken)))]}
        )
    position = db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.max(B2BTable.position), -1)).where(
            B2BTable.event_id == event.id
        )
    )
    tables = [
        B2BTable(
            event_id=event.id, label=label, seats=seats, room_id=room, position=position + i + 1
        )
        for i, label in enumerate(labels)
    ]
    db.session.add_all(tables)
    try:
        db.session.commit()
    except sa.exc.IntegrityError:
        db.session.rollback()
        raise ConflictingInput(
            {"label": [_("A table with this label was added meanwhile.")]}
        ) from None
    return tables


def edit_table(table: B2BTable, *, seats: int, room_id: int | None) -> B2BTable:
    """Seats and room; fewer seats than a live meeting at it has people is refused."""
    _check_seats(seats)
    room = _room_id(table.event, room_id)
    sizes = db.session.scalars(
        sa.select(sa.func.count())
        .select_from(MeetingSeat)
        .join(Meeting, Meeting.id == MeetingSeat.meeting_id)
        .where(Meeting.table_id == table.id, Meeting.status == MeetingStatus.CONFIRMED)
        .group_by(Meeting.id)
    ).all()
    biggest = max(sizes, default=0)
    if biggest and seats < biggest:
        raise ServiceValidationError(
            {"seats": [_("A meeting at this table has %(n)d people.", n=biggest)]}
        )
    table.seats, table.room_id = seats, room
    db.session.commit()
    return table


def delete_table(table: B2BTable) -> None:
    """Only a table without live meetings goes (its cancelled meetings go with it)."""
    live = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Meeting)
        .where(Meeting.table_id == table.id, Meeting.status == MeetingStatus.CONFIRMED)
    )
    if live:
        raise ConflictingInput(
            {
                "table": [
                    _(
                        "Table %(table)s holds %(n)d meeting(s): move or cancel them first.",
                        table=table.label,
                        n=live,
                    )
                ]
            }
        )
    try:
        with booking.transaction():
            _forget_cancelled(Meeting.table_id == table.id)
            db.session.delete(table)
    except sa.exc.IntegrityError:  # a meeting was booked at it meanwhile
        raise ConflictingInput(
            {"table": [_("A meeting was just booked at table %(table)s.", table=table.label)]}
        ) from None
