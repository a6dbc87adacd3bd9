"""API tokens may expire, and a password reset revokes them all."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from pic_events.accounts import services
from pic_events.accounts.models import ApiToken
from pic_events.core.types import utcnow
from pic_events.extensions import db
from pic_events.notifications.models import OutboxMessage
from tests.factories import PASSWORD, login, make_user


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_the_contract_body_still_makes_a_token_that_never_expires(client):
    make_user("eva@example.org")
    body = {"email": "eva@example.org", "password": PASSWORD}
    response = client.post("/api/v1/tokens", json=body)
    assert response.status_code == 201
    assert response.json["expires_at"] is None
    assert db.session.scalar(select(ApiToken)).expires_at is None


def test_a_token_with_an_expiry_stops_working_then(client):
    make_user("eva@example.org")
    body = {"email": "eva@example.org", "password": PASSWORD, "expires_in_days": 30}
    response = client.post("/api/v1/tokens", json=body)
    assert response.status_code == 201
    token = response.json["token"]
    stored = db.session.scalar(select(ApiToken))
    expected = utcnow() + timedelta(days=30)
    assert abs(stored.expires_at - expected) < timedelta(minutes=1)
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200
    listed = client.get("/api/v1/tokens", headers=bearer(token)).json["items"][0]
    assert listed["expires_at"].startswith(stored.expires_at.date().isoformat())

    stored.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    expired = client.get("/api/v1/me", headers=bearer(token))
    assert expired.status_code == 401
    assert expired.mimetype == "application/problem+json"


@pytest.mark.parametrize("days", [0, 3651, -5, "30", 2.5, True])
def test_an_expiry_out_of_range_is_422(client, days):
    make_user("eva@example.org")
    body = {"email": "eva@example.org", "password": PASSWORD, "expires_in_days": days}
    response = client.post("/api/v1/tokens", json=body)
    assert response.status_code == 422
    assert "expires_in_days" in response.json["errors"]
    assert db.session.scalar(select(ApiToken)) is None


def test_the_service_refuses_an_expiry_out_of_range(app):
    user = make_user()
    for days in (0, 3651):
        with pytest.raises(services.ServiceValidationError) as error:
            services.create_api_token(user, "script", days)
        assert "expires_in_days" in error.value.errors
    token, _plain = services.create_api_token(user, "script", 3650)
    assert token.expires_at > utcnow() + timedelta(days=3649)


def test_the_profile_form_sets_and_shows_the_expiry(client):
    login(client, make_user())
    created = client.post("/profile/tokens", data={"token-name": "a", "token-expires_in_days": "7"})
    assert created.status_code == 200
    client.post("/profile/tokens", data={"token-name": "b", "token-expires_in_days": ""})
    page = client.get("/profile").text
    assert "never expires" in page and "expires " in page
    short, forever = db.session.scalars(select(ApiToken).order_by(ApiToken.id))
    assert short.expires_at is not None and forever.expires_at is None
    short.expires_at = utcnow() - timedelta(days=1)
    db.session.commit()
    assert ">expired<" in client.get("/profile").text

    refused = client.post("/profile/tokens", data={"token-name": "c", "token-expires_in_days": "0"})
    assert refused.status_code == 400
    assert "is-invalid" in refused.text and 'value="c"' in refused.text


def test_a_password_reset_revokes_every_token(client):
    user = make_user("eva@example.org")
    _token, first = services.create_api_token(user, "laptop")
    _token, second = services.create_api_token(user, "script", 30)
    other_user_token = services.create_api_token(make_user(), "theirs")[1]
    client.post("/forgot-password", data={"email": "eva@example.org"})
    mail = db.session.scalar(select(OutboxMessage))
    path = re.search(r"http://localhost(/reset-password/\S+)", mail.body_text).group(1)
    new = "a brand new password"
    assert client.post(path, data={"password": new, "confirm": new}).status_code == 302
    for plain in (first, second):
        assert client.get("/api/v1/me", headers=bearer(plain)).status_code == 401
    assert client.get("/api/v1/me", headers=bearer(other_user_token)).status_code == 200
    assert all(token.revoked_at for token in db.session.get(type(user), user.id).api_tokens)
