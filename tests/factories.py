"""Small builders for test data. Each commits, so HTTP calls see the rows."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from pic_events.accounts.models import Role, User
from pic_events.core.types import utcnow
from pic_events.directory.models import Cluster, Organisation
from pic_events.events.models import Event, EventStatus
from pic_events.extensions import db

PASSWORD = "correct horse battery"
_counter = itertools.count(1)


def make_cluster(
    name: str | None = None, *, steering: bool = False, country: str = "FR", **kw
) -> Cluster:
    cluster = Cluster(
        name=name or f"Cluster {next(_counter)}", country=country, steering_committee=steering, **kw
    )
    db.session.add(cluster)
    db.session.commit()
    return cluster


def make_organisation(
    name: str | None = None, *, cluster: Cluster | None = None, **kw
) -> Organisation:
    kw.setdefault("country", "FR")
    organisation = Organisation(
        name=name or f"Organisation {next(_counter)}", cluster=cluster, **kw
    )
    db.session.add(organisation)
    db.session.commit()
    return organisation


def make_user(
    email: str | None = None,
    *,
    role: Role = Role.MEMBER,
    name: str | None = None,
    password: str = PASSWORD,
    organisation: Organisation | None = None,
) -> User:
    n = next(_counter)
    user = User(
        email=email or f"user{n}@example.org",
        name=name or f"User {n}",
        role=role.value,
        organisation=organisation,
    )
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    return user


def make_organiser(email: str | None = None, **kw) -> User:
    return make_user(email, role=Role.ORGANISER, **kw)


def make_event(
    slug: str | None = None, *, status: EventStatus = EventStatus.PUBLISHED, **kw
) -> Event:
    start = kw.pop("starts_on", date.today() + timedelta(days=60))
    values = {
        "slug": slug or f"event-{next(_counter)}",
        "title": "Test meeting",
        "timezone": "Europe/Paris",
        "starts_on": start,
        "ends_on": kw.pop("ends_on", start + timedelta(days=1)),
        "registration_opens": utcnow() - timedelta(days=1),
        "registration_closes": utcnow() + timedelta(days=30),
        "status": status.value,
    }
    values.update(kw)
    event = Event(**values)
    db.session.add(event)
    db.session.commit()
    return event


def login(client, user: User) -> None:
    """Start a browser session as `user` (the log-in form itself is tested in accounts)."""
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session["_fresh"] = True
