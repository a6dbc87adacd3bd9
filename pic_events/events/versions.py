"""The one place that knows when an event's cached pages change: its versions.

Any flush that adds, changes or deletes a row of a tracked model gives the event(s) that row
belongs to a new `content_version` (what everyone sees: the event, its programme, rooms,
speakers ...), a new `seats_version` (places taken: registrations, chosen sessions) or a
new `b2b_version` (what the B2B pages show: meetings, requests, profiles, and the names of
people and organisations), in the same transaction. The modules that own those models say
which event a row belongs to (`track_content`, `track_seats`, `track_b2b`, `track_people`,
called from the app factory), so nothing here imports them and no service has to remember
to announce its changes: the API, the editor, the CLI and the demo seed all go through a
flush.

The versions live in the database, so every worker and host sees a change at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from pic_events.core import answer_cache
from pic_events.core.types import utcnow
from pic_events.events.models import Event, new_version

EventIds = Callable[[Any], Iterable[int | None]]
Kind = str  # "content", "seats" or "b2b"

# Event columns that are bookkeeping, not content: changing them alone bumps nothing.
BOOKKEEPING_FIELDS = frozenset(
    {"content_version", "seats_version", "b2b_version", "content_changed_at"}
)
PENDING_KEY = "event_versions_pending"
CHANGED_KEY = "event_versions_changed"  # a version moved in this transaction
KINDS: tuple[Kind, ...] = ("content", "seats", "b2b")

_sources: dict[Kind, dict[type, EventIds]] = {kind: {} for kind in KINDS}
_fields: dict[tuple[Kind, type], frozenset[str]] = {}  # only changes of these count
_everywhere: dict[type, frozenset[str]] = {}  # rows shown on the B2B pages of any event


def track_content(model: type, event_ids: EventIds) -> None:
    """Rows of `model` are shown on their event's public pages; `event_ids(row)` names the
    events (None for one not known yet: a new row is asked again after the flush)."""
    _sources["content"][model] = event_ids


def track_seats(model: type, event_ids: EventIds, fields: Iterable[str] = ()) -> None:
    """Rows of `model` change the places taken at their event: when added or deleted, and
    when one of `fields` changes (any field if none are named)."""
    _track("seats", model, event_ids, fields)


def track_b2b(model: type, event_ids: EventIds, fields: Iterable[str] = ()) -> None:
    """Rows of `model` are shown on their event's B2B pages (meetings, requests, profiles,
    slots ...): they change its `b2b_version`, as track_seats does the seats version."""
    _track("b2b", model, event_ids, fields)


def track_people(model: type, fields: Iterable[str]) -> None:
    """Rows of `model` (people, organisations) are shown by name on the B2B pages of any
    event: a change of one of `fields` gives every event a new `b2b_version`. Rare
    changes, so not worth finding the events a person is registered at."""
    _everywhere[model] = frozenset(fields)


def _track(kind: Kind, model: type, event_ids: EventIds, fields: Iterable[str]) -> None:
    _sources[kind][model] = event_ids
    if fields:
        _fields[(kind, model)] = frozenset(fields)


def install() -> None:
    """Listen to every ORM session's flushes (once)."""
    if not sa.event.contains(Session, "before_flush", _before_flush):
        sa.event.listen(Session, "before_flush", _before_flush)
        sa.event.listen(Session, "after_flush", _after_flush)
        sa.event.listen(Session, "after_commit", _after_commit)
        sa.event.listen(Session, "after_rollback", _after_rollback)


def _after_commit(session: Session) -> None:
    """This worker's kept anonymous answers are forgotten at once (core.answer_cache)."""
    if session.info.pop(CHANGED_KEY, False):
        answer_cache.forget_all()


def _after_rollback(session: Session) -> None:
    session.info.pop(CHANGED_KEY, None)


def _before_flush(session: Session, _context, _instances) -> None:
    found: dict[Kind, set[int]] = {kind: set() for kind in KINDS}
    everywhere = False
    new = [obj for obj in session.new if _tracked(obj)]
    for obj in session.dirty:
        if isinstance(obj, Event):
            _bump_loaded_event(session, obj)
            continue
        _collect(obj, found, only_modified=session)
        everywhere = everywhere or _changed(obj, _everywhere.get(type(obj)))
    for obj in session.deleted:
        _collect(obj, found)
    if new or everywhere or any(found.values()):
        pending = session.info.setdefault(PENDING_KEY, _Pending())
        pending.new.extend(new)
        pending.everywhere = pending.everywhere or everywhere
        for kind in KINDS:
            pending.found[kind].update(found[kind])


class _Pending:
    def __init__(self) -> None:
        self.new: list = []
        self.found: dict[Kind, set[int]] = {kind: set() for kind in KINDS}
        self.everywhere = False


def _after_flush(session: Session, _context) -> None:
    pending = session.info.pop(PENDING_KEY, None)
    if pending is None:
        return
    found = pending.found
    for obj in pending.new:
        _collect(obj, found)
    session.info[CHANGED_KEY] = True
    table = Event.__table__
    connection = session.connection()
    content, seats, b2b = found["content"], found["seats"], found["b2b"]
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
    if pending.everywhere or b2b:
        statement = sa.update(table)
        if not pending.everywhere:
            statement = statement.where(table.c.id.in_(sorted(b2b)))
        connection.execute(
            statement.values(b2b_version=new_version(), updated_at=table.c.updated_at)
        )


def _bump_loaded_event(session: Session, event: Event) -> None:
    state = sa.inspect(event)
    changed = {
        attr.key
        for attr in state.mapper.column_attrs
        if attr.key not in BOOKKEEPING_FIELDS and state.attrs[attr.key].history.has_changes()
    }
    if changed - {"updated_at"}:
        session.info[CHANGED_KEY] = True
        event.content_version = new_version()
        event.seats_version = new_version()
        event.b2b_version = new_version()  # the B2B pages show the event's times and name
        event.content_changed_at = utcnow()


def _changed(obj: Any, fields: frozenset[str] | None) -> bool:
    if fields is None:
        return False
    state = sa.inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in fields)


def _tracked(obj: Any) -> bool:
    return any(type(obj) in sources for sources in _sources.values())


def _collect(obj: Any, found: dict[Kind, set[int]], only_modified: Session | None = None) -> None:
    """The events `obj` belongs to, by kind; with `only_modified`, only for the kinds whose
    fields of it changed (a dirty row may have changed nothing that counts)."""
    for kind, sources in _sources.items():
        event_ids = sources.get(type(obj))
        if event_ids is None:
            continue
        if only_modified is not None and not _modified(only_modified, kind, obj):
            continue
        found[kind].update(i for i in event_ids(obj) if i is not None)


def _modified(session: Session, kind: Kind, obj: Any) -> bool:
    fields = _fields.get((kind, type(obj)))
    if fields is None:
        return session.is_modified(obj)
    return _changed(obj, fields)
