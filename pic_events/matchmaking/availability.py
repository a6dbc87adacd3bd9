"""Who is unavailable in which slot: marked by them, or taken by a programme session they
attend. One rule, used by booking, the slot lists and the scheduler's instance."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import sqlalchemy as sa

from pic_events.extensions import db
from pic_events.matchmaking.models import Slot, Unavailability
from pic_events.programme.models import ProgrammeSession
from pic_events.registration.models import SessionChoice


def unavailable_slot_ids(
    event_id: int, registration_ids: Iterable[int], slot_ids: Iterable[int] | None = None
) -> dict[int, set[int]]:
    """{registration id: slot ids it cannot meet in}: the slots each person marked, and the
    slots that overlap a session they chose (workshops, visits). Two queries."""
    ids = list(set(registration_ids))
    blocked: dict[int, set[int]] = defaultdict(set)
    if not ids:
        return blocked
    marked = sa.select(Unavailability.registration_id, Unavailability.slot_id).where(
        Unavailability.registration_id.in_(ids)
    )
    overlapping = (
        sa.select(SessionChoice.registration_id, Slot.id)
        .join(ProgrammeSession, ProgrammeSession.id == SessionChoice.session_id)
        .join(
            Slot,
            sa.and_(
                Slot.event_id == event_id,
                Slot.starts_at < ProgrammeSession.ends_at,
                Slot.ends_at > ProgrammeSession.starts_at,
            ),
        )
        .where(SessionChoice.registration_id.in_(ids))
    )
    wanted = set(slot_ids) if slot_ids is not None else None
    for query in (marked, overlapping):
        for registration_id, slot_id in db.session.execute(query):
            if wanted is None or slot_id in wanted:
                blocked[registration_id].add(slot_id)
    return blocked
