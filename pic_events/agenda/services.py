"""A person's agenda: their registration, the sessions they chose, and their entries.

Programme and registration both use this module, and it uses neither (models only). What a
module puts on an agenda it gives as a receiver of `signals.agenda_collecting` (programme
sessions now; B2B meetings join the same way), connected in `app._connect_signals`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from pic_events.accounts.models import User
from pic_events.core import signals
from pic_events.events.models import Event
from pic_events.extensions import db
from pic_events.programme.models import ProgrammeSession
from pic_events.registration.models import HOLDING_STATUSES, Registration

if TYPE_CHECKING:
    from pic_events.matchmaking.models import Meeting


def registration_of(event: Event, user: User | None) -> Registration | None:
    """The person's registration for the event, whatever its status; None for a visitor."""
    if user is None or not user.is_authenticated or user.id is None:
        return None  # (a new account has no registration, and NULL must never match)
    return db.session.scalar(
        sa.select(Registration).where(
            Registration.event_id == event.id, Registration.user_id == user.id
        )
    )


def chosen_session_ids(registration: Registration | None) -> set[int]:
    """The sessions (workshops, visits) this registration chose."""
    if registration is None:
        return set()
    return {choice.session_id for choice in registration.session_choices}


def chosen_sessions(registration: Registration) -> list[ProgrammeSession]:
    """The sessions this registration chose, in time order (one query)."""
    ids = chosen_session_ids(registration)
    if not ids:
        return []
    return list(
        db.session.scalars(
            sa.select(ProgrammeSession)
            .where(ProgrammeSession.id.in_(ids))
            .order_by(ProgrammeSession.starts_at)
        )
    )


@dataclass(frozen=True)
class AgendaEntry:
    """One line of a personal agenda, whichever module it comes from."""

    starts_at: datetime
    ends_at: datetime
    title: str
    kind: str
    kind_label: str
    room: str | None = None
    location: str = ""
    chosen: bool = False
    session: ProgrammeSession | None = None
    meeting: Meeting | None = None  # a B2B meeting (pic_events.matchmaking)
    detail: str = ""


def agenda_entries(
    event: Event, registration: Registration | None, **loaded: Any
) -> list[AgendaEntry]:
    """Everything on the person's agenda in time order; nothing for a registration that
    holds no place (waitlisted, cancelled, declined). `loaded`: what the caller has loaded
    already, passed on to the receivers (each takes what it knows and ignores the rest)."""
    if registration is None or registration.status not in HOLDING_STATUSES:
        return []
    answers = signals.agenda_collecting.send(registration, event=event, **loaded)
    entries = [entry for _receiver, found in answers for entry in found or ()]
    return sorted(entries, key=lambda e: (e.starts_at, e.ends_at, e.title))
