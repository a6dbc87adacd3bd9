import pytest

from config import ProductionConfig
from pic_events import create_app
from tests.conftest import make_app
from tests.factories import PASSWORD, login, make_organiser, make_user

ORGANISER_PAGES = [
    "/organiser/clusters",
    "/organiser/organisations",
    "/organiser/events",
    "/organiser/events/new",
]


@pytest.mark.parametrize("path", ORGANISER_PAGES)
def test_anonymous_users_go_to_login(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize("path", ORGANISER_PAGES)
def test_members_get_403_and_organisers_get_in(client, path):
    login(client, make_user())
    assert client.get(path).status_code == 403
    login(client, make_organiser())
    assert client.get(path).status_code == 200


def test_login_is_rate_limited(app):
    limited = make_app(app.config["SQLALCHEMY_DATABASE_URI"], RATELIMIT_ENABLED=True)
    with limited.app_context():
        make_user("eva@example.org")
        client = limited.test_client()
        assert client.get("/login").status_code == 200
        for _ in range(10):
            response = client.post("/login", data={"email": "eva@example.org", "password": "x"})
            assert response.status_code == 200
        blocked = client.post("/login", data={"email": "eva@example.org", "password": PASSWORD})
        assert blocked.status_code == 429
        assert "Too many attempts" in blocked.get_data(as_text=True)
        assert client.get("/login").status_code == 200  # GET is not limited
        api = client.post("/api/v1/tokens", json={"email": "eva@example.org", "password": "x"})
        assert api.status_code == 401
        for _ in range(9):
            client.post("/api/v1/tokens", json={"email": "eva@example.org", "password": "x"})
        api = client.post("/api/v1/tokens", json={"email": "eva@example.org", "password": PASSWORD})
        assert api.status_code == 429
        assert api.mimetype == "application/problem+json"


def test_behind_a_trusted_proxy_each_client_has_its_own_limit(app):
    proxied = make_app(
        app.config["SQLALCHEMY_DATABASE_URI"], RATELIMIT_ENABLED=True, TRUSTED_PROXIES=1
    )
    with proxied.app_context():
        client = proxied.test_client()

        def attempt(client_ip: str) -> int:
            data = {"email": "nobody@example.org", "password": "x"}
            return client.post(
                "/login", data=data, headers={"X-Forwarded-For": client_ip}
            ).status_code

        assert [attempt("203.0.113.7") for _ in range(11)][-1] == 429
        assert attempt("198.51.100.4") == 200  # another member behind the same proxy


def test_csrf_is_checked_on_forms_and_session_api_calls(app):
    protected = make_app(app.config["SQLALCHEMY_DATABASE_URI"], WTF_CSRF_ENABLED=True)
    with protected.app_context():
        user = make_user("eva@example.org")
        client = protected.test_client()
        form = client.post("/login", data={"email": "eva@example.org", "password": PASSWORD})
        assert form.status_code == 400
        login(client, user)
        from_cookie = client.post(
            "/api/v1/tokens", json={"email": "eva@example.org", "password": PASSWORD}
        )
        assert from_cookie.status_code == 400
        assert from_cookie.mimetype == "application/problem+json"

        token = protected.test_cli_runner().invoke(args=["create-token", "eva@example.org"])
        bearer = {"Authorization": f"Bearer {token.output.strip()}"}
        tokenless = protected.test_client()
        from_token = tokenless.post(
            "/api/v1/tokens",
            json={"email": "eva@example.org", "password": PASSWORD},
            headers=bearer,
        )
        assert from_token.status_code == 201


def test_session_cookie_flags():
    assert ProductionConfig.SESSION_COOKIE_SECURE is True
    assert ProductionConfig.SESSION_COOKIE_HTTPONLY is True
    assert ProductionConfig.SESSION_COOKIE_SAMESITE == "Lax"


def test_production_sends_secure_httponly_lax_cookie(monkeypatch):
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", "production-test-key")
    production = create_app("production", {"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    response = production.test_client().get("/login", base_url="https://localhost")
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
