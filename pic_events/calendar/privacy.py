"""The calendar's part of a person's data: their feed's address and the reminders they got
(in the data export); the feed's state goes with the account."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from pic_events.accounts.models import User
from pic_events.calendar.models import FeedState, ReminderSent
from pic_events.calendar.services import feed_url
from pic_events.extensions import db
from pic_events.registration.models import Registration


def export_calendar(user: User, **_: Any) -> dict[str, Any]:
    """personal_data_exported: the feed's address (a secret: reset it if it leaked)."""
    rows = db.session.execute(
        sa.select(Registration.event_id, ReminderSent.sent_at)
        .join(ReminderSent, ReminderSent.registration_id == Registration.id)
        .where(Registration.user_id == user.id)
        .order_by(ReminderSent.sent_at)
    )
    return {
        "calendar": {
            "feed_url": feed_url(user),
            "reminders_sent": [
                {"event_id": event_id, "sent_at": sent_at.isoformat()} for event_id, sent_at in rows
            ],
        }
    }


def forget_feed(user: User, **_: Any) -> None:
    """account_deleting: the feed's ETag and date go (the token goes with the account)."""
    db.session.execute(
        sa.delete(FeedState).where(FeedState.key == f"user:{user.id}"),
        execution_options={"synchronize_session": False},
    )
