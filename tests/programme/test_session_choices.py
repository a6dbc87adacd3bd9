"""The rules for picking workshops and visits, through the service functions."""

from __future__ import annotations

import threading
from datetime import date

import pytest

from pic_events.core.validation import Conflict, ServiceValidationError
from pic_events.extensions import db
from pic_events.programme.models import ProgrammeSession
from pic_events.registration import session_choices as choices
from pic_events.registration.models import Registration, SessionChoice
from tests.factories import make_organiser, make_registration, make_user
from tests.programme.helpers import programme_event, workshop

DAY = date(2027, 6, 15)


def _chosen(registration) -> set[int]:
    db.session.expire_all()
    return choices.chosen_session_ids(db.session.get(Registration, registration.id))


def test_choosable_sessions_in_time_order_only_from_published_programme(app):
    event = programme_event()
    late = workshop(event, DAY, 14, 15, title="Late")
    early = workshop(event, DAY, 9, 10, title="Early")
    workshop(event, DAY, 11, 12, must_choose=False, kind="plenary")
    assert choices.choosable_sessions(event) == [early, late]
    event.programme_published = False
    db.session.commit()
    assert choices.choosable_sessions(event) == []


def test_choosable_sessions_leave_out_restricted_unless_the_person_may_attend(app):
    event = programme_event()
    open_one = workshop(event, DAY, 9, 10)
    closed = workshop(event, DAY, 11, 12, restricted=True)
    assert choices.choosable_sessions(event) == [open_one]
    assert choices.choosable_sessions(event, make_user()) == [open_one]
    # A self-declared steering registration grants nothing; standing and organisers do.
    claimer = make_user()
    make_registration(event, claimer, category="steering")
    assert choices.choosable_sessions(event, claimer) == [open_one]
    assert choices.choosable_sessions(event, make_user(steering_member=True)) == [
        open_one,
        closed,
    ]
    assert choices.choosable_sessions(event, make_organiser()) == [open_one, closed]


def test_set_choices_replaces_and_does_not_commit(app):
    event = programme_event()
    a, b, c = (workshop(event, DAY, h, h + 1) for h in (9, 10, 11))
    registration = make_registration(event)
    choices.set_choices(registration, [a.id, b.id])
    db.session.commit()
    assert _chosen(registration) == {a.id, b.id}
    registration = db.session.get(Registration, registration.id)
    choices.set_choices(registration, [c.id])
    db.session.rollback()
    assert _chosen(registration) == {a.id, b.id}
    registration = db.session.get(Registration, registration.id)
    choices.set_choices(registration, [str(c.id)])
    db.session.commit()
    assert _chosen(registration) == {c.id}


def test_overlapping_choices_are_refused(app):
    event = programme_event()
    a = workshop(event, DAY, 9, 11, title="Cider")
    b = workshop(event, DAY, 10, 12, title="Seeds")
    back_to_back = workshop(event, DAY, 11, 12, title="Mushrooms")
    registration = make_registration(event)
    with pytest.raises(choices.OverlapError) as raised:
        choices.set_choices(registration, [a.id, b.id])
    assert "Cider" in raised.value.errors["session_ids"][0]
    assert "Seeds" in raised.value.errors["session_ids"][0]
    db.session.rollback()
    choices.set_choices(registration, [a.id, back_to_back.id])
    db.session.commit()
    assert _chosen(registration) == {a.id, back_to_back.id}


def test_unknown_other_event_and_not_to_choose_sessions_are_refused(app):
    event = programme_event()
    other = programme_event()
    registration = make_registration(event)
    elsewhere = workshop(other, DAY, 9, 10)
    for_everyone = workshop(event, DAY, 9, 10, must_choose=False)
    for bad in (999_999, elsewhere.id, for_everyone.id):
        with pytest.raises(ServiceValidationError) as raised:
            choices.set_choices(registration, [bad])
        assert list(raised.value.errors) == ["session_ids"]
        db.session.rollback()


def test_draft_programme_cannot_be_chosen(app):
    event = programme_event(programme_published=False)
    session = workshop(event, DAY, 9, 10)
    registration = make_registration(event)
    with pytest.raises(ServiceValidationError):
        choices.set_choices(registration, [session.id])


def test_restricted_sessions_only_for_standing_and_organisers(app):
    event = programme_event()
    closed = workshop(event, DAY, 9, 10, restricted=True, title="Steering")
    for category in ("participant", "steering", "organiser"):  # the category grants nothing
        with pytest.raises(choices.RestrictedError):
            choices.set_choices(make_registration(event, category=category), [closed.id])
        db.session.rollback()
    for person in (make_user(steering_member=True), make_organiser()):
        registration = make_registration(event, person)
        choices.set_choices(registration, [closed.id])
        db.session.commit()
        assert _chosen(registration) == {closed.id}


