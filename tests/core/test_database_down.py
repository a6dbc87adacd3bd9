"""The database out of reach: 503 with Retry-After everywhere, one log line per request."""

from __future__ import annotations

import logging
import socket

import pytest

from tests.conftest import make_app


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nobody listens once the probe is closed


@pytest.fixture(params=["postgresql", "sqlite"])
def unreachable_app(request, tmp_path):
    if request.param == "postgresql":
        url = f"postgresql://pic@127.0.0.1:{_closed_port()}/pic?connect_timeout=2"
    else:
        url = f"sqlite:///{tmp_path / 'no-such-folder' / 'pic.sqlite'}"
    application = make_app(url, SQLALCHEMY_ENGINE_OPTIONS={})
    with application.app_context():
        yield application


def test_pages_api_and_health_answer_503_with_one_line_each(unreachable_app, caplog):
    client = unreachable_app.test_client()
    with caplog.at_level(logging.ERROR):
        api = client.get("/api/v1/events")
        page = client.get("/")
        health = client.get("/healthz")
        login = client.post("/login", data={"email": "a@example.org", "password": "x"})

    assert api.status_code == 503 and api.mimetype == "application/problem+json"
    assert api.json["status"] == 503 and api.json["detail"]
    assert page.status_code == 503 and page.mimetype == "text/html"
    assert "briefly unavailable" in page.get_data(as_text=True)
    assert login.status_code == 503
    assert health.status_code == 503 and health.json["status"] == "error"
    for response in (api, page, health, login):
        assert int(response.headers["Retry-After"]) > 0

    failed = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(failed) == 3  # /healthz reports in its answer; the three others log a line
    assert all(r.exc_info is None and "\n" not in r.getMessage() for r in failed)
    assert [r.getMessage().split(" (")[0] for r in failed] == [
        "Database unavailable: GET /api/v1/events",
        "Database unavailable: GET /",
        "Database unavailable: POST /login",
    ]


def test_a_logged_in_member_gets_503_not_500(unreachable_app, caplog):
    """The session names a user: loading them fails, and so did the 503 page's language
    (the locale selector asked the database again), which escaped as a 500."""
    client = unreachable_app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = "1.fingerprint"
    with caplog.at_level(logging.ERROR):
        page = client.get("/")
        api = client.get("/api/v1/events")
        token = unreachable_app.test_client().get(
            "/api/v1/me", headers={"Authorization": "Bearer some-token"}
        )

    assert page.status_code == 503 and "briefly unavailable" in page.get_data(as_text=True)
    assert api.status_code == 503 and api.mimetype == "application/problem+json"
    assert token.status_code == 503
    assert all(int(r.headers["Retry-After"]) > 0 for r in (page, api, token))
    assert not [r for r in caplog.records if r.exc_info]


def test_a_token_or_a_session_cookie_still_gets_503_not_500(unreachable_app, caplog):
    """Who is calling is asked of the database too (API token, session cookie): the 503
    answer must not ask again, or it fails inside the error handler and becomes a 500."""
    client = unreachable_app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = "1.fingerprint"
        session["_fresh"] = True
    with caplog.at_level(logging.ERROR):
        api = client.post(
            "/api/v1/events/pic-2027/registrations",
            json={"answers": {}, "consent": True},
            headers={"Authorization": "Bearer pic_0123456789abcdef"},
        )
        page = client.get("/events/pic-2027/my-agenda")
    assert api.status_code == 503 and api.mimetype == "application/problem+json"
    assert page.status_code == 503 and page.mimetype == "text/html"
    for response in (api, page):
        assert int(response.headers["Retry-After"]) > 0
    assert not [r for r in caplog.records if r.getMessage() == "Unhandled error"]
