"""My agenda, cached per person: the agenda (its days, or the notice that stands for them) is
rendered once per key below and kept; the page around it, the calendar card and the Drop
forms (their CSRF token) are rendered per request, so a request that finds the agenda
cached reads the person, the event and the registration, and nothing else.

The key holds everything the cached part shows or is built from: the person and their
standing (restricted sessions), the registration (id, status, category), the event's three
versions (the programme and the event; choices; meetings and the names of the people met),
the language, and "may choose now" (the only part that moves with the clock: registration
closes). A change by anyone moves one of them, so an entry is never served stale. A module
that adds entries (agenda_collecting) must show only what these versions follow: tracked in
pic_events.events.versions (app._track_event_versions).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app, get_template_attribute, request
from flask_babel import get_locale
from markupsafe import Markup

from pic_events.accounts import standing
from pic_events.accounts.models import User
from pic_events.agenda.services import agenda_entries
from pic_events.core import page_cache
from pic_events.core.slots import fill_slots, slot_name
from pic_events.events.models import Event
from pic_events.programme import services
from pic_events.registration import session_choices
from pic_events.registration.models import HOLDING_STATUSES, Registration

MACROS = "programme/_macros.html"


@dataclass(frozen=True)
class Chosen:
    """What a Drop form needs of a chosen session."""

    id: int
    title: str


@dataclass(frozen=True)
class AgendaBody:
    """The cached part: its HTML, with a slot per Drop form, and the sessions they drop."""

    html: str
    chosen: tuple[Chosen, ...]


@dataclass(frozen=True)
class AgendaContent:
    """What the renderer gets to build the cached part's HTML."""

    event: Event
    registration: Registration | None
    days: list
    may_choose: bool
    choosable_count: int


Renderer = Callable[[AgendaContent], str]


def body(
    event: Event, registration: Registration | None, user: User, render: Renderer
) -> AgendaBody:
    """The person's agenda, from the cache when it is there."""
    may_choose = session_choices.may_choose_now(registration, user)
    attends_restricted = standing.may_attend_restricted(user)
    key = page_cache.cache_key(
        "my-agenda",
        user.id,
        attends_restricted,
        event.id,
        event.content_version,
        event.seats_version,
        event.b2b_version,
        registration.id if registration else None,
        registration.status if registration else None,
        registration.category if registration else None,
        str(get_locale()),
        may_choose,
        request.script_root,
        current_app.config["PUBLIC_BASE_URL"],
    )
    return page_cache.cached(key, lambda: _build(event, registration, user, may_choose, render))


def _build(
    event: Event,
    registration: Registration | None,
    user: User,
    may_choose: bool,
    render: Renderer,
) -> AgendaBody:
    holds_place = registration is not None and registration.status in HOLDING_STATUSES
    loaded = None
    if holds_place and event.programme_published:
        loaded = services.agenda_sessions(event, registration, speakers=False)
    entries = agenda_entries(event, registration, sessions=loaded)
    count = 0
    if may_choose and loaded is not None:  # choosable_among over the loaded sessions
        count = len(session_choices.choosable_among(loaded.sessions, user))
    days = services.by_day(entries, event.timezone)
    html = render(AgendaContent(event, registration, days, may_choose, count))
    chosen = tuple(
        Chosen(entry.session.id, entry.session.title)
        for entry in entries
        if entry.chosen and entry.session is not None
    )
    return AgendaBody(html=html, chosen=chosen)


def fill(event: Event, agenda: AgendaBody, back: str) -> Markup:
    """The cached agenda with this request's Drop forms in its slots."""
    if not agenda.chosen:
        return Markup(agenda.html)
    form = get_template_attribute(MACROS, "choice_form")
    forms = {slot_name("drop", c.id): str(form(event, c, "drop", back)) for c in agenda.chosen}
    return fill_slots(agenda.html, forms)
