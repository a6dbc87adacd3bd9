"""Public answers kept in the worker (core.answer_cache, PUBLIC_ANSWER_SECONDS): given again
to anonymous visitors without the database, forgotten at once by this worker's changes,
after the interval for another worker's, and never given to anyone who is not anonymous."""

from __future__ import annotations

from datetime import date

import pytest

from pic_events.core import answer_cache
from pic_events.programme import services
from tests.conftest import make_app
from tests.factories import login, make_organiser, make_registration, make_room, make_user
from tests.programme.helpers import programme_event, workshop
from tests.queries import count_queries

DAY = date(2027, 6, 15)
SECONDS = 30


@pytest.fixture
def event(app):
    event = programme_event(title="Kept meeting")
    room = make_room(event, "Loire hall")
    workshop(event, DAY, 9, 10, title="Seed phenotyping", room_id=room.id)
    return event


@pytest.fixture
def worker(app):
    """A second app on the same database, as another gunicorn worker, keeping answers."""
    return make_app(app.config["SQLALCHEMY_DATABASE_URI"], PUBLIC_ANSWER_SECONDS=SECONDS)


def page(event) -> str:
    return f"/events/{event.slug}/programme"


def test_a_kept_answer_costs_no_query_and_keeps_its_etag(worker, event):
    client = worker.test_client()
    first = client.get(page(event))
    assert first.status_code == 200
    with count_queries(worker) as statements:
        again = client.get(page(event))
        not_modified = client.get(page(event), headers={"If-None-Match": first.headers["ETag"]})
    assert statements == []
    assert again.data == first.data
    assert again.headers["ETag"] == first.headers["ETag"]
    assert again.headers["Content-Security-Policy"]  # the app's headers, added again
    assert not_modified.status_code == 304 and not_modified.data == b""


def test_a_change_in_this_worker_is_seen_at_once(worker, event):
    client = worker.test_client()
    assert b"Seed phenotyping" in client.get(page(event)).data
    editor = worker.test_client()
    login(editor, make_organiser())
    session = next(s for s in services.event_sessions(event) if s.title == "Seed phenotyping")
    url = f"/organiser/events/{event.slug}/sessions/{session.id}/delete"
    assert editor.post(url).status_code == 302
    assert b"Seed phenotyping" not in client.get(page(event)).data


def test_another_workers_change_is_seen_after_the_interval(app, worker, event, monkeypatch):
    reader = worker.test_client()
    assert b"Seed phenotyping" in reader.get(page(event)).data
    editor = app.test_client()  # the other worker
    login(editor, make_organiser())
    session = next(s for s in services.event_sessions(event) if s.title == "Seed phenotyping")
    assert (
        editor.post(f"/organiser/events/{event.slug}/sessions/{session.id}/delete").status_code
        == 302
    )
    assert b"Seed phenotyping" in reader.get(page(event)).data  # kept, for now
    later = answer_cache.time.monotonic() + SECONDS + 1
    monkeypatch.setattr(answer_cache.time, "monotonic", lambda: later)
    assert b"Seed phenotyping" not in reader.get(page(event)).data


def test_only_anonymous_visitors_get_a_kept_answer(worker, event):
    worker.test_client().get(page(event))  # kept
    member = worker.test_client()
    user = make_user(name="Zoë Keeper")
    make_registration(event, user)
    login(member, user)
    mine = member.get(page(event))
    assert "Zoë Keeper" in mine.get_data(as_text=True)
    assert "private" in mine.headers["Cache-Control"]
    remembered = worker.test_client()
    remembered.set_cookie("remember_token", "1|x")
    token = remembered.get(page(event), headers={"Authorization": "Bearer nothing"})
    with count_queries(worker) as statements:
        remembered.get(page(event))
    assert statements, "a remember-me cookie is checked, never answered from memory"
    assert token.status_code == 200


def test_a_flash_waiting_and_another_language_are_not_answered_from_memory(worker, event):
    client = worker.test_client()
    english = client.get(page(event), headers={"Accept-Language": "en"})
    french = client.get(page(event), headers={"Accept-Language": "fr"})
    assert 'lang="fr"' in french.get_data(as_text=True)
    assert french.headers["ETag"] != english.headers["ETag"]
    with client.session_transaction() as session:
        session["_flashes"] = [("info", "Something happened.")]
    assert b"Something happened." in client.get(page(event)).data


def test_off_by_default_outside_production(app, event):
    client = app.test_client()
    client.get(page(event))
    with count_queries() as statements:
        client.get(page(event))
    assert statements  # the version is read every time
    assert app.config["PUBLIC_ANSWER_SECONDS"] == 0


def test_each_query_and_head_are_answered_as_the_app_would(worker, event):
    client = worker.test_client()
    everything = client.get(page(event))
    breaks = client.get(page(event) + "?kind=break")
    assert b"Seed phenotyping" in everything.data
    assert b"Seed phenotyping" not in breaks.data
    assert client.get(page(event) + "?kind=break").data == breaks.data  # kept apart
    head = client.head(page(event))
    assert head.status_code == 200 and head.data == b""
    assert head.headers["ETag"] == everything.headers["ETag"]
    since = client.get(
        page(event), headers={"If-Modified-Since": everything.headers["Last-Modified"]}
    )
    assert since.status_code == 304
