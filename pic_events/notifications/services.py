"""Queue mail in the caller's transaction; delivery happens after commit (see sender)."""

from __future__ import annotations

from pic_events.extensions import db
from pic_events.notifications.models import OutboxMessage


def queue_mail(
    recipient: str, subject: str, body_text: str, body_html: str | None = None
) -> OutboxMessage:
    """Add a message to the outbox. The caller commits it together with the change."""
    message = OutboxMessage(
        recipient=recipient, subject=subject, body_text=body_text, body_html=body_html
    )
    db.session.add(message)
    return message
