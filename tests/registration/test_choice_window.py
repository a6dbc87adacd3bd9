"""Choosing a session is a change of the registration: it obeys the same window and status
rule as a PATCH (registration.window), and is read again under the event lock."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from pic_events.core.types import utcnow
from pic_events.core.validation import Conflict
from pic_events.extensions import db
from pic_events.programme.models import ProgrammeSession
from pic_events.registration import services, session_choices
from pic_events.registration.models import Registration, SessionChoice
from tests.factories import (
    api_auth,
    login,
    make_event,
    make_organiser,
    make_programme_session,
    make_registration,
    make_user,
)
from tests.programme.helpers import paris

DAY = date(2027, 6, 15)


def _event(**kw):
    return make_event(
        slug="pic-2027", starts_on=DAY, ends_on=date(2027, 6, 17), programme_published=True, **kw
    )


def _workshop(event, **kw):
    kw.setdefault("title", "Cider workshop")
    return make_programme_session(
        event, paris(DAY, 9), paris(DAY, 10), must_choose=True, kind="workshop", **kw
    )


def _choices() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(SessionChoice))


def _close(event, **changes) -> None:
    for name, value in changes.items():
        setattr(event, name, value)
    db.session.commit()


CLOSED = [
    {"registration_closes": utcnow() - timedelta(minutes=1)},
    {"status": "archived"},
]


@pytest.mark.parametrize("closed", CLOSED, ids=["after-closing", "archived"])
def test_choose_through_the_api_is_refused_like_a_patch(client, closed):
    event = _event()
    session = _workshop(event)
    member = make_user()
    registration = make_registration(event, member)
    _close(event, **closed)
    api_auth(member, client)
    choose = client.post(f"/api/v1/events/pic-2027/sessions/{session.id}/choose")
    patch = client.patch(
        f"/api/v1/registrations/{registration.id}", json={"session_ids": [session.id]}
    )
    assert choose.status_code == patch.status_code == 409
    assert choose.json["detail"] == patch.json["detail"]
    assert client.delete(f"/api/v1/events/pic-2027/sessions/{session.id}/choose").status_code == (
        409
    )
    assert _choices() == 0


def test_choose_button_is_refused_and_hidden_after_closing(client):
    event = _event()
    session = _workshop(event)
    member = make_user()
    make_registration(event, member)
    login(client, member)
    choose_url = f"/events/pic-2027/sessions/{session.id}/choose"
    assert choose_url in client.get("/events/pic-2027/programme").get_data(as_text=True)
    _close(event, registration_closes=utcnow() - timedelta(minutes=1))
    assert choose_url not in client.get("/events/pic-2027/programme").get_data(as_text=True)
    page = client.post(choose_url, follow_redirects=True).get_data(as_text=True)
    assert "Registration is closed" in page
    assert _choices() == 0


def test_organisers_still_change_choices_after_closing(app):
    event = _event(registration_closes=utcnow() - timedelta(minutes=1))
    session = _workshop(event)
    organiser = make_organiser()
    registration = make_registration(event, organiser)
    session_choices.choose_session(registration, session, actor=organiser)
    assert _choices() == 1


def test_a_choice_never_lands_on_a_registration_cancelled_a_moment_before(app):
    """The registration in hand says confirmed; the database says cancelled."""
    event = _event()
    session = _workshop(event)
    registration = make_registration(event, make_user())
    db.session.execute(
        sa.update(Registration).where(Registration.id == registration.id).values(status="cancelled")
    )
    db.session.commit()
    stale = Registration(id=registration.id, event_id=event.id, status="confirmed")
    stale.user = registration.user
    db.session.expunge(registration)
    with pytest.raises(services.ServiceValidationError):
        session_choices.choose_session(stale, session, actor=stale.user)
    assert _choices() == 0


# Races: cancel and choose at once ---------------------------------------------------------

PAIRS = 6  # 12 threads holding a connection each: within the pool (5 + 10 overflow)


def test_cancel_and_choose_at_once_leave_no_choice_on_a_cancelled_registration(app):
    """Each pair: one thread cancels a registration while another chooses a session for it.
    On PostgreSQL and on a SQLite file: whichever goes first, a cancelled registration
    ends without choices, and the session's places count only live registrations."""
    app.config["MAIL_DELIVER_INLINE"] = False
    event = _event()
    session_id = _workshop(event, capacity=PAIRS).id
    registration_ids = [make_registration(event, make_user()).id for _ in range(PAIRS)]
    barrier = threading.Barrier(2 * PAIRS)
    errors: list[BaseException] = []

    def run(job) -> None:
        try:
            with app.test_request_context():
                registration = db.session.get(Registration, job[1])
                registration.user  # noqa: B018  (loaded, as a request has it, before the race)
                session = db.session.get(ProgrammeSession, session_id)
                barrier.wait(timeout=30)
                try:
                    if job[0] == "cancel":
                        services.cancel_registration(registration, actor=None)
                    else:
                        session_choices.choose_session(registration, session)
                except (Conflict, services.ServiceValidationError):
                    pass  # refused: the registration was cancelled first
                finally:
                    db.session.remove()
        except BaseException as error:  # noqa: BLE001  (reported below)
            errors.append(error)

    jobs = [(kind, rid) for rid in registration_ids for kind in ("cancel", "choose")]
    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    db.session.expire_all()
    statuses = set(
        db.session.scalars(sa.select(Registration.status).where(Registration.event_id == event.id))
    )
    assert statuses == {"cancelled"}
    assert _choices() == 0
