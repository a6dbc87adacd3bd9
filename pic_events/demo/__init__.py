"""Demo data: the PIC 2027 meeting in Angers. Every seeder is idempotent."""

from __future__ import annotations

from dataclasses import dataclass

from pic_events.demo.events import seed_event
from pic_events.demo.ideas import seed_ideas
from pic_events.demo.matchmaking import seed_matchmaking
from pic_events.demo.network import seed_network, seed_people, seed_steering_standing
from pic_events.demo.programme import seed_programme
from pic_events.demo.registrations import seed_registrations, seed_waitlist_event
from pic_events.extensions import db


@dataclass(frozen=True)
class DemoSummary:
    clusters: int
    organisations: int
    members: int
    event_slug: str


def seed_demo() -> DemoSummary:
    organisations = seed_network()
    organiser, members = seed_people(organisations)
    seed_steering_standing(organiser, members)
    event = seed_event()
    db.session.commit()
    seed_programme(event)
    seed_registrations(event, members)
    seed_waitlist_event(members)
    seed_matchmaking(event)
    seed_ideas(event)
    db.session.commit()
    clusters = {organisation.cluster_id for organisation in organisations}
    return DemoSummary(len(clusters), len(organisations), len(members), event.slug)
