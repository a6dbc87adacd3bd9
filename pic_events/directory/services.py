"""The PIC network's rules: clusters and organisations, for pages, API, CLI and sign-up."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from flask_babel import gettext as _
from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from pic_events.core.countries import is_country
from pic_events.core.validation import ServiceValidationError
from pic_events.directory.models import Cluster, Organisation, OrganisationKind
from pic_events.directory.sectors import SECTORS
from pic_events.extensions import db

NAME_MAX = 200
WEBSITE_MAX = 300
Errors = dict[str, list[str]]


def load_clusters(organisations: Iterable[Organisation | None]) -> None:
    """Load the clusters of these organisations in one query (and their sectors in one more),
    so that a list reading each `organisation.cluster` does not send one query per row."""
    waiting = {
        organisation
        for organisation in organisations
        if organisation is not None
        and organisation.cluster_id is not None
        and "cluster" not in organisation.__dict__
    }
    if not waiting:
        return
    wanted = {organisation.cluster_id for organisation in waiting}
    clusters = {c.id: c for c in db.session.scalars(select(Cluster).where(Cluster.id.in_(wanted)))}
    for organisation in waiting:
        set_committed_value(organisation, "cluster", clusters.get(organisation.cluster_id))


def _add(errors: Errors, field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _country(value: Any) -> str:
    return _text(value).upper()


def normalise_website(url: str | None) -> str | None:
    """'www.example.org' -> 'https://www.example.org'; empty -> None."""
    url = _text(url)
    if not url:
        return None
    return url if "://" in url else f"https://{url}"


def is_valid_website(url: str) -> bool:
    if any(c.isspace() for c in url) or len(url) > WEBSITE_MAX:
        return False
    parts = urlsplit(url)
    host = parts.hostname or ""
    labels = host.split(".")
    return (
        parts.scheme in {"http", "https"}
        and len(labels) > 1
        and all(label and label.replace("-", "").isalnum() for label in labels)
    )


def _name_taken(model, name: str, current_id: int | None) -> bool:
    query = select(model.id).where(func.lower(model.name) == name.lower())
    if current_id is not None:
        query = query.where(model.id != current_id)
    return db.session.scalar(query.limit(1)) is not None


def _check_name(errors: Errors, model, name: str, current_id: int | None, taken: str) -> None:
    if not name:
        _add(errors, "name", _("A name is required."))
    elif len(name) > NAME_MAX:
        _add(errors, "name", _("Keep the name under %(n)d characters.", n=NAME_MAX))
    elif _name_taken(model, name, current_id):
        _add(errors, "name", taken)


def _checked(values: dict[str, Any], errors: Errors) -> dict[str, Any]:
    if errors:
        raise ServiceValidationError(errors)
    return values


def _save_changes(row, values: dict[str, Any], taken: str) -> None:
    for field, value in values.items():
        setattr(row, field, value)
    _commit_unique_name(taken)


def _commit_unique_name(taken: str) -> None:
    """Two people can pass the name check at once: the unique index decides."""
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise ServiceValidationError({"name": [taken]}) from None


# Clusters -------------------------------------------------------------------------------


def _cluster_taken_message() -> str:
    return _("A cluster with this name already exists.")


def clean_cluster(values: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": _text(values.get("name")),
        "country": _country(values.get("country")),
        "sectors": list(dict.fromkeys(values.get("sectors") or [])),
        "steering_committee": bool(values.get("steering_committee")),
        "website": normalise_website(values.get("website")),
    }


def cluster_errors(values: dict[str, Any], cluster: Cluster | None = None) -> Errors:
    errors: Errors = {}
    _check_name(
        errors, Cluster, values["name"], cluster.id if cluster else None, _cluster_taken_message()
    )
    if not is_country(values["country"]):
        _add(errors, "country", _("Choose a country from the list."))
    unknown = [code for code in values["sectors"] if code not in SECTORS]
    if unknown:
        _add(errors, "sectors", _("Unknown sector: %(codes)s.", codes=", ".join(unknown)))
    if values["website"] and not is_valid_website(values["website"]):
        _add(errors, "website", _("Give a web address such as https://www.example.org."))
    return errors


def create_cluster(values: dict[str, Any]) -> Cluster:
    values = clean_cluster(values)
    cluster = Cluster(**_checked(values, cluster_errors(values)))
    db.session.add(cluster)
    _commit_unique_name(_cluster_taken_message())
    return cluster


def update_cluster(cluster: Cluster, values: dict[str, Any]) -> Cluster:
    values = clean_cluster(values)
    _save_changes(
        cluster, _checked(values, cluster_errors(values, cluster)), _cluster_taken_message()
    )
    return cluster


def get_cluster(cluster_id: int) -> Cluster | None:
    return db.session.get(Cluster, cluster_id)


def clusters_query(
    q: str = "", country: str = "", steering: bool | None = None
) -> Select[tuple[Cluster]]:
    query = select(Cluster).order_by(func.lower(Cluster.name), Cluster.id)
    if q.strip():
        query = query.where(Cluster.name.icontains(q.strip(), autoescape=True))
    if country:
        query = query.where(Cluster.country == country.upper())
    if steering is not None:
        query = query.where(Cluster.steering_committee.is_(steering))
    return query


def organisation_counts(cluster_ids: list[int]) -> dict[int, int]:
    if not cluster_ids:
        return {}
    rows = db.session.execute(
        select(Organisation.cluster_id, func.count(Organisation.id))
        .where(Organisation.cluster_id.in_(cluster_ids))
        .group_by(Organisation.cluster_id)
    )
    return dict(rows.all())


def cluster_choices() -> list[tuple[int, str]]:
    rows = db.session.execute(select(Cluster.id, Cluster.name).order_by(func.lower(Cluster.name)))
    return [(row_id, name) for row_id, name in rows]


def used_countries(model) -> list[str]:
    """The countries that clusters (or organisations) are in, for filter menus."""
    return list(db.session.scalars(select(model.country).distinct().order_by(model.country)))


# Organisations --------------------------------------------------------------------------


def _organisation_taken_message() -> str:
    return _("An organisation with this name already exists.")


def _optional_id(value: Any) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0  # no row has id 0: reported as an unknown cluster


def clean_organisation(values: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": _text(values.get("name")),
        "cluster_id": _optional_id(values.get("cluster_id")),
        "country": _country(values.get("country")),
        "kind": _text(values.get("kind")) or OrganisationKind.OTHER.value,
        "description": _text(values.get("description")),
    }


def organisation_errors(
    values: dict[str, Any], organisation: Organisation | None = None, *, taken: str | None = None
) -> Errors:
    errors: Errors = {}
    current_id = organisation.id if organisation else None
    taken = taken or _organisation_taken_message()
    _check_name(errors, Organisation, values["name"], current_id, taken)
    if not is_country(values["country"]):
        _add(errors, "country", _("Choose a country from the list."))
    if values["kind"] not in {kind.value for kind in OrganisationKind}:
        _add(errors, "kind", _("Choose a kind of organisation from the list."))
    if values["cluster_id"] is not None and get_cluster(values["cluster_id"]) is None:
        _add(errors, "cluster_id", _("This cluster does not exist (any more)."))
    return errors


def build_organisation(values: dict[str, Any], *, taken: str | None = None) -> Organisation:
    """Validate and add a new organisation to the session without committing (sign-up)."""
    values = clean_organisation(values)
    organisation = Organisation(**_checked(values, organisation_errors(values, taken=taken)))
    db.session.add(organisation)
    return organisation


def create_organisation(values: dict[str, Any]) -> Organisation:
    organisation = build_organisation(values)
    _commit_unique_name(_organisation_taken_message())
    return organisation


def update_organisation(organisation: Organisation, values: dict[str, Any]) -> Organisation:
    values = clean_organisation(values)
    checked = _checked(values, organisation_errors(values, organisation))
    _save_changes(organisation, checked, _organisation_taken_message())
    return organisation


def get_organisation(organisation_id: int) -> Organisation | None:
    return db.session.get(Organisation, organisation_id)


def organisations_query(
    q: str = "",
    country: str = "",
    cluster_id: int | None = None,
    kind: str = "",
    steering: bool | None = None,
) -> Select[tuple[Organisation]]:
    query = (
        select(Organisation)
        .options(joinedload(Organisation.cluster))
        .order_by(func.lower(Organisation.name), Organisation.id)
    )
    if q.strip():
        query = query.where(Organisation.name.icontains(q.strip(), autoescape=True))
    if country:
        query = query.where(Organisation.country == country.upper())
    if cluster_id is not None:
        query = query.where(Organisation.cluster_id == cluster_id)
    if kind:
        query = query.where(Organisation.kind == kind)
    if steering is not None:
        query = query.join(Organisation.cluster).where(Cluster.steering_committee.is_(steering))
    return query


def organisation_choices() -> list[tuple[int, str]]:
    rows = db.session.execute(
        select(Organisation.id, Organisation.name).order_by(func.lower(Organisation.name))
    )
    return [(row_id, name) for row_id, name in rows]
