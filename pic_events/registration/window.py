"""When members may change what they registered (answers, category, sessions).

One rule for the registration form, its API PATCH and choosing a session on the programme:
members change things while the event is published and registration has not closed;
organisers at any time.
"""

from __future__ import annotations

from pic_events.accounts.models import User
from pic_events.core.types import utcnow
from pic_events.events.models import Event


def changes_allowed(event: Event) -> bool:
    """Members change their registration until registration closes."""
    if not event.is_published:
        return False
    return event.registration_closes is None or utcnow() < event.registration_closes


def may_change(event: Event, actor: User | None) -> bool:
    return bool(actor is not None and actor.is_organiser) or changes_allowed(event)
