"""Demo seeding: everyone confirmed with answers; a nearly full webinar; idempotent."""

from __future__ import annotations

from collections import Counter

import sqlalchemy as sa

from pic_events.demo.registrations import seed_registrations, seed_waitlist_event
from pic_events.extensions import db
from pic_events.registration import services
from pic_events.registration.models import AuditLog, OptionPick, Question, Registration
from pic_events.registration.services import RegistrationInput
from tests.factories import make_event, make_user


def _snapshot() -> tuple:
    def count(model):
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))

    return tuple(count(m) for m in (Registration, Question, OptionPick, AuditLog))


def test_seeding_twice_changes_nothing_and_respects_choice_capacities(app):
    event = make_event(slug="pic-2027")
    members = [make_user() for _ in range(60)]
    seed_registrations(event, members)
    webinar = seed_waitlist_event(members)
    first = _snapshot()
    seed_registrations(event, members)
    assert seed_waitlist_event(members).id == webinar.id
    assert _snapshot() == first

    statuses = Counter(
        db.session.scalars(sa.select(Registration.status).where(Registration.event_id == event.id))
    )
    assert statuses == {"confirmed": 60}
    diet, dinner, visit = services.event_questions(event)
    assert visit.kind == "single_choice" and dinner.kind == "yes_no"
    taken = services.option_places_taken({o.id for o in visit.options})
    for option in visit.options:
        assert option.capacity is None or taken.get(option.id, 0) <= option.capacity

    assert webinar.slug == "pic-webinar-2027" and webinar.registration_is_open()
    assert services.free_seats(webinar) == 1
    # The waiting list can be tried: the 12th takes the last seat, the 13th waits.
    outsiders = [make_user(), make_user()]
    statuses = [
        services.register(webinar, u, RegistrationInput(consent=True)).status for u in outsiders
    ]
    assert statuses == ["confirmed", "waitlisted"]


def test_the_demo_marks_the_steering_representatives_only(app):
    from pic_events.accounts.models import User
    from pic_events.accounts.standing import has_steering_standing
    from pic_events.demo import seed_demo
    from pic_events.events.models import Event

    seed_demo()
    members = db.session.scalars(sa.select(User).where(User.role == "member")).all()
    with_standing = [m for m in members if has_steering_standing(m)]
    clusters = {m.cluster.id for m in with_standing}
    assert len(with_standing) == len(clusters) == 12
    assert all(m.cluster.steering_committee for m in with_standing)
    in_steering_clusters = [m for m in members if m.cluster and m.cluster.steering_committee]
    assert len(in_steering_clusters) > 12  # the others of those clusters have no standing
    since = {m.id: m.steering_member_since for m in with_standing}

    seed_demo()
    db.session.expire_all()
    again = db.session.scalars(sa.select(User).where(User.steering_member_since.is_not(None)))
    assert {m.id: m.steering_member_since for m in again} == since
    categories = dict(
        db.session.execute(
            sa.select(Registration.user_id, Registration.category)
            .join(Event, Event.id == Registration.event_id)
            .where(Event.slug == "pic-2027")
        ).all()
    )
    assert {uid for uid, c in categories.items() if c == "steering"} == set(since)
