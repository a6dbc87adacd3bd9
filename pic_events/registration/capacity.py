"""Seats, waiting list and choice places: the counts, and the event lock they are taken under.

Every change to an event's registrations first locks the event row (SELECT ... FOR UPDATE
on PostgreSQL; on SQLite a no-op UPDATE takes the database's write lock), then counts, so
two requests at the same moment are served one after the other. The rules that use these
counts live in services.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from pic_events.events.models import Event
from pic_events.extensions import db
from pic_events.registration.models import (
    HOLDING_STATUSES,
    OptionPick,
    Question,
    QuestionOption,
    Registration,
    RegistrationStatus,
)

Status = RegistrationStatus


def lock_event(event_id: int) -> Event:
    """Serialise every registration change of this event until the transaction ends."""
    if db.session.get_bind().dialect.name == "sqlite":
        # SQLite has no row locks; a write takes the database's write lock at once.
        db.session.execute(sa.text("UPDATE event SET id = id WHERE id = :id"), {"id": event_id})
        query = sa.select(Event).where(Event.id == event_id)
    else:
        query = sa.select(Event).where(Event.id == event_id).with_for_update()
    return db.session.scalars(query.execution_options(populate_existing=True)).one()


def reload_registration(registration_id: int) -> Registration:
    query = sa.select(Registration).where(Registration.id == registration_id)
    return db.session.scalars(query.execution_options(populate_existing=True)).one()


@contextmanager
def transaction() -> Iterator[None]:
    """Commit at the end; on any error roll back, so nothing is half-written."""
    try:
        yield
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise


@contextmanager
def locked(registration: Registration) -> Iterator[tuple[Event, Registration]]:
    """In one transaction: the registration's event locked, and the registration reloaded."""
    with transaction():
        event = lock_event(registration.event_id)
        yield event, reload_registration(registration.id)


def confirmed_count(event_id: int) -> int:
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Registration)
        .where(Registration.event_id == event_id, Registration.status == Status.CONFIRMED)
    )


def free_seats(event: Event) -> int | None:
    """Seats left, None when the event has no limit."""
    if event.capacity is None:
        return None
    return max(event.capacity - confirmed_count(event.id), 0)


def has_free_seat(event: Event) -> bool:
    seats = free_seats(event)
    return seats is None or seats > 0


def waitlist_order():
    return (Registration.waitlisted_at, Registration.id)


def waitlist_position(registration: Registration) -> int | None:
    """1 for the first on the waiting list; None when not waitlisted."""
    if registration.status != Status.WAITLISTED or registration.waitlisted_at is None:
        return None
    ahead = sa.or_(
        Registration.waitlisted_at < registration.waitlisted_at,
        sa.and_(
            Registration.waitlisted_at == registration.waitlisted_at,
            Registration.id <= registration.id,
        ),
    )
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Registration)
        .where(
            Registration.event_id == registration.event_id,
            Registration.status == Status.WAITLISTED,
            ahead,
        )
    )


def waitlist_positions(event_id: int) -> dict[int, int]:
    """Registration id -> position on the waiting list, 1..N without gaps (one query)."""
    ids = db.session.scalars(
        sa.select(Registration.id)
        .where(Registration.event_id == event_id, Registration.status == Status.WAITLISTED)
        .order_by(*waitlist_order())
    )
    return {registration_id: n for n, registration_id in enumerate(ids, start=1)}


def waitlist_length(event_id: int) -> int:
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Registration)
        .where(Registration.event_id == event_id, Registration.status == Status.WAITLISTED)
    )


def option_places_taken(option_ids: set[int], exclude_registration_id: int | None = None):
    """Option id -> places held by pending and confirmed registrations."""
    if not option_ids:
        return {}
    query = (
        sa.select(OptionPick.option_id, sa.func.count())
        .join(Registration, Registration.id == OptionPick.registration_id)
        .where(OptionPick.option_id.in_(option_ids), Registration.status.in_(HOLDING_STATUSES))
        .group_by(OptionPick.option_id)
    )
    if exclude_registration_id is not None:
        query = query.where(Registration.id != exclude_registration_id)
    return dict(db.session.execute(query).all())


def option_places_left(questions: list[Question]) -> dict[int, int]:
    """Option id -> places left, for the options that have a limit."""
    limited = {o.id: o.capacity for q in questions for o in q.options if o.capacity is not None}
    taken = option_places_taken(set(limited))
    return {oid: max(capacity - taken.get(oid, 0), 0) for oid, capacity in limited.items()}


def full_options(
    questions: list[Question], option_ids: set[int], registration_id: int | None
) -> list[tuple[Question, QuestionOption]]:
    """The (question, option) pairs among `option_ids` whose places are all taken."""
    limited = {
        option.id: (question, option)
        for question in questions
        for option in question.options
        if option.capacity is not None and option.id in option_ids
    }
    taken = option_places_taken(set(limited), registration_id)
    return [
        pair for option_id, pair in limited.items() if taken.get(option_id, 0) >= pair[1].capacity
    ]


def held_option_ids(registration: Registration) -> set[int]:
    if registration.status not in HOLDING_STATUSES:
        return set()
    return {pick.option_id for pick in registration.option_picks}


def sync_option_picks(registration: Registration, option_ids: set[int]) -> None:
    keep = [pick for pick in registration.option_picks if pick.option_id in option_ids]
    have = {pick.option_id for pick in keep}
    registration.option_picks = keep + [
        OptionPick(option_id=option_id) for option_id in sorted(option_ids - have)
    ]
