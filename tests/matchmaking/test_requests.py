"""requests.py: send, accept, decline, cancel, expire and nudge meeting requests."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from pic_events.core.types import utcnow
from pic_events.core.validation import NotFoundError, ServiceValidationError
from pic_events.extensions import db
from pic_events.matchmaking import booking, requests, slots
from pic_events.matchmaking.booking import BookingConflict
from pic_events.matchmaking.models import (
    B2BSettings,
    Meeting,
    MeetingRequest,
    NudgeSent,
    Unavailability,
)
from pic_events.notifications.models import OutboxMessage
from tests.factories import b2b_slots, make_b2b_event, make_registration, make_user


def people(event, n, **kw):
    return [make_registration(event, make_user(name=f"Person {i}"), **kw) for i in range(n)]


def subjects():
    return db.session.scalars(sa.select(OutboxMessage.subject).order_by(OutboxMessage.id)).all()


def settings(event):
    return db.session.get(B2BSettings, event.id)


def test_send_and_accept_books_the_proposed_slot_in_one_go(app):
    event = make_b2b_event()
    ana, ben = people(event, 2)
    slot = b2b_slots(event)[1]
    request = requests.send_request(event, ana, ben.id, message="Seeds?", slot_id=slot.id)
    assert request.status == "pending" and request.proposed_slot_id == slot.id
    assert request.expires_at > utcnow() + timedelta(hours=71)
    assert subjects() == ["B2B meeting request from Person 0"]
    request, meeting = requests.accept(request.id, ben)
    assert request.status == "accepted" and meeting.slot_id == slot.id
    assert meeting.request_id == request.id and sorted(meeting.registration_ids) == sorted(
        [ana.id, ben.id]
    )
    assert sum("B2B meeting confirmed" in s for s in subjects()) == 2


def test_accept_in_another_common_free_slot(app):
    event = make_b2b_event()
    ana, ben = people(event, 2)
    first, second = b2b_slots(event)[:2]
    request = requests.send_request(event, ana, ben.id, slot_id=first.id)
    _, meeting = requests.accept(request.id, ben, slot_id=second.id)
    assert meeting.slot_id == second.id


def test_accept_refused_when_the_slot_was_taken_meanwhile_changes_nothing(app):
    event = make_b2b_event()
    ana, ben, cleo = people(event, 3)
    slot = b2b_slots(event)[0]
    request = requests.send_request(event, ana, ben.id, slot_id=slot.id)
    booking.book(event, [ana.id, cleo.id], slot.id)
    with pytest.raises(BookingConflict) as refused:
        requests.accept(request.id, ben)
    assert refused.value.code == "participant_busy"
    assert "Person 0 already has a meeting at 09:00" in str(refused.value)
    db.session.expire_all()
    assert db.session.get(MeetingRequest, request.id).status == "pending"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (
            lambda s: setattr(s, "request_deadline", utcnow() - timedelta(hours=1)),
            "requests_closed",
        ),  # noqa: E501
        (lambda s: setattr(s, "frozen_at", utcnow()), "frozen"),
        (lambda s: setattr(s, "enabled", False), "requests_closed"),
    ],
)
def test_requests_closed(app, change, code):
    event = make_b2b_event()
    ana, ben = people(event, 2)
    change(settings(event))
    db.session.commit()
    with pytest.raises(BookingConflict) as refused:
        requests.send_request(event, ana, ben.id, slot_id=b2b_slots(event)[0].id)
    assert refused.value.code == code
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MeetingRequest)) == 0


def test_refusals_of_send(app):
    event = make_b2b_event()
    ana, ben = people(event, 2)
    hidden = make_registration(event, make_user(), listed=False)
    waiting = make_registration(event, make_user(), status="waitlisted")
    slot = b2b_slots(event)[0]
    with pytest.raises(ServiceValidationError) as refused:
        requests.send_request(event, ana, ana.id, slot_id=slot.id)
    assert "recipient" in refused.value.errors
    with pytest.raises(ServiceValidationError) as refused:
        requests.send_request(event, ana, ben.id)
    assert "slot" in refused.value.errors
    for other in (hidden, waiting):
        with pytest.raises(NotFoundError):
            requests.send_request(event, ana, other.id, slot_id=slot.id)
    with pytest.raises(BookingConflict) as refused:
        requests.send_request(event, hidden, ana.id, slot_id=slot.id)
    assert refused.value.code == "not_listed"
    with pytest.raises(BookingConflict) as refused:
        requests.send_request(event, waiting, ana.id, slot_id=slot.id)
    assert refused.value.code == "not_registered"
    requests.send_request(event, ana, ben.id, slot_id=slot.id)
    with pytest.raises(BookingConflict) as refused:
        requests.send_request(event, ben, ana.id, slot_id=slot.id)
    assert refused.value.code == "already_requested"


def test_the_unique_index_is_the_final_word_on_a_second_live_request(app, monkeypatch):
    event = make_b2b_event()
    ana, ben = people(event, 2)
    slot = b2b_slots(event)[0]
    requests.send_request(event, ana, ben.id, slot_id=slot.id)
    # As if two requests passed the check at the same moment:
    monkeypatch.setattr(requests, "live_request_between", lambda a, b: None)
    with pytest.raises(BookingConflict) as refused:
        requests.send_request(event, ben, ana.id, slot_id=slot.id)
    assert refused.value.code == "already_requested"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MeetingRequest)) == 1
    assert len(subjects()) == 1


def test_a_slot_not_free_for_both_is_refused(app):
    event = make_b2b_event()
    ana, ben = people(event, 2)
    slot = b2b_slots(event)[0]
    db.session.add(Unavailability(registration_id=ben.id, slot_id=slot.id))
    db.session.commit()
    with pytest.raises(BookingConflict) as refused:
        requests.send_request(event, ana, ben.id, slot_id=slot.id)
    assert refused.value.code == "slot_not_free"


def test_organiser_style_accepts_without_a_meeting(app):
    event = make_b2b_event(booking_style="organiser")
    ana, ben = people(event, 2)
    request = requests.send_request(event, ana, ben.id, message="Hello", slot_id=99)
    assert request.proposed_slot_id is None
    request, meeting = requests.accept(request.id, ben)
    assert meeting is None and request.status == "accepted"
    assert subjects()[-1] == "B2B meeting request accepted by Person 1"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Meeting)) == 0
    mine = requests.requests_of(event, ana)
    assert [r.id for r in mine.unscheduled] == [request.id]


def test_decline_with_reason_and_only_the_recipient_answers(app):
    event = make_b2b_event()
    ana, ben = people(event, 2)
    request = requests.send_request(event, ana, ben.id, slot_id=b2b_slots(event)[0].id)
    with pytest.raises(BookingConflict) as refused:
        requests.accept(request.id, ana)
    assert refused.value.code == "not_recipient"
    with pytest.raises(BookingConflict):
        requests.decline(request.id, ana)
    outsider = make_registration(event, make_user())
    with pytest.raises(NotFoundError):
        requests.decline(request.id, outsider)
    requests.decline(request.id, ben, reason="  Not my sector  ")
    db.session.expire_all()
    request = db.session.get(MeetingRequest, request.id)
    assert request.status == "declined" and request.decline_reason == "Not my sector"
    assert subjects()[-1] == "B2B meeting request declined by Person 1"
    with pytest.raises(BookingConflict) as refused:
        requests.accept(request.id, ben)
    assert refused.value.code == "request_declined"
    # A declined request is not live: they may ask again.
    again = requests.send_request(event, ben, ana.id, slot_id=b2b_slots(event)[0].id)
    assert again.status == "pending"


def test_cancel_pending_by_sender_and_accepted_cancels_the_meeting(app):
    event = make_b2b_event()
    ana, ben = people(event, 2)
    first = b2b_slots(event)[0]
    request = requests.send_request(event, ana, ben.id, slot_id=first.id)
    with pytest.raises(BookingConflict) as refused:
        requests.cancel(request.id, ben)
    assert refused.value.code == "not_sender"
    requests.cancel(request.id, ana)
    assert db.session.get(MeetingRequest, request.id).status == "cancelled"
    assert subjects()[-1] == "B2B meeting request withdrawn by Person 0"

    request = requests.send_request(event, ana, ben.id, slot_id=first.id)
    _, meeting = requests.accept(request.id, ben)
    requests.cancel(request.id, ben)
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).status == "cancelled"
    assert db.session.get(MeetingRequest, request.id).status == "cancelled"
    assert subjects()[-1].startswith("B2B meeting cancelled")
    assert slots.common_free_slots(event, [ana, ben])[0].id == first.id


def test_expire_lazily_and_by_command(app):
    event = make_b2b_event(request_lifetime_hours=2)
    ana, ben, cleo = people(event, 3)
    slot = b2b_slots(event)[0]
    old = utcnow() - timedelta(hours=3)
    first = requests.send_request(event, ana, ben.id, slot_id=slot.id, now=old)
    with pytest.raises(BookingConflict) as refused:
        requests.accept(first.id, ben)
    assert refused.value.code == "request_expired"
    db.session.expire_all()
    assert db.session.get(MeetingRequest, first.id).status == "expired"
    assert subjects()[-1] == "B2B meeting request expired: Person 1"

    second = requests.send_request(event, ana, cleo.id, slot_id=slot.id, now=old)
    assert requests.requests_of(event, cleo).received == []
    assert db.session.get(MeetingRequest, second.id).status == "expired"

    requests.send_request(event, ben, cleo.id, slot_id=slot.id, now=old)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["expire-requests"])
    assert result.exit_code == 0 and "1 meeting request(s) expired" in result.output


def test_nudge_once_per_person(app):
    event = make_b2b_event()
    ana, ben, cleo, dan = people(event, 4)
    make_registration(event, make_user(), listed=False)
    requests.send_request(event, ana, ben.id, slot_id=b2b_slots(event)[0].id)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["nudge-b2b", event.slug])
    assert result.exit_code == 0, result.output
    assert f"{event.slug}: 2 nudge(s) sent." in result.output
    nudged = set(db.session.scalars(sa.select(NudgeSent.registration_id)))
    assert nudged == {cleo.id, dan.id}
    result = runner.invoke(args=["nudge-b2b", "--all"])
    assert f"{event.slug}: 0 nudge(s) sent." in result.output
    assert sum(s.startswith("Find your partners") for s in subjects()) == 2
    assert runner.invoke(args=["nudge-b2b"]).exit_code != 0


def test_nudge_loses_a_race_quietly(app, monkeypatch):
    event = make_b2b_event()
    (ana,) = people(event, 1)
    candidates = requests.nudge_candidates(event)
    db.session.add(NudgeSent(registration_id=ana.id))  # another run, just now
    db.session.commit()
    monkeypatch.setattr(requests, "nudge_candidates", lambda e: candidates)
    assert requests.nudge(event) == 0
    assert subjects() == []


def test_slot_statuses_and_unavailability(app):
    event = make_b2b_event(tables=1)
    ana, ben, cleo, dan = people(event, 4)
    first, second, third, _fourth = b2b_slots(event)
    booking.book(event, [ana.id, ben.id], first.id)
    slots.set_unavailability(event, ana, [second.id])
    statuses = {s.slot.id: s for s in slots.slot_statuses(event, ana)}
    assert statuses[first.id].status == "busy" and statuses[first.id].free_tables == 0
    assert statuses[second.id].status == "unavailable" and statuses[second.id].marked
    assert statuses[third.id].status == "free" and statuses[third.id].free_tables == 1
    # No table left in the first slot: not common to cleo and dan either.
    assert [s.id for s in slots.common_free_slots(event, [cleo, dan])][0] == second.id
    assert first.id not in {s.id for s in slots.common_free_slots(event, [ana, cleo])}
    with pytest.raises(BookingConflict) as refused:
        slots.set_unavailability(event, ana, [first.id, third.id])
    assert refused.value.code == "has_meeting"
    assert "You have a meeting at 09:00 with Person 1" in str(refused.value)
    assert slots.marked_slot_ids(ana) == {second.id}
    slots.set_unavailability(event, ana, [third.id])
    assert slots.marked_slot_ids(ana) == {third.id}
    settings(event).frozen_at = utcnow()
    db.session.commit()
    with pytest.raises(BookingConflict) as refused:
        slots.set_unavailability(event, ana, [])
    assert refused.value.code == "frozen"
    with pytest.raises(ServiceValidationError):
        settings(event).frozen_at = None
        db.session.commit()
        slots.set_unavailability(event, ana, [123456])
