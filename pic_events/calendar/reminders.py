"""The reminder mail, a few days before an event: My agenda, the calendar feed and the
practical details, once per person.

When: `CalendarSettings.reminder_days_before` of the event (set by the organisers on the
event's calendar page), else the REMINDER_DAYS_BEFORE setting (3); None turns it off. From
midnight that many days before the first day (in the event's zone) until the first day ends.

Once: `flask send-reminders` (cron, hourly) inserts a `ReminderSent` row per registration in
the same transaction as the outbox row; a second run, even at the same moment, meets the
primary key and skips that person.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from markupsafe import escape
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from pic_events.calendar import services
from pic_events.calendar.models import CalendarSettings, ReminderSent
from pic_events.core.templating import local_date, zone_label
from pic_events.core.timezones import start_of_day
from pic_events.core.types import utcnow
from pic_events.events.models import Event, EventStatus
from pic_events.extensions import db
from pic_events.notifications.services import queue_mail
from pic_events.registration.models import Registration, RegistrationStatus

MAX_DAYS = 60


def reminder_days(event: Event, settings: CalendarSettings | None) -> int | None:
    if settings is not None:
        return settings.reminder_days_before
    default = current_app.config.get("REMINDER_DAYS_BEFORE", 3)
    return None if default in (None, "") else int(default)


def settings_of(event: Event) -> CalendarSettings | None:
    return db.session.get(CalendarSettings, event.id)


def set_reminder_days(event: Event, days: int | None) -> CalendarSettings:
    """The organiser's choice (None: no reminder). Commits."""
    if days is not None and not 0 <= days <= MAX_DAYS:
        raise ValueError(days)
    settings = settings_of(event) or CalendarSettings(event_id=event.id)
    settings.reminder_days_before = days
    db.session.add(settings)
    db.session.commit()
    return settings


def reminder_window(event: Event, days: int) -> tuple[datetime, datetime]:
    """[from, until): midnight `days` before the first day, to the end of the first day."""
    opens = start_of_day(event.starts_on - timedelta(days=days), event.timezone)
    closes = start_of_day(event.starts_on + timedelta(days=1), event.timezone)
    return opens, closes


def due_events(now: datetime) -> list[Event]:
    today = now.date()
    rows = db.session.execute(
        sa.select(Event, CalendarSettings)
        .outerjoin(CalendarSettings, CalendarSettings.event_id == Event.id)
        .where(
            Event.status == EventStatus.PUBLISHED.value,
            Event.starts_on >= today - timedelta(days=1),
            Event.starts_on <= today + timedelta(days=MAX_DAYS + 1),
        )
    )
    due = []
    for event, settings in rows:
        days = reminder_days(event, settings)
        if days is None:
            continue
        opens, closes = reminder_window(event, days)
        if opens <= now < closes:
            due.append(event)
    return due


def _waiting(event: Event) -> list[Registration]:
    """Confirmed people of the event who have not had the reminder."""
    return list(
        db.session.scalars(
            sa.select(Registration)
            .outerjoin(ReminderSent, ReminderSent.registration_id == Registration.id)
            .where(
                Registration.event_id == event.id,
                Registration.status == RegistrationStatus.CONFIRMED.value,
                Registration.user_id.is_not(None),
                ReminderSent.registration_id.is_(None),
            )
            .options(selectinload(Registration.user))
            .order_by(Registration.id)
        )
    )


def send_reminders(now: datetime | None = None) -> int:
    """Queue the reminder of every event that is due, once per person; how many went."""
    now = now or utcnow()
    sent = 0
    for event in due_events(now):
        waiting = [registration.id for registration in _waiting(event)]
        # End the reading transaction: on SQLite a transaction that read and then writes
        # cannot wait for another run's write lock ("database is locked"); each claim
        # below writes first.
        db.session.rollback()
        for registration_id in waiting:
            if _claim(registration_id):
                reminder_mail(db.session.get(Registration, registration_id))
                db.session.commit()
                sent += 1
            else:
                db.session.rollback()
    return sent


def _claim(registration_id: int) -> bool:
    """Insert the registration's ReminderSent row; False when another run did first."""
    try:
        with db.session.begin_nested():
            db.session.add(ReminderSent(registration_id=registration_id))
    except IntegrityError:
        return False
    return True


def reminder_mail(registration: Registration) -> None:
    user = registration.user
    event = registration.event
    base = services.site().base_url
    agenda_url = f"{base}/events/{event.slug}/my-agenda"
    programme_url = f"{base}/events/{event.slug}/programme"
    with force_locale(user.locale or "en"):
        first_day = local_date(event.starts_on, "full")
        subject = _("See you soon at %(title)s (%(date)s)", title=event.title, date=first_day)
        where = ", ".join(part for part in (event.venue, event.city) if part)
        lines = [
            _("Hello %(name)s,", name=user.name),
            "",
            _("%(title)s begins on %(date)s.", title=event.title, date=first_day),
        ]
        if event.ends_on != event.starts_on:
            lines.append(_("It ends on %(date)s.", date=local_date(event.ends_on, "full")))
        if where:
            lines.append(_("Where: %(where)s", where=where))
        lines += [
            _("Times are in %(zone)s.", zone=zone_label(event.timezone, event.starts_on)),
            "",
            _("Your agenda (sessions and B2B meetings): %(url)s", url=agenda_url),
            _("The programme: %(url)s", url=programme_url),
            "",
            _("Keep your calendar up to date: subscribe to your personal feed"),
            services.webcal_url(user),
            _("or add this address to your calendar app: %(url)s", url=services.feed_url(user)),
            "",
            _("The PIC meeting organisers"),
        ]
        text = "\n".join(str(line) for line in lines)
        html = "".join(f"<p>{escape(line)}</p>" for line in lines if line)
    queue_mail(user.email, subject, text, html, topic=f"registration:{registration.id}")
