"""The demo meeting: PIC Annual Meeting 2027, hosted by VEGEPOLYS VALLEY in Angers."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from pic_events.events.models import Event, EventStatus
from pic_events.extensions import db

DEMO_SLUG = "pic-2027"

DESCRIPTION = (
    "The annual meeting of the Plant InterCluster, hosted by VEGEPOLYS VALLEY in Angers, "
    "the heart of French plant-sector innovation.\n\n"
    "Three days to build European innovation projects (Horizon Europe, Interreg, Erasmus+): "
    "the steering committee, plenaries and thematic workshops, site visits in the Loire "
    "valley, the dinner, and a morning of B2B one-to-one meetings to find your partners."
)


def seed_event() -> Event:
    event = db.session.scalar(select(Event).where(Event.slug == DEMO_SLUG))
    if event is None:
        event = Event(
            slug=DEMO_SLUG,
            title="PIC Annual Meeting 2027",
            description=DESCRIPTION,
            venue="Centre de congrès Jean Monnier",
            city="Angers",
            country="FR",
            timezone="Europe/Paris",
            starts_on=date(2027, 6, 15),
            ends_on=date(2027, 6, 17),
            registration_opens=datetime(2026, 10, 1, 8, 0, tzinfo=UTC),
            registration_closes=datetime(2027, 5, 31, 21, 59, tzinfo=UTC),
            capacity=150,
            requires_approval=False,
            status=EventStatus.PUBLISHED.value,
            privacy_notice=(
                "VEGEPOLYS VALLEY processes your registration to organise the meeting. "
                "Your name, organisation and matchmaking profile are shown to other "
                "participants only if you choose so. Data are kept until 31 December 2028."
            ),
            retention_until=date(2028, 12, 31),
        )
        db.session.add(event)
        db.session.flush()
    return event
