"""B2B requests, meetings, outcomes and availability in the data export and on anonymisation
(account deletion anonymises every registration, so it comes here too)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from pic_events.core.types import utcnow
from pic_events.extensions import db
from pic_events.matchmaking import booking, mails, requests
from pic_events.matchmaking.meetings import with_people
from pic_events.matchmaking.models import (
    Meeting,
    MeetingOutcome,
    MeetingRequest,
    MeetingSeat,
    MeetingStatus,
    NudgeSent,
    Slot,
    Unavailability,
)
from pic_events.registration.models import Registration


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def export_meetings(user: Any, **_kw: Any) -> dict[str, Any]:
    """personal_data_exported: my B2B requests, meetings, outcomes and unavailable slots."""
    registrations = db.session.scalars(
        sa.select(Registration)
        .where(Registration.user_id == user.id)
        .options(joinedload(Registration.event))
    ).all()
    ids = [r.id for r in registrations]
    slugs = {r.id: r.event.slug for r in registrations}
    if not ids:
        return {"b2b_meetings": []}
    sent_or_received = db.session.scalars(
        sa.select(MeetingRequest)
        .where(sa.or_(MeetingRequest.sender_id.in_(ids), MeetingRequest.recipient_id.in_(ids)))
        .order_by(MeetingRequest.created_at, MeetingRequest.id)
        .options(*requests.request_options())
    ).all()
    meetings = (
        db.session.scalars(
            sa.select(Meeting)
            .join(MeetingSeat, MeetingSeat.meeting_id == Meeting.id)
            .where(MeetingSeat.registration_id.in_(ids))
            .order_by(Meeting.id)
            .options(with_people())
        )
        .unique()
        .all()
    )
    said = db.session.scalars(
        sa.select(MeetingOutcome).where(MeetingOutcome.registration_id.in_(ids))
    ).all()
    marked = db.session.execute(
        sa.select(Unavailability.registration_id, Slot.starts_at)
        .join(Slot, Slot.id == Unavailability.slot_id)
        .where(Unavailability.registration_id.in_(ids))
        .order_by(Slot.starts_at)
    ).all()
    nudged = dict(
        db.session.execute(
            sa.select(NudgeSent.registration_id, NudgeSent.sent_at).where(
                NudgeSent.registration_id.in_(ids)
            )
        ).all()
    )
    sections = []
    for registration in registrations:
        rid = registration.id
        sections.append(
            {
                "event": slugs[rid],
                "requests": [
                    {
                        "direction": "sent" if r.sender_id == rid else "received",
                        "with": r.other_side(rid).display_name,
                        "status": r.status,
                        "message": r.message,
                        "decline_reason": r.decline_reason,
                        "proposed_time": _iso(r.proposed_slot.starts_at)
                        if r.proposed_slot
                        else None,
                        "created_at": _iso(r.created_at),
                    }
                    for r in sent_or_received
                    if rid in (r.sender_id, r.recipient_id)
                ],
                "meetings": [
                    {
                        "start": _iso(m.slot.starts_at),
                        "end": _iso(m.slot.ends_at),
                        "table": m.table.label,
                        "with": [p.display_name for p in m.others(rid)],
                        "status": m.status,
                        "cancel_reason": m.cancel_reason,
                    }
                    for m in meetings
                    if rid in m.registration_ids
                ],
                "outcomes": [
                    {"meeting_id": o.meeting_id, "took_place": o.took_place, "rating": o.rating}
                    for o in said
                    if o.registration_id == rid
                ],
                "unavailable_slots": [_iso(start) for owner, start in marked if owner == rid],
                "nudged_at": _iso(nudged.get(rid)),
            }
        )
    return {"b2b_meetings": sections}


def forget_meetings(registration: Registration, **_kw: Any) -> None:
    """registration_anonymising: meetings still to come are cancelled (the others are told),
    live requests withdrawn, the messages and reasons the person wrote forgotten, their
    unavailability and nudge forgotten. Past meetings and outcomes stay, unlinked, for the
    event's statistics."""
    now = utcnow()
    db.session.execute(  # before the cancellations below, whose reason names no one
        sa.update(Meeting)
        .where(Meeting.cancelled_by_id == registration.id)
        .values(cancel_reason="", cancelled_by_id=None),
        execution_options={"synchronize_session": False},
    )
    coming = db.session.scalars(
        sa.select(Meeting)
        .join(MeetingSeat, MeetingSeat.meeting_id == Meeting.id)
        .join(Slot, Slot.id == Meeting.slot_id)
        .where(
            MeetingSeat.registration_id == registration.id,
            Meeting.status == MeetingStatus.CONFIRMED,
            Slot.ends_at > now,
        )
    ).all()
    for meeting in coming:
        booking.cancel_in_transaction(
            meeting,
            by=registration,
            by_organiser=True,
            reason=_("A participant no longer attends."),
        )
    live = db.session.scalars(
        sa.select(MeetingRequest).where(
            sa.or_(
                MeetingRequest.sender_id == registration.id,
                MeetingRequest.recipient_id == registration.id,
            ),
            MeetingRequest.status.in_(("pending", "accepted")),
        )
    ).all()
    for request in live:
        meeting = requests.meeting_of_request(request.id)
        if meeting is not None:
            booking.cancel_in_transaction(meeting, by=registration, by_organiser=True)
        else:
            request.status = "cancelled"
            mails.request_cancelled(request, by=registration)
    db.session.execute(
        sa.update(MeetingRequest)
        .where(MeetingRequest.sender_id == registration.id)
        .values(message=""),
        execution_options={"synchronize_session": False},
    )
    db.session.execute(
        sa.update(MeetingRequest)
        .where(MeetingRequest.recipient_id == registration.id)
        .values(decline_reason=""),
        execution_options={"synchronize_session": False},
    )
    db.session.execute(
        sa.delete(Unavailability).where(Unavailability.registration_id == registration.id),
        execution_options={"synchronize_session": False},
    )
    db.session.execute(
        sa.delete(NudgeSent).where(NudgeSent.registration_id == registration.id),
        execution_options={"synchronize_session": False},
    )
    db.session.flush()
