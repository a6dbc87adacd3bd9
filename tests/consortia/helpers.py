"""Builders for the consortia tests: people with an organisation and a country, ideas."""

from __future__ import annotations

import itertools

import sqlalchemy as sa

from pic_events.consortia import services
from pic_events.consortia.services import IdeaInput, RoleInput
from pic_events.extensions import db
from pic_events.matchmaking.models import MatchProfile
from pic_events.notifications.models import OutboxMessage
from tests.factories import make_organisation, make_registration, make_user

_n = itertools.count(1)


def person(event, name: str, country: str = "FR", kind: str = "sme", status="confirmed", **profile):
    """A confirmed registration of a new member whose organisation is of `kind` in `country`;
    `profile` fills a MatchProfile (offers, sectors, keywords, calls)."""
    organisation = make_organisation(f"{name} Org {next(_n)}", country=country, kind=kind)
    user = make_user(name=name, organisation=organisation)
    registration = make_registration(event, user, status=status)
    if profile:
        db.session.add(MatchProfile(registration_id=registration.id, **profile))
        db.session.commit()
    return registration


def idea(event, lead, roles=(("research", "", []),), **values):
    """An idea led by `lead` (a registration) with roles given as (kind, description,
    countries)."""
    values.setdefault("title", f"Idea {next(_n)}")
    values.setdefault("call", "HORIZON-CL6-2027-FARM2FORK-01")
    values.setdefault("sectors", ["fruit-vegetables"])
    return services.create_idea(
        event,
        lead.user,
        IdeaInput(**values),
        [RoleInput(kind=k, description=d, countries=list(c)) for k, d, c in roles],
    )


def join(role, registration, message="We would like to join"):
    """`registration` asks for `role` and the lead accepts: a partner."""
    interest = services.express_interest(role, registration.user, message)
    return services.accept_interest(interest, role.idea.lead.user)


def mails_to(email: str) -> list[str]:
    return list(
        db.session.scalars(
            sa.select(OutboxMessage.subject)
            .where(OutboxMessage.recipient == email)
            .order_by(OutboxMessage.id)
        )
    )
