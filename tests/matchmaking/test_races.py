"""Races at the booking: threads on separate app contexts (separate connections), on a file
SQLite database and on PostgreSQL. Exactly one winner; every loser a BookingConflict naming
its reason; the invariants counted by SQL afterwards."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from benchmarks.booking import INVARIANTS
from pic_events.core.validation import Conflict, NotFoundError
from pic_events.extensions import db
from pic_events.matchmaking import booking, requests
from pic_events.matchmaking.models import Meeting, MeetingRequest, Slot
from pic_events.registration.models import Registration
from tests.factories import b2b_slots, make_b2b_event, make_registration, make_user


def run_at_once(app, jobs) -> list[str]:
    """Run callables at the same moment, each in its own app context; their outcomes:
    "ok", or "conflict:<code>", or "notfound"."""
    app.config["MAIL_DELIVER_INLINE"] = False
    barrier = threading.Barrier(len(jobs))

    def run(job):
        with app.app_context():
            try:
                barrier.wait()
                job()
                return "ok"
            except Conflict as error:
                return f"conflict:{getattr(error, 'code', type(error).__name__)}"
            except NotFoundError:
                return "notfound"
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        return list(pool.map(run, jobs))


def people(event, n, prefix="P"):
    return [make_registration(event, make_user(name=f"{prefix}{i}")) for i in range(n)]


def accept_job(request_id: int, registration_id: int, slot_id: int | None = None):
    def job():
        me = db.session.get(Registration, registration_id)
        requests.accept(request_id, me, slot_id=slot_id)

    return job


def violations() -> dict[str, int]:
    """The invariants, counted by SQL over live meetings (0 everywhere is good): the same
    queries the booking benchmark counts after its run."""
    db.session.expire_all()
    return {name: db.session.scalar(sa.text(sql)) for name, sql in INVARIANTS.items()}


def assert_no_violation():
    counts = violations()
    assert counts == dict.fromkeys(counts, 0), counts


def test_ten_accepts_for_one_persons_slot(app):
    event = make_b2b_event(tables=12)
    (ana,) = people(event, 1, "Ana")
    others = people(event, 10)
    slot = b2b_slots(event)[0]
    sent = [requests.send_request(event, ana, o.id, slot_id=slot.id) for o in others]
    outcomes = run_at_once(app, [accept_job(r.id, r.recipient_id) for r in sent])
    assert Counter(outcomes) == {"ok": 1, "conflict:participant_busy": 9}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Meeting)) == 1
    statuses = Counter(db.session.scalars(sa.select(MeetingRequest.status)))
    assert statuses == {"accepted": 1, "pending": 9}  # the losers can still pick another time
    assert_no_violation()


def test_twenty_bookings_for_the_last_free_table(app):
    event = make_b2b_event(tables=2)
    slot = b2b_slots(event)[0]
    first = people(event, 2, "Early")
    booking.book(event, [p.id for p in first], slot.id)
    pairs = [people(event, 2, f"Pair{i}-") for i in range(20)]
    sent = [requests.send_request(event, a, b.id, slot_id=slot.id) for a, b in pairs]
    outcomes = run_at_once(app, [accept_job(r.id, r.recipient_id) for r in sent])
    assert Counter(outcomes) == {"ok": 1, "conflict:no_table": 19}
    live = db.session.scalar(
        sa.select(sa.func.count()).select_from(Meeting).where(Meeting.status == "confirmed")
    )
    assert live == 2
    assert_no_violation()


def test_the_maximum_holds_under_a_race(app):
    """No index counts meetings: only the registration lock keeps the maximum."""
    event = make_b2b_event(slots=8, tables=8, max_meetings=1)
    (ana,) = people(event, 1, "Ana")
    others = people(event, 8)
    all_slots = b2b_slots(event)
    sent = [
        requests.send_request(event, ana, o.id, slot_id=s.id)
        for o, s in zip(others, all_slots, strict=True)
    ]
    outcomes = run_at_once(app, [accept_job(r.id, r.recipient_id) for r in sent])
    assert Counter(outcomes) == {"ok": 1, "conflict:participant_full": 7}
    assert_no_violation()


@pytest.mark.parametrize("round_", range(3))
def test_a_withdrawal_racing_an_accept(app, round_):
    event = make_b2b_event()
    ana, ben = people(event, 2)
    slot = b2b_slots(event)[0]
    request = requests.send_request(event, ana, ben.id, slot_id=slot.id)
    request_id, ana_id = request.id, ana.id

    def withdraw():
        requests.cancel(request_id, db.session.get(Registration, ana_id))

    outcomes = run_at_once(app, [withdraw, accept_job(request_id, ben.id)])
    db.session.expire_all()
    final = db.session.get(MeetingRequest, request.id)
    meeting = db.session.scalar(sa.select(Meeting))
    # Withdrawal first: the accept is refused, no meeting. Accept first: the withdrawal
    # (either side may cancel an accepted request) cancels the meeting just booked.
    assert outcomes in (["ok", "conflict:request_cancelled"], ["ok", "ok"])
    assert final.status == "cancelled"
    if outcomes == ["ok", "ok"]:
        assert meeting is not None and meeting.status == "cancelled"
    else:
        assert meeting is None
    assert_no_violation()


def test_a_meeting_cancel_racing_an_accept_for_its_table(app):
    event = make_b2b_event(tables=1)
    ana, ben, cleo, dan = people(event, 4)
    slot = b2b_slots(event)[0]
    meeting = booking.book(event, [ana.id, ben.id], slot.id)
    request = requests.send_request(event, cleo, dan.id, slot_id=b2b_slots(event)[1].id)
    meeting_id = meeting.id

    def cancel():
        booking.cancel(db.session.get(Meeting, meeting_id), by=None)

    outcomes = run_at_once(app, [cancel, accept_job(request.id, dan.id, slot.id)])
    # The accept came first (the table was taken) or after (the table was free again).
    assert outcomes in (["ok", "conflict:no_table"], ["ok", "ok"])
    live = db.session.scalars(sa.select(Meeting).where(Meeting.status == "confirmed")).all()
    assert len(live) == (1 if outcomes[1] == "ok" else 0)
    assert_no_violation()


def test_the_database_refuses_to_delete_a_slot_with_meetings(app):
    event = make_b2b_event()
    ana, ben = people(event, 2)
    slot = b2b_slots(event)[0]
    booking.book(event, [ana.id, ben.id], slot.id)
    with pytest.raises(sa.exc.IntegrityError):
        db.session.execute(sa.delete(Slot).where(Slot.id == slot.id))
        db.session.commit()
    db.session.rollback()
    assert db.session.get(Slot, slot.id) is not None


def test_a_slot_deleted_while_it_is_booked(app):
    """A deletion (as an organiser's page would do it, under the slot's lock) racing an
    accept: either the slot goes and the accept is a conflict naming it (slot_removed), or the
    meeting is booked and the database refuses the deletion. Never a meeting without its slot."""
    event = make_b2b_event()
    ana, ben = people(event, 2)
    slot = b2b_slots(event)[0]
    request = requests.send_request(event, ana, ben.id, slot_id=slot.id)
    slot_id, request_id = slot.id, request.id

    def delete_slot():
        # The lock order of booking.py: requests first (a deletion sets their proposed
        # slot to NULL), then the slot.
        try:
            with booking.transaction():
                booking.lock_request(request_id)
                booking.lock_slots([slot_id])
                db.session.execute(sa.delete(Slot).where(Slot.id == slot_id))
        except sa.exc.IntegrityError as error:
            raise booking.BookingConflict(str(error.orig), "slot_has_meetings") from None

    outcomes = run_at_once(app, [delete_slot, accept_job(request_id, ben.id, slot_id)])
    assert outcomes in (["ok", "conflict:slot_removed"], ["conflict:slot_has_meetings", "ok"])
    db.session.expire_all()
    meetings = db.session.scalars(sa.select(Meeting)).all()
    if outcomes[0] == "ok":
        assert meetings == [] and db.session.get(Slot, slot_id) is None
    else:
        assert len(meetings) == 1 and meetings[0].slot_id == slot_id
    assert_no_violation()


def test_two_nudge_runs_at_once_nudge_each_person_once(app):
    from pic_events.matchmaking.models import NudgeSent
    from pic_events.notifications.models import OutboxMessage

    event = make_b2b_event()
    people(event, 6)
    event_id = event.id

    def nudge():
        from pic_events.events.models import Event

        requests.nudge(db.session.get(Event, event_id))

    assert run_at_once(app, [nudge, nudge, nudge]) == ["ok", "ok", "ok"]
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(NudgeSent)) == 6
    nudges = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(OutboxMessage)
        .where(OutboxMessage.subject.startswith("Find your partners"))
    )
    assert nudges == 6
