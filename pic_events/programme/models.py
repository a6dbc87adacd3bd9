from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pic_events.core.types import UTCDateTime
from pic_events.events.models import Event
from pic_events.extensions import db


class SessionKind(enum.StrEnum):
    PLENARY = "plenary"
    WORKSHOP = "workshop"
    STEERING = "steering"
    VISIT = "visit"
    SOCIAL = "social"
    B2B = "b2b"
    BREAK = "break"


SESSION_KIND_LABELS = {
    SessionKind.PLENARY: _l("Plenary"),
    SessionKind.WORKSHOP: _l("Workshop"),
    SessionKind.STEERING: _l("Steering committee"),
    SessionKind.VISIT: _l("Site visit"),
    SessionKind.SOCIAL: _l("Social"),
    SessionKind.B2B: _l("B2B meetings"),
    SessionKind.BREAK: _l("Break"),
}


class Room(db.Model):
    __table_args__ = (sa.UniqueConstraint("event_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    location: Mapped[str] = mapped_column(sa.String(200), default="")
    capacity: Mapped[int | None] = mapped_column()
    position: Mapped[int] = mapped_column(default=0)

    event: Mapped[Event] = relationship()


class ProgrammeSession(db.Model):
    __tablename__ = "programme_session"
    __table_args__ = (
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        sa.CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity_not_negative"),
        sa.Index("ix_programme_session_event_start", "event_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(16), default=SessionKind.PLENARY.value)
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    room_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("room.id", ondelete="SET NULL"), index=True
    )
    capacity: Mapped[int | None] = mapped_column()
    must_choose: Mapped[bool] = mapped_column(default=False)
    restricted: Mapped[bool] = mapped_column(default=False)

    event: Mapped[Event] = relationship()
    room: Mapped[Room | None] = relationship(lazy="joined")
    speakers: Mapped[list[Speaker]] = relationship(
        cascade="all, delete-orphan", order_by="Speaker.position", lazy="selectin"
    )

    @property
    def kind_label(self) -> str:
        return str(SESSION_KIND_LABELS[SessionKind(self.kind)])


class Speaker(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        sa.ForeignKey("programme_session.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(200))
    organisation: Mapped[str] = mapped_column(sa.String(200), default="")
    role: Mapped[str] = mapped_column(sa.String(120), default="")
    position: Mapped[int] = mapped_column(default=0)


def speaker_event_ids(speaker: Speaker) -> list[int | None]:
    """The event whose programme shows this speaker (events.versions asks)."""
    session = db.session.get(ProgrammeSession, speaker.session_id) if speaker.session_id else None
    return [session.event_id if session is not None else None]
