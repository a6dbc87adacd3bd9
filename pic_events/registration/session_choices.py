"""Which workshops and visits a registrant picks: overlap, capacity and eligibility rules.

Called by the registration services (register, update, cancel: they commit) and by the
programme's pages and API (`choose_session` / `drop_session` commit themselves).

Capacity is guarded like the registration capacity: the chosen sessions' rows are locked
(SELECT ... FOR UPDATE, in id order so two registrants never wait on each other in a
cycle) before places are counted, so two people cannot both take the last place.
SQLite serialises writers, which gives the same guarantee there.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from pic_events.agenda.services import chosen_session_ids
from pic_events.core.validation import (
    Conflict,
    ConflictingInput,
    PermissionDenied,
    ServiceValidationError,
)
from pic_events.events.models import Event
from pic_events.extensions import db
from pic_events.programme.models import ProgrammeSession
from pic_events.registration.models import HOLDING_STATUSES, Category, Registration, SessionChoice

# Who may attend restricted (steering-committee) sessions.
RESTRICTED_CATEGORIES = (Category.STEERING.value, Category.ORGANISER.value)


class OverlapError(ConflictingInput):
    """Two chosen sessions overlap (the API answers 409)."""


class RestrictedError(PermissionDenied):
    """A restricted session chosen by someone not eligible (the API answers 403)."""


def may_choose(registration: Registration) -> bool:
    """Registrations that hold a place (pending or confirmed) hold places in sessions too."""
    return registration.status in HOLDING_STATUSES


def may_attend_restricted(registration: Registration | None) -> bool:
    return registration is not None and registration.category in RESTRICTED_CATEGORIES


def choosable_sessions(event: Event, *, category: str | None = None) -> list[ProgrammeSession]:
    """Sessions to choose in the event's published programme, in time order.

    With `category`, restricted sessions are left out unless that category may attend.
    """
    if not event.programme_published:
        return []
    query = (
        select(ProgrammeSession)
        .where(ProgrammeSession.event_id == event.id, ProgrammeSession.must_choose.is_(True))
        .order_by(ProgrammeSession.starts_at, ProgrammeSession.id)
    )
    if category is not None and category not in RESTRICTED_CATEGORIES:
        query = query.where(ProgrammeSession.restricted.is_(False))
    return list(db.session.scalars(query))


def places_left(sessions: Iterable[ProgrammeSession]) -> dict[int, int | None]:
    """Places left per session id (None: no limit), counted in one query."""
    sessions = list(sessions)
    taken = _taken_places([s.id for s in sessions if s.capacity is not None])
    return {
        s.id: None if s.capacity is None else max(s.capacity - taken.get(s.id, 0), 0)
        for s in sessions
    }


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
    """Replace the registration's choices. Validates and locks; does not commit.

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
    current_ids = _lock_registration(registration)
    _change_choices(registration, wanted_ids, current_ids)


def _change_choices(
    registration: Registration, wanted_ids: set[int], current_ids: set[int]
) -> None:
    sessions = _lock_sessions(wanted_ids)
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


def choose_session(registration: Registration, session: ProgrammeSession) -> None:
    """Pick one session, keeping the others. Commits."""
    try:
        _check_may_choose(registration)
        current_ids = _lock_registration(registration)
        if session.id not in current_ids:
            _change_choices(registration, current_ids | {session.id}, current_ids)
        db.session.commit()
    except IntegrityError:
        # The same pick sent twice at once (a double click): the other one won.
        db.session.rollback()
    except Exception:
        db.session.rollback()
        raise


def drop_session(registration: Registration, session: ProgrammeSession) -> None:
    """Give up one session's place. Commits."""
    for choice in list(registration.session_choices):
        if choice.session_id == session.id:
            registration.session_choices.remove(choice)
    db.session.commit()


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


def _lock_registration(registration: Registration) -> set[int]:
    """Lock the registration and return its current choices, read after the lock.

    One registration's picks are then checked one request at a time: no overlapping
    pair slips in through two simultaneous requests.
    """
    if registration.id is None:
        db.session.flush()  # a new registration: nobody else can have chosen for it
    else:
        db.session.execute(
            select(Registration.id).where(Registration.id == registration.id).with_for_update()
        )
        db.session.refresh(registration, attribute_names=["session_choices"])
    return chosen_session_ids(registration)


def _lock_sessions(session_ids: set[int]) -> dict[int, ProgrammeSession]:
    query = (
        select(ProgrammeSession)
        .where(ProgrammeSession.id.in_(sorted(session_ids)))
        .order_by(ProgrammeSession.id)
        .with_for_update(of=ProgrammeSession)
        .execution_options(populate_existing=True)
    )
    return {s.id: s for s in db.session.scalars(query)}


def _check_known(
    registration: Registration, wanted_ids: set[int], sessions: dict[int, ProgrammeSession]
) -> None:
    event = registration.event or db.session.get(Event, registration.event_id)
    bad = sorted(
        i
        for i in wanted_ids
        if i not in sessions
        or sessions[i].event_id != registration.event_id
        or not sessions[i].must_choose
        or not event.programme_published
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
