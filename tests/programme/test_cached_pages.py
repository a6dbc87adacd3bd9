"""The cached public pages (event page, programme, programme.ics): 304 for repeat visitors,
never a stale page after an edit, personal state in the ETag, Redis down, several instances."""

from __future__ import annotations

import socket
from datetime import date

import pytest

from pic_events.events import services as event_services
from pic_events.events.models import Event
from pic_events.extensions import db
from pic_events.programme import services
from tests.conftest import make_app
from tests.factories import login, make_organiser, make_registration, make_room, make_user
from tests.programme.helpers import programme_event, workshop
from tests.queries import count_queries

DAY = date(2027, 6, 15)
PAGES = ("/events/{slug}", "/events/{slug}/programme", "/events/{slug}/programme.ics")


@pytest.fixture
def event(app):
    event = programme_event(title="Cached meeting", description="About the meeting.")
    room = make_room(event, "Loire hall")
    workshop(event, DAY, 9, 10, title="Seed phenotyping", room_id=room.id)
    workshop(event, DAY, 11, 12, title="Cider orchards", capacity=2)
    return event


def urls(event: Event) -> list[str]:
    return [page.format(slug=event.slug) for page in PAGES]


def refetch(client, url: str, first):
    return client.get(url, headers={"If-None-Match": first.headers["ETag"]})


def reload(event: Event) -> Event:
    db.session.expire_all()
    return db.session.get(Event, event.id)


@pytest.mark.parametrize("logged_in", [False, True])
def test_a_second_get_with_the_etag_is_304(client, event, logged_in):
    if logged_in:
        user = make_user()
        make_registration(event, user)
        login(client, user)
    for url in urls(event):
        first = client.get(url)
        assert first.status_code == 200, url
        again = refetch(client, url, first)
        assert again.status_code == 304, url
        assert again.data == b""
        assert again.headers["ETag"] == first.headers["ETag"]
        scope = first.headers["Cache-Control"]
        assert ("private" in scope) == logged_in, url


def test_if_modified_since_is_304_for_visitors(client, event):
    for url in urls(event):
        first = client.get(url)
        since = first.headers["Last-Modified"]
        assert client.get(url, headers={"If-Modified-Since": since}).status_code == 304, url


def test_a_session_edit_changes_every_page_at_once(client, event):
    url = f"/events/{event.slug}/programme"
    first = client.get(url)
    assert b"Seed phenotyping" in first.data
    session = next(s for s in services.event_sessions(event) if s.title == "Seed phenotyping")
    services.save_session(event, {"title": "Seed phenotyping and imaging"}, session)
    changed = refetch(client, url, first)
    assert changed.status_code == 200
    assert b"Seed phenotyping and imaging" in changed.data
    assert changed.headers["ETag"] != first.headers["ETag"]
    ics = client.get(f"/events/{event.slug}/programme.ics")
    assert b"Seed phenotyping and imaging" in ics.data


def test_a_room_edit_and_a_speaker_change_the_programme(client, event):
    url = f"/events/{event.slug}/programme"
    first = client.get(url)
    room = services.list_rooms(event)[0]
    services.save_room(event, {"name": "Anjou hall"}, room)
    second = refetch(client, url, first)
    assert second.status_code == 200 and b"Anjou hall" in second.data
    session = next(s for s in services.event_sessions(event) if s.title == "Cider orchards")
    services.save_session(event, {"speakers": [{"name": "Ana García"}]}, session)
    third = refetch(client, url, second)
    assert third.status_code == 200
    assert "Ana García" in third.get_data(as_text=True)


def test_an_event_edit_and_unpublishing_change_the_pages(client, event):
    page, programme = f"/events/{event.slug}", f"/events/{event.slug}/programme"
    first_page, first_programme = client.get(page), client.get(programme)
    event_services.update_event(event, {"description": "Now with site visits."})
    changed = refetch(client, page, first_page)
    assert changed.status_code == 200 and b"Now with site visits." in changed.data
    services.set_programme_published(reload(event), False)
    hidden = refetch(client, programme, first_programme)
    assert hidden.status_code == 200
    assert b"Seed phenotyping" not in hidden.data
    assert b"not published yet" in hidden.data
    assert client.get(f"/events/{event.slug}/programme.ics").status_code == 404