def test_only_confirmed_or_pending_registrations_choose(app):
    event = programme_event()
    session = workshop(event, DAY, 9, 10)
    assert choices.set_choices(make_registration(event, status="pending"), [session.id]) is None
    db.session.commit()
    with pytest.raises(ServiceValidationError):
        choices.set_choices(make_registration(event, status="waitlisted"), [session.id])


def test_full_session_raises_conflict_naming_it(app):
    event = programme_event()
    visit = workshop(event, DAY, 9, 10, title="Nursery visit", capacity=1, kind="visit")
    choices.choose_session(make_registration(event), visit)
    with pytest.raises(Conflict, match="Nursery visit"):
        choices.choose_session(make_registration(event), visit)
    assert db.session.query(SessionChoice).count() == 1


def test_cancelled_registrations_do_not_hold_places(app):
    event = programme_event()
    visit = workshop(event, DAY, 9, 10, capacity=1)
    first = make_registration(event)
    choices.choose_session(first, visit)
    assert choices.places_left([visit]) == {visit.id: 0}
    first.status = "cancelled"
    choices.release_choices(first)
    db.session.commit()
    assert choices.places_left([visit]) == {visit.id: 1}
    choices.choose_session(make_registration(event), visit)
    assert choices.places_left([visit]) == {visit.id: 0}


def test_places_left_in_one_query_and_none_without_capacity(app):
    event = programme_event()
    limited = workshop(event, DAY, 9, 10, capacity=3)
    unlimited = workshop(event, DAY, 11, 12)
    choices.choose_session(make_registration(event), limited)
    choices.choose_session(make_registration(event, status="pending"), limited)
    assert choices.places_left([limited, unlimited]) == {limited.id: 1, unlimited.id: None}


def test_choose_is_idempotent_and_drop_frees_the_place(app):
    event = programme_event()
    visit = workshop(event, DAY, 9, 10, capacity=2)
    registration = make_registration(event)
    choices.choose_session(registration, visit)
    choices.choose_session(registration, visit)
    assert choices.places_left([visit]) == {visit.id: 1}
    choices.drop_session(registration, visit)
    assert choices.places_left([visit]) == {visit.id: 2}
    assert _chosen(registration) == set()


def test_kept_choices_are_not_rechecked_when_capacity_drops(app):
    event = programme_event()
    a = workshop(event, DAY, 9, 10, capacity=1)
    b = workshop(event, DAY, 11, 12)
    registration = make_registration(event)
    choices.choose_session(registration, a)
    choices.choose_session(make_registration(event), b)
    a.capacity = 0
    db.session.commit()
    choices.choose_session(registration, b)
    assert _chosen(registration) == {a.id, b.id}


def test_twenty_registrants_race_for_the_last_three_places(app):
    """On PostgreSQL and on a SQLite file alike (SQLite ignores FOR UPDATE): the event lock
    serialises the choosers. Without it, 8 or 9 of the 20 get a place."""
    event = programme_event()
    visit = workshop(event, DAY, 9, 10, capacity=10, kind="visit")
    for _ in range(7):
        choices.choose_session(make_registration(event), visit)
    racers = [make_registration(event).id for _ in range(20)]
    visit_id = visit.id
    barrier = threading.Barrier(len(racers))
    outcomes: list[str] = []
    lock = threading.Lock()

    def race(registration_id: int) -> None:
        # Wait before taking a connection: 20 threads are more than the pool holds.
        barrier.wait(timeout=30)
        with app.test_request_context():
            registration = db.session.get(Registration, registration_id)
            session = db.session.get(ProgrammeSession, visit_id)
            try:
                choices.choose_session(registration, session)
                outcome = "ok"
            except Conflict:
                outcome = "full"
            finally:
                db.session.remove()
            with lock:
                outcomes.append(outcome)

    threads = [threading.Thread(target=race, args=(r,)) for r in racers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes).count("ok") == 3
    assert outcomes.count("full") == 17
    db.session.rollback()
    assert choices.places_left([db.session.get(ProgrammeSession, visit_id)]) == {visit_id: 0}
    assert db.session.query(SessionChoice).filter_by(session_id=visit_id).count() == 10


def test_one_registrant_cannot_sneak_in_two_overlapping_picks_at_once(pg_app):
    event = programme_event()
    ids = [workshop(event, DAY, 9, 11).id, workshop(event, DAY, 10, 12).id]
    registration_id = make_registration(event).id
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def pick(session_id: int) -> None:
        with pg_app.test_request_context():
            registration = db.session.get(Registration, registration_id)
            session = db.session.get(ProgrammeSession, session_id)
            barrier.wait(timeout=30)
            try:
                choices.choose_session(registration, session)
                outcomes.append("ok")
            except choices.OverlapError:
                outcomes.append("overlap")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=pick, args=(i,)) for i in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ok", "overlap"]
