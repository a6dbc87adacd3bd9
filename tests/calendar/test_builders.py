"""The builders on their own: long texts in many scripts, links, and the one-meeting file."""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest

from pic_events.calendar import builders
from pic_events.calendar.builders import MeetingItem, Site
from pic_events.core.types import utcnow
from pic_events.extensions import db
from pic_events.programme.models import Speaker
from tests.calendar.ics import check_ics, events_by_uid, unfolded
from tests.calendar.test_personal_feed import _b2b_world, _book
from tests.factories import login, make_event, make_programme_session, make_user

SITE = Site(base_url="https://pic.example", host="pic.example")


def test_long_texts_in_many_scripts_fold_between_characters(app):
    event = make_event(timezone="Asia/Kolkata", venue="Łódź Expo — Hala Główna", city="Łódź")
    start = datetime(2027, 6, 1, 9, 30, tzinfo=ZoneInfo("Asia/Kolkata"))
    title = ("Évaluation des semences: 种子 — семена — البذور — 種子の評価 " * 4).strip()[:200]
    session = make_programme_session(
        event,
        start,
        start + timedelta(hours=1),
        title=title,
        description="ß€😀" * 60,
        publish=True,
    )
    session.speakers = [Speaker(name="Zoë Ødegård", organisation="Ørsted Agro")]
    db.session.commit()
    body = builders.programme_calendar(event, [session], SITE, stamp=utcnow())
    calendar = check_ics(body)  # decodes the whole body as UTF-8: no character cut in two
    (vevent,) = calendar.walk("VEVENT")
    assert str(vevent["SUMMARY"]) == title
    assert "ß€😀" * 60 in str(vevent["DESCRIPTION"])
    assert vevent.decoded("DTSTART").utcoffset() == timedelta(hours=5, minutes=30)
    assert any(line.startswith("SUMMARY:") for line in unfolded(body))


def test_google_link_carries_utc_times_and_the_zone(app):
    event = make_event()
    start = datetime(2027, 1, 12, 9, tzinfo=ZoneInfo("Europe/Paris"))
    session = make_programme_session(event, start, start + timedelta(minutes=90), title="A & B")
    url = builders.google_calendar_url(
        session.title,
        session.starts_at,
        session.ends_at,
        timezone="Europe/Paris",
        details="x",
        location="Angers",
    )
    query = parse_qs(urlsplit(url).query)
    assert url.startswith("https://calendar.google.com/calendar/render?")
    assert query["action"] == ["TEMPLATE"] and query["text"] == ["A & B"]
    assert query["dates"] == ["20270112T080000Z/20270112T093000Z"]
    assert query["ctz"] == ["Europe/Paris"] and query["location"] == ["Angers"]


def test_unknown_itip_method_is_refused(app):
    event, _ana, _ben, ana_reg, ben_reg, _ = _b2b_world()
    meeting = _book(event, ana_reg, ben_reg)
    with pytest.raises(ValueError):
        builders.meeting_invite(
            MeetingItem(meeting, ana_reg, {}),
            SITE,
            method="PUBLISH",
            stamp=utcnow(),
        )


def test_one_meeting_download_for_its_people_only(client, app):
    event, ana, _ben, ana_reg, ben_reg, _ = _b2b_world()
    meeting = _book(event, ana_reg, ben_reg)
    url = f"/calendar/meetings/{meeting.id}.ics"
    assert client.get(url).status_code == 302  # to the log-in page
    login(client, make_user())
    assert client.get(url).status_code == 404
    login(client, ana)
    response = client.get(url)
    assert response.status_code == 200
    calendar = check_ics(response.data)
    (vevent,) = calendar.walk("VEVENT")
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert str(vevent["UID"]) == f"meeting-{meeting.id}@localhost"
    assert "ATTENDEE" not in vevent
    assert str(vevent["ORGANIZER"]) == "mailto:noreply@pic.example"  # RFC 5546: PUBLISH too
    page = client.get(f"/events/{event.slug}/my-agenda").get_data(as_text=True)
    assert url in page
    assert "calendar.google.com" in page
    assert list(events_by_uid(calendar)) == [f"meeting-{meeting.id}@localhost"]
