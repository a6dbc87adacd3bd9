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
    verified: bool = True,
    steering_member: bool = False,
) -> User:
    """`steering_member`: marked by an organiser as a steering-committee member."""
    n = next(_counter)
    user = User(
        email=email or f"user{n}@example.org",
        name=name or f"User {n}",
        role=role.value,
        organisation=organisation,
        email_verified_at=utcnow() if verified else None,
        steering_member_since=utcnow() if steering_member else None,
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


def make_room(event: Event, name: str | None = None, **kw):
    from pic_events.programme.models import Room

    room = Room(event=event, name=name or f"Room {next(_counter)}", **kw)
    db.session.add(room)
    db.session.commit()
    return room


def make_programme_session(event: Event, starts_at, ends_at, **kw):
    """A programme session; times are aware datetimes. `publish=True` publishes the
    programme too (choices are only possible in a published programme)."""
    from pic_events.programme.models import ProgrammeSession

    if kw.pop("publish", False):
        event.programme_published = True
    kw.setdefault("title", f"Session {next(_counter)}")
    session = ProgrammeSession(event=event, starts_at=starts_at, ends_at=ends_at, **kw)
    db.session.add(session)
    db.session.commit()
    return session


def make_question(event: Event, label: str | None = None, kind: str = "text", **kw):
    """A registration question; `options` is a list of labels or (label, capacity) pairs."""
    from pic_events.registration.models import Question, QuestionOption

    options = [
        QuestionOption(label=o, position=i)
        if isinstance(o, str)
        else QuestionOption(label=o[0], capacity=o[1], position=i)
        for i, o in enumerate(kw.pop("options", []))
    ]
    kw.setdefault("position", next(_counter))
    question = Question(
        event_id=event.id, label=label or f"Question {next(_counter)}", kind=kind, **kw
    )
    question.options = options
    db.session.add(question)
    db.session.commit()
    return question


def make_registration(event: Event, user: User | None = None, **kw):
    """A registration written directly (no rules, no mail): status confirmed by default."""
    from pic_events.registration.models import Registration

    kw.setdefault("status", "confirmed")
    kw.setdefault("consent_at", utcnow())
    if kw["status"] == "waitlisted":
        kw.setdefault("waitlisted_at", utcnow())
    registration = Registration(event_id=event.id, user=user or make_user(), **kw)
    db.session.add(registration)
    db.session.commit()
    return registration


def api_auth(user: User, client=None) -> dict[str, str]:
    """An Authorization header with a fresh API token of `user` (no CSRF for tokens).
    Given a test client, every following request of that client carries it too."""
    from pic_events.accounts.services import create_api_token

    _token, plain = create_api_token(user, "tests")
    header = {"Authorization": f"Bearer {plain}"}
    if client is not None:
        client.environ_base["HTTP_AUTHORIZATION"] = header["Authorization"]
    return header


def login(client, user: User) -> None:
    """Start a browser session as `user` (the log-in form itself is tested in accounts)."""
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


def make_b2b_event(
    *, slots: int = 4, tables: int = 2, seats: int = 2, minutes: int = 20, **settings
) -> Event:
    """A published event with matchmaking on: `slots` slots of `minutes` from 09:00 Paris time
    on its first day, `tables` tables T1.. of `seats` seats. Settings: B2BSettings fields."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from pic_events.matchmaking.models import B2BSettings, B2BTable, Slot

    event = make_event()
    settings.setdefault("enabled", True)
    db.session.add(B2BSettings(event_id=event.id, **settings))
    start = datetime.combine(event.starts_on, datetime.min.time().replace(hour=9))
    start = start.replace(tzinfo=ZoneInfo(event.timezone))
    for i in range(slots):
        begin = start + timedelta(minutes=i * (minutes + 5))
        db.session.add(
            Slot(event_id=event.id, starts_at=begin, ends_at=begin + timedelta(minutes=minutes))
        )
    for i in range(tables):
        db.session.add(B2BTable(event_id=event.id, label=f"T{i + 1}", seats=seats, position=i))
    db.session.commit()
    return event


def b2b_slots(event: Event) -> list:
    """The event's B2B slots in time order."""
    import sqlalchemy as sa

    from pic_events.matchmaking.models import Slot

    return list(
        db.session.scalars(
            sa.select(Slot).where(Slot.event_id == event.id).order_by(Slot.starts_at)
        )
    )
