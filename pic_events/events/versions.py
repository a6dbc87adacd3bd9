"""The one place that knows when an event's public pages change: its content version.

Any flush that adds, changes or deletes a row of a tracked model gives the event(s) that row
belongs to a new `content_version` (what everyone sees: the event, its programme, rooms,
speakers ...) or a new `seats_version` (places taken: registrations, chosen sessions), in
the same transaction. The modules that own those models say which event a row belongs to
(`track_content`, `track_seats`, called from the app factory), so nothing here imports them
and no service has to remember to announce its changes: the API, the editor, the CLI and
the demo seed all go through a flush.

The versions live in the database, so every worker and host sees a change at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from pic_events.core.types import utcnow
from pic_events.events.models import Event, new_version

EventIds = Callable[[Any], Iterable[int | None]]

# Event columns that are bookkeeping, not content: changing them alone bumps nothing.
BOOKKEEPING_FIELDS = frozenset({"content_version", "seats_version", "content_changed_at"})
PENDING_KEY = "event_versions_pending"

_content_sources: dict[type, EventIds] = {}
_seat_sources: dict[type, EventIds] = {}
_fields: dict[type, frozenset[str]] = {}  # only changes of these count (default: any)


def track_content(model: type, event_ids: EventIds) -> None:
    """Rows of `model` are shown on their event's public pages; `event_ids(row)` names the
    events (None for one not known yet: a new row is asked again after the flush)."""
    _content_sources[model] = event_ids


def track_seats(model: type, event_ids: EventIds, fields: Iterable[str] = ()) -> None:
    """Rows of `model` change the places taken at their event: when added or deleted, and
    when one of `fields` changes (any field if none are named)."""
    _seat_sources[model] = event_ids
    if fields:
        _fields[model] = frozenset(fields)


def install() -> None:
    """Listen to every ORM session's flushes (once)."""
    if not sa.event.contains(Session, "before_flush", _before_flush):
        sa.event.listen(Session, "before_flush", _before_flush)
        sa.event.listen(Session, "after_flush", _after_flush)


def _before_flush(session: Session, _context, _instances) -> None:
    content: set[int] = set()
    seats: set[int] = set()
    new = [obj for obj in session.new if _tracked(obj)]
    for obj in session.dirty:
        if isinstance(obj, Event):
            _bump_loaded_event(session, obj)
        elif _tracked(obj) and _modified(session, obj):
            _collect(obj, content, seats)
    for obj in session.deleted:
        _collect(obj, content, seats)
    if content or seats or new:
        pending = session.info.setdefault(PENDING_KEY, ([], set(), set()))
        pending[0].extend(new)
        pending[1].update(content)
        pending[2].update(seats)


def _after_flush(session: Session, _context) -> None:
    pending = session.info.pop(PENDING_KEY, None)
    if pending is None:
        return
    new, content, seats = pending
    for obj in new:
        _collect(obj, content, seats)
    table = Event.__table__
    connection = session.connection()
    if content:  # cached pages show places too: a new programme counts them again
        connection.execute(
            sa.update(table)
            .where(table.c.id.in_(sorted(content)))
            .values(
                content_version=new_version(),
                seats_version=new_version(),
                content_changed_at=utcnow(),
            )
        )
    if seats - content:
        connection.execute(
            sa.update(table)
            .where(table.c.id.in_(sorted(seats - content)))
            .values(
                seats_version=new_version(),
                content_changed_at=utcnow(),
                updated_at=table.c.updated_at,  # the event itself did not change
            )
        )


def _bump_loaded_event(session: Session, event: Event) -> None:
    state = sa.inspect(event)
    changed = {
        attr.key
        for attr in state.mapper.column_attrs
        if attr.key not in BOOKKEEPING_FIELDS and state.attrs[attr.key].history.has_changes()
    }
    if changed - {"updated_at"}:
        event.content_version = new_version()
        event.seats_version = new_version()
        event.content_changed_at = utcnow()


def _modified(session: Session, obj: Any) -> bool:
    fields = _fields.get(type(obj))
    if fields is None:
        return session.is_modified(obj)
    state = sa.inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in fields)


def _tracked(obj: Any) -> bool:
    return type(obj) in _content_sources or type(obj) in _seat_sources


def _collect(obj: Any, content: set[int], seats: set[int]) -> None:
    for sources, bucket in ((_content_sources, content), (_seat_sources, seats)):
        event_ids = sources.get(type(obj))
        if event_ids is not None:
            bucket.update(i for i in event_ids(obj) if i is not None)