def test_an_organiser_edit_through_the_editor_is_seen_at_once(client, event):
    url = f"/events/{event.slug}/programme"
    first = client.get(url)
    session = next(s for s in services.event_sessions(event) if s.title == "Cider orchards")
    organiser = client.application.test_client()
    login(organiser, make_organiser())
    form = {
        "kind": "workshop",
        "title": "Cider orchards in Normandy",
        "day": "2027-06-15",
        "start_time": "11:00",
        "end_time": "12:00",
        "room_id": "0",
        "capacity": "2",
        "must_choose": "y",
        "speakers": "",
        "description": "",
    }
    response = organiser.post(
        f"/organiser/events/{event.slug}/sessions/{session.id}/edit", data=form
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    changed = refetch(client, url, first)
    assert changed.status_code == 200
    assert b"Cider orchards in Normandy" in changed.data


def test_a_members_choice_changes_their_etag_not_another_visitors(client, app, event):
    url = f"/events/{event.slug}/programme"
    visitor = app.test_client()
    seen_before = visitor.get(url)
    member = make_user()
    make_registration(event, member)
    login(client, member)
    mine = client.get(url)
    assert b"On my agenda" not in mine.data
    session = next(s for s in services.event_sessions(event) if s.title == "Seed phenotyping")
    client.post(f"/events/{event.slug}/sessions/{session.id}/choose", follow_redirects=True)
    mine_after = refetch(client, url, mine)
    assert mine_after.status_code == 200
    assert b"On my agenda" in mine_after.data
    assert mine_after.headers["ETag"] != mine.headers["ETag"]
    # No capacity in that session: the visitor's page is the very same (304, same body).
    assert refetch(visitor, url, seen_before).status_code == 304
    assert visitor.get(url).data == seen_before.data


def test_a_place_taken_shows_at_once_to_everyone(client, app, event):
    url = f"/events/{event.slug}/programme"
    visitor = app.test_client()
    before = visitor.get(url)
    assert b"2 places left" in before.data
    member = make_user()
    make_registration(event, member)
    login(client, member)
    session = next(s for s in services.event_sessions(event) if s.title == "Cider orchards")
    client.post(f"/events/{event.slug}/sessions/{session.id}/choose", follow_redirects=True)
    after = refetch(visitor, url, before)
    assert after.status_code == 200
    assert b"1 place left" in after.data


def test_the_language_switch_gives_the_other_language(client, event):
    for url in urls(event)[:2]:
        english = client.get(url, headers={"Accept-Language": "en"})
        french = client.get(
            url,
            headers={"Accept-Language": "fr", "If-None-Match": english.headers["ETag"]},
        )
        assert french.status_code == 200, url
        assert 'lang="fr"' in french.get_data(as_text=True)
        assert french.headers["ETag"] != english.headers["ETag"]
        assert "Accept-Language" in french.headers["Vary"]


def test_the_programme_feed_in_another_language_is_not_a_304(client, event):
    """The feed's words are translated: its ETag names the language, as its cache key does."""
    url = f"/events/{event.slug}/programme.ics"
    english = client.get(url, headers={"Accept-Language": "en"})
    french = client.get(
        url, headers={"Accept-Language": "fr", "If-None-Match": english.headers["ETag"]}
    )
    assert french.status_code == 200
    assert french.headers["ETag"] != english.headers["ETag"]


def test_a_flash_message_is_shown_not_answered_with_304(client, event):
    url = f"/events/{event.slug}/programme"
    first = client.get(url)
    with client.session_transaction() as session:
        session["_flashes"] = [("info", "Something happened.")]
    flashed = refetch(client, url, first)
    assert flashed.status_code == 200
    assert b"Something happened." in flashed.data
    assert b"Something happened." not in client.get(url).data


def test_a_logged_in_page_is_not_reused_once_its_csrf_tokens_may_expire(client, event, monkeypatch):
    user = make_user()
    login(client, user)
    url = f"/events/{event.slug}/programme"
    first = client.get(url)
    limit = client.application.config.get("WTF_CSRF_TIME_LIMIT", 3600)
    now = __import__("time").time()
    monkeypatch.setattr("pic_events.core.conditional.time.time", lambda: now + limit)
    later = refetch(client, url, first)
    assert later.status_code == 200
    assert later.headers["ETag"] != first.headers["ETag"]


def _dead_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # closed again: nothing listens there


def test_pages_answer_when_redis_is_down(app, event, caplog):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    redis_url = f"redis://127.0.0.1:{_dead_port()}/0"
    down = make_app(url, CACHE_TYPE="RedisCache", CACHE_REDIS_URL=redis_url)
    client = down.test_client()
    for page in urls(event):
        assert client.get(page).status_code == 200, page
        assert client.get(page).status_code == 200, page
    assert "Page cache unavailable" in caplog.text


def test_two_instances_never_serve_stale_content(app, event):
    """Two app instances, each with its own memory cache, on one database."""
    url = f"/events/{event.slug}/programme"
    other = make_app(app.config["SQLALCHEMY_DATABASE_URI"])
    reader = other.test_client()
    assert b"Seed phenotyping" in reader.get(url).data
    assert b"Seed phenotyping" in reader.get(url).data  # now from its cache
    editor = app.test_client()
    login(editor, make_organiser())
    session = next(s for s in services.event_sessions(event) if s.title == "Seed phenotyping")
    response = editor.post(f"/organiser/events/{event.slug}/sessions/{session.id}/delete")
    assert response.status_code == 302
    assert b"Seed phenotyping" not in reader.get(url).data
    assert b"Seed phenotyping" not in reader.get(f"/events/{event.slug}/programme.ics").data


def test_versions_move_with_content_and_with_places(app, event):
    before = (event.content_version, event.seats_version)
    make_registration(event, make_user())
    event = reload(event)
    assert event.content_version == before[0]
    assert event.seats_version != before[1]
    seats = event.seats_version
    workshop(event, DAY, 14, 15, title="Mushrooms")
    event = reload(event)
    assert event.content_version != before[0]
    assert event.seats_version != seats


def test_an_unrelated_event_keeps_its_version(app, event):
    other = programme_event(title="Another meeting")
    version = other.content_version
    workshop(event, DAY, 14, 15, title="Mushrooms")
    assert reload(other).content_version == version


def test_a_cached_page_costs_one_query_for_a_visitor(client, event):
    for url in urls(event):
        client.get(url)
        with count_queries() as statements:
            assert client.get(url).status_code == 200
        assert len(statements) == 1, (url, statements)  # the event, with its versions


def test_a_cached_programme_costs_a_few_queries_for_a_member(client, event):
    user = make_user()
    make_registration(event, user)
    login(client, user)
    url = f"/events/{event.slug}/programme"
    client.get(url)
    with count_queries() as statements:
        assert client.get(url).status_code == 200
    # the user, the event, the registration, its choices, and the pitch notes' questions
    assert len(statements) <= 6, statements
