"""Builders shared by the organiser-side (ADMIN) B2B tests."""

from __future__ import annotations

from pic_events.extensions import db
from pic_events.matchmaking.models import MeetingRequest, RequestStatus
from tests.factories import make_registration, make_user


def people(event, n, prefix="Person"):
    return [make_registration(event, make_user(name=f"{prefix} {i}")) for i in range(n)]


def accepted(event, a, b, priority=1) -> MeetingRequest:
    """An accepted request without a slot (organiser scheduling), written directly: the
    requests service belongs to the member side."""
    low, high = sorted((a.id, b.id))
    request = MeetingRequest(
        event_id=event.id,
        sender_id=a.id,
        recipient_id=b.id,
        pair_low=low,
        pair_high=high,
        status=RequestStatus.ACCEPTED.value,
        priority=priority,
    )
    db.session.add(request)
    db.session.commit()
    return request
