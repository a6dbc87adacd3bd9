"""B2B requests, meetings, outcomes and availability in the data export, account deletion and
anonymisation."""

from __future__ import annotations

import sqlalchemy as sa

from pic_events.extensions import db
from pic_events.matchmaking import booking, requests, slots
from pic_events.matchmaking.models import (
    Meeting,
    MeetingOutcome,
    MeetingRequest,
    NudgeSent,
    Unavailability,
)
from pic_events.notifications.models import OutboxMessage
from pic_events.registration import privacy
from tests.factories import b2b_slots, make_b2b_event, make_registration, make_user


def _people(event, *names):
    return [make_registration(event, make_user(name=name)) for name in names]


def test_export_holds_requests_meetings_outcomes_and_availability(app):
    event = make_b2b_event()
    ana, ben, cleo = _people(event, "Ana", "Ben", "Cleo")
    first, second, third, _ = b2b_slots(event)
    request = requests.send_request(event, ana, ben.id, message="Seeds?", slot_id=first.id)
    requests.accept(request.id, ben)
    requests.send_request(event, cleo, ana.id, message="Cider?", slot_id=second.id)
    slots.set_unavailability(event, ana, [third.id])
    meeting = db.session.scalar(sa.select(Meeting))
    db.session.add(MeetingOutcome(meeting_id=meeting.id, registration_id=ana.id, took_place=True))
    db.session.commit()
    data = privacy.export_user_data(ana.user)
    (section,) = data["b2b_meetings"]
    assert section["event"] == event.slug
    assert {(r["direction"], r["with"], r["message"]) for r in section["requests"]} == {
        ("sent", "Ben", "Seeds?"),
        ("received", "Cleo", "Cider?"),
    }
    assert section["meetings"][0]["with"] == ["Ben"] and section["meetings"][0]["table"] == "T1"
    assert section["outcomes"] == [{"meeting_id": meeting.id, "took_place": True, "rating": None}]
    assert section["unavailable_slots"] == [third.starts_at.isoformat()]
    assert section["nudged_at"] is None


def test_export_says_when_i_was_nudged(app):
    event = make_b2b_event()
    (ana,) = _people(event, "Ana")
    assert requests.nudge(event) == 1
    (section,) = privacy.export_user_data(ana.user)["b2b_meetings"]
    assert section["nudged_at"] is not None


def test_account_deletion_cancels_meetings_tells_the_others_and_forgets_messages(app):
    event = make_b2b_event()
    ana, ben, cleo = _people(event, "Ana", "Ben", "Cleo")
    first, second, third, _ = b2b_slots(event)
    request = requests.send_request(event, ana, ben.id, message="Seeds?", slot_id=first.id)
    requests.accept(request.id, ben)
    pending = requests.send_request(event, ana, cleo.id, message="Private", slot_id=second.id)
    slots.set_unavailability(event, ana, [third.id])
    db.session.add(NudgeSent(registration_id=ana.id))
    db.session.commit()
    privacy.delete_account(ana.user)
    db.session.expire_all()
    meeting = db.session.scalar(sa.select(Meeting))
    assert meeting.status == "cancelled" and not any(s.live for s in meeting.seats)
    assert "Ana" not in meeting.cancel_reason  # the reason kept does not name the person
    assert {r.message for r in db.session.scalars(sa.select(MeetingRequest))} == {""}
    assert db.session.get(MeetingRequest, pending.id).status == "cancelled"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Unavailability)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(NudgeSent)) == 0
    to_ben = db.session.scalars(
        sa.select(OutboxMessage.subject).where(OutboxMessage.recipient.contains(ben.user.email))
    ).all()
    assert any(s.startswith("B2B meeting cancelled") for s in to_ben)


def test_anonymising_cancels_live_meetings_and_withdraws_requests(app):
    event = make_b2b_event()
    ana, ben, cleo = _people(event, "Ana", "Ben", "Cleo")
    first, second = b2b_slots(event)[:2]
    meeting = booking.book(event, [ana.id, ben.id], first.id)
    pending = requests.send_request(event, cleo, ana.id, message="Hello", slot_id=second.id)
    requests.decline(pending.id, ana, reason="My reason")
    privacy.anonymise(ana)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).status == "cancelled"
    declined = db.session.get(MeetingRequest, pending.id)
    assert declined.decline_reason == "" and declined.message == "Hello"  # Cleo wrote that


def test_the_reason_i_typed_to_cancel_is_forgotten_with_me_and_theirs_stays(app):
    event = make_b2b_event()
    ana, ben, cleo = _people(event, "Ana", "Ben", "Cleo")
    first, second = b2b_slots(event)[:2]
    mine = booking.book(event, [ana.id, ben.id], first.id)
    theirs = booking.book(event, [ana.id, cleo.id], second.id)
    booking.cancel(mine, by=ana, reason="My daughter is ill")
    booking.cancel(theirs, by=cleo, reason="Our stand needs me")
    privacy.delete_account(ana.user)
    db.session.expire_all()
    assert db.session.get(Meeting, mine.id).cancel_reason == ""
    assert db.session.get(Meeting, theirs.id).cancel_reason == "Our stand needs me"
