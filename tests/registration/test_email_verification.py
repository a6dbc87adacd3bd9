"""An account registers for a meeting only once its e-mail address is confirmed."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from pic_events.accounts.services import create_api_token
from pic_events.core.types import utcnow
from pic_events.extensions import db
from pic_events.registration import services
from pic_events.registration.models import Registration
from pic_events.registration.services import EmailNotVerified, RegistrationInput
from tests.factories import login, make_event, make_organiser, make_user

REFUSAL = "Confirm your e-mail address first: we sent you a link."


def _registrations() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Registration))


def test_the_service_refuses_an_unverified_account_until_it_is_confirmed(app):
    event = make_event()
    user = make_user(verified=False)
    with pytest.raises(EmailNotVerified) as refused:
        services.register(event, user, RegistrationInput(consent=True))
    assert refused.value.message == REFUSAL
    assert _registrations() == 0
    user.email_verified_at = utcnow()
    db.session.commit()
    assert services.register(event, user, RegistrationInput(consent=True)).status == "confirmed"


def test_the_api_answers_409_problem(client):
    make_event(slug="pic-2027")
    _token, plain = create_api_token(make_user(verified=False), "tests")
    response = client.post(
        "/api/v1/events/pic-2027/registrations",
        json={"consent": True},
        headers={"Authorization": f"Bearer {plain}"},
    )
    assert response.status_code == 409
    assert response.mimetype == "application/problem+json"
    assert response.json["detail"] == REFUSAL
    assert _registrations() == 0


def test_the_form_and_the_event_page_say_so(client):
    make_event(slug="pic-2027")
    login(client, make_user(verified=False))
    event_page = client.get("/events/pic-2027").get_data(as_text=True)
    assert "Confirm your e-mail address first" in event_page
    assert "/verify-email/resend" in event_page  # the banner offers a new link
    response = client.post("/events/pic-2027/register", data={"consent": "y"})
    assert REFUSAL in response.get_data(as_text=True)
    assert _registrations() == 0


def test_a_verified_member_sees_no_banner(client):
    make_event(slug="pic-2027")
    login(client, make_user())
    assert "Confirm your e-mail address first" not in client.get("/events/pic-2027").text


def test_an_organiser_may_register_an_unverified_account(app):
    event = make_event()
    person = make_user(verified=False)
    registration = services.register(
        event, person, RegistrationInput(consent=True), actor=make_organiser()
    )
    assert registration.status == "confirmed"
