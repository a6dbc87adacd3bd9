"""Sign-up, password reset, password change and token creation are limited per client AND per
address (or account): many clients cannot flood one address, one client cannot try many."""

from __future__ import annotations

import pytest

from tests.accounts.test_signup import signup_data
from tests.conftest import make_app
from tests.factories import PASSWORD, login, make_user

CLIENT_A, CLIENT_B = "203.0.113.7", "198.51.100.4"


@pytest.fixture
def limited(app):
    """A fresh app with the limits on: 3 per client, 2 per address or account."""
    limited_app = make_app(
        app.config["SQLALCHEMY_DATABASE_URI"],
        RATELIMIT_ENABLED=True,
        TRUSTED_PROXIES=1,
        LOGIN_RATE_LIMIT="3 per hour",
        SIGNUP_RATE_LIMIT="3 per hour",
        MAIL_ADDRESS_RATE_LIMIT="2 per hour",
        ACCOUNT_RATE_LIMIT="2 per hour",
    )
    with limited_app.app_context():
        yield limited_app


def _from(client_ip: str) -> dict:
    return {"X-Forwarded-For": client_ip}


def _assert_limited_page(response) -> None:
    assert response.status_code == 429
    assert "Too many attempts" in response.text


def _assert_limited_problem(response) -> None:
    assert response.status_code == 429
    assert response.mimetype == "application/problem+json"
    assert response.json["status"] == 429


def test_signup_is_limited_by_address_and_by_client(limited):
    client = limited.test_client()

    def sign_up(email: str, client_ip: str, n: int):
        data = signup_data(email=email, organisation_name=f"Farm {n}")
        return client.post("/signup", data=data, headers=_from(client_ip))

    assert sign_up("ana@example.org", CLIENT_A, 1).status_code == 302
    assert sign_up("ana@example.org", CLIENT_A, 2).status_code == 302
    _assert_limited_page(sign_up("ANA@example.org", CLIENT_B, 3))  # the address's limit
    assert sign_up("bob@example.org", CLIENT_A, 4).status_code == 302
    _assert_limited_page(sign_up("cleo@example.org", CLIENT_A, 5))  # the client's limit
    assert client.get("/signup", headers=_from(CLIENT_A)).status_code == 200  # GET is free


def test_password_reset_request_is_limited_by_address_and_by_client(limited):
    client = limited.test_client()

    def ask(email: str, client_ip: str):
        return client.post("/forgot-password", data={"email": email}, headers=_from(client_ip))

    assert ask("eva@example.org", CLIENT_A).status_code == 302
    assert ask("eva@example.org", CLIENT_A).status_code == 302
    _assert_limited_page(ask(" Eva@Example.org ", CLIENT_B))
    assert ask("bob@example.org", CLIENT_A).status_code == 302
    _assert_limited_page(ask("cleo@example.org", CLIENT_A))


def test_resending_the_confirmation_link_is_limited_by_address(limited):
    client = limited.test_client()

    def resend(email: str, client_ip: str):
        data = {"email": email}
        return client.post("/verify-email/resend", data=data, headers=_from(client_ip))

    assert resend("eva@example.org", CLIENT_A).status_code == 302
    assert resend("eva@example.org", CLIENT_A).status_code == 302
    _assert_limited_page(resend("eva@example.org", CLIENT_B))


def test_password_change_is_limited_by_account_and_by_client(limited):
    eva, bob = make_user("eva@example.org"), make_user("bob@example.org")
    client = limited.test_client()

    def change(user, client_ip: str):
        login(client, user)
        data = {
            "password-current_password": "wrong",
            "password-new_password": "another long one",
            "password-confirm": "another long one",
        }
        return client.post("/profile/password", data=data, headers=_from(client_ip))

    assert change(eva, CLIENT_A).status_code == 400
    assert change(eva, CLIENT_A).status_code == 400
    _assert_limited_page(change(eva, CLIENT_B))
    assert change(bob, CLIENT_A).status_code == 400
    _assert_limited_page(change(bob, CLIENT_A))


def test_token_creation_on_the_profile_is_limited_by_account_and_by_client(limited):
    eva, bob = make_user("eva@example.org"), make_user("bob@example.org")
    client = limited.test_client()

    def create(user, client_ip: str):
        login(client, user)
        data = {"token-name": "script"}
        return client.post("/profile/tokens", data=data, headers=_from(client_ip))

    assert create(eva, CLIENT_A).status_code == 200
    assert create(eva, CLIENT_A).status_code == 200
    _assert_limited_page(create(eva, CLIENT_B))
    assert create(bob, CLIENT_A).status_code == 200
    _assert_limited_page(create(bob, CLIENT_A))


def test_token_exchange_is_limited_by_address_and_by_client(limited):
    make_user("eva@example.org")
    client = limited.test_client()

    def exchange(email: str, client_ip: str, password: str = "wrong"):
        body = {"email": email, "password": password}
        return client.post("/api/v1/tokens", json=body, headers=_from(client_ip))

    assert exchange("eva@example.org", CLIENT_A).status_code == 401
    assert exchange("eva@example.org", CLIENT_A).status_code == 401
    _assert_limited_problem(exchange("EVA@example.org", CLIENT_B, PASSWORD))
    assert exchange("bob@example.org", CLIENT_A).status_code == 401
    _assert_limited_problem(exchange("cleo@example.org", CLIENT_A))
    assert exchange("eva@example.org", "192.0.2.1").status_code == 429  # still the address
