"""Steering-committee standing: a fact an organiser controls, never one a member claims.

A person has standing when an organiser marked them as a member of the steering committee,
or confirmed that they belong to their organisation and that organisation is attached to a
steering-committee cluster. Choosing (or creating, at sign-up) an organisation of a steering
cluster grants nothing; changing organisation on the profile drops the confirmation.

`has_steering_standing` is the one place that decides it; restricted sessions, the steering
category's approval and the demo all ask it. Changes send `steering_standing_changed`, so the
registration module writes them into the person's registration histories.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from pic_events.accounts.models import User
from pic_events.core.signals import steering_standing_changed
from pic_events.core.types import utcnow
from pic_events.core.validation import ServiceValidationError
from pic_events.directory.models import Organisation
from pic_events.extensions import db


def in_steering_cluster(user: User | None) -> bool:
    """The person's organisation (as they say) is attached to a steering cluster."""
    cluster = user.cluster if user is not None else None
    return bool(cluster and cluster.steering_committee)


def has_steering_standing(user: User | None) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if user.steering_member_since is not None:
        return True
    return user.organisation_confirmed_at is not None and in_steering_cluster(user)


def may_attend_restricted(user: User | None) -> bool:
    """Restricted (steering-committee) sessions: people with standing, and organisers."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return user.is_organiser or has_steering_standing(user)


# Organiser decisions ------------------------------------------------------------------------


def mark_steering_member(user: User, *, actor: User) -> None:
    """Mark the person as a member of the steering committee. Commits."""
    if user.steering_member_since is not None:
        return
    user.steering_member_since = utcnow()
    user.steering_marked_by_id = actor.id
    _changed(user, actor, {"steering_member": [False, True]})


def unmark_steering_member(user: User, *, actor: User) -> None:
    if user.steering_member_since is None:
        return
    user.steering_member_since = None
    user.steering_marked_by_id = None
    _changed(user, actor, {"steering_member": [True, False]})


def confirm_organisation(user: User, *, actor: User) -> None:
    """Confirm that the person belongs to the organisation on their profile. Commits."""
    if user.organisation_id is None:
        raise ServiceValidationError(
            {"organisation": [_("This person has no organisation to confirm.")]}
        )
    if user.organisation_confirmed_at is not None:
        return
    user.organisation_confirmed_at = utcnow()
    user.organisation_confirmed_by_id = actor.id
    _changed(user, actor, {"organisation_confirmed": [None, user.organisation.name]})


def withdraw_organisation_confirmation(user: User, *, actor: User) -> None:
    if user.organisation_confirmed_at is None:
        return
    name = user.organisation.name if user.organisation else None
    _forget_confirmation(user)
    _changed(user, actor, {"organisation_confirmed": [name, None]})


def organisation_changing(user: User, organisation_id: int | None) -> None:
    """Called before the person's organisation changes (profile): the confirmation was for
    the old one. Does not commit; the caller's commit records it."""
    if organisation_id == user.organisation_id or user.organisation_confirmed_at is None:
        return
    name = user.organisation.name if user.organisation else None
    _forget_confirmation(user)
    steering_standing_changed.send(
        user, actor=user, changes={"organisation_confirmed": [name, None]}
    )


def _forget_confirmation(user: User) -> None:
    user.organisation_confirmed_at = None
    user.organisation_confirmed_by_id = None


def _changed(user: User, actor: User, changes: dict[str, list[Any]]) -> None:
    steering_standing_changed.send(user, actor=actor, changes=changes)
    db.session.commit()


# The organiser pages' buttons: decision name -> service.
DECISIONS: dict[str, Callable[..., None]] = {
    "mark": mark_steering_member,
    "unmark": unmark_steering_member,
    "confirm": confirm_organisation,
    "unconfirm": withdraw_organisation_confirmation,
}


def decide(user: User, decision: str, *, actor: User) -> None:
    """Apply one of DECISIONS (the caller checked the name). Commits."""
    DECISIONS[decision](user, actor=actor)


# What the organiser pages show --------------------------------------------------------------


def organisation_people(organisation: Organisation) -> list[User]:
    """The accounts that say they belong to this organisation, by name."""
    return list(
        db.session.scalars(
            select(User)
            .where(User.organisation_id == organisation.id)
            .order_by(func.lower(User.name), User.id)
        )
    )


@dataclass(frozen=True)
class StandingState:
    """What an organiser sees of a person's standing, and which buttons make sense."""

    user: User
    has_standing: bool
    marked_since: datetime | None
    organisation_confirmed_at: datetime | None
    in_steering_cluster: bool

    @property
    def can_confirm_organisation(self) -> bool:
        return self.user.organisation_id is not None and self.organisation_confirmed_at is None


def standing_state(user: User) -> StandingState:
    return StandingState(
        user=user,
        has_standing=has_steering_standing(user),
        marked_since=user.steering_member_since,
        organisation_confirmed_at=user.organisation_confirmed_at,
        in_steering_cluster=in_steering_cluster(user),
    )


def standing_data(user: User) -> dict[str, Any]:
    """For the person's data export."""
    return {
        "steering_member_since": _iso(user.steering_member_since),
        "organisation_confirmed_at": _iso(user.organisation_confirmed_at),
    }


def _iso(value) -> str | None:
    return value.isoformat() if value else None
