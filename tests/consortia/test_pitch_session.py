"""The organiser names the pitch session; the programme lists the pitches under it, with their
times, to those who may see the ideas only."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from pic_events.consortia import services
from tests.consortia.helpers import idea, person
from tests.factories import login, make_b2b_event, make_organiser, make_programme_session


def _event_with_pitches():
    event = make_b2b_event()
    start = datetime.combine(event.starts_on, datetime.min.time().replace(hour=14))
    start = start.replace(tzinfo=ZoneInfo("Europe/Paris"))
    session = make_programme_session(
        event,
        start,
        start.replace(hour=15),
        title="Project ideas: pitches for European calls",
        publish=True,
    )
    lead = person(event, "Ana Lead")
    first = idea(event, lead, title="Cider-waste biorefinery")
    second = idea(event, lead, title="Digital twin for greenhouses")
    services.set_pitch(second, 1, 10)
    services.set_pitch(first, 2, 5)
    return event, session, lead


def test_the_programme_lists_the_pitches_with_their_times(client):
    event, session, lead = _event_with_pitches()
    organiser = make_organiser()
    login(client, organiser)
    page = client.get(f"/organiser/events/{event.slug}/ideas")
    assert "Pitch session" in page.get_data(as_text=True)
    saved = client.post(
        f"/organiser/events/{event.slug}/ideas", data={"pitch_session": str(session.id)}
    )
    assert saved.status_code == 302

    login(client, lead.user)
    programme = client.get(f"/events/{event.slug}/programme").get_data(as_text=True)
    assert "14:00 Digital twin for greenhouses (Ana Lead)" in programme
    assert "14:10 Cider-waste biorefinery (Ana Lead)" in programme

    client.get("/logout")
    with client.session_transaction() as flask_session:
        flask_session.clear()
    anonymous = client.get(f"/events/{event.slug}/programme").get_data(as_text=True)
    assert "Project ideas: pitches for European calls" in anonymous
    assert "Digital twin for greenhouses" not in anonymous


def test_a_session_of_another_event_is_refused(client):
    event, _session, _lead = _event_with_pitches()
    other, _s, _l = _event_with_pitches()
    stranger = make_programme_session(
        other, _s.starts_at, _s.ends_at, title="Elsewhere", publish=True
    )
    login(client, make_organiser())
    client.post(f"/organiser/events/{event.slug}/ideas", data={"pitch_session": str(stranger.id)})
    programme = client.get(f"/events/{event.slug}/programme").get_data(as_text=True)
    assert "14:00 Digital twin" not in programme
