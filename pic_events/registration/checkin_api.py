"""Check-in API: the desk page (and any scanner app) posts the code read off a badge."""

from __future__ import annotations

from typing import Any

from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from pic_events.api.auth import organiser_required
from pic_events.core.countries import country_name
from pic_events.core.schemas import InputSchema, Text
from pic_events.events import services as event_services
from pic_events.registration import checkin
from pic_events.registration.models import Registration

blp = Blueprint("checkin_api", __name__, description="Check-in")


class CheckInInputSchema(InputSchema):
    code = Text(
        checkin.CODE_MAX,
        min_length=1,
        required=True,
        metadata={"description": "The check-in code held by the badge's QR code"},
    )
    scanned_at = fields.AwareDateTime(
        load_default=None,
        metadata={
            "description": "When a desk that was offline made the scan (ISO 8601 with offset);"
            " used if within the last 24 hours, else the time of this request"
        },
    )


class CheckedInRegistrationSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    organisation = fields.String(allow_none=True)
    cluster = fields.String(allow_none=True)
    country = fields.String(allow_none=True)
    category = fields.String()
    category_label = fields.String()
    checked_in_at = fields.AwareDateTime()


class CheckInSchema(Schema):
    registration = fields.Nested(CheckedInRegistrationSchema)
    first_scan = fields.Boolean(
        metadata={"description": "False when the badge had been checked in before"}
    )
    checked_in = fields.Integer(metadata={"description": "People checked in so far"})
    expected = fields.Integer(metadata={"description": "Confirmed registrations"})


def checked_in_json(registration: Registration) -> dict[str, Any]:
    user = registration.user
    organisation = user.organisation if user else None
    cluster = organisation.cluster if organisation else None
    country = (user.country if user else None) or (organisation.country if organisation else None)
    return {
        "id": registration.id,
        "name": registration.display_name,
        "organisation": organisation.name if organisation else None,
        "cluster": cluster.name if cluster else None,
        "country": country_name(country) if country else None,
        "category": registration.category,
        "category_label": registration.category_label,
        "checked_in_at": registration.checked_in_at,
    }


@blp.route("/events/<slug>/check-ins", methods=["POST"])
@organiser_required
@blp.arguments(CheckInInputSchema)
@blp.response(200, CheckInSchema)
@blp.alt_response(404, description="No registration of this event has this code")
@blp.alt_response(409, description="The registration is not confirmed (cancelled, waiting)")
def check_in(body: dict, slug: str):
    """Check in the holder of a badge. Idempotent by code: a repeat answers 200 with
    first_scan false and the time of the first check-in."""
    event = event_services.visible_event(slug, current_user)
    result = checkin.check_in(event, body["code"], scanned_at=body.get("scanned_at"))
    return {
        "registration": checked_in_json(result.registration),
        "first_scan": result.first_scan,
        **checkin.counts(event),
    }
