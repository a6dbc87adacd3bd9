"""What the calendar keeps: when each feed last changed, per-event reminder settings and the
reminders sent (one row per registration: the reminder goes out once, however often cron runs).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from pic_events.core.types import UTCDateTime, utcnow
from pic_events.extensions import db


class FeedState(db.Model):
    """The fingerprint (ETag) of a feed as last served and when it last changed: a true
    Last-Modified, whatever changed inside it (a session, a meeting, a profile)."""

    __tablename__ = "calendar_feed_state"

    key: Mapped[str] = mapped_column(sa.String(80), primary_key=True)  # "user:7", "programme:3:all"
    etag: Mapped[str] = mapped_column(sa.String(80))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CalendarSettings(db.Model):
    """Per event: how many days before its first day the reminder mail goes out."""

    __tablename__ = "calendar_settings"
    __table_args__ = (
        sa.CheckConstraint(
            "reminder_days_before IS NULL OR reminder_days_before BETWEEN 0 AND 60",
            name="reminder_days_in_range",
        ),
    )

    event_id: Mapped[int] = mapped_column(
        sa.ForeignKey("event.id", ondelete="CASCADE"), primary_key=True
    )
    # None: no reminder for this event.
    reminder_days_before: Mapped[int | None] = mapped_column(default=3)


class ReminderSent(db.Model):
    """The reminder went to this registration; inserted in the transaction that queues it."""

    __tablename__ = "calendar_reminder_sent"

    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registration.id", ondelete="CASCADE"), primary_key=True
    )
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
