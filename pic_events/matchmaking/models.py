"""B2B matchmaking: settings, profiles, slots, tables, availability, requests and meetings.

A meeting is one row (its slot, its table, its status) and one MeetingSeat per participant.
Two partial unique indexes over *live* rows make a double booking impossible whatever the
code does: a table holds one live meeting per slot (`b2b_meeting`), a person sits in one live
meeting per slot (`b2b_meeting_seat`). `booking.py` is the only code that writes them.
"""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pic_events.core.types import UTCDateTime, utcnow
from pic_events.events.models import Event
from pic_events.extensions import db
from pic_events.programme.models import Room
from pic_events.registration.models import Registration


class BookingStyle(enum.StrEnum):
    SELF = "self"  # a request proposes a slot; accepting books it
    ORGANISER = "organiser"  # requests are accepted without a time; the organiser schedules
    BOTH = "both"  # a batch run, then self-service top-up in the slots left


BOOKING_STYLE_LABELS = {
    BookingStyle.SELF: _l("Self-booking: a request proposes a slot, accepting books it"),
    BookingStyle.ORGANISER: _l("Organiser scheduling: the organiser places accepted requests"),
    BookingStyle.BOTH: _l("Both: a scheduling run, then self-booking in the slots left"),
}


class PartnerKind(enum.StrEnum):
    SME = "sme"
    LARGE_COMPANY = "large_company"
    RESEARCH = "research"
    CLUSTER = "cluster"
    PUBLIC_BODY = "public_body"
    END_USER = "end_user"
    TRAINING = "training"
    OTHER = "other"


PARTNER_KIND_LABELS = {
    PartnerKind.SME: _l("SME"),
    PartnerKind.LARGE_COMPANY: _l("Large company"),
    PartnerKind.RESEARCH: _l("Research or university"),
    PartnerKind.CLUSTER: _l("Cluster"),
    PartnerKind.PUBLIC_BODY: _l("Public body"),
    PartnerKind.END_USER: _l("End user (grower, cooperative)"),
    PartnerKind.TRAINING: _l("Training or education"),
    PartnerKind.OTHER: _l("Other"),
}


class RequestStatus(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


REQUEST_STATUS_LABELS = {
    RequestStatus.PENDING: _l("Waiting for an answer"),
    RequestStatus.ACCEPTED: _l("Accepted"),
    RequestStatus.DECLINED: _l("Declined"),
    RequestStatus.CANCELLED: _l("Cancelled"),
    RequestStatus.EXPIRED: _l("Expired"),
}

# A pair of people has at most one request in these statuses at a time.
LIVE_REQUEST_STATUSES = (RequestStatus.PENDING.value, RequestStatus.ACCEPTED.value)


class MeetingStatus(enum.StrEnum):
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"


class MeetingOrigin(enum.StrEnum):
    REQUEST = "request"  # a participant accepted a request with a slot
    SCHEDULER = "scheduler"  # published from an organiser's scheduling run
    ORGANISER = "organiser"  # placed by hand by an organiser
    CONSORTIUM = "consortium"  # a group meeting around a project idea


class Rating(enum.StrEnum):
    NOT_RELEVANT = "not_relevant"
    INFORMATIVE = "informative"
    COOPERATION = "cooperation"


RATING_LABELS = {
    Rating.NOT_RELEVANT: _l("Not relevant"),
    Rating.INFORMATIVE: _l("Informative"),
    Rating.COOPERATION: _l("Cooperation possible"),
}


class B2BSettings(db.Model):
    """An event's matchmaking rules (one row per event; none: matchmaking is off)."""

    __tablename__ = "b2b_settings"
    __table_args__ = (
        sa.CheckConstraint(
            "booking_style IN ('self', 'organiser', 'both')", name="booking_style_known"
        ),
        sa.CheckConstraint(
            "max_meetings IS NULL OR max_meetings >= 1", name="max_meetings_positive"
        ),
        sa.CheckConstraint("request_lifetime_hours >= 1", name="lifetime_positive"),
    )

    event_id: Mapped[int] = mapped_column(
        sa.ForeignKey("event.id", ondelete="CASCADE"), primary_key=True
    )
    enabled: Mapped[bool] = mapped_column(default=False)
    booking_style: Mapped[str] = mapped_column(sa.String(16), default=BookingStyle.SELF.value)
    max_meetings: Mapped[int | None] = mapped_column()  # per participant; None: one per slot
    request_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    request_lifetime_hours: Mapped[int] = mapped_column(default=72)
    # Self-booking in the "both" style opens once the organiser's run is published.
    self_booking_open: Mapped[bool] = mapped_column(default=True)
    frozen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship()

    @property
    def frozen(self) -> bool:
        return self.frozen_at is not None


class MatchProfile(db.Model):
    """What a participant offers and seeks at one event (per registration)."""

    __tablename__ = "match_profile"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registration.id", ondelete="CASCADE"), unique=True
    )
    summary: Mapped[str] = mapped_column(sa.Text, default="")  # the organisation in short
    offers: Mapped[str] = mapped_column(sa.Text, default="")
    seeks: Mapped[str] = mapped_column(sa.Text, default="")
    sectors: Mapped[list] = mapped_column(sa.JSON, default=list)
    keywords: Mapped[list] = mapped_column(sa.JSON, default=list)
    calls: Mapped[list] = mapped_column(sa.JSON, default=list)
    partner_kinds: Mapped[list] = mapped_column(sa.JSON, default=list)
    # Name, organisation and profile text folded to lower-case ASCII (Łódź -> lodz), so the
    # catalogue's search ignores case and accents the same way on SQLite and PostgreSQL.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    registration: Mapped[Registration] = relationship()


