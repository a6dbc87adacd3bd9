"""The reminder mail a few days before the event, once per person (cron-safe)."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from pic_events.calendar import reminders
from pic_events.calendar.models import ReminderSent
from pic_events.extensions import db
from pic_events.notifications.models import OutboxMessage
from tests.factories import login, make_event, make_organiser, make_registration, make_user

PARIS = ZoneInfo("Europe/Paris")
FIRST_DAY = date(2027, 3, 23)


def _event(**kw):
    return make_event(
        starts_on=FIRST_DAY,
        ends_on=FIRST_DAY + timedelta(days=2),
        venue="Terra Botanica",
        city="Angers",
        title="PIC Annual Meeting 2027",
        **kw,
    )


def _paris(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=PARIS)


def _reminder_mails() -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            sa.select(OutboxMessage).where(OutboxMessage.subject.like("See you soon%"))
        )
    )


def test_sent_once_to_the_confirmed_people_from_three_days_before(app):
    event = _event()
    zoe = make_user(name="Zoé")
    make_registration(event, zoe)
    make_registration(event, make_user(), status="pending")
    make_registration(event, make_user(), status="waitlisted")
    make_registration(event, make_user(), status="cancelled")
    before = _paris(FIRST_DAY - timedelta(days=3), 0) - timedelta(minutes=1)
    assert reminders.send_reminders(now=before) == 0
    opening = _paris(FIRST_DAY - timedelta(days=3), 0)
    assert reminders.send_reminders(now=opening) == 1
    assert reminders.send_reminders(now=opening + timedelta(hours=1)) == 0
    (mail,) = _reminder_mails()
    assert mail.recipient == zoe.email
    assert mail.topic.startswith("registration:")
    text = mail.body_text
    assert f"http://localhost/events/{event.slug}/my-agenda" in text
    assert f"webcal://localhost/calendar/{zoe.calendar_token}.ics" in text
    assert f"http://localhost/calendar/{zoe.calendar_token}.ics" in text
    assert "Terra Botanica, Angers" in text and "Europe/Paris" in text
    assert "Tuesday, March 23, 2027" in text
    # Someone confirmed later still gets it; nobody after the first day.
    late = make_user()
    make_registration(event, late)
    assert reminders.send_reminders(now=_paris(FIRST_DAY, 23)) == 1
    make_registration(event, make_user())
    assert reminders.send_reminders(now=_paris(FIRST_DAY + timedelta(days=1), 0)) == 0


def test_the_organiser_sets_the_days_or_turns_it_off(client, app):
    event = _event()
    make_registration(event, make_user())
    organiser = make_organiser()
    login(client, organiser)
    page = client.get(f"/organiser/events/{event.slug}/reminder")
    assert page.status_code == 200
    assert f"http://localhost/events/{event.slug}/programme.ics" in page.get_data(as_text=True)
    response = client.post(
        f"/organiser/events/{event.slug}/reminder", data={"enabled": "y", "days": "7"}
    )
    assert response.status_code == 302
    week_before = _paris(FIRST_DAY - timedelta(days=7), 1)
    assert reminders.send_reminders(now=week_before - timedelta(hours=2)) == 0
    refused = client.post(
        f"/organiser/events/{event.slug}/reminder", data={"enabled": "y", "days": "99"}
    )
    assert refused.status_code == 200 and "99" in refused.get_data(as_text=True)
    client.post(f"/organiser/events/{event.slug}/reminder", data={"days": "7"})  # unticked
    assert reminders.send_reminders(now=week_before) == 0
    client.post(f"/organiser/events/{event.slug}/reminder", data={"enabled": "y", "days": "7"})
    assert reminders.send_reminders(now=week_before) == 1


def test_members_may_not_change_the_reminder(client, app):
    event = _event()
    login(client, make_user())
    assert client.get(f"/organiser/events/{event.slug}/reminder").status_code == 403


def test_the_command_prints_how_many_went(app):
    event = make_event(starts_on=date.today() + timedelta(days=1))
    make_registration(event, make_user())
    runner = app.test_cli_runner()
    result = runner.invoke(args=["send-reminders"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"sent": 1}
    assert json.loads(runner.invoke(args=["send-reminders"]).output) == {"sent": 0}


def test_two_runs_at_once_send_each_reminder_once(app):
    """On the SQLite file and PostgreSQL alike (the app fixture runs both)."""
    app.config["MAIL_DELIVER_INLINE"] = False
    event = _event()
    people = 12
    for _ in range(people):
        make_registration(event, make_user())
    now = _paris(FIRST_DAY - timedelta(days=1), 9)
    barrier = threading.Barrier(4)

    def run():
        with app.app_context():
            barrier.wait()
            try:
                return reminders.send_reminders(now=now)
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=4) as pool:
        counts = list(pool.map(lambda _: run(), range(4)))
    assert sum(counts) == people
    assert len(_reminder_mails()) == people
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReminderSent)) == people


def test_the_feed_address_is_in_the_data_export(client, app):
    user = make_user()
    login(client, user)
    from pic_events.core import signals

    sections = {}
    for _receiver, answer in signals.personal_data_exported.send(user):
        sections.update(answer or {})
    assert sections["calendar"]["feed_url"].endswith(f"/calendar/{user.calendar_token}.ics")
