"""Which workshops and visits a registrant picks: overlap, capacity and eligibility rules.

Called by the registration services (register, update, cancel: they commit) and by the
programme's pages and API (`choose_session` / `drop_session` commit themselves).

Places are guarded like the registration capacity: every change first takes the event lock
(capacity.lock_event: SELECT ... FOR UPDATE on PostgreSQL, a write that takes the database's
write lock on SQLite, which ignores FOR UPDATE), then reads the registration again and counts
places, so two people cannot both take the last place and no choice lands on a registration
cancelled a moment before. SQLite alone would not prevent it: its writers queue, but each
counts before it writes.

Restricted (steering-committee) sessions are for people with standing (accounts.standing)
and organisers; to anyone else a restricted session the event hides is unknown.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from pic_events.accounts import standing
from pic_events.accounts.models import User
from pic_events.agenda.services import chosen_session_ids
from pic_events.core.limits import fits_integer_column
from pic_events.core.validation import (
    Conflict,
    ConflictingInput,
    PermissionDenied,
    ServiceValidationError,
)
from pic_events.events.models import Event
from pic_events.extensions import db
from pic_events.programme.models import ProgrammeSession
from pic_events.registration.capacity import lock_event, reload_registration, transaction
from pic_events.registration.models import HOLDING_STATUSES, Registration, SessionChoice
from pic_events.registration.window import may_change


class OverlapError(ConflictingInput):
    """Two chosen sessions overlap (the API answers 409)."""


class RestrictedError(PermissionDenied):
    """A restricted session chosen by someone not eligible (the API answers 403)."""


def may_choose(registration: Registration) -> bool:
    """Registrations that hold a place (pending or confirmed) hold places in sessions too."""
    return registration.status in HOLDING_STATUSES


def may_attend_restricted(registration: Registration | None) -> bool:
    """The registrant's standing decides, never the category they registered in."""
    return registration is not None and standing.may_attend_restricted(registration.user)


def choosable_sessions(event: Event, viewer: User | None = None) -> list[ProgrammeSession]:
    """Sessions `viewer` may choose in the event's published programme, in time order:
    restricted ones only for people with steering-committee standing and organisers.

    For an organiser filling someone else's form, pass the organiser: the service still
    checks the registrant's own standing when the form is saved.
    """
    if not event.programme_published:
        return []
    query = (
        select(ProgrammeSession)
        .where(ProgrammeSession.event_id == event.id, ProgrammeSession.must_choose.is_(True))
        .order_by(ProgrammeSession.starts_at, ProgrammeSession.id)
    )
    return choosable_among(db.session.scalars(query), viewer)


def choosable_among(sessions: Iterable, viewer: User | None) -> list:
    """The rule: sessions to choose; restricted ones only for those who may attend them.
    `sessions` may be sessions or anything with `must_choose` and `restricted`."""
    attends_restricted = standing.may_attend_restricted(viewer)
    return [s for s in sessions if s.must_choose and (attends_restricted or not s.restricted)]


def may_choose_now(registration: Registration | None, actor: User | None) -> bool:
    """Whether the programme shows choose / drop buttons for this registration."""
    return (
        registration is not None
        and may_choose(registration)
        and may_change(registration.event, actor)
    )


def choosable_now_ids(
    event: Event,
    registration: Registration | None,
    viewer: User | None,
    among: Iterable | None = None,
) -> set[int]:
    """The sessions whose "Choose" button the programme shows this viewer: none while they
    may not change their choices; restricted ones only with steering-committee standing.
    `among`: the sessions shown (of the published programme), when the caller has them."""
    if not may_choose_now(registration, viewer):
        return set()
    if among is None:
        return {session.id for session in choosable_sessions(event, viewer)}
    if not event.programme_published:
        return set()
    return {session.id for session in choosable_among(among, viewer)}


def places_left(sessions: Iterable[ProgrammeSession]) -> dict[int, int | None]:
    """Places left per session id (None: no limit), counted in one query."""
    sessions = list(sessions)
    taken = _taken_places([s.id for s in sessions if s.capacity is not None])
    return {
        s.id: None if s.capacity is None else max(s.capacity - taken.get(s.id, 0), 0)
        for s in sessions
    }


