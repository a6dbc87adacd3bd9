"""Which event a B2B row belongs to, for the event's `b2b_version`
(pic_events.events.versions): the B2B pages and the personal calendar are cached by it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import object_session

from pic_events.matchmaking.models import Slot
from pic_events.registration.models import Registration


def own_event(row: Any) -> Iterable[int | None]:
    """Rows with an event_id of their own (meetings, requests, slots, tables, settings)."""
    return [row.event_id]


def slot_event(row: Any) -> Iterable[int | None]:
    """Rows that name a slot (meeting seats, unavailabilities)."""
    return [_event_of(row, Slot, row.slot_id)]


def registration_event(row: Any) -> Iterable[int | None]:
    """Rows that name a registration (match profiles)."""
    return [_event_of(row, Registration, row.registration_id)]


def _event_of(row: Any, model: type, key: int | None) -> int | None:
    """The event_id of `model` row `key`: from the session's identity map when it is
    loaded, else one query on the flush's own connection (no autoflush inside a flush)."""
    if key is None:
        return None  # a new row: asked again after the flush
    session = object_session(row)
    if session is None:
        return None
    loaded = session.identity_map.get(sa.inspect(model).identity_key_from_primary_key([key]))
    if loaded is not None:
        return loaded.event_id
    table = model.__table__
    return session.connection().scalar(sa.select(table.c.event_id).where(table.c.id == key))
