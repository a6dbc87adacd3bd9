"""Events API: list and read events (anyone), create and change them (organisers).

Validation is the service's, the same as the HTML form's: its errors come back as a
422 problem whose `errors` maps the API's field names to messages.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import Blueprint

from pic_events.api.auth import organiser_required
from pic_events.core.problems import PROBLEM_MIMETYPE, service_errors
from pic_events.events import services
from pic_events.events.models import Event, EventStatus
from pic_events.events.schemas import (
    MODEL_TO_API,
    EventInputSchema,
    EventListArgsSchema,
    EventListSchema,
    EventSchema,
    ProblemSchema,
)
from pic_events.extensions import db

blp = Blueprint("events_api", __name__, description="Events")

BEARER = [{"bearer": []}]
PROBLEM_DESCRIPTIONS = {
    401: "Not logged in: send 'Authorization: Bearer TOKEN'",
    403: "Organisers only",
    404: "No such event (drafts are visible to organisers only)",
    422: "Invalid fields: `errors` maps each field to its messages",
}


def problems(*codes: int) -> Callable:
    """Document the problem+json answers an endpoint may give."""

    def decorate(view: Callable) -> Callable:
        for code in codes:
            view = blp.alt_response(
                code,
                schema=ProblemSchema,
                content_type=PROBLEM_MIMETYPE,
                description=PROBLEM_DESCRIPTIONS[code],
            )(view)
        return view

    return decorate


def _viewer_is_organiser() -> bool:
    return current_user.is_authenticated and current_user.is_organiser


def _visible_event(slug: str) -> Event:
    return services.visible_event(slug, current_user)


def _saving():
    """Service errors with the API's field names."""
    return service_errors(fields=MODEL_TO_API, invalid=_("The event was not saved: see `errors`."))


@blp.route("/events", methods=["GET"])
@blp.arguments(EventListArgsSchema, location="query")
@blp.response(200, EventListSchema)
def list_events(args: dict):
    """Published and archived events, latest first. Organisers see drafts too."""
    if _viewer_is_organiser():
        query = services.all_events_query()
    else:
        query = services.public_events_query()
    if "status" in args:
        query = query.where(Event.status == args["status"])
    events = db.session.scalars(query).all()
    return {"items": events, "total": len(events)}


@blp.route("/events/<slug>", methods=["GET"])
@blp.response(200, EventSchema)
@problems(404)
def get_event(slug: str):
    """One event. A draft answers 404 except to organisers."""
    return _visible_event(slug)


@blp.route("/events", methods=["POST"])
@organiser_required
@blp.arguments(EventInputSchema)
@blp.response(201, EventSchema, headers={"Location": {"schema": {"type": "string"}}})
@problems(401, 403, 422)
@blp.doc(security=BEARER)
def create_event(values: dict):
    """Create an event (a draft unless `status` says otherwise)."""
    values.setdefault("status", EventStatus.DRAFT.value)
    with _saving():
        event = services.create_event(values)
    return event, 201, {"Location": url_for(".get_event", slug=event.slug)}


@blp.route("/events/<slug>", methods=["PATCH"])
@organiser_required
@blp.arguments(EventInputSchema)
@blp.response(200, EventSchema)
@problems(401, 403, 404, 422)
@blp.doc(security=BEARER)
def update_event(values: dict, slug: str):
    """Change the fields given and leave the others as they are."""
    event = _visible_event(slug)
    with _saving():
        services.update_event(event, values)
    return event
