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


class QuestionType(enum.StrEnum):
    TEXT = "text"
    LONG_TEXT = "long_text"
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    YES_NO = "yes_no"
    NUMBER = "number"
    DATE = "date"


STATUS_LABELS = {
    RegistrationStatus.PENDING: _l("Pending approval"),
    RegistrationStatus.CONFIRMED: _l("Confirmed"),
    RegistrationStatus.WAITLISTED: _l("On the waiting list"),
    RegistrationStatus.CANCELLED: _l("Cancelled"),
    RegistrationStatus.DECLINED: _l("Declined"),
}

STATUS_BADGES = {
    RegistrationStatus.PENDING: "warning",
    RegistrationStatus.CONFIRMED: "success",
    RegistrationStatus.WAITLISTED: "info",
    RegistrationStatus.CANCELLED: "secondary",
    RegistrationStatus.DECLINED: "danger",
}

CATEGORY_LABELS = {
    Category.PARTICIPANT: _l("Participant"),
    Category.SPEAKER: _l("Speaker"),
    Category.ORGANISER: _l("Organiser"),
    Category.STEERING: _l("Steering committee"),
    Category.PRESS: _l("Press"),
}

QUESTION_TYPE_LABELS = {
    QuestionType.TEXT: _l("Short text"),
    QuestionType.LONG_TEXT: _l("Long text"),
    QuestionType.SINGLE_CHOICE: _l("Single choice"),
    QuestionType.MULTIPLE_CHOICE: _l("Multiple choice"),
    QuestionType.YES_NO: _l("Yes / no"),
    QuestionType.NUMBER: _l("Number"),
    QuestionType.DATE: _l("Date"),
}

# Statuses in which a registration is alive (counts as "already registered").
ACTIVE_STATUSES = (
    RegistrationStatus.PENDING.value,
    RegistrationStatus.CONFIRMED.value,
    RegistrationStatus.WAITLISTED.value,
)
# Statuses that hold a place in a capacity-limited choice (site visit A: 25 places).
HOLDING_STATUSES = (RegistrationStatus.PENDING.value, RegistrationStatus.CONFIRMED.value)


def new_checkin_code() -> str:
    return secrets.token_urlsafe(16)


class Registration(db.Model):
    __table_args__ = (
        sa.UniqueConstraint("event_id", "user_id"),
        sa.CheckConstraint(
            "status IN ('pending', 'confirmed', 'waitlisted', 'cancelled', 'declined')",
            name="status_known",
        ),
        sa.CheckConstraint(
            "category IN ('participant', 'speaker', 'organiser', 'steering', 'press')",
            name="category_known",
        ),
        sa.Index("ix_registration_event_status", "event_id", "status"),
    )

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
    badge_printed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    waitlisted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_message: Mapped[str] = mapped_column(sa.Text, default="")
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship()
    user: Mapped[User | None] = relationship()
    session_choices: Mapped[list[SessionChoice]] = relationship(
        cascade="all, delete-orphan", back_populates="registration"
    )
    option_picks: Mapped[list[OptionPick]] = relationship(
        cascade="all, delete-orphan", back_populates="registration"
    )

    @classmethod
    def listed_at(cls, event_id: int) -> sa.ColumnElement[bool]:
        """Confirmed at the event and listed: whom the other participants may see (the B2B
        catalogue, its suggestions, project ideas' partners, the nudge)."""
        return sa.and_(
            cls.event_id == event_id,
            cls.status == RegistrationStatus.CONFIRMED.value,
            cls.listed.is_(True),
        )

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[RegistrationStatus(self.status)])

    @property
    def status_badge(self) -> str:
        return STATUS_BADGES[RegistrationStatus(self.status)]

    @property
    def category_label(self) -> str:
        return str(CATEGORY_LABELS[Category(self.category)])

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def session_ids(self) -> list[int]:
        return sorted(choice.session_id for choice in self.session_choices)

    @property
    def display_name(self) -> str:
        if self.user is None:
            return str(_l("Anonymised participant"))
        return self.user.name

    def __repr__(self) -> str:
        return f"<Registration {self.id} {self.status}>"


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


class Question(db.Model):
    """A custom registration question; its type decides the form field and validation."""

    __table_args__ = (
        sa.CheckConstraint(
            "kind IN ('text', 'long_text', 'single_choice', 'multiple_choice', 'yes_no', "
            "'number', 'date')",
            name="kind_known",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(sa.String(300))
    help_text: Mapped[str] = mapped_column(sa.Text, default="")
    kind: Mapped[str] = mapped_column(sa.String(20), default=QuestionType.TEXT.value)
    required: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)
    min_value: Mapped[float | None] = mapped_column(sa.Float)
    max_value: Mapped[float | None] = mapped_column(sa.Float)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    event: Mapped[Event] = relationship()
    options: Mapped[list[QuestionOption]] = relationship(
        cascade="all, delete-orphan",
        order_by="QuestionOption.position, QuestionOption.id",
        back_populates="question",
        lazy="selectin",
    )

    @property
    def kind_label(self) -> str:
        return str(QUESTION_TYPE_LABELS[QuestionType(self.kind)])

    @property
    def has_options(self) -> bool:
        return self.kind in (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE)

    @property
    def key(self) -> str:
        """How the answer is keyed in Registration.answers and the API: the id as a string."""
        return str(self.id)


class QuestionOption(db.Model):
    """One choice of a choice question, with an optional number of places."""

    __table_args__ = (
        sa.CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        sa.ForeignKey("question.id", ondelete="CASCADE"), index=True
    )
    label: Mapped[str] = mapped_column(sa.String(200))
    capacity: Mapped[int | None] = mapped_column()
    position: Mapped[int] = mapped_column(default=0)

    question: Mapped[Question] = relationship(back_populates="options")


class OptionPick(db.Model):
    """A registration's chosen option, mirrored from its answers so places can be counted."""

    __tablename__ = "option_pick"

    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registration.id", ondelete="CASCADE"), primary_key=True
    )
    option_id: Mapped[int] = mapped_column(
        sa.ForeignKey("question_option.id", ondelete="CASCADE"), primary_key=True, index=True
    )

    registration: Mapped[Registration] = relationship(back_populates="option_picks")


class AuditAction(enum.StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    APPROVED = "approved"
    DECLINED = "declined"
    PROMOTED = "promoted"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"
    ANONYMISED = "anonymised"
    STANDING = "standing"


AUDIT_ACTION_LABELS = {
    AuditAction.CREATED: _l("Registered"),
    AuditAction.UPDATED: _l("Changed"),
    AuditAction.APPROVED: _l("Approved"),
    AuditAction.DECLINED: _l("Declined"),
    AuditAction.PROMOTED: _l("Moved from the waiting list"),
    AuditAction.WAITLISTED: _l("Put on the waiting list"),
    AuditAction.CANCELLED: _l("Cancelled"),
    AuditAction.ANONYMISED: _l("Anonymised"),
    AuditAction.STANDING: _l("Steering-committee standing"),
}


class AuditLog(db.Model):
    """Who changed what in a registration, and when."""

    __tablename__ = "registration_audit"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registration.id", ondelete="CASCADE"), index=True
    )
    actor_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    # Kept as text so the history still reads well after the actor's account is deleted.
    actor_name: Mapped[str] = mapped_column(sa.String(200), default="")
    action: Mapped[str] = mapped_column(sa.String(16))
    changes: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    message: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    actor: Mapped[User | None] = relationship()

    @property
    def action_label(self) -> str:
        return str(AUDIT_ACTION_LABELS.get(AuditAction(self.action), self.action))
