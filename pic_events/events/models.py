from __future__ import annotations

import enum
import secrets
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column

from pic_events.core.types import UTCDateTime, utcnow
from pic_events.extensions import db


class EventStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"


EVENT_STATUS_LABELS = {
    EventStatus.DRAFT: _l("Draft"),
    EventStatus.PUBLISHED: _l("Published"),
    EventStatus.ARCHIVED: _l("Archived"),
}


def new_version() -> str:
    """A content version: random, so a deleted event's cache entries never match a new event
    that gets its id back."""
    return secrets.token_hex(8)


# Registration categories (labels in pic_events.registration.models.CATEGORY_LABELS).
ALL_CATEGORIES = ("participant", "speaker", "steering", "organiser", "press")
DEFAULT_SELF_SERVICE_CATEGORIES = ("participant", "steering")


class Event(db.Model):
    __table_args__ = (
        sa.CheckConstraint("ends_on >= starts_on", name="dates_in_order"),
        sa.CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    venue: Mapped[str] = mapped_column(sa.String(200), default="")
    city: Mapped[str] = mapped_column(sa.String(120), default="")
    country: Mapped[str | None] = mapped_column(sa.String(2))
    timezone: Mapped[str] = mapped_column(sa.String(64), default="Europe/Paris")
    starts_on: Mapped[date] = mapped_column(sa.Date)
    ends_on: Mapped[date] = mapped_column(sa.Date)
    registration_opens: Mapped[datetime | None] = mapped_column(UTCDateTime)
    registration_closes: Mapped[datetime | None] = mapped_column(UTCDateTime)
    capacity: Mapped[int | None] = mapped_column()
    requires_approval: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(sa.String(16), default=EventStatus.DRAFT.value)
    privacy_notice: Mapped[str] = mapped_column(sa.Text, default="")
    retention_until: Mapped[date | None] = mapped_column(sa.Date)
    # Registration settings (edited on the registration settings page).
    registration_categories: Mapped[list] = mapped_column(
        sa.JSON, default=lambda: list(ALL_CATEGORIES)
    )
    self_service_categories: Mapped[list] = mapped_column(
        sa.JSON, default=lambda: list(DEFAULT_SELF_SERVICE_CATEGORIES)
    )
    waitlist_enabled: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    programme_published: Mapped[bool] = mapped_column(default=False)
    hide_restricted_sessions: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # Changed with anything its public pages show (pic_events.events.versions): the event,
    # its programme, rooms, speakers ...; seats_version with the places taken (registrations,
    # chosen sessions). Cached pages are keyed by them; content_changed_at (either changed)
    # is their Last-Modified.
    content_version: Mapped[str] = mapped_column(
        sa.String(16), default=new_version, server_default="0"
    )
    seats_version: Mapped[str] = mapped_column(
        sa.String(16), default=new_version, server_default="0"
    )
    # Changed with what the B2B pages show (meetings, requests, profiles, slots, tables,
    # availability) and with the names and organisations of people (the directory).
    b2b_version: Mapped[str] = mapped_column(sa.String(16), default=new_version, server_default="0")
    content_changed_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, server_default=sa.func.current_timestamp()
    )

    @property
    def is_published(self) -> bool:
        return self.status == EventStatus.PUBLISHED

    @property
    def status_label(self) -> str:
        return str(EVENT_STATUS_LABELS[EventStatus(self.status)])

    def registration_is_open(self, now: datetime | None = None) -> bool:
        now = now or utcnow()
        if not self.is_published:
            return False
        if self.registration_opens and now < self.registration_opens:
            return False
        return not (self.registration_closes and now >= self.registration_closes)

    def __repr__(self) -> str:
        return f"<Event {self.slug}>"
