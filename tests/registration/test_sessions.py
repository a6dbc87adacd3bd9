"""Registration and session choices (the programme module's rules): chosen at
registration, released when cancelled, declined or waitlisted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from pic_events.agenda.services import registration_of
from pic_events.core.validation import Conflict
from pic_events.extensions import db
from pic_events.registration import services
from pic_events.registration.models import Registration
from pic_events.registration.services import RegistrationChanges, RegistrationInput
from tests.factories import (
    login,
    make_event,
    make_organiser,
    make_programme_session,
    make_registration,
    make_user,
)

START = datetime(2027, 6, 14, 9, 0, tzinfo=UTC)


def _workshops(event, capacity=None):
    return [
        make_programme_session(
            event,
            START + timedelta(hours=2 * i),
            START + timedelta(hours=2 * i + 1),
            title=f"Workshop {i}",
            must_choose=True,
            capacity=capacity,
            publish=True,
        )
        for i in range(2)
    ]


def test_sessions_chosen_in_the_form_and_released_on_cancel(client):
    event = make_event(slug="pic-2027")
    first, second = _workshops(event)
    user = make_user()
    login(client, user)
    page = client.get("/events/pic-2027/register").get_data(as_text=True)
    assert "Workshop 0" in page and "Workshop 1" in page
    client.post(
        "/events/pic-2027/register",
        data={"consent": "y", "session_ids": [str(first.id), str(second.id)]},
    )
    registration = registration_of(event, user)
    assert registration.session_ids == [first.id, second.id]
    services.cancel_registration(registration, actor=user)
    assert db.session.get(Registration, registration.id).session_ids == []


def test_a_full_session_is_refused_and_nothing_is_written(app):
    event = make_event()
    first, _second = _workshops(event, capacity=1)
    services.register(event, make_user(), RegistrationInput(consent=True, session_ids=[first.id]))
    user = make_user()
    with pytest.raises(Conflict):
        services.register(event, user, RegistrationInput(consent=True, session_ids=[first.id]))
    assert registration_of(event, user) is None


def test_waitlisted_registrations_hold_no_session_places(app):
    event = make_event(capacity=1)
    first, _second = _workshops(event)
    make_registration(event)
    user = make_user()
    registration = services.register(
        event, user, RegistrationInput(consent=True, session_ids=[first.id])
    )
    assert registration.status == "waitlisted" and registration.session_ids == []
    with pytest.raises(services.ServiceValidationError):
        services.update_registration(
            registration, RegistrationChanges(session_ids=[first.id]), actor=user
        )


def test_approval_to_the_waiting_list_and_decline_release_sessions(app):
    event = make_event(capacity=1, requires_approval=True)
    first, _second = _workshops(event)
    organiser = make_organiser()
    a = services.register(
        event, make_user(), RegistrationInput(consent=True, session_ids=[first.id])
    )
    b = services.register(
        event, make_user(), RegistrationInput(consent=True, session_ids=[first.id])
    )
    assert a.session_ids == [first.id] and b.session_ids == [first.id]  # pending holds places
    services.approve(a, actor=organiser)
    assert services.approve(b, actor=organiser).status == "waitlisted"
    assert db.session.get(Registration, b.id).session_ids == []
    services.decline(a, actor=organiser, message="")
    assert db.session.get(Registration, a.id).session_ids == []


def test_api_registration_with_session_ids(client):
    from tests.factories import api_auth

    event = make_event(slug="pic-2027")
    first, _second = _workshops(event)
    api_auth(make_user(), client)
    response = client.post(
        "/api/v1/events/pic-2027/registrations",
        json={"consent": True, "session_ids": [first.id]},
    )
    assert response.status_code == 201 and response.json["session_ids"] == [first.id]
    url = f"/api/v1/registrations/{response.json['id']}"
    assert client.patch(url, json={"session_ids": []}).json["session_ids"] == []
