"""The personal feed is cached: a fetch that finds it costs one query and writes nothing,
and every kind of change, made by the person or by anyone else, shows in the next fetch."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from pic_events.accounts import standing
from pic_events.calendar import services
from pic_events.calendar.models import FeedState
from pic_events.core.types import utcnow
from pic_events.extensions import db
from pic_events.matchmaking import booking
from pic_events.registration import privacy, session_choices
from tests.calendar.ics import check_ics, events_by_uid
from tests.calendar.test_personal_feed import _b2b_world, _book, _feed, _start
from tests.conftest import make_app
from tests.factories import (
    b2b_slots,
    login,
    make_cluster,
    make_organisation,
    make_organiser,
    make_programme_session,
    make_registration,
    make_user,
)
from tests.programme.test_cached_pages import _dead_port
from tests.queries import count_queries


def _cached(client, user):
    """The feed, fetched until it comes from the cache (one query: nothing built)."""
    url = f"/calendar/{user.calendar_token}.ics"
    first = client.get(url)
    with count_queries() as statements:
        again = client.get(url)
    assert len(statements) == 1, statements
    assert again.data == first.data and again.headers["ETag"] == first.headers["ETag"]
    return first


def _next(client, user, before):
    """The next fetch of a calendar app that holds `before`: the change, not a 304."""
    response = client.get(
        f"/calendar/{user.calendar_token}.ics", headers={"If-None-Match": before.headers["ETag"]}
    )
    assert response.status_code == 200
    assert response.headers["ETag"] != before.headers["ETag"]
    return response


def _events(response):
    return events_by_uid(check_ics(response.data))


def test_a_cached_feed_costs_one_query_and_writes_nothing(client, app):
    _event, ana, *_ = _b2b_world()
    first = _cached(client, ana)
    state = db.session.get(FeedState, f"user:{ana.id}")
    url = f"/calendar/{ana.calendar_token}.ics"
    with count_queries() as statements:
        again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and len(statements) == 1
    assert not any(s.lstrip().upper().startswith(("INSERT", "UPDATE")) for s in statements)
    assert state.etag == first.headers["ETag"].strip('"')


def test_a_change_that_leaves_the_body_alone_keeps_etag_and_last_modified(client, app):
    """Someone else registers: the event's versions move, the feed is built again, but its
    body is the same, so its ETag and Last-Modified stay (the feed state is not written)."""
    event, ana, *_ = _b2b_world()
    first = _cached(client, ana)
    make_registration(event, make_user())
    url = f"/calendar/{ana.calendar_token}.ics"
    with count_queries() as statements:
        again = client.get(url)
    assert len(statements) > 1  # built again: the key moved
    assert not any(s.lstrip().upper().startswith(("INSERT", "UPDATE")) for s in statements)
    assert again.headers["ETag"] == first.headers["ETag"]
    assert again.headers["Last-Modified"] == first.headers["Last-Modified"]


def test_a_session_choice_shows_at_once(client, app):
    _event, ana, _ben, ana_reg, _ben_reg, (_plenary, _workshop, other) = _b2b_world()
    first = _cached(client, ana)
    assert f"session-{other.id}@localhost" not in _events(first)
    session_choices.choose_session(ana_reg, other)
    assert f"session-{other.id}@localhost" in _events(_next(client, ana, first))


def test_a_moved_then_cancelled_meeting_shows_at_once(client, app):
    event, ana, _ben, ana_reg, ben_reg, _ = _b2b_world()
    meeting = _book(event, ana_reg, ben_reg)
    uid = f"meeting-{meeting.id}@localhost"
    first = _cached(client, ana)
    booking.move(meeting, b2b_slots(event)[2].id)
    moved = _next(client, ana, first)
    assert _events(moved)[uid].decoded("DTSTART") == b2b_slots(event)[2].starts_at
    _cached(client, ana)
    booking.cancel(meeting, by=ben_reg, reason="Flight cancelled")
    assert str(_events(_next(client, ana, moved))[uid]["STATUS"]) == "CANCELLED"


def test_an_organisers_session_edit_shows_at_once(client, app):
    event, ana, _ben, _ana_reg, _ben_reg, (plenary, _workshop, _other) = _b2b_world()
    first = _cached(client, ana)
    organiser = app.test_client()
    login(organiser, make_organiser())
    form = {
        "kind": plenary.kind,
        "title": "Opening plenary",
        "day": event.starts_on.isoformat(),
        "start_time": "14:00",
        "end_time": "15:00",
        "room_id": "0",
        "capacity": "",
        "speakers": "",
        "description": "",
    }
    response = organiser.post(
        f"/organiser/events/{event.slug}/sessions/{plenary.id}/edit", data=form
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    changed = _events(_next(client, ana, first))[f"session-{plenary.id}@localhost"]
    assert str(changed["SUMMARY"]) == "Opening plenary"


def test_another_persons_new_name_shows_in_my_meeting(client, app):
    event, ana, ben, ana_reg, ben_reg, _ = _b2b_world()
    meeting = _book(event, ana_reg, ben_reg)
    first = _cached(client, ana)
    ben.name = "Benjamin Okafor"
    db.session.commit()
    mine = _events(_next(client, ana, first))[f"meeting-{meeting.id}@localhost"]
    assert str(mine["SUMMARY"]) == "B2B meeting: Benjamin Okafor (Seedlab)"


def test_an_anonymised_partner_shows_at_once(client, app):
    """A past meeting stays when a partner's registration is anonymised (nothing else of it
    changes here: not listed, no request, the profile deleted in bulk); their name goes
    from my feed."""
    event, ana, _ben, ana_reg, ben_reg, _ = _b2b_world()
    meeting = booking.book(event, [ana_reg.id, ben_reg.id], b2b_slots(event)[0].id)
    shift = (utcnow().date() - timedelta(days=3)) - event.starts_on
    event.starts_on, event.ends_on = event.starts_on + shift, event.ends_on + shift
    for slot in b2b_slots(event):
        slot.starts_at, slot.ends_at = slot.starts_at + shift, slot.ends_at + shift
    ben_reg.listed = False
    db.session.commit()
    first = _cached(client, ana)
    assert b"Ben Okafor" in first.data and b"Seed breeding" in first.data
    privacy.anonymise(ben_reg)
    db.session.commit()
    changed = _next(client, ana, first)
    assert b"Ben Okafor" not in changed.data and b"Seed breeding" not in changed.data
    mine = _events(changed)[f"meeting-{meeting.id}@localhost"]
    assert str(mine["SUMMARY"]) == "B2B meeting: Anonymised participant"


def test_my_own_language_shows_at_once(client, app):
    event, ana, _ben, ana_reg, ben_reg, _ = _b2b_world()
    meeting = _book(event, ana_reg, ben_reg)
    first = _cached(client, ana)
    ana.locale = "fr"
    db.session.commit()
    mine = _events(_next(client, ana, first))[f"meeting-{meeting.id}@localhost"]
    assert str(mine["SUMMARY"]).startswith("Rendez-vous B2B")


def test_the_language_of_someone_registered_nowhere_shows_too(client, app):
    user = make_user(name="Zoé")
    first = _cached(client, user)
    user.locale = "fr"
    db.session.commit()
    name = str(check_ics(_next(client, user, first).data)["X-WR-CALNAME"])
    assert name != str(check_ics(first.data)["X-WR-CALNAME"]) and name.endswith("Zoé")


def test_standing_granted_shows_the_restricted_sessions(client, app):
    """Marked a steering member by an organiser, or the person's confirmed organisation's
    cluster becoming a steering cluster: the restricted sessions join the feed."""
    event, ana, ben, *_ = _b2b_world()
    board = make_programme_session(
        event, _start(event, 17), _start(event, 18), title="Board", restricted=True
    )
    uid = f"session-{board.id}@localhost"
    first = _cached(client, ana)
    assert uid not in _events(first)
    standing.mark_steering_member(ana, actor=make_organiser())
    assert uid in _events(_next(client, ana, first))

    cluster = make_cluster()
    ben.organisation = make_organisation("Seedlab cluster member", cluster=cluster)
    db.session.commit()
    standing.confirm_organisation(ben, actor=make_organiser())
    first = _cached(client, ben)
    assert uid not in _events(first)
    cluster.steering_committee = True
    db.session.commit()
    assert uid in _events(_next(client, ben, first))


def test_an_ended_event_drops_its_cancelled_meetings_though_cached(client, app):
    event, ana, _ben, ana_reg, ben_reg, _ = _b2b_world()
    meeting = _book(event, ana_reg, ben_reg)
    booking.cancel(meeting, by=ana_reg, reason="Flight cancelled")
    uid = f"meeting-{meeting.id}@localhost".encode()
    last_day = services.start_of_day(event.ends_on, event.timezone) + timedelta(hours=23)
    during, _state = services.cached_personal_feed(ana.calendar_token, now=last_day)
    assert uid in during.body
    after, _state = services.cached_personal_feed(
        ana.calendar_token, now=last_day + timedelta(hours=1)
    )
    assert uid not in after.body


def test_the_feed_answers_when_redis_is_down(app, caplog):
    _event, ana, *_ = _b2b_world()
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    redis_url = f"redis://127.0.0.1:{_dead_port()}/0"
    down = make_app(url, CACHE_TYPE="RedisCache", CACHE_REDIS_URL=redis_url).test_client()
    first = _feed(down, ana)
    again = _feed(down, ana)
    assert first.status_code == again.status_code == 200
    assert again.headers["ETag"] == first.headers["ETag"]
    assert len(_events(again)) == 2  # the plenary and the chosen workshop
    assert "Page cache unavailable" in caplog.text
    state = db.session.scalar(sa.select(FeedState).where(FeedState.key == f"user:{ana.id}"))
    assert state.etag == first.headers["ETag"].strip('"')
