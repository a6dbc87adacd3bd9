"""A new edition of an event gets its B2B set-up (edition_created): the rules, the slots moved
by whole days (wall clock kept) and the tables in the rooms of the same name. Never the
profiles, requests or meetings: those belong to last year's participants."""

from __future__ import annotations

import sqlalchemy as sa

from pic_events.core.copying import shifted_columns
from pic_events.events.models import Event
from pic_events.extensions import db
from pic_events.matchmaking.models import B2BSettings, B2BTable, Slot
from pic_events.programme.models import Room


def copy_b2b_setup(source: Event, *, event: Event, days: int, **_kw) -> None:
    tz = source.timezone
    settings = db.session.get(B2BSettings, source.id)
    if settings is not None:
        values = shifted_columns(settings, B2BSettings, {"event_id", "updated_at"}, tz, days)
        values.update(frozen_at=None, self_booking_open=settings.booking_style != "both")
        db.session.add(B2BSettings(event_id=event.id, **values))
    for slot in db.session.scalars(sa.select(Slot).where(Slot.event_id == source.id)):
        values = shifted_columns(slot, Slot, {"id", "event_id"}, tz, days)
        db.session.add(Slot(event_id=event.id, **values))
    db.session.flush()  # the rooms copied by the programme get their ids
    rooms = {
        room.name: room.id
        for room in db.session.scalars(sa.select(Room).where(Room.event_id == event.id))
    }
    tables = db.session.scalars(sa.select(B2BTable).where(B2BTable.event_id == source.id))
    for table in tables:
        db.session.add(
            B2BTable(
                event_id=event.id,
                label=table.label,
                seats=table.seats,
                position=table.position,
                room_id=rooms.get(table.room.name) if table.room else None,
            )
        )
