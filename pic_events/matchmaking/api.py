"""B2B API: slots, availability, meeting requests, meetings, outcomes.

Services raise BookingConflict (409 with its `code`), ServiceValidationError (422) and
NotFoundError (404); the app's error handler turns them into problems (core.problems)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import jsonify
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import Blueprint

from pic_events.api.auth import login_required
from pic_events.core.problems import ApiError, service_errors
from pic_events.directory.services import load_clusters
from pic_events.events import services as event_services
from pic_events.events.models import Event
from pic_events.extensions import db
from pic_events.matchmaking import booking, outcomes, requests, slots
from pic_events.matchmaking.meetings import meeting_for, meetings_of, with_people
from pic_events.matchmaking.models import Meeting, MeetingRequest
from pic_events.matchmaking.schemas import (
    AcceptInputSchema,
    AvailabilityInputSchema,
    AvailabilitySchema,
    CancelMeetingInputSchema,
    DeclineInputSchema,
    MeetingListSchema,
    MeetingRequestInputSchema,
    MeetingRequestListSchema,
    MeetingRequestSchema,
    MeetingSchema,
    OutcomeInputSchema,
    OutcomeSchema,
    SlotListSchema,
    meeting_json,
    request_json,
    slot_json,
)
from pic_events.registration.models import Registration

blp = Blueprint("matchmaking_api", __name__, description="B2B meetings")

CONFLICT = "A clash with the state; `code` names it (participant_busy, no_table, frozen ...)"
REQUEST_FIELDS = {"recipient": "to_registration_id", "slot": "slot_id"}


def _event(slug: str) -> Event:
    return event_services.visible_event(slug, current_user)


def _request_and_me(request_id: int) -> tuple[MeetingRequest, Registration]:
    item = db.session.get(MeetingRequest, request_id)
    if item is None:
        raise ApiError(404, _("No such meeting request."))
    me = requests.participant_of(item.event, current_user)
    if me.id not in (item.sender_id, item.recipient_id):
        raise ApiError(404, _("No such meeting request."))
    return item, me


def _request_json(item: MeetingRequest, me: Registration) -> dict:
    meeting = requests.meeting_of_request(item.id)
    people = [item.sender_id, item.recipient_id]
    return request_json(item, meeting, me.id, requests.profiles_of(people))


@blp.route("/events/<slug>/slots", methods=["GET"])
@login_required
@blp.response(200, SlotListSchema)
def list_slots(slug: str):
    """B2B slots with my status in each (free, busy, unavailable) and the tables free."""
    event = _event(slug)
    me = requests.participant_of(event, current_user)
    items = [
        slot_json(s.slot, s.status.value, s.free_tables) for s in slots.slot_statuses(event, me)
    ]
    return {"items": items, "total": len(items)}


@blp.route("/events/<slug>/availability", methods=["PUT"])
@login_required
@blp.arguments(AvailabilityInputSchema)
@blp.response(200, AvailabilitySchema)
@blp.alt_response(409, description=CONFLICT + "; has_meeting: a meeting in a marked slot")
def put_availability(body: dict, slug: str):
    """Replace the slots I mark unavailable (sessions I chose block theirs anyway)."""
    event = _event(slug)
    me = requests.participant_of(event, current_user)
    chosen = slots.set_unavailability(event, me, body["unavailable_slot_ids"])
    return {"unavailable_slot_ids": sorted(chosen)}


@blp.route("/events/<slug>/meeting-requests", methods=["POST"])
@login_required
@blp.arguments(MeetingRequestInputSchema)
@blp.response(201, MeetingRequestSchema)
@blp.alt_response(409, description=CONFLICT)
@blp.alt_response(422, description="No slot in self-booking, to oneself, message too long")
def create_request(body: dict, slug: str):
    """Ask a listed participant for a meeting (self-booking: propose a common free slot)."""
    event = _event(slug)
    me = requests.participant_of(event, current_user)
    with service_errors(fields=REQUEST_FIELDS):
        item = requests.send_request(
            event,
            me,
            body["to_registration_id"],
            message=body["message"],
            slot_id=body["slot_id"],
        )
    return _request_json(item, me)


@blp.route("/events/<slug>/meeting-requests", methods=["GET"])
@login_required
@blp.response(200, MeetingRequestListSchema)
def list_requests(slug: str):
    """My meeting requests, sent and received, newest first."""
    event = _event(slug)
    me = requests.participant_of(event, current_user)
    requests.expire_due(event=event)
    rows = db.session.scalars(
        sa.select(MeetingRequest)
        .where(
            MeetingRequest.event_id == event.id,
            sa.or_(MeetingRequest.sender_id == me.id, MeetingRequest.recipient_id == me.id),
        )
        .order_by(MeetingRequest.created_at.desc(), MeetingRequest.id.desc())
        .options(*requests.request_options())
    ).all()
    people = {i for r in rows for i in (r.sender_id, r.recipient_id)}
    profiles = requests.profiles_of(people)
    _load_clusters(side for r in rows for side in (r.sender, r.recipient))
    meetings = {
        m.request_id: m
        for m in db.session.scalars(
            sa.select(Meeting)
            .where(Meeting.request_id.in_([r.id for r in rows]), Meeting.status == "confirmed")
            .options(with_people())
        )
    }
    items = [request_json(r, meetings.get(r.id), me.id, profiles) for r in rows]
    return {"items": items, "total": len(items)}


@blp.route("/meeting-requests/<int:request_id>/accept", methods=["POST"])
@login_required
@blp.arguments(AcceptInputSchema)
@blp.response(200, MeetingSchema)
@blp.alt_response(
    202,
    schema=MeetingRequestSchema,
    description="Organiser scheduling: accepted; the organisers will give it a time and table",
)
@blp.alt_response(409, description=CONFLICT)
def accept_request(body: dict, request_id: int):
    """The recipient accepts: self-booking books the slot (proposed, or `slot_id`) and a
    table at once and answers with the meeting; else 409 naming the conflict."""
    item, me = _request_and_me(request_id)
    with service_errors(fields=REQUEST_FIELDS):
        item, meeting = requests.accept(item.id, me, slot_id=body["slot_id"])
    if meeting is None:
        response = jsonify(MeetingRequestSchema().dump(_request_json(item, me)))
        response.status_code = 202
        return response
    return meeting_json(meeting, me.id, requests.profiles_of(meeting.registration_ids))


@blp.route("/meeting-requests/<int:request_id>/decline", methods=["POST"])
@login_required
@blp.arguments(DeclineInputSchema)
@blp.response(200, MeetingRequestSchema)
@blp.alt_response(409, description=CONFLICT)
def decline_request(body: dict, request_id: int):
    """The recipient declines (an optional `reason` is sent to the sender)."""
    item, me = _request_and_me(request_id)
    item = requests.decline(item.id, me, reason=body["reason"])
    return _request_json(item, me)


@blp.route("/meeting-requests/<int:request_id>/cancel", methods=["POST"])
@login_required
@blp.response(200, MeetingRequestSchema)
@blp.alt_response(409, description=CONFLICT)
def cancel_request(request_id: int):
    """Withdraw: the sender while pending; either side once accepted (its meeting, if any,
    is cancelled and the other side told)."""
    item, me = _request_and_me(request_id)
    item = requests.cancel(item.id, me)
    return _request_json(item, me)


def _load_clusters(registrations) -> None:
    """The participants' clusters at once (each Participant names its cluster)."""
    load_clusters(r.user.organisation for r in registrations if r.user is not None)


