"""Check-in at the desk: one function for the desk page, the API and the offline sync.

A badge's QR holds the registration's random check-in code. The first scan sets
`checked_in_at` with a conditional UPDATE (`... WHERE checked_in_at IS NULL`): when two
desks scan the same badge at once the database lets exactly one of them change the row,
and that one is told `first_scan`; the other reads the time the first one wrote.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from pic_events.core.types import utcnow
from pic_events.core.validation import Conflict, NotFoundError
from pic_events.events.models import Event
from pic_events.extensions import db
from pic_events.registration.models import Registration, RegistrationStatus

CODE_MAX = 64
# The characters of a check-in code (secrets.token_urlsafe): anything else cannot be one.
CODE_PATTERN = re.compile(r"[A-Za-z0-9_-]+")
# A scan kept offline by a desk is dated when it was made, if that is recent enough.
OFFLINE_SCAN_MAX_AGE = timedelta(hours=24)


@dataclass(frozen=True)
class CheckIn:
    registration: Registration
    first_scan: bool
    checked_in_at: datetime


class NotAdmitted(Conflict):
    """The code is known but its registration is not confirmed (cancelled, waiting ...)."""

    def __init__(self, registration: Registration) -> None:
        super().__init__(
            _(
                "%(name)s's registration is %(status)s: not admitted.",
                name=registration.display_name,
                status=registration.status_label.lower(),
            )
        )
        self.registration = registration


def clean_code(code: str | None) -> str:
    """A code as typed or scanned: spaces dropped; a scanned URL keeps its last part.
    "" when it cannot be a code (PostgreSQL refuses a NUL byte in a query: a 500)."""
    code = "".join((code or "").split())
    if "/" in code:
        code = code.rstrip("/").rsplit("/", 1)[-1]
    code = code[:CODE_MAX]
    return code if CODE_PATTERN.fullmatch(code) else ""


def _scan_time(scanned_at: datetime | None, now: datetime) -> datetime:
    if scanned_at is None or scanned_at.tzinfo is None:
        return now
    if now - OFFLINE_SCAN_MAX_AGE <= scanned_at <= now:
        return scanned_at
    return now


def check_in(event: Event, code: str | None, *, scanned_at: datetime | None = None) -> CheckIn:
    """Check the badge holder in. NotFoundError for a code this event does not know,
    NotAdmitted for a registration that is not confirmed; a repeat is no error
    (first_scan is False and checked_in_at is the first scan's time)."""
    code = clean_code(code)
    if not code:
        raise NotFoundError(_("No badge of this event has this code."))
    now = utcnow()
    changed = db.session.execute(
        sa.update(Registration)
        .where(
            Registration.event_id == event.id,
            Registration.checkin_code == code,
            Registration.status == RegistrationStatus.CONFIRMED.value,
            Registration.checked_in_at.is_(None),
        )
        .values(checked_in_at=_scan_time(scanned_at, now))
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    registration = db.session.scalar(
        sa.select(Registration)
        .where(Registration.event_id == event.id, Registration.checkin_code == code)
        .execution_options(populate_existing=True)
    )
    if registration is None:
        raise NotFoundError(_("No badge of this event has this code."))
    if registration.status != RegistrationStatus.CONFIRMED.value:
        raise NotAdmitted(registration)
    return CheckIn(registration, changed == 1, registration.checked_in_at)


def counts(event: Event) -> dict[str, int]:
    """Checked in against expected (confirmed registrations)."""
    row = db.session.execute(
        sa.select(sa.func.count(), sa.func.count(Registration.checked_in_at)).where(
            Registration.event_id == event.id,
            Registration.status == RegistrationStatus.CONFIRMED.value,
        )
    ).one()
    return {"expected": row[0], "checked_in": row[1]}


def recent_check_ins(event: Event, limit: int = 10) -> list[Registration]:
    return list(
        db.session.scalars(
            sa.select(Registration)
            .where(Registration.event_id == event.id, Registration.checked_in_at.is_not(None))
            .order_by(Registration.checked_in_at.desc())
            .limit(limit)
            .options(joinedload(Registration.user))
        )
    )
