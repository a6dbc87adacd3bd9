"""An event's matchmaking rules: read them (with defaults) and decide what they allow."""

from __future__ import annotations

from datetime import datetime

from pic_events.core.types import utcnow
from pic_events.events.models import Event
from pic_events.extensions import db
from pic_events.matchmaking.models import B2BSettings, BookingStyle


def settings_of(event: Event) -> B2BSettings:
    """The event's settings row; a new, unsaved one with the defaults when there is none."""
    settings = db.session.get(B2BSettings, event.id)
    if settings is None:
        settings = B2BSettings(
            event_id=event.id,
            enabled=False,
            booking_style=BookingStyle.SELF.value,
            request_lifetime_hours=72,
            self_booking_open=True,
        )
    return settings


def saved_settings_of(event: Event) -> B2BSettings:
    """The event's settings row, added to the session when it was missing (caller commits)."""
    settings = settings_of(event)
    if settings not in db.session:
        db.session.add(settings)
    return settings


def is_enabled(event: Event) -> bool:
    return settings_of(event).enabled


def requests_carry_a_slot(settings: B2BSettings) -> bool:
    """Whether accepting a request books a slot now (self-booking), or leaves it to the
    organiser's scheduling run."""
    if settings.booking_style == BookingStyle.SELF:
        return True
    if settings.booking_style == BookingStyle.BOTH:
        return settings.self_booking_open
    return False


def requests_open(settings: B2BSettings, now: datetime | None = None) -> bool:
    now = now or utcnow()
    if not settings.enabled or settings.frozen:
        return False
    return settings.request_deadline is None or now < settings.request_deadline
