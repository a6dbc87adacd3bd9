"""An event's B2B slots and tables in their order: the one query each that every page, the
scheduler's instance and the printed plans start from."""

from __future__ import annotations

import sqlalchemy as sa

from pic_events.events.models import Event
from pic_events.extensions import db
from pic_events.matchmaking.models import B2BTable, Slot


def event_slots(event: Event) -> list[Slot]:
    """The event's slots in time order."""
    return list(
        db.session.scalars(
            sa.select(Slot).where(Slot.event_id == event.id).order_by(Slot.starts_at, Slot.id)
        )
    )


def event_tables(event: Event) -> list[B2BTable]:
    """The event's tables in the organisers' order (their rooms loaded with them)."""
    return list(
        db.session.scalars(
            sa.select(B2BTable)
            .where(B2BTable.event_id == event.id)
            .order_by(B2BTable.position, B2BTable.id)
        )
    )
