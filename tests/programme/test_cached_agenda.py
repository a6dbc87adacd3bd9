"""My agenda is cached per person (programme.agenda_page): every kind of change, by the
person or by anyone else, shows on the next GET; flash messages and the forms' CSRF tokens
are never cached; with the cache down the page still renders; a cached agenda costs the
person, the event and the registration."""

from __future__ import annotations

import re
import socket
from datetime import date, timedelta

import pytest

from pic_events.accounts import standing
from pic_events.core.types import utcnow
from pic_events.extensions import db
from pic_events.matchmaking import booking
from pic_events.programme import services
from pic_events.registration.models import SessionChoice
from tests.conftest import make_app
from tests.factories import (
    b2b_slots,
    login,
    make_b2b_event,
    make_organiser,
    make_registration,
    make_user,
)
from tests.programme.helpers import paris, workshop
from tests.queries import count_queries

DAY = date(2027, 6, 15)


@pytest.fixture
def world(app):
    """A published programme and B2B on one event: a plenary, a restricted plenary, two
    workshops to choose; me and another person registered."""
    event = make_b2b_event(slots=3, tables=2)
    event.programme_published = True
    event.starts_on = DAY
    event.ends_on = DAY + timedelta(days=1)
    db.session.commit()
    workshop(event, DAY, 8, 9, must_choose=False, kind="plenary", title="Opening plenary")
    workshop(event, DAY, 17, 18, must_choose=False, kind="plenary", title="Steering lunch")
    steering = next(s for s in services.event_sessions(event) if s.title == "Steering lunch")
    steering.restricted = True
    workshop(event, DAY, 14, 15, title="Seed phenotyping")
    workshop(event, DAY, 15, 16, title="Cider orchards")
    db.session.commit()
    me = make_registration(event, make_user(name="Mia Mine"))
    other = make_registration(event, make_user(name="Otto Other"))
    return event, me, other


def agenda(client, event) -> str:
    response = client.get(f"/events/{event.slug}/my-agenda")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def twice(client, event) -> str:
    """The page, then again (from the cache): the same page."""
    first = agenda(client, event)
    assert _without_tokens(agenda(client, event)) == _without_tokens(first)
    return first


def _without_tokens(html: str) -> str:
    """The page without its CSRF tokens and flash messages (shown once)."""
    html = re.sub(r'<main id="content".*?<nav aria-label="Breadcrumb">', "", html, flags=re.S)
    return re.sub(r'name="csrf_token" value="[^"]*"', "", html)


def session_named(event, title):
    return next(s for s in services.event_sessions(event) if s.title == title)


def entry(title: str) -> str:
    """An entry's title on the agenda (a flash message may name it too)."""
    return f'<div class="fw-semibold">{title}</div>'


def _drop_button(title: str) -> str:
    return f'Drop<span class="visually-hidden"> {title}</span>'


def test_a_choice_and_a_drop_show_at_once(client, world):
    event, me, _other = world
    login(client, me.user)
    before = twice(client, event)
    assert entry("Seed phenotyping") not in before
    seed = session_named(event, "Seed phenotyping")
    client.post(f"/events/{event.slug}/sessions/{seed.id}/choose", data={"back": "agenda"})
    after = agenda(client, event)
    assert entry("Seed phenotyping") in after
    assert "My choice" in after
    assert _drop_button("Seed phenotyping") in after
    client.post(f"/events/{event.slug}/sessions/{seed.id}/drop", data={"back": "agenda"})
    assert entry("Seed phenotyping") not in agenda(client, event)


