"""Organiser B2B API: create slots and tables (CONTRACT.md). Errors are problems: 422 for
bad times or values, 409 for an overlapping slot or a label already taken."""

from __future__ import annotations

from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from pic_events.api.auth import organiser_required
from pic_events.core.problems import service_errors
from pic_events.core.schemas import Id, InputSchema, Instant, Int32, Text
from pic_events.events import services as event_services
from pic_events.matchmaking import setup
from pic_events.matchmaking.schemas import SlotSchema, slot_json

blp = Blueprint("b2b_admin_api", __name__, description="B2B set-up (organisers)")

BEARER = [{"bearer": []}]


class SlotInputSchema(InputSchema):
    start = Instant(required=True, metadata={"description": "ISO 8601 with its offset"})
    end = Instant(required=True, metadata={"description": "ISO 8601 with its offset"})


class TableInputSchema(InputSchema):
    label = Text(setup.LABEL_MAX, min_length=1, required=True)
    seats = Int32(minimum=2, maximum=100, load_default=2)
    room_id = Id(load_default=None, allow_none=True, metadata={"description": "A programme room"})


class CreatedTableSchema(Schema):
    id = fields.Integer()
    label = fields.String()
    seats = fields.Integer()
    room = fields.String(allow_none=True)


@blp.route("/events/<slug>/slots", methods=["POST"])
@organiser_required
@blp.arguments(SlotInputSchema)
@blp.response(201, SlotSchema)
@blp.doc(security=BEARER)
def create_slot(data: dict, slug: str):
    """Add one B2B slot: within the event's dates, overlapping no other slot (409)."""
    event = event_services.visible_event(slug, current_user)
    with service_errors(fields={"starts_at": "start", "ends_at": "end"}):
        slot = setup.add_slot(event, data["start"], data["end"])
    return slot_json(slot)


@blp.route("/events/<slug>/tables", methods=["POST"])
@organiser_required
@blp.arguments(TableInputSchema)
@blp.response(201, CreatedTableSchema)
@blp.doc(security=BEARER)
def create_table(data: dict, slug: str):
    """Add one B2B table; its label is unique in the event (409 when taken)."""
    event = event_services.visible_event(slug, current_user)
    with service_errors():
        table = setup.add_table(
            event, data["label"], seats=data["seats"], room_id=data.get("room_id")
        )
    return {
        "id": table.id,
        "label": table.label,
        "seats": table.seats,
        "room": table.room.name if table.room else None,
    }
