"""A participant as the ranking (recommend.py) sees them. The catalogue's snapshot
(catalogue.py) reads the rows once per B2B version and turns each into one of these.
"""

from __future__ import annotations

from pic_events.directory.models import OrganisationKind
from pic_events.matchmaking import recommend
from pic_events.matchmaking.models import PartnerKind

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
