"""Builders for the programme tests: times in Paris, published programmes, workshops."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from tests.factories import make_event, make_programme_session

PARIS = ZoneInfo("Europe/Paris")


def paris(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=PARIS)


def programme_event(**kw):
    kw.setdefault("starts_on", date(2027, 6, 15))
    kw.setdefault("ends_on", date(2027, 6, 17))
    kw.setdefault("programme_published", True)
    return make_event(**kw)


def workshop(event, day, start_hour, end_hour, **kw):
    kw.setdefault("kind", "workshop")
    kw.setdefault("must_choose", True)
    return make_programme_session(event, paris(day, start_hour), paris(day, end_hour), **kw)
