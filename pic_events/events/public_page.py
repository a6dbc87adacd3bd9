"""The event page, cached: its description and facts are rendered once per content version
and language; the part that differs per visitor (links, the registration box: a few
queries, rendered each time) goes in the ETag by its digest, so a 304 is never stale."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask_babel import get_locale

from pic_events.accounts.models import User
from pic_events.core import page_cache
from pic_events.core.conditional import Validators, viewer_parts
from pic_events.core.types import utcnow
from pic_events.events.models import Event


@dataclass(frozen=True)
class EventPage:
    event: Event
    public: dict[str, str]  # "about", "facts": HTML the same for everyone
    personal: str  # HTML of the visitor's own part
    validators: Validators


Renderer = Callable[[Event], dict[str, str]]


def event_page(event: Event, user: User | None, personal: str, render: Renderer) -> EventPage:
    locale = str(get_locale())
    key = page_cache.cache_key("event", event.id, event.content_version, locale)
    public = page_cache.cached(key, lambda: render(event))
    parts: list = ["event", event.id, event.content_version, locale, personal]
    if user is not None:
        parts += viewer_parts(user)
    validators = Validators(
        etag=page_cache.fingerprint(parts),
        last_modified=None if user is not None else last_change(event),
        private=user is not None,
    )
    return EventPage(event, public, personal, validators)


def visitor_part(event: Event, render: Callable[[], str]) -> str:
    """A visitor's side of the page (links, registration box) is the same for all visitors
    until the event changes, a place is taken, or registration opens or closes."""
    now = utcnow()
    phase = [moment is not None and moment <= now for moment in _window(event)]
    key = page_cache.cache_key(
        "event-visitor",
        event.id,
        event.content_version,
        event.seats_version,
        phase,
        str(get_locale()),
    )
    return page_cache.cached(key, render)


def _window(event: Event) -> list[datetime | None]:
    return [event.registration_opens, event.registration_closes]


def last_change(event: Event, now: datetime | None = None) -> datetime:
    """When the page last changed for a visitor: an edit, a place taken, or registration
    opening or closing (time alone changes the box)."""
    now = now or utcnow()
    moments = [event.content_changed_at, *_window(event)]
    return max(moment for moment in moments if moment is not None and moment <= now)
