"""A person's agenda: their registration, the sessions they chose, and their entries.

Programme and registration both use this module, and it uses neither (models only): what a
module contributes to an agenda it gives through the `agenda_collecting` signal.
"""

from __future__ import annotations

import sqlalchemy as sa

from pic_events.accounts.models import User
from pic_events.events.models import Event
from pic_events.extensions import db
from pic_events.registration.models import Registration


def registration_of(event: Event, user: User | None) -> Registration | None:
    """The person's registration for the event, whatever its status; None for a visitor."""
    if user is None or not user.is_authenticated or user.id is None:
        return None  # (a new account has no registration, and NULL must never match)
    return db.session.scalar(
        sa.select(Registration).where(
            Registration.event_id == event.id, Registration.user_id == user.id
        )
    )
