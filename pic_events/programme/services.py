"""The programme's rules: rooms, sessions, scheduling warnings, publishing, reading.

Shared by the organiser editor, the public pages, the API and the demo seed. Choosing
workshops and visits lives in pic_events.registration.session_choices.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import groupby
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import lazyload

from pic_events.accounts import standing
from pic_events.accounts.models import User
from pic_events.agenda.services import AgendaEntry
from pic_events.core import signals
from pic_events.core.timezones import to_zone
from pic_events.core.validation import ServiceValidationError
from pic_events.events import services as event_services
from pic_events.events.models import Event
from pic_events.extensions import db
from pic_events.programme.models import ProgrammeSession, Room, SessionKind, Speaker
from pic_events.registration.models import Registration, SessionChoice
from pic_events.registration.session_choices import (
    may_attend_restricted,
    places_taken,
    shared_choosers,
)

SESSION_FIELDS = (
    "kind",
    "title",
    "description",
    "starts_at",
    "ends_at",
    "room_id",
    "capacity",
    "must_choose",
    "restricted",
    "speakers",
)


class ScheduleWarnings(Exception):
    """The session can be saved, but the organiser should confirm first."""

    def __init__(self, warnings: list[str]) -> None:
        super().__init__("; ".join(warnings))
        self.warnings = warnings


@dataclass(frozen=True)
class SavedSession:
    session: ProgrammeSession
    warnings: list[str] = field(default_factory=list)


# --- rooms -----------------------------------------------------------------------------


def list_rooms(event: Event) -> list[Room]:
    return list(
        db.session.scalars(
            select(Room).where(Room.event_id == event.id).order_by(Room.position, Room.name)
        )
    )


def room_id_by_name(event: Event, name: str | None) -> int | None:
    """The id of the meeting's room with this exact name; None for no room."""
    if name is None:
        return None
    room_id = db.session.scalar(select(Room.id).where(Room.event_id == event.id, Room.name == name))
    if room_id is None:
        message = _("No room named “%(name)s” in this meeting.", name=name)
        raise ServiceValidationError({"room": [message]})
    return room_id


def _room_errors(event: Event, values: dict[str, Any], room: Room | None) -> dict[str, list]:
    errors: dict[str, list[str]] = {}
    name = (values.get("name") or "").strip()
    if not name:
        errors["name"] = [_("A room needs a name.")]
    else:
        taken = db.session.scalar(
            select(Room.id).where(Room.event_id == event.id, Room.name == name)
        )
        if taken is not None and (room is None or taken != room.id):
            errors["name"] = [_("This meeting already has a room with that name.")]
    capacity = values.get("capacity")
    if capacity is not None and (not isinstance(capacity, int) or capacity < 0):
        errors["capacity"] = [_("Capacity is a whole number, 0 or more (empty: unlimited).")]
    return errors


def save_room(event: Event, values: dict[str, Any], room: Room | None = None) -> Room:
    errors = _room_errors(event, values, room)
    if errors:
        raise ServiceValidationError(errors)
    if room is None:
        room = Room(event_id=event.id, position=len(list_rooms(event)))
        db.session.add(room)
    room.name = values["name"].strip()
    room.location = (values.get("location") or "").strip()
    room.capacity = values.get("capacity")
    if values.get("position") is not None:
        room.position = values["position"]
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise ServiceValidationError(
            {"name": [_("This meeting already has a room with that name.")]}
        ) from None
    return room


def delete_room(room: Room) -> None:
    """Sessions in the room keep their time and lose their room."""
    # Said here too: SQLite does not enforce the foreign key's ON DELETE SET NULL.
    db.session.execute(
        update(ProgrammeSession).where(ProgrammeSession.room_id == room.id).values(room_id=None)
    )
    db.session.delete(room)
    db.session.commit()


# --- sessions: validation and warnings -------------------------------------------------


def _final(values: dict[str, Any], session: ProgrammeSession | None, name: str) -> Any:
    if name in values:
        return values[name]
    if session is None:
        return None
    if name == "speakers":
        return [speaker_dict(s) for s in session.speakers]
    return getattr(session, name)


