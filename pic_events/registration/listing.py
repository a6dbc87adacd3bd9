"""The organisers' list of registrations: filters, sorting, eager loading and counts.

One query builds the page (users, organisations and clusters joined in); session choices
come from one more query for the whole event (session_ids_by_registration), so the number
of queries does not grow with the number of registrations.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import contains_eager

from pic_events.accounts.models import User
from pic_events.core.limits import fits_integer_column
from pic_events.directory.models import Cluster, Organisation
from pic_events.events.models import Event
from pic_events.extensions import db
from pic_events.registration.models import (
    OptionPick,
    Question,
    Registration,
    RegistrationStatus,
    SessionChoice,
)

COUNTRY = sa.func.coalesce(User.country, Organisation.country)

SORTS = {
    "date": (Registration.created_at, Registration.id),
    "-date": (Registration.created_at.desc(), Registration.id.desc()),
    "name": (sa.func.lower(User.name), Registration.id),
    "-name": (sa.func.lower(User.name).desc(), Registration.id.desc()),
    "organisation": (sa.func.lower(Organisation.name), sa.func.lower(User.name)),
    "country": (COUNTRY, sa.func.lower(User.name)),
    "status": (Registration.status, Registration.waitlisted_at, Registration.id),
    "category": (Registration.category, sa.func.lower(User.name)),
}


@dataclass
class RegistrationFilters:
    q: str = ""
    status: str = ""
    category: str = ""
    cluster: int | None = None
    country: str = ""
    answer: str = ""  # "option:<id>", "yes:<question id>" or "no:<question id>"
    sort: str = "date"

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> RegistrationFilters:
        cluster = args.get("cluster", "")
        return cls(
            q=args.get("q", "").strip(),
            status=args.get("status", ""),
            category=args.get("category", ""),
            cluster=_column_id(cluster),
            country=args.get("country", "").upper()[:2],
            answer=args.get("answer", ""),
            sort=args.get("sort", "date") if args.get("sort") in SORTS else "date",
        )


def base_query(event: Event) -> sa.Select:
    return (
        sa.select(Registration)
        .outerjoin(Registration.user)
        .outerjoin(User.organisation)
        .outerjoin(Organisation.cluster)
        .where(Registration.event_id == event.id)
        .options(
            contains_eager(Registration.user)
            .contains_eager(User.organisation)
            .contains_eager(Organisation.cluster),
        )
    )


def filtered_query(event: Event, filters: RegistrationFilters) -> sa.Select:
    query = base_query(event)
    if filters.q:
        pattern = f"%{filters.q}%"
        query = query.where(
            sa.or_(
                User.name.ilike(pattern),
                User.email.ilike(pattern),
                Organisation.name.ilike(pattern),
                Cluster.name.ilike(pattern),
            )
        )
    if filters.status in {s.value for s in RegistrationStatus}:
        query = query.where(Registration.status == filters.status)
    if filters.category:
        query = query.where(Registration.category == filters.category)
    if filters.cluster is not None:
        query = query.where(Organisation.cluster_id == filters.cluster)
    if filters.country:
        query = query.where(filters.country == COUNTRY)
    query = _answer_filter(query, filters.answer)
    return query.order_by(*SORTS[filters.sort])


def _column_id(text: str) -> int | None:
    """A filter's id, or None when it is not one a row can have."""
    return int(text) if text.isdigit() and fits_integer_column(int(text)) else None


def _answer_filter(query: sa.Select, answer: str) -> sa.Select:
    kind, _sep, ident = answer.partition(":")
    if _column_id(ident) is None:
        return query
    if kind == "option":
        picked = sa.select(OptionPick.registration_id).where(OptionPick.option_id == int(ident))
        return query.where(Registration.id.in_(picked))
    if kind in ("yes", "no"):
        value = Registration.answers[ident].as_boolean()
        return query.where(value.is_(kind == "yes"))
    return query


def answer_filter_choices(questions: list[Question]) -> list[tuple[str, str]]:
    """("option:12", "Site visit: A") pairs for the answer filter."""
    choices: list[tuple[str, str]] = []
    for question in questions:
        if question.has_options:
            choices += [
                (f"option:{o.id}", f"{question.label}: {o.label}") for o in question.options
            ]
        elif question.kind == "yes_no":
            choices += [
                (f"yes:{question.id}", f"{question.label}: {_('Yes')}"),
                (f"no:{question.id}", f"{question.label}: {_('No')}"),
            ]
    return choices


def session_ids_by_registration(event: Event) -> dict[int, list[int]]:
    """Registration id -> chosen session ids, for the whole event in one query."""
    rows = db.session.execute(
        sa.select(SessionChoice.registration_id, SessionChoice.session_id)
        .join(Registration, Registration.id == SessionChoice.registration_id)
        .where(Registration.event_id == event.id)
        .order_by(SessionChoice.registration_id, SessionChoice.session_id)
    )
    chosen: dict[int, list[int]] = {}
    for registration_id, session_id in rows:
        chosen.setdefault(registration_id, []).append(session_id)
    return chosen


# Counts ----------------------------------------------------------------------------------


def _grouped(event: Event, column, *, confirmed_only: bool = True) -> list[tuple]:
    query = (
        sa.select(column, sa.func.count(Registration.id))
        .select_from(Registration)
        .outerjoin(Registration.user)
        .outerjoin(User.organisation)
        .outerjoin(Organisation.cluster)
        .where(Registration.event_id == event.id)
        .group_by(column)
        .order_by(sa.func.count(Registration.id).desc(), column)
    )
    if confirmed_only:
        query = query.where(Registration.status == RegistrationStatus.CONFIRMED)
    return [tuple(row) for row in db.session.execute(query)]


def counts(event: Event) -> dict[str, list[tuple]]:
    """Numbers for the dashboard: all statuses; confirmed by category, cluster, country."""
    by_status = dict(_grouped(event, Registration.status, confirmed_only=False))
    return {
        "status": [(s.value, by_status.get(s.value, 0)) for s in RegistrationStatus],
        "category": _grouped(event, Registration.category),
        "cluster": _grouped(event, Cluster.name),
        "country": _grouped(event, COUNTRY),
    }


def cluster_choices(event: Event) -> list[tuple[int, str]]:
    query = (
        sa.select(Cluster.id, Cluster.name)
        .join(Organisation, Organisation.cluster_id == Cluster.id)
        .join(User, User.organisation_id == Organisation.id)
        .join(Registration, Registration.user_id == User.id)
        .where(Registration.event_id == event.id)
        .distinct()
        .order_by(Cluster.name)
    )
    return [tuple(row) for row in db.session.execute(query)]
