"""Time zones: validation and display in an event's zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo, available_timezones


@cache
def all_timezones() -> frozenset[str]:
    return frozenset(available_timezones())


def is_valid_timezone(name: str) -> bool:
    return name in all_timezones()


def localize(naive: datetime, tz_name: str) -> datetime:
    """Attach an IANA zone to a wall-clock time typed by a person."""
    return naive.replace(tzinfo=ZoneInfo(tz_name))


def wall_clock_exists(naive: datetime, tz_name: str) -> bool:
    """False for a local time the clocks skip (02:30 in Paris on a spring-forward night)."""
    aware = localize(naive.replace(tzinfo=None), tz_name)
    return to_zone(aware.astimezone(UTC), tz_name).replace(tzinfo=None) == aware.replace(
        tzinfo=None
    )


def to_zone(instant: datetime, tz_name: str) -> datetime:
    return instant.astimezone(ZoneInfo(tz_name))


def start_of_day(day: date, tz_name: str) -> datetime:
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(tz_name))


def shift_wall_clock(instant: datetime, tz: str, days: int) -> datetime:
    """The same local time `days` later: 09:00 stays 09:00 across a daylight-saving change."""
    local = to_zone(instant, tz)
    return (local.replace(tzinfo=None) + timedelta(days=days)).replace(tzinfo=local.tzinfo)
