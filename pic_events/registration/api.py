"""Registration API: register, read, change, cancel; organisers list and decide."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import Blueprint

from pic_events.agenda.services import registration_of
from pic_events.api.auth import login_required, organiser_required
from pic_events.core.pagination import paginate_api
from pic_events.core.problems import ApiError
from pic_events.events import services as event_services
from pic_events.events.models import Event
from pic_events.extensions import db
from pic_events.registration import listing, services
from pic_events.registration.models import Registration
from pic_events.registration.schemas import (
    DecisionSchema,
    QuestionListSchema,
    RegistrationCreateSchema,
    RegistrationListArgsSchema,
    RegistrationPageSchema,
    RegistrationPatchSchema,
    RegistrationSchema,
    registration_json,
)
from pic_events.registration.services import (
    RegistrationChanges,
    RegistrationInput,
)

blp = Blueprint("registration_api", __name__, description="Registration")


def _event(slug: str) -> Event:
    return event_services.visible_event(slug, current_user)


def _registration(registration_id: int) -> Registration:
    """Its owner or an organiser; anyone else is told it does not exist."""
    registration = db.session.get(Registration, registration_id)
    if registration is None or not (
        current_user.is_organiser or registration.user_id == current_user.id
    ):
        raise ApiError(404, _("No such registration."))
    return registration


def _json(registration: Registration) -> dict[str, Any]:
    return registration_json(registration, services.waitlist_position(registration))


@blp.route("/events/<slug>/questions", methods=["GET"])
@blp.response(200, QuestionListSchema)
def list_questions(slug: str):
    """The event's registration questions, with the places left in limited options."""
    event = _event(slug)
    questions = services.event_questions(event)
    places_left = services.option_places_left(questions)
    items = [
        {
            "id": q.id,
            "label": q.label,
            "help_text": q.help_text,
            "kind": q.kind,
            "required": q.required,
            "position": q.position,
            "min_value": q.min_value,
            "max_value": q.max_value,
            "options": [
                {
                    "id": o.id,
                    "label": o.label,
                    "capacity": o.capacity,
                    "places_left": places_left.get(o.id),
                }
                for o in q.options
            ],
        }
        for q in questions
    ]
    return {"items": items, "total": len(items)}


@blp.route("/events/<slug>/registrations", methods=["POST"])
@login_required
@blp.arguments(RegistrationCreateSchema)
@blp.response(201, RegistrationSchema)
@blp.alt_response(409, description="Already registered, registration closed, or full")
@blp.alt_response(422, description="Bad answers (errors per question id), no consent")
def create_registration(body: dict, slug: str):
    """Register the current user. Status: confirmed, waitlisted (with position) or pending."""
    event = _event(slug)
    data = RegistrationInput(
        answers=body["answers"] or {},
        category=body.get("category"),
        session_ids=body.get("session_ids"),
        consent=body["consent"],
        listed=body.get("listed", True),
    )
    registration = services.register(event, current_user, data)
    return _json(registration)


@blp.route("/events/<slug>/registrations", methods=["GET"])
@organiser_required
@blp.arguments(RegistrationListArgsSchema, location="query")
@blp.response(200, RegistrationPageSchema)
def list_registrations(args: dict, slug: str):
    """All registrations of the event (organisers), filterable by status, category and q."""
    event = _event(slug)
    filters = listing.RegistrationFilters(
        q=(args.get("q") or "").strip(),
        status=args.get("status", ""),
        category=args.get("category", ""),
    )
    page = paginate_api(listing.filtered_query(event, filters), args)
    positions = services.waitlist_positions(event.id)
    chosen = listing.session_ids_by_registration(event)
    rows = page.pop("rows")
    items = [registration_json(r, positions.get(r.id), chosen.get(r.id, [])) for r in rows]
    return {"items": items, **page}


@blp.route("/events/<slug>/registration", methods=["GET"])
@login_required
@blp.response(200, RegistrationSchema)
def my_registration(slug: str):
    """The current user's registration for this event (404 when not registered)."""
    event = _event(slug)
    registration = registration_of(event, current_user)
    if registration is None:
        raise ApiError(404, _("You are not registered for this event."))
    return _json(registration)


@blp.route("/registrations/<int:registration_id>", methods=["GET"])
@login_required
@blp.response(200, RegistrationSchema)
def get_registration(registration_id: int):
    return _json(_registration(registration_id))


@blp.route("/registrations/<int:registration_id>", methods=["PATCH"])
@login_required
@blp.arguments(RegistrationPatchSchema)
@blp.response(200, RegistrationSchema)
@blp.alt_response(409, description="Cancelled, registration closed, or a choice is full")
def update_registration(body: dict, registration_id: int):
    """Change answers (those given), sessions, category or listing."""
    registration = _registration(registration_id)
    changes = RegistrationChanges(
        answers=body.get("answers"),
        category=body.get("category"),
        session_ids=body.get("session_ids"),
        listed=body.get("listed"),
    )
    registration = services.update_registration(registration, changes, actor=current_user)
    return _json(registration)


@blp.route("/registrations/<int:registration_id>", methods=["DELETE"])
@login_required
@blp.response(200, RegistrationSchema)
def cancel_registration(registration_id: int):
    """Cancel: frees the seat; the first on the waiting list is promoted and mailed."""
    registration = _registration(registration_id)
    registration = services.cancel_registration(registration, actor=current_user)
    return _json(registration)


def _decide(registration_id: int, action, **kwargs):
    registration = db.session.get(Registration, registration_id)
    if registration is None:
        raise ApiError(404, _("No such registration."))
    return _json(action(registration, actor=current_user, **kwargs))


@blp.route("/registrations/<int:registration_id>/approve", methods=["POST"])
@organiser_required
@blp.response(200, RegistrationSchema)
def approve(registration_id: int):
    """Pending -> confirmed (or waitlisted when full)."""
    return _decide(registration_id, services.approve)


@blp.route("/registrations/<int:registration_id>/decline", methods=["POST"])
@organiser_required
@blp.arguments(DecisionSchema)
@blp.response(200, RegistrationSchema)
def decline(body: dict, registration_id: int):
    return _decide(registration_id, services.decline, message=body.get("message", ""))


@blp.route("/registrations/<int:registration_id>/promote", methods=["POST"])
@organiser_required
@blp.response(200, RegistrationSchema)
def promote(registration_id: int):
    """Move from the waiting list (409 when no seat is free)."""
    return _decide(registration_id, services.promote)
