"""Event JSON as CONTRACT.md names it. Schemas parse types only; the rules live in services."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from marshmallow import Schema, fields, validate

from pic_events.core.openapi import ProblemSchema  # noqa: F401  (the API module's import)
from pic_events.core.schemas import Count, InputSchema, Instant, Text
from pic_events.events.models import EventStatus
from pic_events.events.services import DESCRIPTION_MAX, MAX_LENGTHS

# API field -> the model attribute (and service error key) when they differ.
API_TO_MODEL = {"starts": "starts_on", "ends": "ends_on"}
MODEL_TO_API = {model: api for api, model in API_TO_MODEL.items()}


class ZonedDateTime(Instant):
    """An instant: read with its offset (none given: rejected), written in the event's zone."""

    def _serialize(self, value: datetime | None, attr, obj, **kwargs):
        if value is None:
            return None
        return value.astimezone(ZoneInfo(obj.timezone)).isoformat()


class EventSchema(InputSchema):
    slug = Text(MAX_LENGTHS["slug"], metadata={"example": "pic-2027"})
    title = Text(MAX_LENGTHS["title"], metadata={"example": "PIC Annual Meeting 2027"})
    description = Text(DESCRIPTION_MAX)
    venue = Text(MAX_LENGTHS["venue"])
    city = Text(MAX_LENGTHS["city"])
    country = Text(
        2, allow_none=True, metadata={"description": "ISO 3166 alpha-2 code", "example": "FR"}
    )
    timezone = Text(64, metadata={"description": "IANA zone", "example": "Europe/Paris"})
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
    capacity = Count(allow_none=True, metadata={"description": "null: unlimited"})
    requires_approval = fields.Boolean()
    status = fields.String(validate=validate.OneOf([s.value for s in EventStatus]))
    programme_published = fields.Boolean(
        metadata={"description": "Members see the programme and choose sessions"}
    )


class EventInputSchema(EventSchema):
    """Create (POST) or change (PATCH: only the fields given) an event.

    Which fields are required, slug format, time zone, dates in order: the service's
    rules, the same as the HTML form's; errors come back under these field names.
    """


class EventListSchema(Schema):
    items = fields.List(fields.Nested(EventSchema))
    total = fields.Integer()


class EventListArgsSchema(InputSchema):
    status = fields.String(
        validate=validate.OneOf([s.value for s in EventStatus]),
        metadata={"description": "Only events with this status (drafts: organisers only)"},
    )