class Slot(db.Model):
    """A time in which B2B meetings take place."""

    __tablename__ = "b2b_slot"
    __table_args__ = (
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        sa.UniqueConstraint("event_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)

    event: Mapped[Event] = relationship()


class B2BTable(db.Model):
    """A table where meetings take place; `seats` bounds a meeting's size."""

    __tablename__ = "b2b_table"
    __table_args__ = (
        sa.UniqueConstraint("event_id", "label"),
        sa.CheckConstraint("seats >= 2", name="seats_at_least_two"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(sa.String(40))
    seats: Mapped[int] = mapped_column(default=2)
    room_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("room.id", ondelete="SET NULL"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)

    event: Mapped[Event] = relationship()
    room: Mapped[Room | None] = relationship(lazy="joined")


class Unavailability(db.Model):
    """A slot in which the participant takes no meeting (marked by them)."""

    __tablename__ = "b2b_unavailability"

    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registration.id", ondelete="CASCADE"), primary_key=True
    )
    slot_id: Mapped[int] = mapped_column(
        sa.ForeignKey("b2b_slot.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class MeetingRequest(db.Model):
    """One participant asks another for a meeting.

    `pair_low`/`pair_high` are the two registration ids in order: a partial unique index over
    them lets a pair have one live (pending or accepted) request at a time."""

    __tablename__ = "meeting_request"
    __table_args__ = (
        sa.CheckConstraint("sender_id <> recipient_id", name="not_to_oneself"),
        sa.CheckConstraint(
            "status IN ('pending', 'accepted', 'declined', 'cancelled', 'expired')",
            name="status_known",
        ),
        sa.CheckConstraint("priority >= 1", name="priority_positive"),
        sa.Index(
            "uq_meeting_request_live_pair",
            "pair_low",
            "pair_high",
            unique=True,
            sqlite_where=sa.text("status IN ('pending', 'accepted')"),
            postgresql_where=sa.text("status IN ('pending', 'accepted')"),
        ),
        sa.Index("ix_meeting_request_event_status", "event_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"))
    sender_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registration.id", ondelete="CASCADE"), index=True
    )
    recipient_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registration.id", ondelete="CASCADE"), index=True
    )
    pair_low: Mapped[int] = mapped_column()
    pair_high: Mapped[int] = mapped_column()
    message: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[str] = mapped_column(sa.String(16), default=RequestStatus.PENDING.value)
    proposed_slot_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("b2b_slot.id", ondelete="SET NULL")
    )
    decline_reason: Mapped[str] = mapped_column(sa.Text, default="")
    priority: Mapped[int] = mapped_column(default=1)  # weight in the organiser's scheduling run
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship()
    sender: Mapped[Registration] = relationship(foreign_keys=[sender_id])
    recipient: Mapped[Registration] = relationship(foreign_keys=[recipient_id])
    proposed_slot: Mapped[Slot | None] = relationship()

    @property
    def status_label(self) -> str:
        return str(REQUEST_STATUS_LABELS[RequestStatus(self.status)])

    def other_side(self, registration_id: int) -> Registration:
        return self.recipient if registration_id == self.sender_id else self.sender


class Meeting(db.Model):
    """A booked meeting: a slot, a table, its participants (seats).

    The UID of its calendar entries stays the same when it moves; `sequence` goes up."""

    __tablename__ = "b2b_meeting"
    __table_args__ = (
        sa.CheckConstraint("status IN ('confirmed', 'cancelled')", name="status_known"),
        sa.CheckConstraint(
            "origin IN ('request', 'scheduler', 'organiser', 'consortium')", name="origin_known"
        ),
        # One live meeting per table and slot: the database refuses a double booking.
        sa.Index(
            "uq_b2b_meeting_live_table",
            "slot_id",
            "table_id",
            unique=True,
            sqlite_where=sa.text("status = 'confirmed'"),
            postgresql_where=sa.text("status = 'confirmed'"),
        ),
        sa.Index("ix_b2b_meeting_event_status", "event_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"))
    request_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("meeting_request.id", ondelete="SET NULL"), index=True
    )
    # No ON DELETE action: a slot or table with meetings is never dropped silently
    # (booking.py moves or cancels its meetings first).
    slot_id: Mapped[int] = mapped_column(sa.ForeignKey("b2b_slot.id"), index=True)
    table_id: Mapped[int] = mapped_column(sa.ForeignKey("b2b_table.id"), index=True)
    status: Mapped[str] = mapped_column(sa.String(16), default=MeetingStatus.CONFIRMED.value)
    origin: Mapped[str] = mapped_column(sa.String(16), default=MeetingOrigin.REQUEST.value)
    sequence: Mapped[int] = mapped_column(default=0)
    cancel_reason: Mapped[str] = mapped_column(sa.Text, default="")
    # Who typed the reason, so that it is forgotten with them (None: an organiser, or none).
    cancelled_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("registration.id", ondelete="SET NULL")
    )
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship()
    request: Mapped[MeetingRequest | None] = relationship()
    slot: Mapped[Slot] = relationship(lazy="joined")
    table: Mapped[B2BTable] = relationship(lazy="joined")
    seats: Mapped[list[MeetingSeat]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="MeetingSeat.id"
    )

    @property
    def is_live(self) -> bool:
        return self.status == MeetingStatus.CONFIRMED

    @property
    def registration_ids(self) -> list[int]:
        return [seat.registration_id for seat in self.seats]

    def others(self, registration_id: int) -> list[Registration]:
        return [s.registration for s in self.seats if s.registration_id != registration_id]


