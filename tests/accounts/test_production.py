"""Production refuses set-ups that are fine on a laptop: demo accounts, links in the log."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import func, select

from config import ProductionConfig
from pic_events import create_app
from pic_events.accounts.models import User
from pic_events.extensions import db
from pic_events.notifications.services import queue_mail

SECRET_LINK = "http://localhost/reset-password/very-secret-token"


@pytest.fixture
def production(app, monkeypatch):
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", "production-test-key")
    production_app = create_app(
        "production", {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]}
    )
    with production_app.app_context():
        yield production_app
        db.session.remove()


def _users() -> int:
    return db.session.scalar(select(func.count(User.id)))


def test_seed_demo_refuses_under_the_production_config(production):
    result = production.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code != 0
    assert "Refusing to seed the demo under the production configuration" in result.output
    assert "--force" in result.output
    assert _users() == 0


def test_seed_demo_runs_in_production_with_force(production):
    result = production.test_cli_runner().invoke(args=["seed-demo", "--force"])
    assert result.exit_code == 0, result.output
    assert _users() > 60


def test_seed_demo_runs_in_development_as_before(app):
    assert app.test_cli_runner().invoke(args=["seed-demo", "--if-empty"]).exit_code == 0
    assert _users() > 60


def _logged_mail(caplog) -> str:
    caplog.set_level(logging.INFO, logger="pic_events.notifications")
    queue_mail("zoe@example.org", "Reset your password", f"Choose one here: {SECRET_LINK}")
    db.session.commit()  # delivered at once, to the log (no MAIL_SERVER)
    return caplog.text


def test_production_logs_mails_without_their_bodies(production, caplog):
    assert production.config["MAIL_SERVER"] is None
    text = _logged_mail(caplog)
    assert "zoe@example.org" in text and "Reset your password" in text
    assert "body withheld" in text
    assert SECRET_LINK not in text and "very-secret-token" not in text


def test_development_logs_mails_with_their_links(app, caplog):
    text = _logged_mail(caplog)
    assert SECRET_LINK in text
