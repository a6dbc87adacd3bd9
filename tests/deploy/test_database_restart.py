"""PostgreSQL restarted under the app: the pooled connections die, the app recovers alone."""

from __future__ import annotations

import sqlalchemy as sa

from config import Config, ProductionConfig, database_url
from pic_events.extensions import db
from tests.conftest import TEST_DATABASE_URL, make_app
from tests.factories import make_event


def _pooled_backend_pids() -> set[int]:
    """Check out every connection the app holds and note its server process."""
    db.session.remove()
    pids = set()
    with db.engine.connect() as connection:
        pids.add(connection.execute(sa.text("SELECT pg_backend_pid()")).scalar_one())
    return pids


def _terminate(pids: set[int]) -> None:
    """What a PostgreSQL restart does to the app's open connections."""
    admin = sa.create_engine(database_url(TEST_DATABASE_URL))
    with admin.begin() as connection:
        for pid in pids:
            assert connection.execute(sa.text(f"SELECT pg_terminate_backend({pid})")).scalar()
    admin.dispose()


def test_production_engine_checks_connections_before_use():
    assert ProductionConfig.SQLALCHEMY_ENGINE_OPTIONS["pool_pre_ping"] is True
    assert Config.SQLALCHEMY_ENGINE_OPTIONS["pool_pre_ping"] is True


def test_next_request_succeeds_after_the_connection_was_dropped(pg_app):
    make_event(title="Still here", slug="still-here")
    db.session.commit()
    client = pg_app.test_client()
    assert client.get("/healthz").status_code == 200

    _terminate(_pooled_backend_pids())

    health = client.get("/healthz")
    assert health.status_code == 200, health.get_data(as_text=True)
    assert "Still here" in client.get("/").get_data(as_text=True)


def test_without_pre_ping_the_dropped_connection_would_fail_a_request(pg_app):
    """The contrast: the test above would fail if pool_pre_ping were off."""
    url = pg_app.config["SQLALCHEMY_DATABASE_URI"]
    fragile = make_app(url, SQLALCHEMY_ENGINE_OPTIONS={})
    with fragile.app_context():
        client = fragile.test_client()
        assert client.get("/healthz").status_code == 200
        _terminate(_pooled_backend_pids())
        assert client.get("/healthz").status_code == 503
        assert client.get("/healthz").status_code == 200  # the broken connection was discarded
        db.session.remove()
        db.engine.dispose()
