"""Matchmaking profiles in the data export, deleted with the account or the anonymised
registration (receivers of the privacy signals, connected in app._connect_signals)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from pic_events.accounts.models import User
from pic_events.extensions import db
from pic_events.matchmaking.models import MatchProfile
from pic_events.registration.models import Registration


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def export_profiles(user: User, **_: Any) -> dict[str, Any]:
    """personal_data_exported: my matchmaking profile at each event."""
    rows = db.session.execute(
        sa.select(MatchProfile, Registration)
        .join(Registration, Registration.id == MatchProfile.registration_id)
        .where(Registration.user_id == user.id)
        .order_by(MatchProfile.created_at, MatchProfile.id)
    )
    return {
        "matchmaking_profiles": [
            {
                "event": registration.event.slug,
                "listed": registration.listed,
                "summary": profile.summary,
                "offers": profile.offers,
                "seeks": profile.seeks,
                "sectors": list(profile.sectors or []),
                "keywords": list(profile.keywords or []),
                "calls": list(profile.calls or []),
                "partner_kinds": list(profile.partner_kinds or []),
                "created_at": _iso(profile.created_at),
                "updated_at": _iso(profile.updated_at),
            }
            for profile, registration in rows
        ]
    }


def forget_profile(registration: Registration, **_: Any) -> None:
    """registration_anonymising: the profile goes (it describes a person)."""
    db.session.execute(
        sa.delete(MatchProfile).where(MatchProfile.registration_id == registration.id)
    )


def forget_profiles_of(user: User, **_: Any) -> None:
    """account_deleting: every profile of the person's registrations goes."""
    mine = sa.select(Registration.id).where(Registration.user_id == user.id)
    db.session.execute(sa.delete(MatchProfile).where(MatchProfile.registration_id.in_(mine)))