def test_the_flash_message_after_a_choice_shows_once(client, world):
    event, me, _other = world
    login(client, me.user)
    twice(client, event)
    seed = session_named(event, "Seed phenotyping")
    shown = client.post(
        f"/events/{event.slug}/sessions/{seed.id}/choose",
        data={"back": "agenda"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "is on your agenda." in shown
    assert "is on your agenda." not in agenda(client, event)


def test_the_drop_forms_carry_this_sessions_csrf_token(app, world):
    """The cached agenda holds no token: each browser session gets its own in its forms."""
    event, me, _other = world
    seed = session_named(event, "Seed phenotyping")
    db.session.add(SessionChoice(registration_id=me.id, session_id=seed.id))
    db.session.commit()
    tokens = []
    for _ in range(2):
        client = app.test_client()
        login(client, me.user)
        html = agenda(client, event)
        drop = html[html.index(f"/sessions/{seed.id}/drop") :]
        tokens.append(re.search(r'name="csrf_token" value="([^"]*)"', drop).group(1))
    assert tokens[0] and tokens[1] and tokens[0] != tokens[1]


def test_a_meeting_booked_moved_and_cancelled_by_others_shows_at_once(client, world):
    event, me, other = world
    login(client, me.user)
    assert "B2B meeting: Otto Other" not in twice(client, event)
    slots = b2b_slots(event)
    meeting = booking.book(event, [other.id, me.id], slots[0].id)
    booked = twice(client, event)
    assert "B2B meeting: Otto Other" in booked
    assert ">09:00</time>–" in booked
    booking.move(meeting, slots[2].id)
    moved = twice(client, event)
    assert ">09:50</time>–" in moved
    assert ">09:00</time>–" not in moved
    booking.cancel(meeting, by=other)
    assert "B2B meeting: Otto Other" not in agenda(client, event)


def test_the_other_persons_new_name_shows_at_once(client, world):
    event, me, other = world
    booking.book(event, [other.id, me.id], b2b_slots(event)[0].id)
    login(client, me.user)
    assert "B2B meeting: Otto Other" in twice(client, event)
    other.user.name = "Otto Renamed"
    db.session.commit()
    assert "B2B meeting: Otto Renamed" in agenda(client, event)


def test_an_organiser_moving_a_session_shows_at_once(client, world):
    event, me, _other = world
    login(client, me.user)
    assert "08:00</time>" in twice(client, event)
    opening = session_named(event, "Opening plenary")
    services.save_session(
        event, {"starts_at": paris(DAY, 10), "ends_at": paris(DAY, 11)}, opening, confirmed=True
    )
    moved = agenda(client, event)
    assert "08:00</time>" not in moved
    assert "10:00</time>" in moved


def test_another_language_shows_at_once(client, world):
    event, me, _other = world
    login(client, me.user)
    seed = session_named(event, "Seed phenotyping")
    client.post(f"/events/{event.slug}/sessions/{seed.id}/choose", data={"back": "agenda"})
    assert "My choice" in twice(client, event)
    # The profile's language.
    me.user.locale = "fr"
    db.session.commit()
    assert "Mon choix" in twice(client, event)
    # A profile language the site no longer offers: the browser's decides, and nothing in
    # the database changes between these two requests.
    me.user.locale = "de"
    db.session.commit()
    url = f"/events/{event.slug}/my-agenda"
    english = client.get(url, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "My choice" in english
    french = client.get(url, headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "Mon choix" in french
    assert "Ajouter au calendrier" in french


def test_the_choose_links_go_when_registration_closes(client, world, monkeypatch):
    """ "May choose now" moves with the clock alone: nothing in the database changes."""
    event, me, _other = world
    event.registration_closes = utcnow() + timedelta(days=1)
    db.session.commit()
    login(client, me.user)
    assert "Choose workshops" in twice(client, event)
    later = utcnow() + timedelta(days=2)
    monkeypatch.setattr("pic_events.registration.window.utcnow", lambda: later)
    assert "Choose workshops" not in agenda(client, event)


def test_steering_standing_shows_the_restricted_sessions_at_once(client, world):
    event, me, _other = world
    login(client, me.user)
    assert entry("Steering lunch") not in twice(client, event)
    standing.mark_steering_member(me.user, actor=make_organiser())
    assert entry("Steering lunch") in agenda(client, event)


def test_each_person_sees_their_own_agenda(app, world):
    event, me, other = world
    seed = session_named(event, "Seed phenotyping")
    mine = app.test_client()
    login(mine, me.user)
    mine.post(f"/events/{event.slug}/sessions/{seed.id}/choose", data={"back": "agenda"})
    assert entry("Seed phenotyping") in twice(mine, event)
    theirs = app.test_client()
    login(theirs, other.user)
    assert entry("Seed phenotyping") not in twice(theirs, event)


def test_a_registration_cancelled_or_waitlisted_shows_at_once(client, world):
    event, me, _other = world
    login(client, me.user)
    assert entry("Opening plenary") in twice(client, event)
    me.status = "waitlisted"
    me.waitlisted_at = utcnow()
    db.session.commit()
    page = agenda(client, event)
    assert entry("Opening plenary") not in page
    assert "your agenda appears here once you have a place" in page


def test_a_cached_agenda_costs_the_person_the_event_and_the_registration(client, world):
    event, me, other = world
    booking.book(event, [other.id, me.id], b2b_slots(event)[0].id)
    seed = session_named(event, "Seed phenotyping")
    login(client, me.user)
    client.post(f"/events/{event.slug}/sessions/{seed.id}/choose", data={"back": "agenda"})
    agenda(client, event)
    with count_queries() as statements:
        page = agenda(client, event)
    assert "B2B meeting: Otto Other" in page and _drop_button("Seed phenotyping") in page
    assert len(statements) <= 3, statements  # (the person may come from the test's session)


def _dead_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # closed again: nothing listens there


def test_my_agenda_renders_when_redis_is_down(app, world, caplog):
    event, me, other = world
    booking.book(event, [other.id, me.id], b2b_slots(event)[0].id)
    redis_url = f"redis://127.0.0.1:{_dead_port()}/0"
    down = make_app(
        app.config["SQLALCHEMY_DATABASE_URI"], CACHE_TYPE="RedisCache", CACHE_REDIS_URL=redis_url
    )
    client = down.test_client()
    login(client, me.user)
    for _ in range(2):
        page = agenda(client, event)
        assert entry("Opening plenary") in page and "B2B meeting: Otto Other" in page
    assert "Page cache unavailable" in caplog.text
