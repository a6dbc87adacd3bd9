from __future__ import annotations

import base64
import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from pic_events.core.types import UTCDateTime, utcnow
from pic_events.extensions import db


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    LOGGED = "logged"  # no MAIL_SERVER: written to the log instead of sent, kept as a row
    FAILED = "failed"


class OutboxMessage(db.Model):
    __table_args__ = (sa.Index("ix_outbox_message_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(sa.String(254))
    subject: Mapped[str] = mapped_column(sa.String(300))
    body_text: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[str | None] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.String(16), default=OutboxStatus.PENDING.value)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # What the message is about ("registration:42"), so it is forgotten with that thing.
    topic: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    # Files sent with the message: [{"filename", "mimetype", "content" (base64)}]; a
    # "text/calendar; method=..." part is an invitation calendars act on.
    attachments: Mapped[list | None] = mapped_column(sa.JSON, default=list)

    def add_attachment(self, filename: str, mimetype: str, content: bytes) -> None:
        part = {
            "filename": filename,
            "mimetype": mimetype,
            "content": base64.b64encode(content).decode("ascii"),
        }
        self.attachments = [*(self.attachments or []), part]
