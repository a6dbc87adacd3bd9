from __future__ import annotations

import enum
import secrets
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pic_events.accounts.models import User
from pic_events.core.types import UTCDateTime, utcnow
from pic_events.events.models import Event
from pic_events.extensions import db


class RegistrationStatus(enum.StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"
    DECLINED = "declined"


class Category(enum.StrEnum):
    PARTICIPANT = "participant"
    SPEAKER = "speaker"
    ORGANISER = "organiser"
    STEERING = "steering"
    PRESS = "press"


STATUS_LABELS = {
    RegistrationStatus.PENDING: _l("Pending approval"),
    RegistrationStatus.CONFIRMED: _l("Confirmed"),
    RegistrationStatus.WAITLISTED: _l("On the waiting list"),
    RegistrationStatus.CANCELLED: _l("Cancelled"),
    RegistrationStatus.DECLINED: _l("Declined"),
}

CATEGORY_LABELS = {
    Category.PARTICIPANT: _l("Participant"),
    Category.SPEAKER: _l("Speaker"),
    Category.ORGANISER: _l("Organiser"),
    Category.STEERING: _l("Steering committee"),
    Category.PRESS: _l("Press"),
}


def new_checkin_code() -> str:
    return secrets.token_urlsafe(16)


class Registration(db.Model):
    __table_args__ = (sa.UniqueConstraint("event_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[str] = mapped_column(sa.String(16), default=RegistrationStatus.PENDING.value)
    category: Mapped[str] = mapped_column(sa.String(16), default=Category.PARTICIPANT.value)
    answers: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    listed: Mapped[bool] = mapped_column(default=True)
    checkin_code: Mapped[str] = mapped_column(sa.String(32), unique=True, default=new_checkin_code)
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    waitlisted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship()
    user: Mapped[User | None] = relationship()
    session_choices: Mapped[list[SessionChoice]] = relationship(
        cascade="all, delete-orphan", back_populates="registration"
    )

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[RegistrationStatus(self.status)])

    @property
    def category_label(self) -> str:
        return str(CATEGORY_LABELS[Category(self.category)])


class SessionChoice(db.Model):
    """A registrant's pick of a session that must be chosen (workshop, visit)."""

    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registration.id", ondelete="CASCADE"), primary_key=True
    )
    session_id: Mapped[int] = mapped_column(
        sa.ForeignKey("programme_session.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    registration: Mapped[Registration] = relationship(back_populates="session_choices")
