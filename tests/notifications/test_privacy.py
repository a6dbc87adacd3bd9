"""Personal data in the outbox: whose mail is whose, and how long delivered mail is kept."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from pic_events.core.types import utcnow
from pic_events.extensions import db
from pic_events.notifications.models import OutboxMessage, OutboxStatus
from pic_events.notifications.privacy import delete_old_mail, export_mail, forget_mail_to
from pic_events.notifications.services import queue_mail
from tests.factories import make_user


def _mail(subject: str, status: OutboxStatus, *, age_days: int, to: str = "zoe@example.org"):
    message = queue_mail(to, subject, "Body")
    message.status = status.value
    message.created_at = utcnow() - timedelta(days=age_days)
    if status in (OutboxStatus.SENT, OutboxStatus.LOGGED):
        message.sent_at = message.created_at
    db.session.commit()
    return message


def _subjects() -> set[str]:
    db.session.expire_all()
    return set(db.session.scalars(sa.select(OutboxMessage.subject)))


def test_delivered_and_failed_mail_go_after_the_retention_period_pending_mail_stays(app):
    app.config["MAIL_DELIVER_INLINE"] = False
    _mail("old sent", OutboxStatus.SENT, age_days=91)
    _mail("old logged", OutboxStatus.LOGGED, age_days=91)
    _mail("old failed", OutboxStatus.FAILED, age_days=91)
    _mail("old pending", OutboxStatus.PENDING, age_days=200)
    _mail("recent sent", OutboxStatus.SENT, age_days=89)
    _mail("recent failed", OutboxStatus.FAILED, age_days=89)
    assert delete_old_mail() == 3
    assert _subjects() == {"old pending", "recent sent", "recent failed"}


def test_the_retention_period_is_a_setting_and_purge_expired_applies_it(app):
    app.config.update(MAIL_DELIVER_INLINE=False, MAIL_RETENTION_DAYS=10)
    _mail("eleven days", OutboxStatus.SENT, age_days=11)
    _mail("nine days", OutboxStatus.SENT, age_days=9)
    result = app.test_cli_runner().invoke(args=["purge-expired"])
    assert result.exit_code == 0, result.output
    assert "1 old mail(s) deleted." in result.output
    assert _subjects() == {"nine days"}


def test_a_deleted_account_takes_its_mail_and_only_its_mail(app):
    app.config["MAIL_DELIVER_INLINE"] = False
    user = make_user(email="zoe_a@example.org")
    _mail("bare", OutboxStatus.PENDING, age_days=0, to="zoe_a@example.org")
    _mail("named", OutboxStatus.SENT, age_days=1, to="Zoé A <ZOE_A@example.org>")
    _mail("not a wildcard", OutboxStatus.SENT, age_days=1, to="Zoé B <zoeba@example.org>")
    _mail("longer address", OutboxStatus.SENT, age_days=1, to="xzoe_a@example.org")
    assert [m["subject"] for m in export_mail(user)["mails"]] == ["named", "bare"]
    forget_mail_to(user)
    db.session.commit()
    assert _subjects() == {"not a wildcard", "longer address"}