def speaker_dict(speaker: Speaker) -> dict[str, str]:
    return {"name": speaker.name, "organisation": speaker.organisation, "role": speaker.role}


def _clean_speakers(speakers: Iterable[dict[str, Any]] | None) -> list[dict[str, str]]:
    cleaned = []
    for speaker in speakers or []:
        item = {k: (speaker.get(k) or "").strip() for k in ("name", "organisation", "role")}
        if any(item.values()):
            cleaned.append(item)
    return cleaned


def _session_errors(event: Event, values: dict[str, Any]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if not (values.get("title") or "").strip():
        add("title", _("A session needs a title."))
    if values.get("kind") not in {k.value for k in SessionKind}:
        add("kind", _("Choose a kind of session."))
    starts, ends = values.get("starts_at"), values.get("ends_at")
    for name, moment in (("starts_at", starts), ("ends_at", ends)):
        if not isinstance(moment, datetime) or moment.tzinfo is None:
            add(name, _("Give a date and time with its time zone."))
    if "starts_at" not in errors and "ends_at" not in errors and ends <= starts:
        add("ends_at", _("The session must end after it starts."))
    capacity = values.get("capacity")
    if capacity is not None and (not isinstance(capacity, int) or capacity < 0):
        add("capacity", _("Capacity is a whole number, 0 or more (empty: unlimited)."))
    room_id = values.get("room_id")
    if room_id is not None:
        room = db.session.get(Room, room_id)
        if room is None or room.event_id != event.id:
            add("room_id", _("Choose one of this meeting's rooms."))
    if any(not s["name"] for s in values.get("speakers") or []):
        add("speakers", _("Every speaker needs a name."))
    return errors


def _overlapping(event: Event, values: dict[str, Any], session: ProgrammeSession | None):
    query = (
        select(ProgrammeSession)
        .where(
            ProgrammeSession.event_id == event.id,
            ProgrammeSession.starts_at < values["ends_at"],
            ProgrammeSession.ends_at > values["starts_at"],
        )
        .order_by(ProgrammeSession.starts_at, ProgrammeSession.id)
    )
    if session is not None and session.id is not None:
        query = query.where(ProgrammeSession.id != session.id)
    return list(db.session.scalars(query))


def schedule_warnings(
    event: Event, values: dict[str, Any], session: ProgrammeSession | None = None
) -> list[str]:
    """What an organiser should know before saving: a taken room, a speaker in two
    places at once, a session outside the meeting's days, more places than seats."""
    warnings: list[str] = []
    others = _overlapping(event, values, session)
    tz = event.timezone
    room_id = values.get("room_id")
    for other in others:
        if room_id is not None and other.room_id == room_id:
            warnings.append(
                _(
                    "%(room)s is already taken at that time by “%(title)s” (%(start)s–%(end)s).",
                    room=other.room.name if other.room else "",
                    title=other.title,
                    start=_hhmm(other.starts_at, tz),
                    end=_hhmm(other.ends_at, tz),
                )
            )
    names = {s["name"].casefold(): s["name"] for s in values.get("speakers") or []}
    for other in others:
        for speaker in other.speakers:
            if speaker.name.strip().casefold() in names:
                warnings.append(
                    _(
                        "%(name)s is already speaking in “%(title)s” at that time.",
                        name=speaker.name,
                        title=other.title,
                    )
                )
    if session is not None:
        shared = shared_choosers(session, [o.id for o in others])
        for other in others:
            if shared.get(other.id):
                warnings.append(
                    ngettext(
                        "%(num)d person who chose this session also chose “%(title)s” "
                        "at that time.",
                        "%(num)d people who chose this session also chose “%(title)s” "
                        "at that time.",
                        shared[other.id],
                        title=other.title,
                    )
                )
    local_day = to_zone(values["starts_at"], tz).date()
    if not event.starts_on <= local_day <= event.ends_on:
        warnings.append(_("This session is outside the meeting's dates."))
    room = db.session.get(Room, room_id) if room_id is not None else None
    capacity = values.get("capacity")
    if room and room.capacity is not None and capacity is not None and capacity > room.capacity:
        warnings.append(
            _(
                "%(room)s seats %(seats)d; the session offers %(places)d places.",
                room=room.name,
                seats=room.capacity,
                places=capacity,
            )
        )
    if session is not None and session.id is not None and capacity is not None:
        taken = places_taken(session)
        if taken > capacity:
            warnings.append(
                ngettext(
                    "%(num)d person has already chosen this session; they keep their place "
                    "even though the session offers %(places)d.",
                    "%(num)d people have already chosen this session; they keep their places "
                    "even though the session offers %(places)d.",
                    taken,
                    places=capacity,
                )
            )
    return warnings


def _hhmm(moment: datetime, tz: str) -> str:
    return to_zone(moment, tz).strftime("%H:%M")


# --- sessions: saving ------------------------------------------------------------------


def save_session(
    event: Event,
    values: dict[str, Any],
    session: ProgrammeSession | None = None,
    *,
    confirmed: bool = False,
) -> SavedSession:
    """Create (session None) or change a session; `values` may be partial when changing.

    Raises ServiceValidationError for bad input, ScheduleWarnings when something
    deserves a second look and `confirmed` is false. Commits.
    """
    final = {name: _final(values, session, name) for name in SESSION_FIELDS}
    final["title"] = (final["title"] or "").strip()
    final["description"] = (final["description"] or "").strip()
    final["speakers"] = _clean_speakers(final["speakers"])
    final["must_choose"] = bool(final["must_choose"])
    final["restricted"] = bool(final["restricted"])
    errors = _session_errors(event, final)
    if errors:
        raise ServiceValidationError(errors)
    warnings = schedule_warnings(event, final, session)
    if warnings and not confirmed:
        raise ScheduleWarnings(warnings)
    if session is None:
        session = ProgrammeSession(event_id=event.id)
        db.session.add(session)
    speakers = final.pop("speakers")
    for name, value in final.items():
        setattr(session, name, value)
    session.speakers = [Speaker(position=i, **s) for i, s in enumerate(speakers)]
    db.session.commit()
    return SavedSession(session, warnings)


def move_session(
    session: ProgrammeSession,
    starts_at: datetime,
    room_id: int | None,
    *,
    confirmed: bool = False,
) -> SavedSession:
    """Another time and/or room, same length."""
    length = session.ends_at - session.starts_at
    values = {"starts_at": starts_at, "ends_at": starts_at + length, "room_id": room_id}
    return save_session(session.event, values, session, confirmed=confirmed)


def duplicate_values(session: ProgrammeSession) -> dict[str, Any]:
    """What a copy starts from: everything, to be given another room or time."""
    values = {name: _final({}, session, name) for name in SESSION_FIELDS}
    values["title"] = session.title
    return values


def delete_session(session: ProgrammeSession) -> None:
    """The session goes, and with it the places people had chosen in it."""
    db.session.execute(delete(SessionChoice).where(SessionChoice.session_id == session.id))
    db.session.delete(session)
    db.session.commit()


def set_programme_published(event: Event, published: bool) -> None:
    event_services.set_programme_published(event, published)


def set_hide_restricted(event: Event, hide: bool) -> None:
    """Hide steering-committee sessions from people who may not attend them."""
    event.hide_restricted_sessions = hide
    db.session.commit()


# --- reading ---------------------------------------------------------------------------


def event_sessions(event: Event, *, kind: str | None = None) -> list[ProgrammeSession]:
    """All the event's sessions in time order, rooms joined and speakers loaded: 2 queries."""
    query = (
        select(ProgrammeSession)
        .where(ProgrammeSession.event_id == event.id)
        .order_by(ProgrammeSession.starts_at, ProgrammeSession.ends_at, ProgrammeSession.id)
    )
    if kind:
        query = query.where(ProgrammeSession.kind == kind)
    return list(db.session.scalars(query).unique())


def may_see_programme(event: Event, user: User | None) -> bool:
    return event.programme_published or bool(user and getattr(user, "is_organiser", False))


def may_see_restricted(event: Event, user: User | None, registration: Registration | None) -> bool:
    if not event.hide_restricted_sessions:
        return True
    return standing.may_attend_restricted(user) or may_attend_restricted(registration)


def may_see_session(
    session: ProgrammeSession, user: User | None, registration: Registration | None
) -> bool:
    """Whether the session exists as far as this person can tell (choose and drop ask)."""
    event = session.event
    if not may_see_programme(event, user):
        return False
    return not session.restricted or may_see_restricted(event, user, registration)


def visible_sessions(
    event: Event,
    user: User | None,
    registration: Registration | None,
    *,
    kind: str | None = None,
) -> list[ProgrammeSession]:
    """What this person sees of the programme (nothing when it is a draft to them)."""
    if not may_see_programme(event, user):
        return []
    sessions = event_sessions(event, kind=kind)
    if not may_see_restricted(event, user, registration):
        sessions = [s for s in sessions if not s.restricted]
    return sessions


def local_day(session: ProgrammeSession, tz: str) -> date:
    return to_zone(session.starts_at, tz).date()


def by_day(items: Iterable[Any], tz: str, key=lambda item: item.starts_at) -> list[tuple]:
    """[(day, [items of that day])] in order; items sorted by start already."""
    return [
        (day, list(group))
        for day, group in groupby(items, key=lambda i: to_zone(key(i), tz).date())
    ]


# --- My agenda ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AgendaSessions:
    """The event's sessions in time order (rooms joined) and those a registration chose."""

    sessions: list[ProgrammeSession]
    chosen: set[int]


def agenda_sessions(
    event: Event, registration: Registration, *, speakers: bool = True
) -> AgendaSessions:
    """The event's sessions with this registration's choices in one query (and one more for
    the speakers, unless `speakers` is False: My agenda does not show them)."""
    chose = sa.and_(
        SessionChoice.session_id == ProgrammeSession.id,
        SessionChoice.registration_id == registration.id,
    )
    query = (
        select(ProgrammeSession, SessionChoice.session_id)
        .outerjoin(SessionChoice, chose)
        .where(ProgrammeSession.event_id == event.id)
        .order_by(ProgrammeSession.starts_at, ProgrammeSession.ends_at, ProgrammeSession.id)
    )
    if not speakers:
        query = query.options(lazyload(ProgrammeSession.speakers))
    sessions, chosen = [], set()
    for session, chosen_id in db.session.execute(query):
        sessions.append(session)
        if chosen_id is not None:
            chosen.add(session.id)
    return AgendaSessions(sessions, chosen)


def session_entries(
    registration: Registration,
    *,
    event: Event,
    sessions: AgendaSessions | None = None,
    **_kw,
) -> list[AgendaEntry]:
    """The programme's part of an agenda (agenda_collecting): sessions for everyone
    (restricted ones only if eligible) plus my chosen ones, once the programme is published.
    `sessions`: agenda_sessions, when the caller loaded them already."""
    if not event.programme_published:
        return []
    if sessions is None:
        sessions = agenda_sessions(event, registration)
    chosen = sessions.chosen
    eligible = may_attend_restricted(registration)
    return [
        _session_entry(session, session.id in chosen)
        for session in sessions.sessions
        if session.id in chosen
        or (not session.must_choose and (eligible or not session.restricted))
    ]


def _session_entry(session: ProgrammeSession, chosen: bool) -> AgendaEntry:
    return AgendaEntry(
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        title=session.title,
        kind=session.kind,
        kind_label=session.kind_label,
        room=session.room.name if session.room else None,
        location=session.room.location if session.room else "",
        chosen=chosen,
        session=session,
    )


@dataclass(frozen=True)
class SessionNote:
    """A line shown under a session of the programme, given by another module."""

    text: str
    url: str | None = None
    starts_at: datetime | None = None


def session_notes(event: Event, sessions: list, user) -> dict[int, list[SessionNote]]:
    """{session id: notes} from the modules above (session_notes_collecting)."""
    notes: dict[int, list[SessionNote]] = {}
    answers = signals.session_notes_collecting.send(event, sessions=sessions, user=user)
    for _receiver, found in answers:
        for session_id, lines in (found or {}).items():
            notes.setdefault(session_id, []).extend(lines)
    return notes
