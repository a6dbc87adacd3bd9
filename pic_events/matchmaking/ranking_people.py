"""The participants of an event as the ranking (recommend.py) sees them, read cheaply.

Every recommendation ranks all listed participants to show a few, on every catalogue page:
the rows come as plain columns (no model objects), their JSON lists as text, and each
distinct row is turned into a `recommend.Person` once per worker (an edited profile or
organisation is another row, hence another Person: nothing to invalidate).
"""

from __future__ import annotations

import functools
import json

import sqlalchemy as sa

from pic_events.accounts.models import User
from pic_events.directory.models import Organisation, OrganisationKind
from pic_events.events.models import Event
from pic_events.extensions import db
from pic_events.matchmaking import recommend
from pic_events.matchmaking.models import MatchProfile, PartnerKind
from pic_events.registration.models import Registration

ORG_TO_PARTNER = {
    OrganisationKind.SME.value: PartnerKind.SME.value,
    OrganisationKind.LARGE.value: PartnerKind.LARGE_COMPANY.value,
    OrganisationKind.RESEARCH.value: PartnerKind.RESEARCH.value,
    OrganisationKind.CLUSTER.value: PartnerKind.CLUSTER.value,
    OrganisationKind.PUBLIC.value: PartnerKind.PUBLIC_BODY.value,
    OrganisationKind.OTHER.value: PartnerKind.OTHER.value,
}
ROW_CACHE_SIZE = 8192  # distinct participant rows kept per worker (a few large events)


def ranked_person(
    registration_id: int,
    *,
    offers: str | None,
    keywords: list | None,
    seeks: str | None,
    sectors: list | None,
    calls: list | None,
    partner_kinds: list | None,
    kind: str | None,
    country: str | None,
    cluster: int | None,
) -> recommend.Person:
    return recommend.Person(
        id=registration_id,
        offers=" ".join([offers or "", " ".join(keywords or [])]).strip(),
        seeks=seeks or "",
        sectors=frozenset(sectors or []),
        calls=frozenset(calls or []),
        partner_kinds=frozenset(partner_kinds or []),
        kind=ORG_TO_PARTNER.get(kind or ""),
        country=country,
        cluster=cluster,
    )


def _json_list(text: str | None) -> list:
    return json.loads(text) if text else []


@functools.lru_cache(maxsize=ROW_CACHE_SIZE)
def _person_of_row(row: tuple) -> recommend.Person:
    (rid, offers, keywords, seeks, sectors, calls, partner_kinds, kind, country, org_country,
     cluster) = row  # fmt: skip
    return ranked_person(
        rid,
        offers=offers,
        keywords=_json_list(keywords),
        seeks=seeks,
        sectors=_json_list(sectors),
        calls=_json_list(calls),
        partner_kinds=_json_list(partner_kinds),
        kind=kind,
        country=country or org_country,
        cluster=cluster,
    )


def _as_text(column) -> sa.ColumnElement:
    return sa.cast(column, sa.Text)


def listed_people(event: Event) -> list[recommend.Person]:
    """Every listed participant with a profile (the catalogue's people), in one query."""
    rows = db.session.execute(
        sa.select(
            Registration.id,
            MatchProfile.offers,
            _as_text(MatchProfile.keywords),
            MatchProfile.seeks,
            _as_text(MatchProfile.sectors),
            _as_text(MatchProfile.calls),
            _as_text(MatchProfile.partner_kinds),
            Organisation.kind,
            User.country,
            Organisation.country,
            Organisation.cluster_id,
        )
        .select_from(MatchProfile)
        .join(MatchProfile.registration)
        .join(Registration.user)
        .outerjoin(User.organisation)
        .where(
            Registration.listed_at(event.id),
        )
    )
    return [_person_of_row(tuple(row)) for row in rows]
