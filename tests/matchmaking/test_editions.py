"""A new edition takes the B2B set-up along (rules, slots a year on, tables in their rooms),
and nothing personal."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from pic_events.core.timezones import to_zone
from pic_events.core.types import utcnow
from pic_events.extensions import db
from pic_events.matchmaking import booking
from pic_events.matchmaking.models import B2BSettings, B2BTable, Meeting, Slot
from pic_events.programme.editions import new_edition
from tests.factories import b2b_slots, make_b2b_event, make_registration, make_room


def test_a_new_edition_copies_rules_slots_and_tables_but_no_meeting(app):
    source = make_b2b_event(slots=3, tables=2, max_meetings=5, booking_style="both")
    room = make_room(source, "Espace B2B")
    tables = db.session.scalars(
        sa.select(B2BTable).where(B2BTable.event_id == source.id).order_by(B2BTable.position)
    ).all()
    tables[0].room_id = room.id
    db.session.get(B2BSettings, source.id).frozen_at = utcnow()
    db.session.commit()
    a, b = make_registration(source), make_registration(source)
    booking.book(source, [a.id, b.id], b2b_slots(source)[0].id, by_organiser=True)

    edition = new_edition(
        source, slug="next", title="Next year", starts_on=source.starts_on + timedelta(days=364)
    )

    settings = db.session.get(B2BSettings, edition.id)
    assert settings.enabled and settings.max_meetings == 5 and settings.booking_style == "both"
    assert settings.frozen_at is None and settings.self_booking_open is False
    old, new = b2b_slots(source), b2b_slots(edition)
    assert len(new) == 3
    for before, after in zip(old, new, strict=True):
        assert after.starts_at - before.starts_at == timedelta(days=364)
        assert (
            to_zone(after.starts_at, "Europe/Paris").time()
            == to_zone(before.starts_at, "Europe/Paris").time()
        )
    copied = db.session.scalars(
        sa.select(B2BTable).where(B2BTable.event_id == edition.id).order_by(B2BTable.position)
    ).all()
    assert [t.label for t in copied] == ["T1", "T2"]
    assert copied[0].room is not None and copied[0].room.event_id == edition.id
    assert copied[0].room.name == "Espace B2B" and copied[1].room is None
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(Meeting).where(Meeting.event_id == edition.id)
        )
        == 0
    )
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(Slot).where(Slot.event_id == source.id)
        )
        == 3
    )
