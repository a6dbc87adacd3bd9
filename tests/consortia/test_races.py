"""Concurrent requests on the file SQLite and on PostgreSQL (threads, each its own app
context and connection): two accepts for one role, two leads for the last big table."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import sqlalchemy as sa

from pic_events.accounts.models import User
from pic_events.consortia import services
from pic_events.consortia.models import Idea, Interest, Role
from pic_events.core.validation import Conflict
from pic_events.extensions import db
from pic_events.matchmaking.models import B2BTable, Meeting
from tests.consortia.helpers import idea, join, person
from tests.factories import b2b_slots, make_b2b_event, make_event


def _run_all(app, jobs) -> list[str]:
    app.config["MAIL_DELIVER_INLINE"] = False
    barrier = threading.Barrier(len(jobs))

    def run(job):
        with app.app_context():
            barrier.wait()
            try:
                return job()
            except Conflict as error:
                return f"conflict:{getattr(error, 'code', '')}"
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        return list(pool.map(run, jobs))


def _accept(interest_id: int, user_id: int):
    def job():
        interest = db.session.get(Interest, interest_id)
        return services.accept_interest(interest, db.session.get(User, user_id)).status

    return job


def test_two_partners_accepted_for_one_role_at_once_one_wins(app):
    event = make_event()
    lead = person(event, "Lead")
    posted = idea(event, lead)
    role = posted.roles[0]
    # Two interests in one role: the lead accepts one, and the other was an invitation its
    # invitee accepts at the same moment.
    asked = services.express_interest(role, person(event, "Ana").user, "")
    invited = services.invite(role, lead.user, person(event, "Ben").id, "")
    jobs = [_accept(asked.id, lead.user_id), _accept(invited.id, invited.registration.user_id)]
    outcomes = _run_all(app, jobs)
    # The winner closed the other interest: the loser finds it answered, nothing written.
    assert sorted(outcomes) == ["accepted", "conflict:answered"]
    db.session.expire_all()
    role = db.session.get(Role, role.id)
    assert role.filled_by_id is not None
    statuses = sorted(db.session.scalars(sa.select(Interest.status)))
    assert statuses == ["accepted", "declined"]


def _book(idea_id: int, user_id: int, ids: list[int], slot_id: int):
    def job():
        posted = db.session.get(Idea, idea_id)
        return services.book_meeting(posted, db.session.get(User, user_id), ids, slot_id).status

    return job


def test_two_leads_race_for_the_last_big_table_one_wins(app):
    event = make_b2b_event(tables=2, seats=2)
    db.session.add(B2BTable(event_id=event.id, label="Big", seats=4, position=9))
    db.session.commit()
    jobs = []
    slot = b2b_slots(event)[0]
    for name in ("North", "South"):
        lead = person(event, f"{name} lead")
        posted = idea(event, lead, roles=[("sme", "", []), ("research", "", [])])
        partners = [person(event, f"{name} {i}") for i in range(2)]
        for role, partner in zip(posted.roles, partners, strict=True):
            join(role, partner)
        jobs.append(_book(posted.id, lead.user_id, [p.id for p in partners], slot.id))
    outcomes = _run_all(app, jobs)
    assert sorted(outcomes) == ["confirmed", "conflict:no_table"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Meeting)) == 1
