"""Copying an event's rows into a new edition, moved by whole days (wall clock kept).

Used by the receivers of `signals.edition_created`: each module copies its own rows.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from pic_events.core.timezones import shift_wall_clock
from pic_events.core.types import UTCDateTime
from pic_events.extensions import db

NEVER_COPIED = {"id", "event_id", "created_at", "updated_at"}


def shifted_columns(row, model, skip: set[str], tz: str, days: int) -> dict[str, Any]:
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


def copy_event_rows(
    model, source, event, days: int, children: tuple[str, str] | None = None
) -> None:
    """Add a copy of each of `source`'s rows of `model` to `event` (not committed).

    `children` is (relationship, foreign key to the parent): those rows are copied along."""
    tz = source.timezone
    for row in db.session.scalars(sa.select(model).where(model.event_id == source.id)):
        copy = model(event_id=event.id, **shifted_columns(row, model, NEVER_COPIED, tz, days))
        if children:
            attribute, parent_key = children
            for child in getattr(row, attribute):
                child_model = type(child)
                skip = NEVER_COPIED | {parent_key}
                getattr(copy, attribute).append(
                    child_model(**shifted_columns(child, child_model, skip, tz, days))
                )
        db.session.add(copy)
