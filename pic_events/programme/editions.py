"""A new edition of the annual meeting from an earlier one, as a draft event.

Copies the event's settings (registration settings included), rooms, the session
structure with speakers, the registration questions and, when matchmaking has them,
the B2B slots and tables. Everything moves by whole days: a session at 09:00 stays at
09:00 local time even when daylight saving differs between the two dates.
"""

from __future__ import annotations

import importlib
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from pic_events.core.types import UTCDateTime
from pic_events.core.validation import ServiceValidationError
from pic_events.events.models import Event, EventStatus
from pic_events.events.services import SLUG_PATTERN
from pic_events.extensions import db
from pic_events.programme.models import ProgrammeSession, Room, Speaker
from pic_events.programme.services import shift_wall_clock

# Event columns that belong to the new edition itself, not copied from the old one.
OWN_EVENT_COLUMNS = {
    "id",
    "slug",
    "title",
    "starts_on",
    "ends_on",
    "status",
    "programme_published",
    "created_at",
    "updated_at",
}
NEVER_COPIED = {"id", "event_id", "created_at", "updated_at"}
# (module, model) copied row by row when the module has them; children listed after.
OPTIONAL_COPIES = (
    ("pic_events.registration.models", "Question", ("options", "question_id")),
    ("pic_events.matchmaking.models", "Slot", None),
    ("pic_events.matchmaking.models", "Table", None),
)


def _errors(slug: str, title: str, starts_on: Any) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not title:
        errors["title"] = [_("A title is required.")]
    if not SLUG_PATTERN.match(slug):
        errors["slug"] = [_("Use lower-case letters, digits and single hyphens, e.g. pic-2027.")]
    elif db.session.scalar(select(Event.id).where(Event.slug == slug)) is not None:
        errors["slug"] = [_("Another event already uses this address.")]
    if not isinstance(starts_on, date):
        errors["starts_on"] = [_("A start date is required.")]
    return errors


def new_edition(source: Event, *, slug: str, title: str, starts_on: date) -> Event:
    """Copy `source` into a draft event starting on `starts_on`. Commits."""
    slug, title = (slug or "").strip().lower(), (title or "").strip()
    errors = _errors(slug, title, starts_on)
    if errors:
        raise ServiceValidationError(errors)
    days = (starts_on - source.starts_on).days
    tz = source.timezone
    event = Event(
        slug=slug,
        title=title,
        starts_on=starts_on,
        ends_on=source.ends_on + (starts_on - source.starts_on),
        status=EventStatus.DRAFT.value,
        programme_published=False,
        **_shifted_columns(source, Event, OWN_EVENT_COLUMNS, tz, days),
    )
    db.session.add(event)
    db.session.flush()
    rooms = _copy_rooms(source, event)
    _copy_sessions(source, event, rooms, days)
    for module, model_name, children in OPTIONAL_COPIES:
        model = _optional_model(module, model_name)
        if model is not None:
            _copy_rows(model, source, event, days, children)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise ServiceValidationError(
            {"slug": [_("Another event already uses this address.")]}
        ) from None
    return event


def _optional_model(module: str, name: str):
    try:
        return getattr(importlib.import_module(module), name, None)
    except ImportError:
        return None


def _shifted_columns(row, model, skip: set[str], tz: str, days: int) -> dict[str, Any]:
    """Every column but `skip`, with instants moved `days` on (wall clock) and dates too."""
    values = {}
    for column in sa.inspect(model).columns:
        if column.key in skip:
            continue
        value = getattr(row, column.key)
        if isinstance(column.type, UTCDateTime) and isinstance(value, datetime):
            value = shift_wall_clock(value, tz, days)
        elif isinstance(value, date) and not isinstance(value, datetime):
            value = date.fromordinal(value.toordinal() + days)
        values[column.key] = value
    return values


def _copy_rooms(source: Event, event: Event) -> dict[int, Room]:
    rooms = {}
    for room in db.session.scalars(select(Room).where(Room.event_id == source.id)):
        rooms[room.id] = Room(
            event_id=event.id,
            name=room.name,
            location=room.location,
            capacity=room.capacity,
            position=room.position,
        )
        db.session.add(rooms[room.id])
    return rooms


def _copy_sessions(source: Event, event: Event, rooms: dict[int, Room], days: int) -> None:
    tz = source.timezone
    sessions = db.session.scalars(
        select(ProgrammeSession).where(ProgrammeSession.event_id == source.id)
    )
    for session in sessions:
        db.session.add(
            ProgrammeSession(
                event_id=event.id,
                kind=session.kind,
                title=session.title,
                description=session.description,
                starts_at=shift_wall_clock(session.starts_at, tz, days),
                ends_at=shift_wall_clock(session.ends_at, tz, days),
                room=rooms.get(session.room_id),
                capacity=session.capacity,
                must_choose=session.must_choose,
                restricted=session.restricted,
                speakers=[
                    Speaker(name=s.name, organisation=s.organisation, role=s.role, position=i)
                    for i, s in enumerate(session.speakers)
                ],
            )
        )


def _copy_rows(model, source: Event, event: Event, days: int, children) -> None:
    """Copy a model's rows of `source` generically: all columns but ids, times shifted."""
    if "event_id" not in sa.inspect(model).columns:
        return
    tz = source.timezone
    for row in db.session.scalars(select(model).where(model.event_id == source.id)):
        copy = model(event_id=event.id, **_shifted_columns(row, model, NEVER_COPIED, tz, days))
        if children:
            attribute, parent_key = children
            for child in getattr(row, attribute, []):
                child_model = type(child)
                getattr(copy, attribute).append(
                    child_model(
                        **_shifted_columns(
                            child, child_model, NEVER_COPIED | {parent_key}, tz, days
                        )
                    )
                )
        db.session.add(copy)
