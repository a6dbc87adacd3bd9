"""Project ideas for EU calls, the partner roles they need, and the people interested.

Integrity lives in the database: a role has one `filled_by` (one partner), a partial unique
index lets a person fill at most one role of an idea, and one interest per role and person.
Accepting interest fills the role under a row lock on the role (services.py)."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pic_events.core.types import UTCDateTime, utcnow
from pic_events.events.models import Event
from pic_events.extensions import db
from pic_events.matchmaking.models import PARTNER_KIND_LABELS, Meeting, PartnerKind
from pic_events.registration.models import Registration

TITLE_MAX = 200
CALL_MAX = 200
SUMMARY_MAX = 5000
DESCRIPTION_MAX = 1000
MESSAGE_MAX = 2000
KEYWORDS_MAX = 20
KEYWORD_MAX = 60
COUNTRIES_MAX = 30
ROLES_MAX = 20

ROLE_KINDS = tuple(kind.value for kind in PartnerKind)
ROLE_KIND_LABELS = PARTNER_KIND_LABELS


def role_kind_label(kind: str) -> str:
    try:
        return str(ROLE_KIND_LABELS[PartnerKind(kind)])
    except ValueError:
        return kind


class IdeaStatus(enum.StrEnum):
    OPEN = "open"  # looking for partners
    SUBMITTED = "submitted"  # submitted to the call
    FUNDED = "funded"
    WITHDRAWN = "withdrawn"


IDEA_STATUS_LABELS = {
    IdeaStatus.OPEN: _l("Looking for partners"),
    IdeaStatus.SUBMITTED: _l("Submitted to the call"),
    IdeaStatus.FUNDED: _l("Funded"),
    IdeaStatus.WITHDRAWN: _l("Withdrawn"),
}

IDEA_STATUS_BADGES = {
    IdeaStatus.OPEN: "success",
    IdeaStatus.SUBMITTED: "info",
    IdeaStatus.FUNDED: "primary",
    IdeaStatus.WITHDRAWN: "secondary",
}


class InterestStatus(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"


INTEREST_STATUS_LABELS = {
    InterestStatus.PENDING: _l("Waiting for an answer"),
    InterestStatus.ACCEPTED: _l("Accepted"),
    InterestStatus.DECLINED: _l("Declined"),
}


def _sql_list(values) -> str:
    return ", ".join(f"'{v}'" for v in values)


class Idea(db.Model):
    """A project idea a participant pitches at an event, for an EU call."""

    __tablename__ = "consortium_idea"
    __table_args__ = (
        sa.CheckConstraint(
            f"status IN ({_sql_list(s.value for s in IdeaStatus)})", name="status_known"
        ),
        sa.CheckConstraint(
            "pitch_minutes IS NULL OR pitch_minutes >= 1", name="pitch_minutes_positive"
        ),
        sa.Index("ix_consortium_idea_event_status", "event_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"))
    lead_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registration.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(sa.String(TITLE_MAX))
    summary: Mapped[str] = mapped_column(sa.Text, default="")
    call: Mapped[str] = mapped_column(sa.String(CALL_MAX), default="")
    call_deadline: Mapped[date | None] = mapped_column(sa.Date)
    sectors: Mapped[list] = mapped_column(sa.JSON, default=list)
    keywords: Mapped[list] = mapped_column(sa.JSON, default=list)
    confidential: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(sa.String(16), default=IdeaStatus.OPEN.value)
    carried_from_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("consortium_idea.id", ondelete="SET NULL"), index=True
    )
    # The organiser's pitch session: position in the running order (None: not pitching).
    pitch_position: Mapped[int | None] = mapped_column()
    pitch_minutes: Mapped[int | None] = mapped_column()
    status_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship()
    lead: Mapped[Registration] = relationship(foreign_keys=[lead_id])
    carried_from: Mapped[Idea | None] = relationship(remote_side=[id])
    roles: Mapped[list[Role]] = relationship(
        back_populates="idea", cascade="all, delete-orphan", order_by="Role.id"
    )

    @property
    def status_label(self) -> str:
        return str(IDEA_STATUS_LABELS[IdeaStatus(self.status)])

    @property
    def status_badge(self) -> str:
        return IDEA_STATUS_BADGES[IdeaStatus(self.status)]

    @property
    def is_open(self) -> bool:
        return self.status == IdeaStatus.OPEN

    @property
    def open_roles(self) -> list[Role]:
        return [role for role in self.roles if role.filled_by_id is None]

    @property
    def filled_roles(self) -> list[Role]:
        return [role for role in self.roles if role.filled_by_id is not None]

    @property
    def partners(self) -> list[Registration]:
        """The people who fill a role, in role order (the lead is not among them)."""
        return [role.filled_by for role in self.filled_roles]


class Role(db.Model):
    """A kind of partner an idea needs; `filled_by` is the partner who took it."""

    __tablename__ = "consortium_role"
    __table_args__ = (
        sa.CheckConstraint(f"kind IN ({_sql_list(ROLE_KINDS)})", name="kind_known"),
        # One person fills at most one role of an idea.
        sa.Index(
            "uq_consortium_role_partner",
            "idea_id",
            "filled_by_id",
            unique=True,
            sqlite_where=sa.text("filled_by_id IS NOT NULL"),
            postgresql_where=sa.text("filled_by_id IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(
        sa.ForeignKey("consortium_idea.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(sa.String(20))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    countries: Mapped[list] = mapped_column(sa.JSON, default=list)  # ISO codes; empty: any
    filled_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("registration.id", ondelete="SET NULL"), index=True
    )
    filled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    idea: Mapped[Idea] = relationship(back_populates="roles")
    filled_by: Mapped[Registration | None] = relationship(foreign_keys=[filled_by_id])

    @property
    def kind_label(self) -> str:
        return role_kind_label(self.kind)

    @property
    def is_open(self) -> bool:
        return self.filled_by_id is None


class Interest(db.Model):
    """A participant asks to fill a role (or the lead invited them: `invited`)."""

    __tablename__ = "consortium_interest"
    __table_args__ = (
        sa.UniqueConstraint("role_id", "registration_id"),
        sa.CheckConstraint(
            f"status IN ({_sql_list(s.value for s in InterestStatus)})", name="status_known"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    role_id: Mapped[int] = mapped_column(
        sa.ForeignKey("consortium_role.id", ondelete="CASCADE"), index=True
    )
    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registration.id", ondelete="CASCADE"), index=True
    )
    message: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[str] = mapped_column(sa.String(16), default=InterestStatus.PENDING.value)
    invited: Mapped[bool] = mapped_column(default=False)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    role: Mapped[Role] = relationship()
    registration: Mapped[Registration] = relationship()

    @property
    def status_label(self) -> str:
        return str(INTEREST_STATUS_LABELS[InterestStatus(self.status)])

    @property
    def is_pending(self) -> bool:
        return self.status == InterestStatus.PENDING


class ConsortiumMeeting(db.Model):
    """A B2B meeting booked for an idea's consortium (the meeting itself is matchmaking's)."""

    __tablename__ = "consortium_meeting"

    meeting_id: Mapped[int] = mapped_column(
        sa.ForeignKey("b2b_meeting.id", ondelete="CASCADE"), primary_key=True
    )
    idea_id: Mapped[int] = mapped_column(
        sa.ForeignKey("consortium_idea.id", ondelete="CASCADE"), index=True
    )
    booked_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    meeting: Mapped[Meeting] = relationship()
    idea: Mapped[Idea] = relationship()


class ScheduleRequestStatus(enum.StrEnum):
    PENDING = "pending"  # waits for the organiser's scheduling run
    SCHEDULED = "scheduled"  # placed: `meeting_id` is the meeting
    CANCELLED = "cancelled"


class ConsortiumScheduleRequest(db.Model):
    """The lead asks for a consortium meeting that the organiser's scheduling run places
    (events where the organisers schedule). One pending request per idea."""

    __tablename__ = "consortium_schedule_request"
    __table_args__ = (
        sa.CheckConstraint(
            f"status IN ({_sql_list(s.value for s in ScheduleRequestStatus)})",
            name="status_known",
        ),
        sa.CheckConstraint("priority >= 1", name="priority_positive"),
        sa.Index(
            "uq_consortium_schedule_request_pending",
            "idea_id",
            unique=True,
            sqlite_where=sa.text("status = 'pending'"),
            postgresql_where=sa.text("status = 'pending'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(
        sa.ForeignKey("consortium_idea.id", ondelete="CASCADE"), index=True
    )
    registration_ids: Mapped[list] = mapped_column(sa.JSON, default=list)  # the lead first
    priority: Mapped[int] = mapped_column(default=1)  # set by the organiser
    status: Mapped[str] = mapped_column(sa.String(16), default=ScheduleRequestStatus.PENDING.value)
    meeting_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("b2b_meeting.id", ondelete="SET NULL")
    )
    requested_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    idea: Mapped[Idea] = relationship()
    meeting: Mapped[Meeting | None] = relationship()

    @property
    def is_pending(self) -> bool:
        return self.status == ScheduleRequestStatus.PENDING


class PitchSession(db.Model):
    """Which programme session holds an event's pitches (the programme lists them there)."""

    __tablename__ = "consortium_pitch_session"

    event_id: Mapped[int] = mapped_column(
        sa.ForeignKey("event.id", ondelete="CASCADE"), primary_key=True
    )
    session_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("programme_session.id", ondelete="SET NULL")
    )
