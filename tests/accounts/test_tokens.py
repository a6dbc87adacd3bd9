import re

from sqlalchemy import select

from pic_events.accounts import services
from pic_events.accounts.models import ApiToken, hash_token
from pic_events.extensions import db
from tests.factories import PASSWORD, login, make_user


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_create_and_revoke_token_on_profile_page(client):
    user = make_user("eva@example.org")
    login(client, user)
    response = client.post("/profile/tokens", data={"token-name": "my laptop"})
    page = response.get_data(as_text=True)
    plaintext = re.search(r'id="new-token" type="text" readonly value="(pic_[^"]+)"', page).group(1)
    stored = db.session.scalar(select(ApiToken))
    assert stored.name == "my laptop"
    assert stored.token_hash == hash_token(plaintext) and plaintext not in stored.token_hash
    # Shown once: the next visit lists the token without its secret.
    later = client.get("/profile").get_data(as_text=True)
    assert "my laptop" in later and plaintext not in later

    anonymous = client.application.test_client()
    assert anonymous.get("/api/v1/me", headers=bearer(plaintext)).json["id"] == user.id

    revoked = client.post(f"/profile/tokens/{stored.id}/revoke", follow_redirects=True)
    assert "revoked" in revoked.get_data(as_text=True)
    assert anonymous.get("/api/v1/me", headers=bearer(plaintext)).status_code == 401


def test_token_name_is_required(client):
    login(client, make_user())
    response = client.post("/profile/tokens", data={"token-name": " "})
    assert response.status_code == 400
    assert "is-invalid" in response.get_data(as_text=True)
    assert db.session.scalar(select(ApiToken)) is None


def test_cannot_revoke_someone_elses_token(client):
    owner = make_user()
    token, plaintext = services.create_api_token(owner, "owner's")
    login(client, make_user())
    assert client.post(f"/profile/tokens/{token.id}/revoke").status_code == 404
    assert client.application.test_client().get("/api/v1/me", headers=bearer(plaintext)).json


def test_api_token_exchange_and_me(client, app):
    user = make_user("eva@example.org", name="Eva")
    response = client.post(
        "/api/v1/tokens", json={"email": "EVA@example.org", "password": PASSWORD}
    )
    assert response.status_code == 201
    token = response.json["token"]
    me = client.get("/api/v1/me", headers=bearer(token))
    assert me.status_code == 200
    assert me.json == {
        "id": user.id,
        "email": "eva@example.org",
        "name": "Eva",
        "role": "member",
        "calendar_url": f"http://localhost/calendar/{user.calendar_token}.ics",
    }


def test_api_token_wrong_password_is_a_401_problem(client):
    make_user("eva@example.org")
    response = client.post("/api/v1/tokens", json={"email": "eva@example.org", "password": "x"})
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert response.json["status"] == 401
    assert db.session.scalar(select(ApiToken)) is None


def test_api_token_missing_fields_is_422(client):
    response = client.post("/api/v1/tokens", json={"email": "eva@example.org"})
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert "password" in response.json["errors"]


def test_me_needs_auth(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert client.get("/api/v1/me", headers=bearer("pic_unknown")).status_code == 401


def test_me_by_session(client):
    user = make_user()
    login(client, user)
    assert client.get("/api/v1/me").json["id"] == user.id


def test_api_list_and_revoke_tokens(client):
    user = make_user()
    token, plaintext = services.create_api_token(user, "script")
    listed = client.get("/api/v1/tokens", headers=bearer(plaintext)).json
    assert listed["total"] == 1 and listed["items"][0]["name"] == "script"
    assert "token_hash" not in listed["items"][0]
    other = make_user()
    other_token, _ = services.create_api_token(other, "theirs")
    auth = bearer(plaintext)
    assert client.delete(f"/api/v1/tokens/{other_token.id}", headers=auth).status_code == 404
    assert client.delete(f"/api/v1/tokens/{token.id}", headers=auth).status_code == 204
    assert client.get("/api/v1/me", headers=bearer(plaintext)).status_code == 401


def test_cli_create_token(app):
    user = make_user("eva@example.org")
    result = app.test_cli_runner().invoke(args=["create-token", "EVA@example.org"])
    assert result.exit_code == 0, result.output
    plaintext = result.output.strip()
    assert app.test_client().get("/api/v1/me", headers=bearer(plaintext)).json["id"] == user.id


def test_cli_create_token_unknown_email(app):
    result = app.test_cli_runner().invoke(args=["create-token", "ghost@example.org"])
    assert result.exit_code == 1
    assert "no account uses the e-mail address ghost@example.org" in result.output
