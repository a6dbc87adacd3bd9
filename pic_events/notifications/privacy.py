"""Personal data in the outbox: a person's mails in their data export, forgotten with them,
and delivered mail deleted after MAIL_RETENTION_DAYS.

Receivers of the signals in pic_events.core.signals (connected in pic_events.app); a person is
known here only by their address (`user.email`), the outbox keeps no account ids.

Retention: sent and logged mail is deleted MAIL_RETENTION_DAYS after it went out, failed mail
the same time after it was written (`send-mail --retry-failed` can revive it until then);
pending mail is never deleted by age, it is still to be delivered and becomes sent or failed
within MAIL_MAX_ATTEMPTS back-offs.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app

from pic_events.core.types import utcnow
from pic_events.extensions import db
from pic_events.notifications.models import OutboxMessage, OutboxStatus

DEFAULT_RETENTION_DAYS = 90


def addressed_to(email: str) -> sa.ColumnElement[bool]:
    """Messages to `email`, written bare or as "Name <email>", in any case."""
    email = email.strip().lower()
    recipient = sa.func.lower(OutboxMessage.recipient)
    return sa.or_(recipient == email, recipient.endswith(f"<{email}>", autoescape=True))


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def export_mail(user: Any, **_: Any) -> dict[str, Any]:
    """personal_data_exported: every message in the outbox to the person."""
    messages = db.session.scalars(
        sa.select(OutboxMessage)
        .where(addressed_to(user.email))
        .order_by(OutboxMessage.created_at, OutboxMessage.id)
    )
    return {
        "mails": [
            {
                "to": message.recipient,
                "subject": message.subject,
                "status": message.status,
                "created_at": _iso(message.created_at),
                "sent_at": _iso(message.sent_at),
                "body": message.body_text,
            }
            for message in messages
        ]
    }


def forget_mail_to(user: Any, **_: Any) -> None:
    """account_deleting: the person's messages go, pending ones too (nobody to write to)."""
    db.session.execute(
        sa.delete(OutboxMessage).where(addressed_to(user.email)),
        execution_options={"synchronize_session": False},
    )


def forget_mail_about(topic: str) -> None:
    """Delete the messages written about one thing (see queue_mail's `topic`)."""
    db.session.execute(
        sa.delete(OutboxMessage).where(OutboxMessage.topic == topic),
        execution_options={"synchronize_session": False},
    )


def delete_old_mail(now: datetime | None = None) -> int:
    """Delete delivered and failed mail older than MAIL_RETENTION_DAYS; returns how many."""
    days = current_app.config.get("MAIL_RETENTION_DAYS", DEFAULT_RETENTION_DAYS)
    before = (now or utcnow()) - timedelta(days=days)
    delivered = (OutboxStatus.SENT.value, OutboxStatus.LOGGED.value)
    result = db.session.execute(
        sa.delete(OutboxMessage).where(
            sa.or_(
                sa.and_(OutboxMessage.status.in_(delivered), OutboxMessage.sent_at < before),
                sa.and_(
                    OutboxMessage.status == OutboxStatus.FAILED.value,
                    OutboxMessage.created_at < before,
                ),
            )
        ),
        execution_options={"synchronize_session": False},
    )
    db.session.commit()
    return result.rowcount
