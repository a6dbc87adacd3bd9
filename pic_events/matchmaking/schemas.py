"""B2B JSON as CONTRACT.md names it: Slot, Meeting, meeting requests, availability, outcome.
Schemas parse types; the rules live in requests.py, slots.py, booking.py and outcomes.py."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from pic_events.core.schemas import Id, IdList, InputSchema, Text
from pic_events.core.timezones import to_zone
from pic_events.matchmaking.models import (
    MatchProfile,
    Meeting,
    MeetingRequest,
    Rating,
    RequestStatus,
    Slot,
)
from pic_events.matchmaking.profile_schemas import ParticipantSchema
from pic_events.matchmaking.requests import MESSAGE_MAX, REASON_MAX
from pic_events.registration.models import Registration

SLOT_IDS_MAX = 2000


# Output -----------------------------------------------------------------------------------


class SlotSchema(Schema):
    id = fields.Integer()
    start = fields.AwareDateTime()
    end = fields.AwareDateTime()
    status = fields.String(
        validate=validate.OneOf(["free", "busy", "unavailable"]),
        metadata={"description": "Mine: free, busy (a meeting booked), unavailable"},
    )
    free_tables = fields.Integer()


class SlotListSchema(Schema):
    items = fields.List(fields.Nested(SlotSchema))
    total = fields.Integer()


class MeetingSchema(Schema):
    id = fields.Integer()
    slot = fields.Nested(SlotSchema)
    table = fields.String(metadata={"description": "The table's label"})
    room = fields.String(allow_none=True)
    with_ = fields.List(
        fields.Nested(ParticipantSchema),
        data_key="with",
        metadata={"description": "The other participants (all of them for an organiser)"},
    )
    status = fields.String(validate=validate.OneOf(["confirmed", "cancelled"]))
    request_id = fields.Integer(allow_none=True)


class MeetingListSchema(Schema):
    items = fields.List(fields.Nested(MeetingSchema))
    total = fields.Integer()


class MeetingRequestSchema(Schema):
    id = fields.Integer()
    status = fields.String(validate=validate.OneOf([s.value for s in RequestStatus]))
    from_registration_id = fields.Integer()
    to_registration_id = fields.Integer()
    from_ = fields.Nested(ParticipantSchema, data_key="from")
    to = fields.Nested(ParticipantSchema)
    message = fields.String()
    slot = fields.Nested(SlotSchema, allow_none=True, metadata={"description": "Proposed"})
    decline_reason = fields.String()
    expires_at = fields.AwareDateTime(allow_none=True)
    created_at = fields.AwareDateTime()
    meeting = fields.Nested(MeetingSchema, allow_none=True)


class MeetingRequestListSchema(Schema):
    items = fields.List(fields.Nested(MeetingRequestSchema))
    total = fields.Integer()


class AvailabilitySchema(Schema):
    unavailable_slot_ids = fields.List(fields.Integer())


class OutcomeSchema(Schema):
    meeting_id = fields.Integer()
    took_place = fields.Boolean()
    rating = fields.String(allow_none=True)


# Input ------------------------------------------------------------------------------------


class AvailabilityInputSchema(InputSchema):
    unavailable_slot_ids = IdList(SLOT_IDS_MAX, required=True)


class MeetingRequestInputSchema(InputSchema):
    to_registration_id = Id(required=True)
    message = Text(MESSAGE_MAX, load_default="")
    slot_id = Id(
        allow_none=True,
        load_default=None,
        metadata={"description": "Required in self-booking: one of our common free slots"},
    )


class AcceptInputSchema(InputSchema):
    slot_id = Id(
        allow_none=True,
        load_default=None,
        metadata={"description": "Another common free slot; default: the proposed one"},
    )


class DeclineInputSchema(InputSchema):
    reason = Text(REASON_MAX, load_default="")


class CancelMeetingInputSchema(InputSchema):
    reason = Text(REASON_MAX, load_default="")


class OutcomeInputSchema(InputSchema):
    took_place = fields.Boolean(required=True)
    rating = fields.String(
        allow_none=True,
        load_default=None,
        validate=validate.OneOf([r.value for r in Rating]),
    )


# Builders ---------------------------------------------------------------------------------


def participant_json(
    registration: Registration, profile: MatchProfile | None = None
) -> dict[str, Any]:
    user = registration.user
    organisation = user.organisation if user else None
    cluster = organisation.cluster if organisation else None
    return {
        "registration_id": registration.id,
        "name": registration.display_name,
        "organisation": organisation.name if organisation else None,
        "country": (user.country if user and user.country else None)
        or (organisation.country if organisation else None),
        "cluster": cluster.name if cluster else None,
        "sectors": list(profile.sectors or []) if profile else [],
        "offers": profile.offers if profile else "",
        "seeks": profile.seeks if profile else "",
    }


def slot_json(slot: Slot, status: str | None = None, free_tables: int | None = None) -> dict:
    """A slot with its times at the event's offset, as the programme's sessions have them."""
    tz = slot.event.timezone
    data: dict[str, Any] = {
        "id": slot.id,
        "start": to_zone(slot.starts_at, tz),
        "end": to_zone(slot.ends_at, tz),
    }
    if status is not None:
        data["status"] = status
    if free_tables is not None:
        data["free_tables"] = free_tables
    return data


def meeting_json(
    meeting: Meeting,
    viewer_id: int | None,
    profiles: dict[int, MatchProfile] | None = None,
) -> dict[str, Any]:
    """`viewer_id`: the participant reading it (the others are "with"); None: everyone."""
    profiles = profiles or {}
    people = [s.registration for s in meeting.seats if s.registration_id != viewer_id]
    table = meeting.table
    return {
        "id": meeting.id,
        "slot": slot_json(meeting.slot),
        "table": table.label,
        "room": table.room.name if table.room else None,
        "with_": [participant_json(p, profiles.get(p.id)) for p in people],
        "status": meeting.status,
        "request_id": meeting.request_id,
    }


def request_json(
    request: MeetingRequest,
    meeting: Meeting | None = None,
    viewer_id: int | None = None,
    profiles: dict[int, MatchProfile] | None = None,
) -> dict[str, Any]:
    profiles = profiles or {}
    return {
        "id": request.id,
        "status": request.status,
        "from_registration_id": request.sender_id,
        "to_registration_id": request.recipient_id,
        "from_": participant_json(request.sender, profiles.get(request.sender_id)),
        "to": participant_json(request.recipient, profiles.get(request.recipient_id)),
        "message": request.message,
        "slot": slot_json(request.proposed_slot) if request.proposed_slot else None,
        "decline_reason": request.decline_reason,
        "expires_at": request.expires_at,
        "created_at": request.created_at,
        "meeting": meeting_json(meeting, viewer_id, profiles) if meeting else None,
    }
