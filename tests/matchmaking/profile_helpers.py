"""Builders for profile and catalogue tests: people with organisations, clusters and profiles."""

from __future__ import annotations

from pic_events.matchmaking import profiles
from tests.factories import make_cluster, make_organisation, make_registration, make_user


def person(
    event,
    name: str,
    *,
    organisation: str | None = None,
    country: str = "FR",
    cluster: str | None = None,
    kind: str = "sme",
    profile: dict | None = None,
    **registration,
):
    """A confirmed registration of a new member, with a profile unless profile=False."""
    org = None
    if organisation:
        cl = make_cluster(cluster, country=country) if cluster else None
        org = make_organisation(organisation, cluster=cl, country=country, kind=kind)
    user = make_user(name=name, organisation=org)
    reg = make_registration(event, user, **registration)
    if profile is not False:
        profiles.save_profile(reg, profiles.ProfileInput(**(profile or {})))
    return reg
