"""Jinja filters and globals: times in an event's zone, countries, sectors, pagination."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime, format_skeleton, format_time
from babel.numbers import format_decimal
from flask import Flask, current_app
from flask_babel import get_locale

from pic_events.core.countries import country_name
from pic_events.core.pagination import page_args
from pic_events.core.types import utcnow
from pic_events.directory.sectors import sector_name

# CLDR date skeletons; the time is always HH:mm (24 h, as at European meetings).
DATE_SKELETONS = {"short": "yMd", "medium": "yMMMd", "long": "yMMMMEEEEd"}


def local_datetime(value: datetime | None, tz_name: str, fmt: str = "medium") -> str:
    """An instant as wall-clock time in the event's zone, without seconds, in the
    reader's language ("Oct 1, 2026, 10:00", "1 oct. 2026, 10:00")."""
    if value is None:
        return ""
    local = value.astimezone(ZoneInfo(tz_name))
    if fmt not in DATE_SKELETONS:
        return format_datetime(local, format=fmt, locale=get_locale())
    locale = Locale.parse(get_locale() or "en")
    day = format_skeleton(DATE_SKELETONS[fmt], local, locale=locale)
    clock = format_time(local, format="HH:mm", locale=locale)
    return locale.datetime_formats[fmt].format(clock, day)


def local_time(value: datetime | None, tz_name: str, fmt: str = "HH:mm") -> str:
    if value is None:
        return ""
    return format_time(value, format=fmt, tzinfo=ZoneInfo(tz_name), locale=get_locale())


def local_date(
    value: date | datetime | None, fmt: str = "medium", tz_name: str | None = None
) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime) and tz_name:
        value = value.astimezone(ZoneInfo(tz_name)).date()
    return format_date(value, format=fmt, locale=get_locale())


def number(value: float | int | None) -> str:
    """A number as the reader writes it: 1,250.5 in English, 1 250,5 in French."""
    if value is None:
        return ""
    return format_decimal(value, locale=get_locale() or "en")


def zone_label(tz_name: str, at: date | datetime | None = None) -> str:
    """'Europe/Paris (CEST)': the IANA name people configure, with the abbreviation they read
    at that moment (a date means noon of that day: summer and winter time differ)."""
    if isinstance(at, datetime):
        moment = at
    elif isinstance(at, date):
        moment = datetime.combine(at, time(12), tzinfo=ZoneInfo(tz_name))
    else:
        moment = datetime.now(ZoneInfo(tz_name))
    abbreviation = moment.astimezone(ZoneInfo(tz_name)).tzname()
    return f"{tz_name} ({abbreviation})" if abbreviation and abbreviation[0].isalpha() else tz_name


def register(app: Flask) -> None:
    app.add_template_filter(local_datetime)
    app.add_template_filter(local_time)
    app.add_template_filter(local_date)
    app.add_template_filter(zone_label)
    app.add_template_filter(number)
    app.add_template_filter(country_name)
    app.add_template_filter(sector_name)
    app.add_template_global(page_args)
    app.add_template_global(get_locale)
    app.add_template_global(utcnow, name="now_utc")

    @app.context_processor
    def inject_languages():
        return {"languages": current_app.config["LANGUAGES"]}
