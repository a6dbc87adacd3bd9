"""The cached participant catalogue: every kind of change shows on the next request (each test
fails if the cache keys miss the part it changes), the page is personal, 304 for a repeat,
and the page still answers with Redis down."""

from __future__ import annotations

import re

import pytest

from pic_events.extensions import db
from pic_events.matchmaking import booking, profiles, requests
from tests.conftest import make_app
from tests.factories import b2b_slots, login, make_b2b_event
from tests.matchmaking.profile_helpers import person
from tests.programme.test_cached_pages import _dead_port
from tests.queries import count_queries


@pytest.fixture
def event(app):
    return make_b2b_event(slots=2, tables=4)


@pytest.fixture
def people(event):
    """Me (seeking phenotyping) and two others who offer it."""
    me = person(
        event,
        "Ana Me",
        organisation="Ana Seeds",
        cluster="Vegepolys",
        profile={"offers": "cereal breeding", "seeks": "seed phenotyping", "sectors": ["seeds"]},
    )
    bo = person(
        event,
        "Bo Other",
        organisation="Bo Imaging",
        cluster="Plant Alliance",
        country="DE",
        profile={"offers": "seed phenotyping platform", "seeks": "cereal breeding"},
    )
    cy = person(
        event,
        "Cy Third",
        organisation="Cy Labs",
        country="PL",
        kind="research",
        profile={"offers": "drone imaging", "seeks": "orchards"},
    )
    return me, bo, cy


def url(event, query: str = "") -> str:
    return f"/events/{event.slug}/b2b/participants{query}"


def page(client, event, query: str = "") -> str:
    response = client.get(url(event, query))
    assert response.status_code == 200
    return response.get_data(as_text=True)


def suggestions(html: str) -> str:
    """The "People you should meet" section ('' when there is none)."""
    match = re.search(
        r'<section class="mb-4" aria-labelledby="suggestions-title">.*?</section>', html, re.S
    )
    return match.group(0) if match else ""


@pytest.fixture
def member(client, people):
    login(client, people[0].user)
    return client


def test_a_profile_edited_by_someone_else_shows_at_once(member, event, people):
    _me, bo, _cy = people
    assert "seed phenotyping platform" in page(member, event)
    assert "seed phenotyping platform" in page(member, event)  # from the cache
    profiles.save_profile(bo, profiles.ProfileInput(offers="hydroponic towers", seeks="cereal"))
    html = page(member, event)
    assert "hydroponic towers" in html
    assert "seed phenotyping platform" not in html
    assert "Bo Other" in page(member, event, "?q=hydroponic")


def test_a_name_change_shows_on_cards_search_and_filters(member, event, people):
    _me, bo, _cy = people
    page(member, event)
    page(member, event, "?q=bo")
    bo.user.name = "Bodil Renamed"
    db.session.commit()
    assert "Bodil Renamed" in page(member, event)
    assert "Bodil Renamed" in page(member, event, "?q=bodil")
    organisation = bo.user.organisation
    organisation.name = "Optics United"
    organisation.cluster.name = "Cluster Nouveau"
    db.session.commit()
    html = page(member, event)
    assert "Optics United" in html
    assert "Cluster Nouveau" in html  # the card and the cluster filter's options
    assert html.count("Cluster Nouveau") >= 2
    assert "Plant Alliance" not in html


def test_a_change_of_an_organisations_kind_shows_in_the_kind_filter(member, event, people):
    _me, bo, _cy = people
    research = page(member, event, "?kind=research")
    assert "Cy Third" in research and "Bo Other" not in research
    bo.user.organisation.kind = "research"
    db.session.commit()
    research = page(member, event, "?kind=research")
    assert "Bo Other" in research and "Cy Third" in research
    assert "Bo Other" not in page(member, event, "?kind=sme")


def test_a_person_who_unlists_themselves_disappears(member, event, people):
    _me, _bo, cy = people
    html = page(member, event)
    assert "Cy Third" in html
    assert "2 participants" in html
    profiles.save_profile(cy, profiles.ProfileInput(offers="drone imaging", listed=False))
    html = page(member, event)
    assert "Cy Third" not in html
    assert "1 participant" in html
    assert "Cy Third" not in page(member, event, "?country=PL")
    assert "Poland" not in html  # nor in the country filter


def test_a_meeting_booked_moves_suggestions_and_common_free_slots(member, event, people):
    me, bo, cy = people
    assert "Bo Other" in suggestions(page(member, event))
    assert "Cy Third" in page(member, event, "?common_free=1")
    slots = b2b_slots(event)
    booking.book(event, [bo.id, me.id], slots[0].id)
    assert "Bo Other" not in suggestions(page(member, event))  # I already meet them
    booking.book(event, [cy.id, me.id], slots[1].id)
    assert "Cy Third" not in page(member, event, "?common_free=1")  # no slot left in common


