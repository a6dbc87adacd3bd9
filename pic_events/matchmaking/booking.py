"""The one writer of B2B meetings: book, move and cancel, for pages, API, CLI and scheduler.

Every change runs in one transaction under row locks taken in one order (the slots by id,
then the registrations by id, then the meeting), so two requests at the same moment are
served one after the other and cannot deadlock. The database has the last word: partial
unique indexes refuse a table or a person twice in a slot (models.py), and a lost race comes
back as a BookingConflict naming the clash, with nothing half-written.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from pic_events.core.locks import locked_rows
from pic_events.core.templating import local_time
from pic_events.core.types import utcnow
from pic_events.core.validation import Conflict, NotFoundError
from pic_events.events.models import Event
from pic_events.extensions import db
from pic_events.matchmaking import mails
from pic_events.matchmaking.availability import unavailable_slot_ids
from pic_events.matchmaking.models import (
    LIVE_REQUEST_STATUSES,
    B2BTable,
    Meeting,
    MeetingOrigin,
    MeetingRequest,
    MeetingSeat,
    MeetingStatus,
    RequestStatus,
    Slot,
)
from pic_events.matchmaking.settings import settings_of
from pic_events.registration.models import Registration, RegistrationStatus


class BookingConflict(Conflict):
    """A booking refused by the state: `code` says which rule (the API's 409 carries it)."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


# Locks ------------------------------------------------------------------------------------


def lock_slots(slot_ids: Iterable[int]) -> list[Slot]:
    return locked_rows(Slot, slot_ids)


def lock_registrations(registration_ids: Iterable[int]) -> list[Registration]:
    return locked_rows(Registration, registration_ids)


def lock_meeting(meeting_id: int) -> Meeting:
    rows = locked_rows(Meeting, [meeting_id])
    if not rows:
        raise NotFoundError(_("No such meeting."))
    return rows[0]


def lock_request(request_id: int) -> MeetingRequest:
    rows = locked_rows(MeetingRequest, [request_id])
    if not rows:
        raise NotFoundError(_("No such meeting request."))
    return rows[0]


@contextmanager
def transaction() -> Iterator[None]:
    """Commit at the end; on any error roll back, so nothing is half-written. A unique index
    that refused a row (a race lost despite the locks) becomes a BookingConflict."""
    try:
        yield
        db.session.commit()
    except IntegrityError as error:
        db.session.rollback()
        conflict = _conflict_from_integrity(error)
        if conflict is None:
            raise
        raise conflict from None
    except BaseException:
        db.session.rollback()
        raise


def _conflict_from_integrity(error: IntegrityError) -> BookingConflict | None:
    """The conflict behind a unique index's refusal (names differ between the databases)."""
    text = str(error.orig)
    if "unique" not in text.lower():
        return None
    if "b2b_meeting_seat" in text:
        return BookingConflict(
            _("Someone in this meeting was booked elsewhere at the same moment. Try again."),
            "participant_busy",
        )
    if "b2b_meeting" in text:
        return BookingConflict(
            _("This table was booked by someone else at the same moment. Try again."),
            "table_taken",
        )
    if "meeting_request" in text:
        return BookingConflict(
            _("You already have a meeting request with this person."), "already_requested"
        )
    return None


# Checks -----------------------------------------------------------------------------------


def slot_time(slot: Slot, event: Event) -> str:
    """ "10:25" in the event's zone, as conflict messages and mails say it."""
    return local_time(slot.starts_at, event.timezone)


def _check_people(
    event: Event, slot: Slot, people: Sequence[Registration], *, ignore_meeting: int | None
) -> None:
    for person in people:
        if person.event_id != event.id or person.status != RegistrationStatus.CONFIRMED:
            raise BookingConflict(
                _("%(name)s is no longer registered for this meeting.", name=person.display_name),
                "not_registered",
            )
    unavailable = unavailable_slot_ids(event.id, [p.id for p in people], [slot.id])
    for person in people:
        if slot.id in unavailable.get(person.id, ()):
            raise BookingConflict(
                _(
                    "%(name)s is not available at %(time)s.",
                    name=person.display_name,
                    time=slot_time(slot, event),
                ),
                "unavailable",
            )
    busy = _busy_people(slot.id, [p.id for p in people], ignore_meeting)
    for person in people:
        if person.id in busy:
            raise BookingConflict(
                _(
                    "%(name)s already has a meeting at %(time)s.",
                    name=person.display_name,
                    time=slot_time(slot, event),
                ),
                "participant_busy",
            )
    limit = settings_of(event).max_meetings
    if limit is not None:
        counts = live_meeting_counts(event.id, [p.id for p in people], ignore_meeting)
        for person in people:
            if counts.get(person.id, 0) >= limit:
                raise BookingConflict(
                    _(
                        "%(name)s already has the most meetings allowed (%(limit)d).",
                        name=person.display_name,
                        limit=limit,
                    ),
                    "participant_full",
                )


def _busy_people(slot_id: int, registration_ids: list[int], ignore_meeting: int | None) -> set[int]:
    query = sa.select(MeetingSeat.registration_id).where(
        MeetingSeat.slot_id == slot_id,
        MeetingSeat.live.is_(True),
        MeetingSeat.registration_id.in_(registration_ids),
    )
    if ignore_meeting is not None:
        query = query.where(MeetingSeat.meeting_id != ignore_meeting)
    return set(db.session.scalars(query))


def live_meeting_counts(
    event_id: int, registration_ids: Iterable[int], ignore_meeting: int | None = None
) -> dict[int, int]:
    """{registration id: number of its live meetings at the event}."""
    query = (
        sa.select(MeetingSeat.registration_id, sa.func.count())
        .join(Meeting, Meeting.id == MeetingSeat.meeting_id)
        .where(
            Meeting.event_id == event_id,
            MeetingSeat.live.is_(True),
            MeetingSeat.registration_id.in_(list(registration_ids)),
        )
        .group_by(MeetingSeat.registration_id)
    )
    if ignore_meeting is not None:
        query = query.where(Meeting.id != ignore_meeting)
    return dict(db.session.execute(query).all())


def free_tables(event: Event, slot: Slot, size: int = 2) -> list[B2BTable]:
    """Tables with at least `size` seats and no live meeting in the slot, smallest first."""
    taken = sa.select(Meeting.table_id).where(
        Meeting.slot_id == slot.id, Meeting.status == MeetingStatus.CONFIRMED
    )
    return list(
        db.session.scalars(
            sa.select(B2BTable)
            .where(B2BTable.event_id == event.id, B2BTable.seats >= size, B2BTable.id.not_in(taken))
            .order_by(B2BTable.seats, B2BTable.position, B2BTable.id)
        )
    )


def _choose_table(event: Event, slot: Slot, size: int, table_id: int | None) -> B2BTable:
    tables = free_tables(event, slot, size)
    if table_id is None:
        if not tables:
            raise BookingConflict(
                _("No table is free at %(time)s.", time=slot_time(slot, event)), "no_table"
            )
        return tables[0]
    for table in tables:
        if table.id == table_id:
            return table
    table = db.session.get(B2BTable, table_id)
    if table is None or table.event_id != event.id:
        raise NotFoundError(_("No such table."))
    if table.seats < size:
        raise BookingConflict(
            _("Table %(table)s seats only %(seats)d.", table=table.label, seats=table.seats),
            "table_too_small",
        )
    raise BookingConflict(
        _("Table %(table)s is taken at %(time)s.", table=table.label, time=slot_time(slot, event)),
        "table_taken",
    )


def _check_not_frozen(event: Event, by_organiser: bool) -> None:
    if not by_organiser and settings_of(event).frozen:
        raise BookingConflict(
            _("The B2B schedule is frozen: ask the organisers for any change."), "frozen"
        )


def _slot_of(event: Event, slot_id: int) -> Slot:
    slots = lock_slots([slot_id])
    if slots and slots[0].event_id != event.id:
        raise NotFoundError(_("No such slot."))
    if not slots:  # deleted by an organiser meanwhile, or never there
        raise BookingConflict(_("This time slot no longer exists."), "slot_removed")
    return slots[0]


# Writing ----------------------------------------------------------------------------------


def book_in_transaction(
    event: Event,
    registration_ids: Sequence[int],
    slot_id: int,
    *,
    table_id: int | None = None,
    request: MeetingRequest | None = None,
    origin: MeetingOrigin = MeetingOrigin.REQUEST,
    by_organiser: bool = False,
    notify: bool = True,
) -> Meeting:
    """Book a meeting inside the caller's transaction (the caller holds no slot or
    registration lock yet, and commits). Raises BookingConflict naming the clash."""
    ids = list(dict.fromkeys(registration_ids))
    if len(ids) < 2:
        raise BookingConflict(_("A meeting needs at least two people."), "too_few")
    _check_not_frozen(event, by_organiser)
    slot = _slot_of(event, slot_id)
    people = lock_registrations(ids)
    if len(people) != len(ids):
        raise NotFoundError(_("No such participant."))
    _check_people(event, slot, people, ignore_meeting=None)
    table = _choose_table(event, slot, len(ids), table_id)
    meeting = Meeting(
        event_id=event.id,
        request=request,
        slot=slot,
        table=table,
        status=MeetingStatus.CONFIRMED.value,
        origin=origin.value,
    )
    meeting.seats = [
        MeetingSeat(registration_id=person.id, slot_id=slot.id, live=True) for person in people
    ]
    db.session.add(meeting)
    db.session.flush()
    if notify:
        mails.meeting_booked(meeting)
    return meeting


def book(event: Event, registration_ids: Sequence[int], slot_id: int, **options) -> Meeting:
    """Book a meeting and commit (see book_in_transaction)."""
    with transaction():
        meeting = book_in_transaction(event, registration_ids, slot_id, **options)
    return meeting


def move(
    meeting: Meeting,
    slot_id: int,
    *,
    table_id: int | None = None,
    by_organiser: bool = False,
    notify: bool = True,
) -> Meeting:
    """Move a live meeting to another slot and/or table; its sequence goes up and its people
    are told. The same checks as a booking, ignoring the meeting itself."""
    with transaction():
        meeting = move_in_transaction(
            meeting, slot_id, table_id=table_id, by_organiser=by_organiser, notify=notify
        )
    return meeting


def move_in_transaction(
    meeting: Meeting,
    slot_id: int,
    *,
    table_id: int | None = None,
    by_organiser: bool = False,
    notify: bool = True,
) -> Meeting:
    event = meeting.event
    _check_not_frozen(event, by_organiser)
    slot = _slot_of(event, slot_id)
    people = lock_registrations(meeting.registration_ids)
    meeting = lock_meeting(meeting.id)
    if not meeting.is_live:
        raise BookingConflict(_("This meeting was cancelled."), "cancelled")
    if slot.id == meeting.slot_id and table_id in (None, meeting.table_id):
        return meeting
    _check_people(event, slot, people, ignore_meeting=meeting.id)
    table = _choose_table(event, slot, len(people), table_id)
    previous_slot = meeting.slot
    meeting.slot = slot
    meeting.table = table
    meeting.sequence += 1
    for seat in meeting.seats:
        seat.slot_id = slot.id
    db.session.flush()
    if notify:
        mails.meeting_moved(meeting, previous_slot)
    return meeting


def retime_in_transaction(meeting: Meeting, *, previous: Slot, notify: bool = True) -> Meeting:
    """The meeting's slot got new times (an organiser edited it; the caller holds the slot's
    lock and commits): the meeting stays in its slot, but like a move its sequence goes up so
    calendars update, and its people are told (`previous` carries the old times)."""
    meeting = lock_meeting(meeting.id)
    if not meeting.is_live:
        return meeting
    meeting.sequence += 1
    db.session.flush()
    if notify:
        mails.meeting_moved(meeting, previous)
    return meeting


def cancel(
    meeting: Meeting,
    *,
    by: Registration | None = None,
    by_organiser: bool = False,
    reason: str = "",
    notify: bool = True,
) -> Meeting:
    """Cancel a live meeting (either side, or an organiser): the slot and table are free
    again, the request (if any) is cancelled, everyone else is told."""
    with transaction():
        meeting = cancel_in_transaction(
            meeting, by=by, by_organiser=by_organiser, reason=reason, notify=notify
        )
    return meeting


def cancel_in_transaction(
    meeting: Meeting,
    *,
    by: Registration | None = None,
    by_organiser: bool = False,
    reason: str = "",
    notify: bool = True,
) -> Meeting:
    _check_not_frozen(meeting.event, by_organiser)
    meeting = lock_meeting(meeting.id)
    if not meeting.is_live:
        raise BookingConflict(_("This meeting is already cancelled."), "cancelled")
    _release(meeting, reason.strip())
    meeting.cancelled_by_id = by.id if by is not None and not by_organiser else None
    if meeting.request is not None and meeting.request.status in LIVE_REQUEST_STATUSES:
        meeting.request.status = RequestStatus.CANCELLED.value
    db.session.flush()
    if notify:
        mails.meeting_cancelled(meeting, by=by, reason=reason.strip())
    return meeting


def _release(meeting: Meeting, reason: str) -> None:
    meeting.status = MeetingStatus.CANCELLED.value
    meeting.cancelled_at = utcnow()
    meeting.cancel_reason = reason
    meeting.sequence += 1
    for seat in meeting.seats:
        seat.live = False


def release_registration(registration: Registration, **_kw: object) -> None:
    """registration_released: a person who is no longer confirmed leaves their live meetings
    (the others are told) and their live requests, in the same transaction."""
    meetings = db.session.scalars(
        sa.select(Meeting)
        .join(MeetingSeat, MeetingSeat.meeting_id == Meeting.id)
        .where(
            MeetingSeat.registration_id == registration.id,
            Meeting.status == MeetingStatus.CONFIRMED,
        )
    ).all()
    for meeting in meetings:
        _release(meeting, _("A participant no longer attends."))
        mails.meeting_cancelled(meeting, by=registration, reason="")
    requests = db.session.scalars(
        sa.select(MeetingRequest).where(
            sa.or_(
                MeetingRequest.sender_id == registration.id,
                MeetingRequest.recipient_id == registration.id,
            ),
            MeetingRequest.status.in_(LIVE_REQUEST_STATUSES),
        )
    ).all()
    for request in requests:
        request.status = RequestStatus.CANCELLED.value
    db.session.flush()
