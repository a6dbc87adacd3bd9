"""After a meeting, each side may say whether it took place and how it went."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from pic_events.core.types import utcnow
from pic_events.core.validation import ServiceValidationError
from pic_events.extensions import db
from pic_events.matchmaking.booking import BookingConflict
from pic_events.matchmaking.meetings import meeting_for
from pic_events.matchmaking.models import Meeting, MeetingOutcome, Rating
from pic_events.registration.models import Registration


def outcomes_of(
    registration: Registration, meeting_ids: Iterable[int]
) -> dict[int, MeetingOutcome]:
    """{meeting id: what I said about it} (one query)."""
    ids = list(meeting_ids)
    if not ids:
        return {}
    rows = db.session.scalars(
        sa.select(MeetingOutcome).where(
            MeetingOutcome.registration_id == registration.id,
            MeetingOutcome.meeting_id.in_(ids),
        )
    )
    return {row.meeting_id: row for row in rows}


def can_report(meeting: Meeting, now: datetime | None = None) -> bool:
    return meeting.is_live and meeting.slot.starts_at <= (now or utcnow())


def record_outcome(
    meeting_id: int,
    registration: Registration,
    *,
    took_place: bool,
    rating: str | None,
    now: datetime | None = None,
) -> MeetingOutcome:
    """Store (or change) what this side says: took place or not, and if it did, a rating
    (not_relevant, informative, cooperation). Only once the meeting has begun."""
    meeting = meeting_for(meeting_id, registration)
    if rating is not None and rating not in {r.value for r in Rating}:
        raise ServiceValidationError({"rating": [_("Choose one of the ratings offered.")]})
    if took_place and rating is None:
        raise ServiceValidationError({"rating": [_("Say how the meeting went.")]})
    if not meeting.is_live:
        raise BookingConflict(_("This meeting was cancelled."), "cancelled")
    if not can_report(meeting, now):
        raise BookingConflict(_("You can say how the meeting went once it has begun."), "not_yet")
    try:
        outcome = db.session.get(MeetingOutcome, (meeting.id, registration.id))
        if outcome is None:
            outcome = MeetingOutcome(meeting_id=meeting.id, registration_id=registration.id)
            db.session.add(outcome)
        outcome.took_place = took_place
        outcome.rating = rating if took_place else None
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return outcome