def event_places_left(event: Event) -> dict[int, int]:
    """Places left in each of the event's sessions that have a capacity, in one query."""
    holding = sa.and_(
        Registration.id == SessionChoice.registration_id,
        Registration.status.in_(HOLDING_STATUSES),
    )
    rows = db.session.execute(
        select(ProgrammeSession.id, ProgrammeSession.capacity, func.count(Registration.id))
        .outerjoin(SessionChoice, SessionChoice.session_id == ProgrammeSession.id)
        .outerjoin(Registration, holding)
        .where(ProgrammeSession.event_id == event.id, ProgrammeSession.capacity.is_not(None))
        .group_by(ProgrammeSession.id, ProgrammeSession.capacity)
    )
    return {session_id: max(capacity - taken, 0) for session_id, capacity, taken in rows}


def places_taken(session: ProgrammeSession) -> int:
    """How many holding registrations chose this session."""
    return _taken_places([session.id]).get(session.id, 0)


def places_taken_in(sessions: Iterable[ProgrammeSession]) -> dict[int, int]:
    """Places taken per session id, counted in one query (more than a lowered capacity)."""
    return _taken_places([s.id for s in sessions])


def shared_choosers(session: ProgrammeSession, other_ids: Iterable[int]) -> dict[int, int]:
    """Per other session, how many holding registrations chose it and `session` both."""
    other_ids = list(other_ids)
    if session.id is None or not other_ids:
        return {}
    mine = aliased(SessionChoice)
    theirs = aliased(SessionChoice)
    rows = db.session.execute(
        select(theirs.session_id, func.count())
        .join(mine, mine.registration_id == theirs.registration_id)
        .join(Registration, Registration.id == theirs.registration_id)
        .where(
            mine.session_id == session.id,
            theirs.session_id.in_(other_ids),
            Registration.status.in_(HOLDING_STATUSES),
        )
        .group_by(theirs.session_id)
    )
    return {row[0]: row[1] for row in rows}


def set_choices(registration: Registration, session_ids: Iterable[int]) -> None:
    """Replace the registration's choices. Validates; does not commit. The caller holds the
    event lock (registration services).

    Raises ServiceValidationError({"session_ids": [...]}) for unknown, overlapping
    (OverlapError) or restricted (RestrictedError) sessions, Conflict when one is full.
    Choices kept from before are not re-checked for capacity or overlap: a place once
    given stays given even if the organiser lowers the capacity or moves a session.
    """
    wanted_ids = {int(i) for i in session_ids}
    if not wanted_ids:
        release_choices(registration)
        return
    _check_may_choose(registration)
    current_ids = _current_choices(registration)
    _change_choices(registration, wanted_ids, current_ids)


def _change_choices(
    registration: Registration, wanted_ids: set[int], current_ids: set[int]
) -> None:
    sessions = _load_sessions(wanted_ids)
    new_ids = wanted_ids - current_ids
    _check_known(registration, wanted_ids, sessions)
    _check_restricted(registration, sessions.values())
    _check_overlaps([sessions[i] for i in sorted(wanted_ids)], new_ids)
    _check_places([sessions[i] for i in sorted(new_ids)])
    _apply(registration, wanted_ids, current_ids)


def release_choices(registration: Registration) -> None:
    """Drop every choice (cancelled, declined or waitlisted registrations hold no places)."""
    registration.session_choices.clear()
    db.session.flush()


def choose_session(
    registration: Registration, session: ProgrammeSession, *, actor: User | None = None
) -> None:
    """Pick one session, keeping the others. Commits. `actor` (the registrant by default)
    is refused once registration has closed, as a change of the registration is."""
    with transaction():
        registration = _locked(registration, actor)
        current_ids = _current_choices(registration)
        if session.id not in current_ids:
            _change_choices(registration, current_ids | {session.id}, current_ids)


def drop_session(
    registration: Registration, session: ProgrammeSession, *, actor: User | None = None
) -> None:
    """Give up one session's place. Commits."""
    with transaction():
        registration = _locked(registration, actor)
        for choice in list(registration.session_choices):
            if choice.session_id == session.id:
                registration.session_choices.remove(choice)


# --- helpers ---------------------------------------------------------------------------