class MeetingSeat(db.Model):
    """One participant of a meeting. `slot_id` mirrors the meeting's and `live` its status,
    so that one partial unique index refuses a person in two live meetings of one slot."""

    __tablename__ = "b2b_meeting_seat"
    __table_args__ = (
        sa.UniqueConstraint("meeting_id", "registration_id"),
        sa.Index(
            "uq_b2b_meeting_seat_live_person",
            "slot_id",
            "registration_id",
            unique=True,
            sqlite_where=sa.text("live"),
            postgresql_where=sa.text("live"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        sa.ForeignKey("b2b_meeting.id", ondelete="CASCADE"), index=True
    )
    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registration.id", ondelete="CASCADE"), index=True
    )
    slot_id: Mapped[int] = mapped_column(sa.ForeignKey("b2b_slot.id"))
    live: Mapped[bool] = mapped_column(default=True)

    meeting: Mapped[Meeting] = relationship(back_populates="seats")
    registration: Mapped[Registration] = relationship()


class MeetingOutcome(db.Model):
    """What one side says of a meeting afterwards."""

    __tablename__ = "b2b_meeting_outcome"
    __table_args__ = (
        sa.CheckConstraint(
            "rating IS NULL OR rating IN ('not_relevant', 'informative', 'cooperation')",
            name="rating_known",
        ),
    )

    meeting_id: Mapped[int] = mapped_column(
        sa.ForeignKey("b2b_meeting.id", ondelete="CASCADE"), primary_key=True
    )
    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registration.id", ondelete="CASCADE"), primary_key=True
    )
    took_place: Mapped[bool] = mapped_column()
    rating: Mapped[str | None] = mapped_column(sa.String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class NudgeSent(db.Model):
    """The daily "no meeting yet" nudge went to this registration (cron-safe: once each)."""

    __tablename__ = "b2b_nudge"

    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registration.id", ondelete="CASCADE"), primary_key=True
    )
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
