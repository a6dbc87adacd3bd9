from __future__ import annotations

import enum
import hashlib
import secrets
from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from pic_events.core.types import UTCDateTime, utcnow
from pic_events.directory.models import Organisation
from pic_events.extensions import db


class Role(enum.StrEnum):
    MEMBER = "member"
    ORGANISER = "organiser"


def new_calendar_token() -> str:
    return secrets.token_urlsafe(24)


def hash_token(token: str) -> str:
    """API tokens are long random strings: a plain SHA-256 is enough to store them."""
    return hashlib.sha256(token.encode()).hexdigest()


class User(UserMixin, db.Model):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    password_hash: Mapped[str] = mapped_column(sa.String(255), default="")
    role: Mapped[str] = mapped_column(sa.String(16), default=Role.MEMBER.value)
    organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisation.id", ondelete="SET NULL"), index=True
    )
    country: Mapped[str | None] = mapped_column(sa.String(2))
    locale: Mapped[str] = mapped_column(sa.String(8), default="en")
    calendar_token: Mapped[str] = mapped_column(
        sa.String(64), unique=True, default=new_calendar_token
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # None until the person follows the link mailed at sign-up; accounts made by an organiser,
    # the CLI or the demo are verified when made.
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Steering-committee standing is granted by an organiser, never claimed
    # (pic_events.accounts.standing): marked as a member of the committee, or the membership
    # of a steering cluster's organisation confirmed (reset when the organisation changes).
    steering_member_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    steering_marked_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    organisation_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    organisation_confirmed_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )

    organisation: Mapped[Organisation | None] = relationship(lazy="joined")
    api_tokens: Mapped[list[ApiToken]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="ApiToken.created_at"
    )

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method="scrypt")

    @property
    def password_fingerprint(self) -> str:
        """Changes whenever the password does: log-in sessions and reset links carry it, so
        changing the password ends the other sessions and kills used links. A digest of the
        hash rather than a slice of it, since both travel where they can be read."""
        return hashlib.sha256(self.password_hash.encode()).hexdigest()[:16]

    def get_id(self) -> str:
        return f"{self.id}.{self.password_fingerprint}"

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    @property
    def is_verified(self) -> bool:
        """Whether the person proved the e-mail address is theirs (needed to register)."""
        return self.email_verified_at is not None

    @property
    def is_organiser(self) -> bool:
        return self.role == Role.ORGANISER

    @property
    def cluster(self):
        return self.organisation.cluster if self.organisation else None

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class ApiToken(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(100))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    prefix: Mapped[str] = mapped_column(sa.String(12))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # None: never expires

    user: Mapped[User] = relationship(back_populates="api_tokens")

    @property
    def expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= utcnow()

    @property
    def active(self) -> bool:
        return self.revoked_at is None and not self.expired
