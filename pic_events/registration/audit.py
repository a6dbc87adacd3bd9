"""The history of a registration: a row per change, with who, when and what."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from pic_events.accounts.models import User
from pic_events.extensions import db
from pic_events.registration.models import (
    ACTIVE_STATUSES,
    AuditAction,
    AuditLog,
    Registration,
)

TRACKED_FIELDS = ("status", "category", "listed", "session_ids")
# What an anonymised history keeps of each change: fields that say nothing about the person.
IMPERSONAL_FIELDS = frozenset(TRACKED_FIELDS)


def snapshot(registration: Registration) -> dict[str, Any]:
    """The values whose changes the history shows."""
    values = {field: getattr(registration, field) for field in TRACKED_FIELDS}
    for key, value in (registration.answers or {}).items():
        values[f"answers.{key}"] = value
    return values


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for every field that changed."""
    changed = {}
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if old != new:
            changed[key] = [old, new]
    return changed


def record(
    registration: Registration,
    action: AuditAction,
    actor: User | None,
    *,
    changes: dict[str, list[Any]] | None = None,
    message: str = "",
) -> AuditLog:
    entry = AuditLog(
        registration_id=registration.id,
        actor_id=actor.id if actor else None,
        actor_name=actor.name if actor else "",
        action=action.value,
        changes=changes or {},
        message=message,
    )
    db.session.add(entry)
    return entry


def record_standing_change(
    user: User, *, actor: User | None, changes: dict[str, list[Any]], **_extra: Any
) -> None:
    """An organiser's decision on the person's steering-committee standing (or its loss when
    they change organisation) goes into the history of each of their live registrations."""
    registrations = db.session.scalars(
        db.select(Registration).where(
            Registration.user_id == user.id, Registration.status.in_(ACTIVE_STATUSES)
        )
    )
    for registration in registrations:
        record(registration, AuditAction.STANDING, actor, changes=changes)


def history(registration: Registration) -> list[AuditLog]:
    return list(
        db.session.scalars(
            db.select(AuditLog)
            .where(AuditLog.registration_id == registration.id)
            .order_by(AuditLog.created_at.desc(), AuditLog.id.desc())
        )
    )


def histories(registration_ids: list[int]) -> dict[int, list[AuditLog]]:
    """{registration id: its history, newest first} for many registrations (one query)."""
    found: dict[int, list[AuditLog]] = {rid: [] for rid in registration_ids}
    for entry in db.session.scalars(
        db.select(AuditLog)
        .where(AuditLog.registration_id.in_(registration_ids))
        .order_by(AuditLog.created_at.desc(), AuditLog.id.desc())
    ):
        found[entry.registration_id].append(entry)
    return found


def scrub(registration: Registration, owner_id: int | None) -> None:
    """Forget the person in the history when anonymising: answers and anything else that is
    not a plain field, every message (they may quote names and addresses), and the owner as
    the author of the rows they wrote (organisers stay named: they acted in their role)."""
    for entry in db.session.scalars(
        db.select(AuditLog).where(AuditLog.registration_id == registration.id)
    ):
        entry.changes = {k: v for k, v in entry.changes.items() if k in IMPERSONAL_FIELDS}
        entry.message = ""
        if owner_id is not None and entry.actor_id == owner_id:
            entry.actor_id = None
            entry.actor_name = _("participant (anonymised)")
