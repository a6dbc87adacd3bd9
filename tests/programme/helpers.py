"""Builders for the programme tests: times in Paris, registrations made directly."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from pic_events.extensions import db
from pic_events.registration.models import Registration
from tests.factories import make_event, make_programme_session, make_user

PARIS = ZoneInfo("Europe/Paris")


def paris(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=PARIS)


def make_registration(event, user=None, *, status="confirmed", category="participant"):
    registration = Registration(
        event=event, user=user or make_user(), status=status, category=category
    )
    db.session.add(registration)
    db.session.commit()
    return registration


def programme_event(**kw):
    kw.setdefault("starts_on", date(2027, 6, 15))
    kw.setdefault("ends_on", date(2027, 6, 17))
    kw.setdefault("programme_published", True)
    return make_event(**kw)


def workshop(event, day, start_hour, end_hour, **kw):
    kw.setdefault("kind", "workshop")
    kw.setdefault("must_choose", True)
    return make_programme_session(event, paris(day, start_hour), paris(day, end_hour), **kw)


def api_as(client, user) -> None:
    """Send the following requests with an API token of `user` (no CSRF for tokens)."""
    from pic_events.accounts.services import create_api_token

    _token, plain = create_api_token(user, "tests")
    db.session.commit()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {plain}"
