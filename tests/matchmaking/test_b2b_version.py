"""An event's b2b_version moves with what its B2B pages show (meetings, requests, profiles,
availability, people's names) and with nothing else; other events keep theirs."""

from __future__ import annotations

from pic_events.events.models import Event
from pic_events.extensions import db
from pic_events.matchmaking import booking
from pic_events.matchmaking.models import MatchProfile, Unavailability
from tests.factories import b2b_slots, make_b2b_event, make_registration, make_user


def version(event: Event) -> str:
    db.session.expire_all()
    return db.session.get(Event, event.id).b2b_version


def test_a_meeting_booked_and_cancelled_moves_only_its_events_version(app):
    event, other = make_b2b_event(), make_b2b_event()
    ana, ben = (make_registration(event, make_user()) for _ in range(2))
    before, other_before = version(event), version(other)
    meeting = booking.book(event, [ana.id, ben.id], b2b_slots(event)[0].id)
    booked = version(event)
    assert booked != before
    assert version(other) == other_before
    content = db.session.get(Event, event.id).content_version
    booking.cancel(meeting, by=ana)
    assert version(event) != booked
    assert db.session.get(Event, event.id).content_version == content  # not the programme


def test_a_profile_and_an_unavailability_move_the_version(app):
    event = make_b2b_event()
    ana = make_registration(event, make_user())
    before = version(event)
    db.session.add(MatchProfile(registration_id=ana.id, offers="Cider yeasts"))
    db.session.commit()
    with_profile = version(event)
    assert with_profile != before
    db.session.add(Unavailability(registration_id=ana.id, slot_id=b2b_slots(event)[0].id))
    db.session.commit()
    assert version(event) != with_profile


def test_a_name_change_moves_every_events_version_a_login_does_not(app):
    event, other = make_b2b_event(), make_b2b_event()
    user = make_user(name="Ana Lima")
    make_registration(event, user)
    before = (version(event), version(other))
    user.email_verified_at = user.created_at  # not shown on B2B pages
    db.session.commit()
    assert (version(event), version(other)) == before
    user.name = "Ana Lima Souza"
    db.session.commit()
    assert version(event) != before[0] and version(other) != before[1]


def test_a_registration_listed_or_not_moves_the_version(app):
    event = make_b2b_event()
    registration = make_registration(event, make_user())
    before = version(event)
    registration.listed = False
    db.session.commit()
    assert version(event) != before
