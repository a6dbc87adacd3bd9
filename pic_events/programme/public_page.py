"""The public programme page, cached: the timetable every visitor of one audience sees is
built once per event content version, language, audience and filter; places left once per
seats version; what is personal (a member's choices, the buttons, pitch notes, the page
around it) is computed per request, and is small.

The audience decides which sessions a timetable holds: "all" (restricted sessions too),
"open" (without them), or "hidden" (the programme is a draft to this visitor).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import get_locale

from pic_events.accounts.models import User
from pic_events.agenda.services import chosen_session_ids, registration_of
from pic_events.core import page_cache
from pic_events.core.conditional import Validators, viewer_parts
from pic_events.events.models import Event
from pic_events.programme import services
from pic_events.programme.models import SessionKind
from pic_events.programme.timetable import build_grid
from pic_events.registration import session_choices
from pic_events.registration.models import Registration

KINDS = {kind.value for kind in SessionKind}
UNKNOWN_KIND = "?"  # every unknown ?kind= shows the same (no session): one cache entry


@dataclass(frozen=True)
class SessionRef:
    """What the personal bits need of a session, kept with the cached timetable."""

    id: int
    title: str
    must_choose: bool
    restricted: bool
    capacity: int | None
    starts_at: datetime


@dataclass(frozen=True)
class Timetable:
    """The cached part: the rendered timetable (with a slot per session for the personal
    bits) and what the page needs of it without loading the sessions again."""

    html: str
    sessions: tuple[SessionRef, ...]
    has_days: bool


@dataclass(frozen=True)
class Places:
    left: dict[int, int | None]  # per session with a capacity
    digest: str


@dataclass(frozen=True)
class TimetableContent:
    """What the renderer gets to build the timetable's HTML."""

    event: Event
    days: list
    kinds: list[SessionKind]
    kind: str | None


@dataclass
class ProgrammePage:
    event: Event
    user: User | None
    registration: Registration | None
    kind: str | None
    timetable: Timetable
    places: Places
    chosen: set[int] = field(default_factory=set)
    choosable: set[int] = field(default_factory=set)
    may_choose: bool = False
    notes: dict = field(default_factory=dict)
    validators: Validators | None = None

    @property
    def sessions(self) -> tuple[SessionRef, ...]:
        return self.timetable.sessions


Renderer = Callable[[TimetableContent], str]


def audience(event: Event, user: User | None, registration: Registration | None) -> str:
    if not services.may_see_programme(event, user):
        return "hidden"
    return "all" if services.may_see_restricted(event, user, registration) else "open"


def normal_kind(kind: str | None) -> str | None:
    if not kind:
        return None
    return kind if kind in KINDS else UNKNOWN_KIND


def timetable(
    event: Event,
    user: User | None,
    registration: Registration | None,
    kind: str | None,
    render: Renderer,
) -> Timetable:
    """The timetable as this visitor's audience sees it, from the cache when it is there."""
    seen_by = audience(event, user, registration)
    key = page_cache.cache_key(
        "programme", event.id, event.content_version, str(get_locale()), seen_by, normal_kind(kind)
    )
    return page_cache.cached(key, lambda: _build(event, user, registration, kind, render))


def _build(
    event: Event,
    user: User | None,
    registration: Registration | None,
    kind: str | None,
    render: Renderer,
) -> Timetable:
    sessions = services.visible_sessions(event, user, registration)
    kinds = [k for k in SessionKind if any(s.kind == k for s in sessions)]
    if kind:
        sessions = [s for s in sessions if s.kind == kind]
    rooms = services.list_rooms(event)
    days = [
        (day, day_sessions, build_grid(day_sessions, rooms))
        for day, day_sessions in services.by_day(sessions, event.timezone)
    ]
    html = render(TimetableContent(event, days, kinds, kind))
    refs = tuple(
        SessionRef(s.id, s.title, s.must_choose, s.restricted, s.capacity, s.starts_at)
        for s in sessions
    )
    return Timetable(html=html, sessions=refs, has_days=bool(days))


def places(event: Event) -> Places:
    """Places left in the event's sessions that have a capacity: one query per seats
    version, then cached."""
    key = page_cache.cache_key("places", event.id, event.content_version, event.seats_version)

    def count() -> Places:
        left = session_choices.event_places_left(event)
        return Places(left, page_cache.fingerprint(sorted(left.items())))

    return page_cache.cached(key, count)


def programme_page(
    event: Event, user: User | None, kind: str | None, render: Renderer
) -> ProgrammePage:
    """Everything the programme page shows this visitor, and its ETag."""
    registration = registration_of(event, user)
    page = ProgrammePage(
        event=event,
        user=user,
        registration=registration,
        kind=kind,
        timetable=timetable(event, user, registration, kind, render),
        places=places(event),
    )
    if registration is not None:
        page.chosen = chosen_session_ids(registration)
        page.may_choose = session_choices.may_choose_now(registration, user)
        page.choosable = session_choices.choosable_now_ids(
            event, registration, user, among=page.timetable.sessions
        )
    if page.timetable.sessions:
        page.notes = services.session_notes(event, list(page.timetable.sessions), user)
    page.validators = _validators(page)
    return page


def _validators(page: ProgrammePage) -> Validators:
    event, user = page.event, page.user
    parts: list = [
        "programme",
        event.id,
        event.content_version,
        page.places.digest,
        str(get_locale()),
        audience(event, user, page.registration),
        page.kind,
    ]
    if user is not None:
        parts += [
            *viewer_parts(user),
            page.registration.status if page.registration else None,
            sorted(page.chosen),
            sorted(page.choosable),
            page.may_choose,
            sorted((i, [n.text for n in notes]) for i, notes in page.notes.items()),
        ]
    return Validators(
        etag=page_cache.fingerprint(parts),
        last_modified=None if user is not None else event.content_changed_at,
        private=user is not None,
    )
