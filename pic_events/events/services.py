"""Events: the rules for creating, changing and listing them, shared by HTML, API and CLI."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from pic_events.core import signals
from pic_events.core.countries import is_country
from pic_events.core.limits import FIRST_YEAR, INT_MAX, LAST_YEAR, in_year_range
from pic_events.core.timezones import is_valid_timezone
from pic_events.core.types import utcnow
from pic_events.core.validation import NotFoundError, ServiceValidationError
from pic_events.events.models import Event, EventStatus
from pic_events.extensions import db

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_LENGTHS = {"title": 200, "slug": 80, "venue": 200, "city": 120}  # the columns' sizes
DESCRIPTION_MAX = 20_000  # description and privacy notice (the forms say the same)
TEXT_LIMITS = {**MAX_LENGTHS, "description": DESCRIPTION_MAX, "privacy_notice": DESCRIPTION_MAX}
DATED_FIELDS = ("starts_on", "ends_on", "registration_opens", "registration_closes")
EDITABLE_FIELDS = (
    "slug",
    "title",
    "description",
    "venue",
    "city",
    "country",
    "timezone",
    "starts_on",
    "ends_on",
    "registration_opens",
    "registration_closes",
    "capacity",
    "requires_approval",
    "status",
    "privacy_notice",
    "retention_until",
    "programme_published",
)


@dataclass(frozen=True)
class EventChanges:
    """Only the fields that were given: a PATCH changes those and leaves the rest."""

    values: dict[str, Any]


def _validate(values: dict[str, Any], event: Event | None) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    def final(field: str) -> Any:
        return values[field] if field in values else getattr(event, field, None)

    if not (final("title") or "").strip():
        add("title", _("A title is required."))
    for field, limit in TEXT_LIMITS.items():
        if isinstance(values.get(field), str) and len(values[field]) > limit:
            add(field, _("At most %(n)d characters.", n=limit))
    slug = final("slug") or ""
    if not SLUG_PATTERN.match(slug):
        add("slug", _("Use lower-case letters, digits and single hyphens, e.g. pic-2027."))
    elif "slug" in values:
        taken = db.session.scalar(select(Event.id).where(Event.slug == slug))
        if taken is not None and (event is None or taken != event.id):
            add("slug", _("Another event already uses this address."))
    if not is_valid_timezone(final("timezone") or ""):
        add("timezone", _("Choose a time zone from the list, e.g. Europe/Paris."))
    country = final("country")
    if country and not is_country(country):
        add("country", _("Unknown country code."))
    starts, ends = final("starts_on"), final("ends_on")
    if not isinstance(starts, date):
        add("starts_on", _("A start date is required."))
    if not isinstance(ends, date):
        add("ends_on", _("An end date is required."))
    elif isinstance(starts, date) and ends < starts:
        add("ends_on", _("The meeting cannot end before it starts."))
    for field in (*DATED_FIELDS, "retention_until"):
        moment = values.get(field)
        if isinstance(moment, date) and not in_year_range(moment):
            add(
                field,
                _("Give a date between %(first)d and %(last)d.", first=FIRST_YEAR, last=LAST_YEAR),
            )
    opens, closes = final("registration_opens"), final("registration_closes")
    for field in ("registration_opens", "registration_closes"):
        moment = final(field)
        if moment is not None and (not isinstance(moment, datetime) or moment.tzinfo is None):
            add(field, _("Give a date and time."))
    if (
        isinstance(opens, datetime)
        and isinstance(closes, datetime)
        and opens.tzinfo
        and closes.tzinfo
    ) and closes <= opens:
        add("registration_closes", _("Registration must close after it opens."))
    capacity = final("capacity")
    if capacity is not None and (
        not isinstance(capacity, int) or isinstance(capacity, bool) or not 0 <= capacity <= INT_MAX
    ):
        add("capacity", _("Capacity is a whole number, 0 or more (empty: unlimited)."))
    if not isinstance(final("programme_published") or False, bool):
        add("programme_published", _("Say true or false."))
    status = final("status") or EventStatus.DRAFT.value
    if status not in {s.value for s in EventStatus}:
        add("status", _("Status is draft, published or archived."))
    return errors


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    cleaned = {k: v for k, v in values.items() if k in EDITABLE_FIELDS}
    for text_field in ("title", "slug", "venue", "city", "description", "privacy_notice"):
        if isinstance(cleaned.get(text_field), str):
            cleaned[text_field] = cleaned[text_field].strip()
    if isinstance(cleaned.get("slug"), str):
        cleaned["slug"] = cleaned["slug"].lower()
    if isinstance(cleaned.get("country"), str):
        cleaned["country"] = cleaned["country"].upper() or None
    return cleaned


def create_event(values: dict[str, Any]) -> Event:
    values = _clean(values)
    values.setdefault("timezone", "Europe/Paris")
    values.setdefault("status", EventStatus.DRAFT.value)
    errors = _validate(values, None)
    if errors:
        raise ServiceValidationError(errors)
    event = Event(**values)
    db.session.add(event)
    _commit_or_slug_taken()
    return event


def update_event(event: Event, values: dict[str, Any]) -> Event:
    values = _clean(values)
    errors = _validate(values, event)
    if errors:
        raise ServiceValidationError(errors)
    capacity_changed = "capacity" in values and values["capacity"] != event.capacity
    for field, value in values.items():
        setattr(event, field, value)
    _commit_or_slug_taken()
    if capacity_changed:
        signals.capacity_changed.send(event)  # registration serves its waiting list first
    return event


def _commit_or_slug_taken() -> None:
    """Two organisers saving the same slug at once: the unique index decides."""
    try:
        db.session.commit()
    except IntegrityError as error:
        db.session.rollback()
        if "slug" not in str(error.orig):
            raise
        message = _("Another event already uses this address.")
        raise ServiceValidationError({"slug": [message]}) from error


def set_status(event: Event, status: EventStatus) -> Event:
    return update_event(event, {"status": status.value})


def set_programme_published(event: Event, published: bool) -> Event:
    """Members see the programme and may choose sessions (the editor's button, the API)."""
    return update_event(event, {"programme_published": published})


def get_event(slug: str, *, include_unpublished: bool = False) -> Event | None:
    query = select(Event).where(Event.slug == slug)
    if not include_unpublished:
        query = query.where(Event.status != EventStatus.DRAFT.value)
    return db.session.scalar(query)


def event_for_viewer(slug: str, viewer) -> Event | None:
    """The event as `viewer` may see it: organisers see drafts too, others only published
    or archived events. `viewer` is a user, the anonymous user or None."""
    organiser = bool(viewer is not None and viewer.is_authenticated and viewer.is_organiser)
    return get_event(slug, include_unpublished=organiser)


def visible_event(slug: str, viewer) -> Event:
    """The one loader of pages and API: the event as `viewer` may see it, else NotFoundError
    (a 404 page, or a 404 problem in the API), the same for missing and invisible."""
    event = event_for_viewer(slug, viewer)
    if event is None:
        raise NotFoundError(_("No event has this address."))
    return event


def public_events_query():
    return (
        select(Event)
        .where(Event.status != EventStatus.DRAFT.value)
        .order_by(Event.starts_on.desc(), Event.id)
    )


def public_events_split(today: date | None = None) -> tuple[list[Event], list[Event]]:
    """Upcoming (soonest first) and past (latest first) published or archived events."""
    today = today or utcnow().date()
    events = db.session.scalars(public_events_query()).all()
    upcoming = sorted((e for e in events if e.ends_on >= today), key=lambda e: e.starts_on)
    past = [e for e in events if e.ends_on < today]
    return upcoming, past


def all_events_query():
    return select(Event).order_by(Event.starts_on.desc(), Event.id)
