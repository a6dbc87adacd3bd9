from datetime import UTC, datetime, timedelta

from pic_events.core.types import utcnow
from tests.factories import login, make_event, make_registration, make_user


def test_event_page_says_when_registration_opens(client):
    opens = datetime(2030, 3, 1, 8, 0, tzinfo=UTC)  # 09:00 in Paris (winter time)
    make_event("later", registration_opens=opens, registration_closes=opens + timedelta(days=30))
    page = client.get("/events/later").get_data(as_text=True)
    assert "Registration opens on Mar 1, 2030, 09:00." in page


def test_event_page_says_when_registration_closed(client):
    closed = utcnow() - timedelta(days=2)
    make_event("over", registration_opens=closed - timedelta(days=9), registration_closes=closed)
    page = client.get("/events/over").get_data(as_text=True)
    assert "Registration closed on" in page


def test_full_meeting_with_approval_says_registrations_are_reviewed(client):
    event = make_event("reviewed", capacity=1, requires_approval=True)
    make_registration(event)
    member = make_user()
    login(client, member)
    box = client.get("/events/reviewed").get_data(as_text=True)
    assert "registrations are reviewed" in box
    assert "Join the waiting list" not in box
    form = client.get("/events/reviewed/register").get_data(as_text=True)
    assert "Registrations are approved by the organisers" in form
    assert "in position" not in form
