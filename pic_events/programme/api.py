"""Programme API: read the programme, edit it (organisers), choose sessions (registrants)."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import Blueprint

from pic_events.agenda.services import chosen_session_ids, registration_of
from pic_events.api.auth import login_required, organiser_required
from pic_events.core.problems import ApiError, service_errors
from pic_events.events import services as event_services
from pic_events.events.models import Event
from pic_events.extensions import db
from pic_events.programme import services
from pic_events.programme.models import ProgrammeSession
from pic_events.programme.schemas import (
    RoomListSchema,
    RoomSchema,
    SessionInputSchema,
    SessionListArgsSchema,
    SessionListSchema,
    SessionPatchSchema,
    SessionSchema,
    SessionWriteResultSchema,
    room_json,
    session_json,
)
from pic_events.registration import session_choices

blp = Blueprint("programme_api", __name__, description="Programme")

BEARER = [{"bearer": []}]
API_TO_MODEL = {"start": "starts_at", "end": "ends_at"}
MODEL_TO_API = {"starts_at": "start", "ends_at": "end", "room_id": "room"}


def _viewer():
    return current_user if current_user.is_authenticated else None


def _event(slug: str) -> Event:
    return event_services.visible_event(slug, current_user)


def _session(session_id: int, event: Event | None = None) -> ProgrammeSession:
    session = db.session.get(ProgrammeSession, session_id)
    if session is None or (event is not None and session.event_id != event.id):
        raise ApiError(404, _("No such session."))
    return session


def _model_values(event: Event, data: dict[str, Any]) -> dict[str, Any]:
    values = {API_TO_MODEL.get(k, k): v for k, v in data.items() if k != "room"}
    if "room" in data:
        values["room_id"] = services.room_id_by_name(event, data["room"])
    return values


def _one_session_json(session: ProgrammeSession, event: Event, **extra) -> dict[str, Any]:
    places = session_choices.places_left([session])[session.id]
    return {**session_json(session, event.timezone, places), **extra}


def _save(event: Event, data: dict, session: ProgrammeSession | None) -> dict[str, Any]:
    with service_errors(fields=MODEL_TO_API, invalid=_("The session was not saved: see `errors`.")):
        values = _model_values(event, data)
        saved = services.save_session(event, values, session, confirmed=True)
    return _one_session_json(saved.session, event, warnings=saved.warnings)


@blp.route("/events/<slug>/sessions", methods=["GET"])
@blp.arguments(SessionListArgsSchema, location="query")
@blp.response(200, SessionListSchema)
def list_sessions(args: dict, slug: str):
    """The programme in time order. Empty until published, except for organisers.

    Restricted sessions are left out for people who may not attend them when the
    event hides them. `chosen` says whether the caller has chosen the session.
    """
    event = _event(slug)
    viewer = _viewer()
    registration = registration_of(event, viewer)
    sessions = services.visible_sessions(event, viewer, registration, kind=args.get("kind"))
    places = session_choices.places_left(sessions)
    chosen = chosen_session_ids(registration)
    items = [
        session_json(s, event.timezone, places[s.id], (s.id in chosen) if registration else None)
        for s in sessions
    ]
    return {"items": items, "total": len(items), "published": event.programme_published}


@blp.route("/events/<slug>/sessions", methods=["POST"])
@organiser_required
@blp.arguments(SessionInputSchema)
@blp.response(201, SessionWriteResultSchema)
@blp.doc(security=BEARER)
def create_session(data: dict, slug: str):
    """Add a session. It is saved even when a room or a speaker is already taken at that
    time; `warnings` says so."""
    event = _event(slug)
    body = _save(event, data, None)
    return body, 201, {"Location": url_for(".list_sessions", slug=event.slug)}


@blp.route("/sessions/<int:session_id>", methods=["PATCH"])
@organiser_required
@blp.arguments(SessionPatchSchema(partial=True))
@blp.response(200, SessionWriteResultSchema)
@blp.doc(security=BEARER)
def update_session(data: dict, session_id: int):
    """Change the fields given (a move: `start` and `end`, and `room`)."""
    session = _session(session_id)
    return _save(session.event, data, session)


@blp.route("/sessions/<int:session_id>", methods=["DELETE"])
@organiser_required
@blp.response(204)
@blp.doc(security=BEARER)
def delete_session(session_id: int):
    """Delete a session; the places people chose in it are released."""
    services.delete_session(_session(session_id))


def _my_registration(event: Event):
    registration = registration_of(event, current_user)
    if registration is None:
        raise ApiError(403, _("Register for this meeting first."))
    return registration


def _chooseable(slug: str, session_id: int) -> tuple[Event, ProgrammeSession]:
    event = _event(slug)
    session = _session(session_id, event)
    registration = registration_of(event, current_user)
    if not services.may_see_session(session, current_user, registration):
        raise ApiError(404, _("No such session."))
    return event, session


@blp.route("/events/<slug>/sessions/<int:session_id>/choose", methods=["POST"])
@login_required
@blp.response(200, SessionSchema)
@blp.doc(security=BEARER)
def choose(slug: str, session_id: int):
    """Take a place in a workshop or visit. 409 when it is full or overlaps one of your
    choices; 403 when it is reserved for the steering committee."""
    event, session = _chooseable(slug, session_id)
    session_choices.choose_session(_my_registration(event), session, actor=current_user)
    return _one_session_json(session, event, chosen=True)


@blp.route("/events/<slug>/sessions/<int:session_id>/choose", methods=["DELETE"])
@login_required
@blp.response(204)
@blp.doc(security=BEARER)
def drop(slug: str, session_id: int):
    """Give up your place (nothing happens if you had not chosen it)."""
    event, session = _chooseable(slug, session_id)
    session_choices.drop_session(_my_registration(event), session, actor=current_user)


@blp.route("/events/<slug>/rooms", methods=["GET"])
@blp.response(200, RoomListSchema)
def list_rooms(slug: str):
    """The meeting's rooms (once the programme is published, or for organisers)."""
    event = _event(slug)
    rooms = services.list_rooms(event) if services.may_see_programme(event, _viewer()) else []
    return {"items": [room_json(r) for r in rooms], "total": len(rooms)}


@blp.route("/events/<slug>/rooms", methods=["POST"])
@organiser_required
@blp.arguments(RoomSchema)
@blp.response(201, RoomSchema)
@blp.doc(security=BEARER)
def create_room(data: dict, slug: str):
    """Add a room."""
    event = _event(slug)
    with service_errors(invalid=_("The room was not saved: see `errors`.")):
        room = services.save_room(event, data)
    return room_json(room)
