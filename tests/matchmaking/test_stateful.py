"""Random sequences of request / accept / decline / cancel / move / expire / availability /
unregister through the services; every invariant, counted by SQL, after each step."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from pic_events.core.types import utcnow
from pic_events.core.validation import Conflict, NotFoundError, ServiceValidationError
from pic_events.extensions import db
from pic_events.matchmaking import booking, requests, slots
from pic_events.matchmaking.models import Meeting, MeetingRequest
from pic_events.registration import services as registration_services
from pic_events.registration.models import Registration
from tests.conftest import _app_on, _empty_tables, backend_url
from tests.factories import b2b_slots, make_b2b_event, make_registration, make_user
from tests.matchmaking.test_races import violations

REFUSALS = (Conflict, ServiceValidationError, NotFoundError)
PEOPLE = 5


@pytest.fixture
def sqlite_app(tmp_path_factory) -> Iterator[Flask]:
    yield from _app_on(backend_url("sqlite", tmp_path_factory, name="stateful"))


class Booking(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        _empty_tables()
        self.event = make_b2b_event(slots=4, tables=2, max_meetings=3)
        self.people = [
            make_registration(self.event, make_user(name=f"P{i}")).id for i in range(PEOPLE)
        ]
        self.slot_ids = [s.id for s in b2b_slots(self.event)]
        self.refused: dict[str, int] = {}

    def _person(self, i: int) -> Registration:
        return db.session.get(Registration, self.people[i % PEOPLE])

    def _pick(self, model, i: int, *conditions):
        ids = db.session.scalars(sa.select(model.id).where(*conditions).order_by(model.id)).all()
        return ids[i % len(ids)] if ids else None

    def _try(self, action) -> None:
        try:
            action()
        except REFUSALS as error:
            code = getattr(error, "code", type(error).__name__)
            self.refused[code] = self.refused.get(code, 0) + 1
        db.session.expire_all()

    @rule(a=st.integers(0, PEOPLE - 1), b=st.integers(0, PEOPLE - 1), s=st.integers(0, 3))
    def send(self, a, b, s):
        sender, recipient_id = self._person(a), self.people[b]
        self._try(
            lambda: requests.send_request(
                self.event, sender, recipient_id, message="hi", slot_id=self.slot_ids[s]
            )
        )

    @rule(a=st.integers(0, PEOPLE - 1), b=st.integers(1, PEOPLE - 1), s=st.integers(0, 3))
    def send_and_accept(self, a, b, s):
        sender, recipient = self._person(a), self._person(a + b)
        slot_id = self.slot_ids[s]

        def both():
            request = requests.send_request(self.event, sender, recipient.id, slot_id=slot_id)
            requests.accept(request.id, recipient)

        self._try(both)

    @rule(i=st.integers(0, 50), s=st.none() | st.integers(0, 3))
    def accept(self, i, s):
        request_id = self._pick(MeetingRequest, i, MeetingRequest.status == "pending")
        if request_id is None:
            return
        request = db.session.get(MeetingRequest, request_id)
        me = self._person(self.people.index(request.recipient_id))
        slot_id = None if s is None else self.slot_ids[s]
        self._try(lambda: requests.accept(request_id, me, slot_id=slot_id))

    @rule(i=st.integers(0, 50))
    def decline(self, i):
        request_id = self._pick(MeetingRequest, i, MeetingRequest.status == "pending")
        if request_id is None:
            return
        me = db.session.get(MeetingRequest, request_id).recipient
        self._try(lambda: requests.decline(request_id, me, reason="no"))

    @rule(i=st.integers(0, 50), by_sender=st.booleans())
    def cancel_request(self, i, by_sender):
        request_id = self._pick(MeetingRequest, i)
        if request_id is None:
            return
        request = db.session.get(MeetingRequest, request_id)
        me = request.sender if by_sender else request.recipient
        self._try(lambda: requests.cancel(request_id, me))

    @rule(i=st.integers(0, 50))
    def cancel_meeting(self, i):
        meeting_id = self._pick(Meeting, i, Meeting.status == "confirmed")
        if meeting_id is None:
            return
        meeting = db.session.get(Meeting, meeting_id)
        self._try(lambda: booking.cancel(meeting, by=meeting.seats[0].registration))

    @rule(i=st.integers(0, 50), s=st.integers(0, 3), organiser=st.booleans())
    def move(self, i, s, organiser):
        meeting_id = self._pick(Meeting, i, Meeting.status == "confirmed")
        if meeting_id is None:
            return
        meeting = db.session.get(Meeting, meeting_id)
        self._try(lambda: booking.move(meeting, self.slot_ids[s], by_organiser=organiser))

    @rule(i=st.integers(0, 50))
    def expire(self, i):
        request_id = self._pick(MeetingRequest, i, MeetingRequest.status == "pending")
        if request_id is None:
            return
        db.session.get(MeetingRequest, request_id).expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
        assert requests.expire_due(event=self.event) == 1

    @rule(a=st.integers(0, PEOPLE - 1), marked=st.sets(st.integers(0, 3), max_size=2))
    def availability(self, a, marked):
        person = self._person(a)
        ids = [self.slot_ids[s] for s in marked]
        self._try(lambda: slots.set_unavailability(self.event, person, ids))

    @rule(a=st.integers(0, PEOPLE - 1), roll=st.integers(0, 5))
    def unregister(self, a, roll):
        person = self._person(a)
        if roll == 0 and person.status == "confirmed":
            registration_services.cancel_registration(person, actor=person.user)
            db.session.expire_all()

    @invariant()
    def nothing_broken(self):
        counts = violations()
        assert counts == dict.fromkeys(counts, 0), counts
        # One live request per pair, and a live request's meeting is live iff accepted
        # (self-booking: accepted means booked).
        live = db.session.execute(
            sa.select(MeetingRequest.pair_low, MeetingRequest.pair_high).where(
                MeetingRequest.status.in_(("pending", "accepted"))
            )
        ).all()
        assert len(live) == len(set(live))
        accepted_without_meeting = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(MeetingRequest)
            .where(
                MeetingRequest.status == "accepted",
                ~sa.exists().where(
                    Meeting.request_id == MeetingRequest.id, Meeting.status == "confirmed"
                ),
            )
        )
        assert accepted_without_meeting == 0


def test_random_sequences_keep_every_invariant(sqlite_app):
    sqlite_app.config["MAIL_DELIVER_INLINE"] = False
    run_state_machine_as_test(
        Booking,
        settings=settings(
            max_examples=10,
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
