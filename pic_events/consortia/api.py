"""Project ideas API: list, post and change ideas, roles, interest, invitations, and the
consortium meeting. Service errors become problems (403, 404, 409 with a `code`, 422)."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import Blueprint

from pic_events.api.auth import login_required
from pic_events.consortia import services
from pic_events.consortia.schemas import (
    ConsortiumMeetingSchema,
    IdeaInputSchema,
    IdeaListArgsSchema,
    IdeaListSchema,
    IdeaPatchSchema,
    IdeaSchema,
    InterestInputSchema,
    InterestSchema,
    InvitationInputSchema,
    MeetingInputSchema,
    RoleInputSchema,
    RoleSchema,
    ScheduleRequestInputSchema,
    ScheduleRequestSchema,
    idea_json,
    ideas_json,
    interest_json,
    meeting_json,
    role_json,
    schedule_request_json,
)
from pic_events.consortia.services import IdeaFilters, IdeaInput, RoleInput
from pic_events.core.problems import service_errors
from pic_events.core.validation import NotFoundError
from pic_events.events import services as event_services

blp = Blueprint("consortia_api", __name__, description="Project ideas and consortia")

BEARER = [{"bearer": []}]


def _idea(idea_id: int):
    idea = services.get_idea(idea_id)
    return idea, services.access_to(idea, current_user)


def _json(idea) -> dict:
    access = services.access_to(idea, current_user)
    return idea_json(idea, services.shows_details(idea, access))


@blp.route("/events/<slug>/ideas", methods=["GET"])
@login_required
@blp.arguments(IdeaListArgsSchema, location="query")
@blp.response(200, IdeaListSchema)
@blp.doc(security=BEARER)
def list_ideas(args: dict, slug: str):
    """The event's ideas (registered participants and organisers): those that need someone
    like me first, with `score` and `reason`, then the others, newest first. Withdrawn
    ideas only with `status=withdrawn`."""
    event = event_services.visible_event(slug, current_user)
    filters = IdeaFilters(
        q=(args.get("q") or "").strip(),
        call=(args.get("call") or "").strip(),
        sector=args.get("sector", ""),
        role_kind=args.get("role_kind", ""),
        country=args.get("country", ""),
        status=args.get("status", ""),
    )
    with service_errors():
        listing = services.list_ideas(event, current_user, filters)
    items = ideas_json(listing.all)
    return {"items": items, "total": len(items)}


@blp.route("/events/<slug>/ideas", methods=["POST"])
@login_required
@blp.arguments(IdeaInputSchema)
@blp.response(201, IdeaSchema)
@blp.alt_response(403, description="Not a registered participant of the event")
@blp.doc(security=BEARER)
def create_idea(body: dict, slug: str):
    """Post an idea (registered participants); its roles may come with it."""
    event = event_services.visible_event(slug, current_user)
    roles = [RoleInput(**role) for role in body.pop("roles", [])]
    idea = services.create_idea(event, current_user, IdeaInput(**body), roles)
    return _json(services.get_idea(idea.id))


@blp.route("/ideas/<int:idea_id>", methods=["GET"])
@login_required
@blp.response(200, IdeaSchema)
@blp.doc(security=BEARER)
def get_idea(idea_id: int):
    idea, access = _idea(idea_id)
    return idea_json(idea, services.shows_details(idea, access))


@blp.route("/ideas/<int:idea_id>", methods=["PATCH"])
@login_required
@blp.arguments(IdeaPatchSchema)
@blp.response(200, IdeaSchema)
@blp.alt_response(403, description="Not the idea's lead")
@blp.doc(security=BEARER)
def update_idea(body: dict, idea_id: int):
    """Change the fields given; `status` marks it submitted, funded, withdrawn or open."""
    idea, _access = _idea(idea_id)
    status = body.pop("status", None)
    data = None
    if body:
        data = IdeaInput(
            title=body.get("title", idea.title),
            summary=body.get("summary", idea.summary),
            call=body.get("call", idea.call),
            call_deadline=body.get("call_deadline", idea.call_deadline),
            sectors=body.get("sectors", list(idea.sectors or [])),
            keywords=body.get("keywords", list(idea.keywords or [])),
            confidential=body.get("confidential", idea.confidential),
        )
    services.update_idea(idea, current_user, data, status=status)
    return _json(services.get_idea(idea_id))


@blp.route("/ideas/<int:idea_id>/roles", methods=["POST"])
@login_required
@blp.arguments(RoleInputSchema)
@blp.response(201, RoleSchema)
@blp.doc(security=BEARER)
def add_role(body: dict, idea_id: int):
    """A partner role the idea needs (its lead)."""
    idea, _access = _idea(idea_id)
    role = services.add_role(idea, current_user, RoleInput(**body))
    return role_json(role)


@blp.route("/roles/<int:role_id>/interests", methods=["POST"])
@login_required
@blp.arguments(InterestInputSchema)
@blp.response(201, InterestSchema)
@blp.alt_response(409, description="Already asked, role filled, own idea, idea closed")
@blp.doc(security=BEARER)
def express_interest(body: dict, role_id: int):
    """Ask to fill a role; the lead is told by mail."""
    role = services.get_role(role_id)
    interest = services.express_interest(role, current_user, body["message"])
    return interest_json(interest)


@blp.route("/ideas/<int:idea_id>/invitations", methods=["POST"])
@login_required
@blp.arguments(InvitationInputSchema)
@blp.response(201, InterestSchema)
@blp.doc(security=BEARER)
def invite(body: dict, idea_id: int):
    """The lead invites a participant from the catalogue to a role; they answer with
    /interests/{id}/accept or /decline."""
    idea, _access = _idea(idea_id)
    role = services.get_role(body["role_id"])
    if role.idea_id != idea.id:
        raise NotFoundError(_("No such role."))
    interest = services.invite(role, current_user, body["registration_id"], body["message"])
    return interest_json(interest)


@blp.route("/interests/<int:interest_id>/accept", methods=["POST"])
@login_required
@blp.response(200, InterestSchema)
@blp.alt_response(409, description="The role was filled meanwhile, or already answered")
@blp.doc(security=BEARER)
def accept(interest_id: int):
    """The lead accepts (an invitation: the invitee); the role is filled."""
    interest = services.get_interest(interest_id)
    return interest_json(services.accept_interest(interest, current_user))


@blp.route("/interests/<int:interest_id>/decline", methods=["POST"])
@login_required
@blp.response(200, InterestSchema)
@blp.doc(security=BEARER)
def decline(interest_id: int):
    interest = services.get_interest(interest_id)
    return interest_json(services.decline_interest(interest, current_user))


@blp.route("/ideas/<int:idea_id>/meetings", methods=["POST"])
@login_required
@blp.arguments(MeetingInputSchema)
@blp.response(201, ConsortiumMeetingSchema)
@blp.alt_response(409, description="Someone busy, no table seats them: `code` says which")
@blp.alt_response(422, description="Fewer than 3 or more than 8 people, or a stranger")
@blp.doc(security=BEARER)
def book_meeting(body: dict, idea_id: int):
    """A consortium meeting: the lead and the partners or candidates named, at a table that
    seats them, in the slot given or the first that suits everyone (the lead or an
    organiser)."""
    idea, access = _idea(idea_id)
    meeting = services.book_meeting(
        idea,
        current_user,
        body["registration_ids"],
        body.get("slot_id"),
        table_id=body.get("table_id"),
    )
    viewer = access.registration.id if access.registration is not None else None
    return meeting_json(meeting, idea, viewer)


@blp.route("/ideas/<int:idea_id>/meeting-requests", methods=["POST"])
@login_required
@blp.arguments(ScheduleRequestInputSchema)
@blp.response(201, ScheduleRequestSchema)
@blp.alt_response(422, description="Fewer than 3 or more than 8 people, or a stranger")
@blp.doc(security=BEARER)
def request_scheduling(body: dict, idea_id: int):
    """Where the organisers schedule the meetings: ask their scheduling run for a consortium
    meeting of the lead and these people (one pending request per idea; asking again
    changes who is in it)."""
    idea, _access = _idea(idea_id)
    request = services.request_scheduling(idea, current_user, body["registration_ids"])
    return schedule_request_json(request)
