import re

import pytest
from sqlalchemy import select

from pic_events.accounts import services
from pic_events.extensions import db
from pic_events.notifications.models import OutboxMessage
from tests.accounts.timing import assert_alike, fastest_of_each
from tests.factories import PASSWORD, make_user

NEW_PASSWORD = "brand new password"


def outbox() -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage)))


def reset_link_path(message: OutboxMessage) -> str:
    match = re.search(r"http://localhost(/reset-password/\S+)", message.body_text)
    assert match, message.body_text
    return match.group(1)


def test_forgot_password_same_answer_whether_or_not_the_account_exists(client):
    make_user("eva@example.org", name="Eva")
    known = client.post("/forgot-password", data={"email": "EVA@example.org"})
    unknown = client.post("/forgot-password", data={"email": "ghost@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known.headers["Location"] == unknown.headers["Location"] == "/login"
    known_page = client.get("/login").get_data(as_text=True)
    messages = outbox()
    assert len(messages) == 1
    assert messages[0].recipient == "eva@example.org"
    assert "Eva" in messages[0].body_text
    assert "If an account uses this address" in known_page


def test_password_reset_end_to_end(client):
    make_user("eva@example.org")
    client.post("/forgot-password", data={"email": "eva@example.org"})
    path = reset_link_path(outbox()[0])

    assert client.get(path).status_code == 200
    short = client.post(path, data={"password": "short", "confirm": "short"})
    assert "at least 10 characters" in short.get_data(as_text=True)

    response = client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.headers["Location"] == "/login"

    old = client.post("/login", data={"email": "eva@example.org", "password": PASSWORD})
    assert "Wrong e-mail or password" in old.get_data(as_text=True)
    new = client.post("/login", data={"email": "eva@example.org", "password": NEW_PASSWORD})
    assert new.status_code == 302
    client.post("/logout")

    # The link dies with the password it was made for.
    reused = client.get(path, follow_redirects=True)
    assert "not valid any more" in reused.get_data(as_text=True)
    again = client.post(path, data={"password": "yet another one", "confirm": "yet another one"})
    assert again.headers["Location"] == "/forgot-password"
    assert services.authenticate("eva@example.org", NEW_PASSWORD) is not None


def test_expired_link_is_refused(app, client):
    make_user("eva@example.org")
    client.post("/forgot-password", data={"email": "eva@example.org"})
    path = reset_link_path(outbox()[0])
    app.config["PASSWORD_RESET_MAX_AGE"] = -1  # every link is older than that
    response = client.get(path, follow_redirects=True)
    assert "This link has expired" in response.get_data(as_text=True)
    posted = client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert posted.headers["Location"] == "/forgot-password"
    assert services.authenticate("eva@example.org", PASSWORD) is not None


def test_tampered_link_is_refused(client):
    response = client.get("/reset-password/not-a-token", follow_redirects=True)
    assert "not valid any more" in response.get_data(as_text=True)


def test_reset_token_service(app):
    user = make_user("eva@example.org")
    token = services.make_password_reset_token(user)
    assert services.verify_password_reset_token(token) == user
    with pytest.raises(services.InvalidResetLink) as expired:
        services.verify_password_reset_token(token, max_age=-1)
    assert expired.value.expired
    services.reset_password(token, NEW_PASSWORD)
    with pytest.raises(services.InvalidResetLink) as used:
        services.verify_password_reset_token(token)
    assert not used.value.expired


def test_reset_request_takes_as_long_for_a_known_address_as_for_an_unknown_one(app):
    """Both branches do the same slow step (a password hash), so timing tells nothing."""
    make_user("eva@example.org")
    app.config["MAIL_DELIVER_INLINE"] = False

    def ask(email: str) -> None:
        app.test_client().post("/forgot-password", data={"email": email})

    known, unknown = fastest_of_each(
        lambda n: ask("eva@example.org"), lambda n: ask(f"ghost{n}@example.org")
    )
    assert_alike(known, unknown)