def test_a_request_sent_moves_the_b2b_version_and_the_page(member, event, people):
    """A request changes nothing on the cards, but the page is built again (its key holds
    the b2b_version that requests move) and still shows everyone."""
    me, bo, _cy = people
    first = member.get(url(event))
    requests.send_request(
        event, me, bo.id, message="Shall we meet?", slot_id=b2b_slots(event)[0].id
    )
    again = member.get(url(event), headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200
    assert again.headers["ETag"] != first.headers["ETag"]
    assert "Bo Other" in again.get_data(as_text=True)


def test_the_page_is_personal(client, event, people):
    me, bo, _cy = people
    login(client, me.user)
    mine = page(client, event)
    login(client, bo.user)
    theirs = page(client, event)
    assert "Ana Me" not in suggestions(mine)
    assert "Ana Me" in suggestions(theirs)  # I am on their list, not on mine
    assert "Bo Other" not in suggestions(theirs)
    assert f'<a href="/events/{event.slug}/b2b/participants/{me.id}">Ana Me</a>' not in mine


def test_my_own_listing_shows_at_once(member, event, people):
    me, _bo, _cy = people
    assert "You are hidden from the catalogue" not in page(member, event)
    me.listed = False
    db.session.commit()
    assert "You are hidden from the catalogue" in page(member, event)


def test_query_args_pages_and_filters(member, event, people):
    _me, _bo, _cy = people
    everyone = page(member, event, "?per_page=1")
    second = page(member, event, "?per_page=1&page=2")
    assert "Bo Other" in everyone and "Cy Third" not in everyone
    assert "Cy Third" in second and "Bo Other" not in second
    assert "Nobody matches these filters." in page(member, event, "?per_page=1&page=3") or (
        "Cy Third" not in page(member, event, "?per_page=1&page=3")
    )
    germany = page(member, event, "?country=DE")
    assert "Bo Other" in germany and "Cy Third" not in germany
    research = page(member, event, "?kind=research")
    assert "Cy Third" in research and "Bo Other" not in research


def test_the_language_is_part_of_the_key(member, event, people):
    english = page(member, event)
    french = member.get(url(event), headers={"Accept-Language": "fr"})
    assert french.status_code == 200
    assert 'lang="fr"' in french.get_data(as_text=True)
    assert 'lang="en"' in english


def test_a_second_get_with_the_etag_is_304(member, event, people):
    first = member.get(url(event))
    again = member.get(url(event), headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert "private" in first.headers["Cache-Control"]


def test_a_flash_message_is_shown_not_cached(member, event, people):
    page(member, event)
    with member.session_transaction() as session:
        session["_flashes"] = [("info", "Something happened.")]
    assert "Something happened." in page(member, event)
    assert "Something happened." not in page(member, event)


def _token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_a_new_session_token_gets_a_page_with_forms_that_post(app, client, event, people):
    app.config["WTF_CSRF_ENABLED"] = True
    login(client, people[0].user)
    page(client, event)
    with client.session_transaction() as session:
        session.pop("csrf_token", None)  # as after logging in again
    html = page(client, event)
    response = client.post("/logout", data={"csrf_token": _token(html)})
    assert response.status_code == 302


def test_the_csrf_period_is_part_of_the_key(member, event, people, monkeypatch):
    first = member.get(url(event))
    limit = member.application.config.get("WTF_CSRF_TIME_LIMIT", 3600)
    now = __import__("time").time()
    monkeypatch.setattr("pic_events.core.conditional.time.time", lambda: now + limit)
    later = member.get(url(event), headers={"If-None-Match": first.headers["ETag"]})
    assert later.status_code == 200


def test_a_cached_page_costs_a_few_queries(member, event, people):
    page(member, event)
    db.session.expunge_all()
    with count_queries() as statements:
        page(member, event)
    # the user, the event, my registration and the event's B2B settings (may I browse?)
    assert len(statements) == 4, statements


def test_the_catalogue_answers_when_redis_is_down(app, event, people, caplog):
    down = make_app(
        app.config["SQLALCHEMY_DATABASE_URI"],
        CACHE_TYPE="RedisCache",
        CACHE_REDIS_URL=f"redis://127.0.0.1:{_dead_port()}/0",
    )
    client = down.test_client()
    login(client, people[0].user)
    for query in ("", "", "?q=phenotyping", "?common_free=1", "?country=DE"):
        response = client.get(url(event, query))
        assert response.status_code == 200, query
        assert "Bo Other" in response.get_data(as_text=True), query
    assert "Page cache unavailable" in caplog.text
    assert client.get(f"/events/{event.slug}/b2b/recommendations").status_code == 200
