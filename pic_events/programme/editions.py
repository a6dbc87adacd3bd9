"""A new edition of the annual meeting from an earlier one, as a draft event.

Copies the event's settings (registration settings included), rooms and the session
structure with speakers; then every other module copies its own rows (registration
questions, later B2B slots and tables) as a receiver of `signals.edition_created`. A
receiver that fails stops the copy: the edition is not created. Everything moves by whole
days: a session at 09:00 stays at 09:00 local time even when daylight saving differs.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from pic_events.core import signals
from pic_events.core.copying import shifted_columns
from pic_events.core.timezones import shift_wall_clock
from pic_events.core.validation import ServiceValidationError
from pic_events.events.models import Event, EventStatus
from pic_events.events.services import SLUG_PATTERN
from pic_events.extensions import db
from pic_events.programme.models import ProgrammeSession, Room, Speaker

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
        **shifted_columns(source, Event, OWN_EVENT_COLUMNS, tz, days),
    )
    try:
        db.session.add(event)
        db.session.flush()
        rooms = _copy_rooms(source, event)
        _copy_sessions(source, event, rooms, days)
        signals.edition_created.send(source, event=event, days=days)
        db.session.commit()
    except IntegrityError as error:
        db.session.rollback()
        if "slug" not in str(error.orig):
            raise
        raise ServiceValidationError(
            {"slug": [_("Another event already uses this address.")]}
        ) from None
    except BaseException:
        db.session.rollback()  # a receiver failed: no half-copied edition
        raise
    return event


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
