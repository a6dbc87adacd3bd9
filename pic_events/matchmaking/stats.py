"""The organiser's B2B figures and tables, each in a fixed number of queries whatever the
number of participants: statistics, the grid (slots down, tables across), one person's
schedule."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from pic_events.accounts.models import User
from pic_events.events.models import Event
from pic_events.extensions import db
from pic_events.matchmaking.layout import event_slots, event_tables
from pic_events.matchmaking.models import (
    B2BTable,
    Meeting,
    MeetingOutcome,
    MeetingRequest,
    MeetingSeat,
    MeetingStatus,
    Rating,
    RequestStatus,
    Slot,
)
from pic_events.matchmaking.setup import live_meeting_counts_by_slot
from pic_events.registration.models import Registration, RegistrationStatus


@dataclass
class SlotFill:
    slot: Slot
    meetings: int
    tables: int

    @property
    def percent(self) -> int:
        return round(100 * self.meetings / self.tables) if self.tables else 0


@dataclass
class Statistics:
    requests: dict[str, int]
    requests_total: int
    meetings: int
    cancelled: int
    by_origin: dict[str, int]
    fill: list[SlotFill]
    without_meeting: list[Registration]
    confirmed: int
    outcomes: dict[str, int] = field(default_factory=dict)
    outcome_answers: int = 0


def statistics(event: Event) -> Statistics:
    """Seven queries."""
    requests = dict(
        db.session.execute(
            sa.select(MeetingRequest.status, sa.func.count())
            .where(MeetingRequest.event_id == event.id)
            .group_by(MeetingRequest.status)
        ).all()
    )
    meeting_rows = db.session.execute(
        sa.select(Meeting.status, Meeting.origin, sa.func.count())
        .where(Meeting.event_id == event.id)
        .group_by(Meeting.status, Meeting.origin)
    ).all()
    live = sum(n for status, _o, n in meeting_rows if status == MeetingStatus.CONFIRMED)
    cancelled = sum(n for status, _o, n in meeting_rows if status == MeetingStatus.CANCELLED)
    by_origin: dict[str, int] = {}
    for status, origin, n in meeting_rows:
        if status == MeetingStatus.CONFIRMED:
            by_origin[origin] = by_origin.get(origin, 0) + n
    slots = event_slots(event)
    tables = db.session.scalar(
        sa.select(sa.func.count()).select_from(B2BTable).where(B2BTable.event_id == event.id)
    )
    per_slot = live_meeting_counts_by_slot(event)
    with_meeting = (
        sa.select(MeetingSeat.registration_id)
        .join(Meeting, Meeting.id == MeetingSeat.meeting_id)
        .where(Meeting.event_id == event.id, MeetingSeat.live.is_(True))
    )
    confirmed = confirmed_people(event)  # by name
    busy = set(db.session.scalars(with_meeting))
    without = [r for r in confirmed if r.id not in busy]
    outcomes: dict[str, int] = {}
    answers = 0
    for took_place, rating, n in db.session.execute(
        sa.select(MeetingOutcome.took_place, MeetingOutcome.rating, sa.func.count())
        .join(Meeting, Meeting.id == MeetingOutcome.meeting_id)
        .where(Meeting.event_id == event.id)
        .group_by(MeetingOutcome.took_place, MeetingOutcome.rating)
    ).all():
        key = "did_not_take_place" if not took_place else (rating or "took_place")
        outcomes[key] = outcomes.get(key, 0) + n
        answers += n
    return Statistics(
        requests={s.value: requests.get(s.value, 0) for s in RequestStatus},
        requests_total=sum(requests.values()),
        meetings=live,
        cancelled=cancelled,
        by_origin=by_origin,
        fill=[SlotFill(s, per_slot.get(s.id, 0), tables) for s in slots],
        without_meeting=without,
        confirmed=len(confirmed),
        outcomes=outcomes,
        outcome_answers=answers,
    )


OUTCOME_KEYS = ("did_not_take_place", "took_place", *(r.value for r in Rating))


@dataclass
class Grid:
    slots: list[Slot]
    tables: list[B2BTable]
    cells: dict[tuple[int, int], Meeting]

    def at(self, slot: Slot, table: B2BTable) -> Meeting | None:
        return self.cells.get((slot.id, table.id))


def _with_people(query):
    return query.options(
        selectinload(Meeting.seats)
        .joinedload(MeetingSeat.registration)
        .joinedload(Registration.user)
        .joinedload(User.organisation)
    )


def grid(event: Event) -> Grid:
    """Slots down, tables across, each cell the live meeting there: four queries."""
    slots = event_slots(event)
    tables = event_tables(event)
    meetings = db.session.scalars(
        _with_people(
            sa.select(Meeting).where(
                Meeting.event_id == event.id, Meeting.status == MeetingStatus.CONFIRMED
            )
        )
    ).unique()
    return Grid(slots, tables, {(m.slot_id, m.table_id): m for m in meetings})


def event_meeting(event: Event, meeting_id: int) -> Meeting | None:
    meeting = db.session.scalar(
        _with_people(
            sa.select(Meeting).where(Meeting.id == meeting_id, Meeting.event_id == event.id)
        )
    )
    return meeting


def confirmed_people(event: Event) -> list[Registration]:
    """The event's confirmed registrations by name (one query), for the person picker."""
    people = db.session.scalars(
        sa.select(Registration)
        .where(
            Registration.event_id == event.id,
            Registration.status == RegistrationStatus.CONFIRMED,
        )
        .options(joinedload(Registration.user).joinedload(User.organisation))
    ).all()
    return sorted(people, key=lambda r: r.display_name.casefold())


def requests_of(registration: Registration) -> list[MeetingRequest]:
    """The person's live requests (pending or accepted), both sides loaded (one query)."""
    return list(
        db.session.scalars(
            sa.select(MeetingRequest)
            .where(
                sa.or_(
                    MeetingRequest.sender_id == registration.id,
                    MeetingRequest.recipient_id == registration.id,
                ),
                MeetingRequest.status.in_(
                    (RequestStatus.PENDING.value, RequestStatus.ACCEPTED.value)
                ),
            )
            .options(
                joinedload(MeetingRequest.sender).joinedload(Registration.user),
                joinedload(MeetingRequest.recipient).joinedload(Registration.user),
            )
            .order_by(MeetingRequest.created_at)
        )
    )