def _taken_places(session_ids: list[int]) -> dict[int, int]:
    if not session_ids:
        return {}
    rows = db.session.execute(
        select(SessionChoice.session_id, func.count())
        .join(Registration, Registration.id == SessionChoice.registration_id)
        .where(
            SessionChoice.session_id.in_(session_ids),
            Registration.status.in_(HOLDING_STATUSES),
        )
        .group_by(SessionChoice.session_id)
    )
    return {row[0]: row[1] for row in rows}


def _check_may_choose(registration: Registration) -> None:
    if not may_choose(registration):
        raise ServiceValidationError(
            {"session_ids": [_("Only confirmed or pending registrations can choose sessions.")]}
        )


def _locked(registration: Registration, actor: User | None) -> Registration:
    """Take the event lock, then read the registration again: its status is the one the
    change is checked against (a cancellation a moment before is seen)."""
    event = lock_event(registration.event_id)
    actor = actor or registration.user
    if not may_change(event, actor):
        raise Conflict(_("Registration is closed: write to the organisers to change anything."))
    registration = reload_registration(registration.id)
    _check_may_choose(registration)
    return registration


def _current_choices(registration: Registration) -> set[int]:
    if registration.id is None:
        db.session.flush()  # a new registration: nobody else can have chosen for it
    else:
        db.session.refresh(registration, attribute_names=["session_choices"])
    return chosen_session_ids(registration)


def _load_sessions(session_ids: set[int]) -> dict[int, ProgrammeSession]:
    """The sessions among `session_ids`; ids no row can have (beyond the integer column) are
    not looked up, so `_check_known` reports them as unknown."""
    query = (
        select(ProgrammeSession)
        .where(ProgrammeSession.id.in_(sorted(i for i in session_ids if fits_integer_column(i))))
        .execution_options(populate_existing=True)
    )
    return {s.id: s for s in db.session.scalars(query)}


def _check_known(
    registration: Registration, wanted_ids: set[int], sessions: dict[int, ProgrammeSession]
) -> None:
    """Unknown, of another event, not to choose, or hidden from this registrant: all the same
    answer, which names no title."""
    event = registration.event or db.session.get(Event, registration.event_id)
    attends_restricted = may_attend_restricted(registration)
    bad = sorted(
        i
        for i in wanted_ids
        if i not in sessions
        or sessions[i].event_id != registration.event_id
        or not sessions[i].must_choose
        or not event.programme_published
        or (sessions[i].restricted and event.hide_restricted_sessions and not attends_restricted)
    )
    if bad:
        raise ServiceValidationError(
            {
                "session_ids": [
                    _(
                        "These sessions cannot be chosen for this meeting: %(ids)s.",
                        ids=", ".join(str(i) for i in bad),
                    )
                ]
            }
        )


def _check_restricted(registration: Registration, sessions: Iterable[ProgrammeSession]) -> None:
    """A restricted session the event shows to everyone (marked closed) is refused by name."""
    if may_attend_restricted(registration):
        return
    for session in sessions:
        if session.restricted:
            raise RestrictedError(
                {
                    "session_ids": [
                        _(
                            "“%(title)s” is reserved for the steering committee.",
                            title=session.title,
                        )
                    ]
                }
            )


def _check_overlaps(sessions: list[ProgrammeSession], new_ids: set[int]) -> None:
    ordered = sorted(sessions, key=lambda s: (s.starts_at, s.id))
    for index, first in enumerate(ordered):
        for second in ordered[index + 1 :]:
            if second.starts_at >= first.ends_at:
                break
            if first.id in new_ids or second.id in new_ids:
                raise OverlapError(
                    {
                        "session_ids": [
                            _(
                                "“%(first)s” and “%(second)s” take place at the same time: "
                                "choose one of them.",
                                first=first.title,
                                second=second.title,
                            )
                        ]
                    }
                )


def _check_places(new_sessions: list[ProgrammeSession]) -> None:
    limited = [s for s in new_sessions if s.capacity is not None]
    taken = _taken_places([s.id for s in limited])
    for session in limited:
        if taken.get(session.id, 0) >= session.capacity:
            raise Conflict(_("“%(title)s” is full.", title=session.title))


def _apply(registration: Registration, wanted_ids: set[int], current_ids: set[int]) -> None:
    for choice in list(registration.session_choices):
        if choice.session_id not in wanted_ids:
            registration.session_choices.remove(choice)
    for session_id in sorted(wanted_ids - current_ids):
        registration.session_choices.append(SessionChoice(session_id=session_id))
    db.session.flush()
