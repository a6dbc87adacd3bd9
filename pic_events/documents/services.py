"""What the printed documents need, loaded in few queries; and when badges were printed."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from pic_events.accounts.models import User
from pic_events.core.types import utcnow
from pic_events.directory.models import Organisation
from pic_events.directory.services import load_clusters
from pic_events.documents.text import split_name
from pic_events.events.models import Event
from pic_events.extensions import db
from pic_events.registration.models import Category, Registration, RegistrationStatus

BADGE_SORTS = ("family", "organisation")


def load_agenda_clusters(entries: Iterable) -> None:
    """The printed agenda names each meeting partner's cluster: load them all at once."""
    load_clusters(
        seat.registration.user.organisation
        for entry in entries
        if entry.meeting is not None
        for seat in entry.meeting.seats
        if seat.registration.user is not None
    )


@dataclass
class BadgeSelection:
    """Which confirmed registrations get a badge, and in which order."""

    category: str | None = None
    registration_ids: list[int] = field(default_factory=list)
    not_printed: bool = False
    sort: str = "family"

    @classmethod
    def from_args(cls, args: Mapping) -> BadgeSelection:
        category = args.get("category") or None
        if category not in {c.value for c in Category}:
            category = None
        ids: list[int] = []
        raw = args.getlist("id") if hasattr(args, "getlist") else args.get("id", [])
        for value in raw:
            for part in str(value).replace(",", " ").split():
                if part.isdigit():
                    ids.append(int(part))
        sort = args.get("sort") if args.get("sort") in BADGE_SORTS else "family"
        return cls(
            category=category,
            registration_ids=ids,
            not_printed=args.get("not_printed") in ("1", "on", "true", True),
            sort=sort,
        )


def _with_people(query):
    return query.options(
        joinedload(Registration.user).joinedload(User.organisation).joinedload(Organisation.cluster)
    )


def family_key(registration: Registration) -> tuple[str, str]:
    first, family = split_name(registration.display_name)
    return ((family or first).casefold(), first.casefold())


def organisation_key(registration: Registration) -> tuple[str, tuple[str, str]]:
    user = registration.user
    organisation = user.organisation.name if user and user.organisation else "\uffff"
    return (organisation.casefold(), family_key(registration))


def _selection_query(event: Event, selection: BadgeSelection):
    query = sa.select(Registration).where(
        Registration.event_id == event.id,
        Registration.status == RegistrationStatus.CONFIRMED.value,
    )
    if selection.category:
        query = query.where(Registration.category == selection.category)
    if selection.registration_ids:
        query = query.where(Registration.id.in_(selection.registration_ids))
    if selection.not_printed:
        query = query.where(Registration.badge_printed_at.is_(None))
    return query


def badge_registrations(event: Event, selection: BadgeSelection) -> list[Registration]:
    """The confirmed registrations the selection asks for, sorted as it says."""
    rows = list(db.session.scalars(_with_people(_selection_query(event, selection))).unique())
    key = organisation_key if selection.sort == "organisation" else family_key
    return sorted(rows, key=key)


def count_badges(event: Event, selection: BadgeSelection) -> int:
    """How many badges the selection asks for, without loading anyone."""
    query = sa.select(sa.func.count()).select_from(_selection_query(event, selection).subquery())
    return db.session.scalar(query) or 0


def confirmed_registrations(event: Event) -> list[Registration]:
    """Every confirmed registration with person, organisation and cluster: one query."""
    return badge_registrations(event, BadgeSelection())


def mark_badges_printed(registrations: Iterable[Registration]) -> None:
    """Remember that these badges were printed (a reprint moves the date)."""
    mark_printed_in_transaction([r.id for r in registrations])
    db.session.commit()


def mark_printed_in_transaction(ids: list[int]) -> None:
    """As mark_badges_printed, without the commit: the caller's transaction stores the file."""
    now = utcnow()
    for start in range(0, len(ids), 500):
        db.session.execute(
            sa.update(Registration)
            .where(Registration.id.in_(ids[start : start + 500]))
            .values(badge_printed_at=now)
        )


def print_badges(
    event: Event, selection: BadgeSelection, layout: str, *, mark: bool = True
) -> tuple[bytes, int]:
    """The selected badges as one PDF, marked as printed unless `mark` is false (a preview),
    and how many; (b"", 0) when the selection matches nobody. Templates need a request
    context."""
    from pic_events.documents.badges import render_badges

    registrations = badge_registrations(event, selection)
    if not registrations:
        return b"", 0
    pdf = render_badges(event, registrations, layout)
    if mark:
        mark_badges_printed(registrations)
    return pdf, len(registrations)


def badge_counts(event: Event) -> dict[str, int]:
    """Confirmed registrations, and how many of them have a printed badge."""
    row = db.session.execute(
        sa.select(sa.func.count(), sa.func.count(Registration.badge_printed_at)).where(
            Registration.event_id == event.id,
            Registration.status == RegistrationStatus.CONFIRMED.value,
        )
    ).one()
    return {"confirmed": row[0], "printed": row[1], "not_printed": row[0] - row[1]}


def by_cluster(registrations: Iterable[Registration]) -> list[tuple[str, list[Registration]]]:
    """Registrations grouped by cluster name (people without one last), each group by family
    name."""
    groups: dict[str, list[Registration]] = {}
    for registration in registrations:
        user = registration.user
        cluster = user.organisation.cluster if user and user.organisation else None
        groups.setdefault(cluster.name if cluster else "", []).append(registration)
    ordered = sorted(groups.items(), key=lambda item: (item[0] == "", item[0].casefold()))
    return [(name, sorted(rows, key=family_key)) for name, rows in ordered]


def table_plan(event: Event):
    """The event's slots, tables and live meetings with their people: four queries."""
    from pic_events.documents.tables import TablePlan
    from pic_events.matchmaking.layout import event_slots, event_tables
    from pic_events.matchmaking.models import Meeting, MeetingSeat, MeetingStatus

    slots = event_slots(event)
    tables = event_tables(event)
    meetings = (
        db.session.scalars(
            sa.select(Meeting)
            .where(Meeting.event_id == event.id, Meeting.status == MeetingStatus.CONFIRMED.value)
            .options(
                selectinload(Meeting.seats)
                .joinedload(MeetingSeat.registration)
                .joinedload(Registration.user)
                .joinedload(User.organisation)
                .joinedload(Organisation.cluster)
            )
        )
        .unique()
        .all()
    )
    return TablePlan(slots=slots, tables=tables, meetings=meetings)
