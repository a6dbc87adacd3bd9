"""The confirmation link: following it, its expiry, asking for a new one."""

from __future__ import annotations

import re

import sqlalchemy as sa

from pic_events.accounts import signup
from pic_events.accounts.models import User
from pic_events.extensions import db
from pic_events.notifications.models import OutboxMessage
from tests.factories import PASSWORD, login, make_user


def outbox() -> list[OutboxMessage]:
    return list(db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)))


def link_path(message: OutboxMessage) -> str:
    return re.search(r"http://localhost(/verify-email/\S+)", message.body_text).group(1)


def unverified(email: str = "ana@example.org") -> User:
    return make_user(email, name="Ana", verified=False)


def test_the_link_confirms_and_logs_in_once(client):
    user = unverified()
    path = signup.verify_link(user).removeprefix("http://localhost")
    first = client.get(path)
    assert first.headers["Location"] == "/"
    assert client.get("/api/v1/me").json["email"] == "ana@example.org"
    assert db.session.get(User, user.id).is_verified

    # Used again in another browser: it confirms nothing new and logs nobody in.
    other = client.application.test_client()
    again = other.get(path)
    assert again.headers["Location"] == "/login"
    assert other.get("/api/v1/me").status_code == 401
    assert "Log in to go on" in other.get("/login").text


def test_an_expired_or_tampered_link_is_refused(app, client):
    user = unverified()
    path = signup.verify_link(user).removeprefix("http://localhost")
    app.config["EMAIL_VERIFY_MAX_AGE"] = -1
    expired = client.get(path, follow_redirects=True)
    assert "This link has expired" in expired.text
    tampered = client.get(path[:-3] + "xyz", follow_redirects=True)
    assert "This link is not valid" in tampered.text
    assert not db.session.get(User, user.id).is_verified
    assert client.get("/api/v1/me").status_code == 401


def test_a_link_for_an_address_since_changed_is_refused(client):
    user = unverified()
    path = signup.verify_link(user).removeprefix("http://localhost")
    user.email = "other@example.org"
    db.session.commit()
    assert "not valid" in client.get(path, follow_redirects=True).text
    assert not db.session.get(User, user.id).is_verified


def test_resend_answers_the_same_for_any_address_and_mails_only_the_waiting_account(client):
    unverified("ana@example.org")
    make_user("vera@example.org")  # verified already
    answers = []
    for email in ("ANA@example.org", "vera@example.org", "ghost@example.org"):
        response = client.post("/verify-email/resend", data={"email": email})
        page = client.get(response.headers["Location"]).text.replace(email.lower(), "ADDRESS")
        answers.append((response.status_code, response.headers["Location"], page))
    assert answers[0] == answers[1] == answers[2]
    assert "we have sent it a new link" in answers[0][2]
    [mail] = outbox()
    assert mail.recipient == "ana@example.org"
    assert link_path(mail).startswith("/verify-email/")


def test_a_logged_in_unverified_member_asks_for_a_new_link_from_the_banner(client):
    login(client, unverified())
    page = client.get("/").text
    assert 'name="email" value="ana@example.org"' in page
    client.post("/verify-email/resend", data={"email": "ana@example.org"})
    [mail] = outbox()
    assert client.get(link_path(mail)).headers["Location"] == "/"
    assert "Confirm your e-mail address first" not in client.get("/").text


def test_an_unverified_account_can_log_in(client):
    unverified()
    response = client.post("/login", data={"email": "ana@example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert "Confirm your e-mail address first" in client.get("/").text


def test_the_data_export_says_when_the_address_was_confirmed(client):
    user = unverified()
    login(client, user)
    assert client.get("/account/my-data.json").json["account"]["email_verified_at"] is None
    client.get(signup.verify_link(user).removeprefix("http://localhost"))
    confirmed = client.get("/account/my-data.json").json["account"]["email_verified_at"]
    assert confirmed.startswith(str(db.session.get(User, user.id).email_verified_at.year))


def test_a_password_reset_confirms_the_address(app):
    from pic_events.accounts import services

    user = unverified()
    services.reset_password(services.make_password_reset_token(user), "a brand new password")
    assert db.session.get(User, user.id).is_verified
