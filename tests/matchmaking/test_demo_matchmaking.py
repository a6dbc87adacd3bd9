"""seed-demo turns matchmaking on for pic-2027: slots, tables, a listed profile for every
confirmed member, no meeting; a second run changes nothing."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app

from pic_events.demo import seed_demo
from pic_events.extensions import db
from pic_events.matchmaking import catalogue
from pic_events.matchmaking.models import B2BSettings, B2BTable, MatchProfile, Meeting, Slot
from pic_events.registration.models import Registration
from tests.factories import api_auth, make_organiser


def _snapshot():
    def rows(*columns):
        return sorted(db.session.execute(sa.select(*columns)).all())

    return (
        rows(B2BSettings.event_id, B2BSettings.enabled, B2BSettings.booking_style),
        rows(Slot.event_id, Slot.starts_at, Slot.ends_at),
        rows(B2BTable.label, B2BTable.seats, B2BTable.room_id),
        rows(
            MatchProfile.registration_id,
            MatchProfile.offers,
            MatchProfile.seeks,
        ),
    )


def test_demo_matchmaking_is_ready_and_idempotent(app):
    seed_demo()
    first = _snapshot()
    seed_demo()
    assert _snapshot() == first

    from pic_events.events.models import Event

    event = db.session.scalar(sa.select(Event).where(Event.slug == "pic-2027"))
    settings = db.session.get(B2BSettings, event.id)
    assert settings.enabled and settings.booking_style == "self"
    slots = db.session.scalars(
        sa.select(Slot).where(Slot.event_id == event.id).order_by(Slot.starts_at)
    ).all()
    paris = [s.starts_at.astimezone(ZoneInfo("Europe/Paris")) for s in slots]
    assert [t.strftime("%H:%M") for t in paris] == [
        "09:00",
        "09:25",
        "09:50",
        "10:15",
        "10:40",
        "11:05",
        "11:30",
        "11:55",
    ]
    assert all(t.date() == event.starts_on + timedelta(days=1) for t in paris)
    assert all((s.ends_at - s.starts_at).seconds == 20 * 60 for s in slots)
    tables = db.session.scalars(sa.select(B2BTable).where(B2BTable.event_id == event.id)).all()
    assert len(tables) == 30 and {t.seats for t in tables} == {2, 6}
    assert all(t.room and t.room.name == "Espace B2B" for t in tables)

    confirmed = db.session.scalars(
        sa.select(Registration).where(
            Registration.event_id == event.id, Registration.status == "confirmed"
        )
    ).all()
    assert len(confirmed) >= 60 and all(r.listed for r in confirmed)
    with_profile = set(db.session.scalars(sa.select(MatchProfile.registration_id)))
    assert {r.id for r in confirmed} <= with_profile
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Meeting)) == 0
    for profile in db.session.scalars(sa.select(MatchProfile)):
        assert profile.offers and profile.seeks and profile.sectors and profile.calls
        assert profile.partner_kinds

    # The demo is usable: accents found without accents, and suggestions with reasons.
    found = (
        current_app.test_client()
        .get(
            f"/api/v1/events/{event.slug}/participants?q=lodz",
            headers=api_auth(make_organiser()),
        )
        .get_json()["items"]
    )
    assert found and all("Łódź" in (p["organisation"] or "") + (p["cluster"] or "") for p in found)
    me = confirmed[0]
    suggestions = catalogue.recommendations(event, me, limit=5)
    assert len(suggestions) == 5 and all(s.reason for s in suggestions)
