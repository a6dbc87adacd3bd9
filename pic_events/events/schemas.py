"""Event JSON as CONTRACT.md names it. Schemas parse types only; the rules live in services."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from marshmallow import Schema, fields, validate

from pic_events.events.models import EventStatus

# API field -> the model attribute (and service error key) when they differ.
API_TO_MODEL = {"starts": "starts_on", "ends": "ends_on"}
MODEL_TO_API = {model: api for api, model in API_TO_MODEL.items()}


class ZonedDateTime(fields.AwareDateTime):
    """An instant: read with its offset (none given: rejected), written in the event's zone."""

    def _serialize(self, value: datetime | None, attr, obj, **kwargs):
        if value is None:
            return None
        return value.astimezone(ZoneInfo(obj.timezone)).isoformat()


class EventSchema(Schema):
    slug = fields.String(metadata={"example": "pic-2027"})
    title = fields.String(metadata={"example": "PIC Annual Meeting 2027"})
    description = fields.String()
    venue = fields.String()
    city = fields.String()
    country = fields.String(
        allow_none=True, metadata={"description": "ISO 3166 alpha-2 code", "example": "FR"}
    )
    timezone = fields.String(metadata={"description": "IANA zone", "example": "Europe/Paris"})
    starts_on = fields.Date(data_key="starts", metadata={"description": "First day"})
    ends_on = fields.Date(data_key="ends", metadata={"description": "Last day"})
    registration_opens = ZonedDateTime(
        allow_none=True,
        metadata={
            "description": "ISO 8601 with offset; given back in the event's time zone",
            "example": "2027-01-15T09:00:00+01:00",
        },
    )
    registration_closes = ZonedDateTime(allow_none=True)
    capacity = fields.Integer(
        allow_none=True, strict=True, metadata={"description": "null: unlimited"}
    )
    requires_approval = fields.Boolean()
    status = fields.String(validate=validate.OneOf([s.value for s in EventStatus]))


class EventInputSchema(EventSchema):
    """Create (POST) or change (PATCH: only the fields given) an event.

    Which fields are required, slug format, time zone, dates in order: the service's
    rules, the same as the HTML form's; errors come back under these field names.
    """


class EventListSchema(Schema):
    items = fields.List(fields.Nested(EventSchema))
    total = fields.Integer()


class EventListArgsSchema(Schema):
    status = fields.String(
        validate=validate.OneOf([s.value for s in EventStatus]),
        metadata={"description": "Only events with this status (drafts: organisers only)"},
    )


class ProblemSchema(Schema):
    """RFC 9457 problem details."""

    type = fields.String()
    title = fields.String()
    status = fields.Integer()
    detail = fields.String()
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={"description": "Field name -> messages (422)"},
    )
