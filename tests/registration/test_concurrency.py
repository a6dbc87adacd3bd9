"""Many people at the last seats at once, on PostgreSQL with real row locks.

Each thread has its own app context, hence its own session and connection.
"""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import sqlalchemy as sa

from pic_events.accounts.models import User
from pic_events.core.types import utcnow
from pic_events.core.validation import Conflict
from pic_events.events.models import Event
from pic_events.extensions import db
from pic_events.registration import services
from pic_events.registration.models import Registration
from pic_events.registration.services import RegistrationInput
from tests.factories import make_event, make_question, make_registration, make_user

THREADS = 30


def _members(n: int, prefix: str = "m") -> list[int]:
    users = [
        User(email=f"{prefix}{i}@example.org", name=f"Member {i}", email_verified_at=utcnow())
        for i in range(n)
    ]
    db.session.add_all(users)
    db.session.commit()
    return [u.id for u in users]


def _run_all(app, jobs) -> list[str]:
    """Run callables at the same moment, each in its own app context; their outcomes."""
    # Inline delivery opens a second connection per commit: leave mails in the outbox so
    # that 30 threads fit in the connection pool (the rows are what these tests check).
    app.config["MAIL_DELIVER_INLINE"] = False
    barrier = threading.Barrier(len(jobs))

    def run(job):
        with app.app_context():
            barrier.wait()
            try:
                return job()
            except Conflict as error:
                return f"conflict:{type(error).__name__}"
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        return list(pool.map(run, jobs))


def _register_job(event_id: int, user_id: int, answers: dict | None = None):
    def job():
        event = db.session.get(Event, event_id)
        user = db.session.get(User, user_id)
        data = RegistrationInput(consent=True, answers=answers or {})
        return services.register(event, user, data).status

    return job


def _statuses(event_id: int) -> Counter:
    rows = db.session.scalars(
        sa.select(Registration.status).where(Registration.event_id == event_id)
    )
    return Counter(rows)


def test_thirty_people_for_the_last_five_seats(pg_app):
    event = make_event(capacity=20)
    for _ in range(15):
        make_registration(event, make_user())
    user_ids = _members(THREADS)
    outcomes = _run_all(pg_app, [_register_job(event.id, uid) for uid in user_ids])
    assert Counter(outcomes) == {"confirmed": 5, "waitlisted": 25}
    db.session.expire_all()
    assert _statuses(event.id) == {"confirmed": 20, "waitlisted": 25}
    assert sorted(services.waitlist_positions(event.id).values()) == list(range(1, 26))


def test_cancellations_and_registrations_at_once_stay_consistent(pg_app):
    event = make_event(capacity=20)
    confirmed = [make_registration(event, make_user()) for _ in range(20)]
    waiting_ids = _members(10)
    for uid in waiting_ids:
        services.register(event, db.session.get(User, uid), RegistrationInput(consent=True))
    newcomers = _members(10, prefix="new")

    def cancel_job(registration_id: int):
        def job():
            registration = db.session.get(Registration, registration_id)
            return services.cancel_registration(registration, actor=None).status

        return job

    jobs = [cancel_job(r.id) for r in confirmed[:10]] + [
        _register_job(event.id, uid) for uid in newcomers
    ]
    outcomes = _run_all(pg_app, jobs)
    assert Counter(outcomes)["cancelled"] == 10
    db.session.expire_all()
    statuses = _statuses(event.id)
    # 20 seats, 30 active people wanted them: seats full, the rest waiting in order.
    assert statuses == {"confirmed": 20, "cancelled": 10, "waitlisted": 10}
    assert sorted(services.waitlist_positions(event.id).values()) == list(range(1, 11))
    # The ten who waited first were promoted before any newcomer got a seat.
    promoted = db.session.scalars(
        sa.select(Registration.status).where(Registration.user_id.in_(waiting_ids))
    ).all()
    assert set(promoted) == {"confirmed"}


def test_thirty_people_for_the_last_five_places_of_a_choice(pg_app):
    event = make_event()  # no event capacity: only the choice is limited
    visit = make_question(event, "Site visit", "single_choice", options=[("Visit A", 5)])
    option_id = visit.options[0].id
    user_ids = _members(THREADS)
    outcomes = _run_all(
        pg_app, [_register_job(event.id, uid, {str(visit.id): option_id}) for uid in user_ids]
    )
    assert Counter(outcomes) == {"confirmed": 5, "conflict:PlacesFull": 25}
    db.session.expire_all()
    assert services.option_places_taken({option_id}) == {option_id: 5}
    assert _statuses(event.id) == {"confirmed": 5}
