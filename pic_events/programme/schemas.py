"""Programme JSON as CONTRACT.md names it: sessions (and rooms)."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from pic_events.core.schemas import Count, Id, InputSchema, Instant, Text
from pic_events.core.timezones import to_zone
from pic_events.programme.models import ProgrammeSession, Room, SessionKind

KINDS = [k.value for k in SessionKind]
# The columns' sizes, shared with the HTML forms.
TITLE_MAX = 200
DESCRIPTION_MAX = 20_000
ROOM_NAME_MAX = 120
LOCATION_MAX = 200
SPEAKER_LIMITS = {"name": 200, "organisation": 200, "role": 120}
SPEAKERS_MAX = 50


class SpeakerSchema(InputSchema):
    name = Text(SPEAKER_LIMITS["name"], min_length=1, required=True)
    organisation = Text(SPEAKER_LIMITS["organisation"], load_default="")
    role = Text(SPEAKER_LIMITS["role"], load_default="")


class SessionSchema(Schema):
    id = fields.Integer()
    title = fields.String()
    kind = fields.String(validate=validate.OneOf(KINDS))
    description = fields.String()
    start = fields.String(
        metadata={"format": "date-time", "description": "With the event's offset"}
    )
    end = fields.String(metadata={"format": "date-time"})
    room = fields.String(allow_none=True, metadata={"description": "The room's name"})
    room_id = fields.Integer(allow_none=True)
    capacity = fields.Integer(allow_none=True, metadata={"description": "null: no limit"})
    places_left = fields.Integer(allow_none=True, metadata={"description": "null: no limit"})
    must_choose = fields.Boolean(
        metadata={"description": "Attendees choose it (workshops, visits)"}
    )
    restricted = fields.Boolean(metadata={"description": "Steering committee only"})
    speakers = fields.List(fields.Nested(SpeakerSchema))
    chosen = fields.Boolean(
        allow_none=True, metadata={"description": "In my choices (null when not registered)"}
    )


class SessionWriteResultSchema(SessionSchema):
    warnings = fields.List(
        fields.String(),
        metadata={"description": "Room taken, speaker elsewhere at that time...: saved anyway"},
    )


class SessionListSchema(Schema):
    items = fields.List(fields.Nested(SessionSchema))
    total = fields.Integer()
    published = fields.Boolean(metadata={"description": "Whether the programme is published"})


class SessionListArgsSchema(InputSchema):
    kind = fields.String(validate=validate.OneOf(KINDS))


class SessionInputSchema(InputSchema):
    title = Text(TITLE_MAX, min_length=1, required=True)
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    description = Text(DESCRIPTION_MAX)
    start = Instant(required=True, metadata={"description": "ISO 8601 with offset"})
    end = Instant(required=True, metadata={"description": "ISO 8601 with offset"})
    room = Text(ROOM_NAME_MAX, allow_none=True, metadata={"description": "A room's name, or null"})
    room_id = Id(allow_none=True)
    capacity = Count(allow_none=True)
    must_choose = fields.Boolean()
    restricted = fields.Boolean()
    speakers = fields.List(fields.Nested(SpeakerSchema), validate=validate.Length(max=SPEAKERS_MAX))


class SessionPatchSchema(SessionInputSchema):
    """The fields to change (used with partial=True)."""


class RoomSchema(InputSchema):
    id = fields.Integer(dump_only=True)
    name = Text(ROOM_NAME_MAX, min_length=1, required=True)
    location = Text(LOCATION_MAX, load_default="")
    capacity = Count(allow_none=True, load_default=None)


class RoomListSchema(Schema):
    items = fields.List(fields.Nested(RoomSchema))
    total = fields.Integer()


def session_json(
    session: ProgrammeSession,
    tz: str,
    places_left: int | None,
    chosen: bool | None = None,
) -> dict[str, Any]:
    return {
        "id": session.id,
        "title": session.title,
        "kind": session.kind,
        "description": session.description,
        "start": to_zone(session.starts_at, tz).isoformat(),
        "end": to_zone(session.ends_at, tz).isoformat(),
        "room": session.room.name if session.room else None,
        "room_id": session.room_id,
        "capacity": session.capacity,
        "places_left": places_left,
        "must_choose": session.must_choose,
        "restricted": session.restricted,
        "speakers": [
            {"name": s.name, "organisation": s.organisation, "role": s.role}
            for s in session.speakers
        ],
        "chosen": chosen,
    }


def room_json(room: Room) -> dict[str, Any]:
    return {"id": room.id, "name": room.name, "location": room.location, "capacity": room.capacity}