def _all_meetings(event: Event) -> list[Meeting]:
    return list(
        db.session.scalars(
            sa.select(Meeting).where(Meeting.event_id == event.id).options(with_people())
        ).unique()
    )


@blp.route("/events/<slug>/meetings", methods=["GET"])
@login_required
@blp.response(200, MeetingListSchema)
def list_meetings(slug: str):
    """My meetings (a participant), or all the event's meetings (an organiser), in time
    order, cancelled ones included (see `status`)."""
    event = _event(slug)
    if current_user.is_organiser:
        meetings = sorted(_all_meetings(event), key=lambda m: (m.slot.starts_at, m.id))
        viewer = None
    else:
        me = requests.participant_of(event, current_user)
        meetings = meetings_of(me, include_cancelled=True)
        viewer = me.id
    profiles = requests.profiles_of(i for m in meetings for i in m.registration_ids)
    _load_clusters(seat.registration for m in meetings for seat in m.seats)
    items = [meeting_json(m, viewer, profiles) for m in meetings]
    return {"items": items, "total": len(items)}


def _meeting_and_me(meeting_id: int) -> tuple[Meeting, Registration | None]:
    """The meeting and my seat's registration (None for an organiser not in it)."""
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None:
        raise ApiError(404, _("No such meeting."))
    if current_user.is_organiser:
        return meeting, None
    me = requests.participant_of(meeting.event, current_user)
    return meeting_for(meeting.id, me), me


@blp.route("/meetings/<int:meeting_id>/cancel", methods=["POST"])
@login_required
@blp.arguments(CancelMeetingInputSchema)
@blp.response(200, MeetingSchema)
@blp.alt_response(409, description=CONFLICT)
def cancel_meeting(body: dict, meeting_id: int):
    """Either side, or an organiser: frees the slot and the table; the others are told."""
    meeting, me = _meeting_and_me(meeting_id)
    meeting = booking.cancel(meeting, by=me, by_organiser=me is None, reason=body["reason"])
    return meeting_json(
        meeting, me.id if me else None, requests.profiles_of(meeting.registration_ids)
    )


@blp.route("/meetings/<int:meeting_id>/outcome", methods=["PUT"])
@login_required
@blp.arguments(OutcomeInputSchema)
@blp.response(200, OutcomeSchema)
@blp.alt_response(409, description="Cancelled, or not begun yet (not_yet)")
def put_outcome(body: dict, meeting_id: int):
    """Either side, once the meeting has begun: did it take place, and how it went."""
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None:
        raise ApiError(404, _("No such meeting."))
    me = requests.participant_of(meeting.event, current_user)
    outcome = outcomes.record_outcome(
        meeting.id, me, took_place=body["took_place"], rating=body["rating"]
    )
    return {
        "meeting_id": outcome.meeting_id,
        "took_place": outcome.took_place,
        "rating": outcome.rating,
    }
