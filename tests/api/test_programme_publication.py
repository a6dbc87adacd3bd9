"""An API client builds a programme, publishes it with PATCH, and members choose from it."""

from __future__ import annotations

from tests.factories import api_auth, login, make_event, make_organiser, make_user

API = "/api/v1"
EVENT = {
    "slug": "pic-2031",
    "title": "PIC 2031",
    "timezone": "Europe/Paris",
    "starts": "2031-06-15",
    "ends": "2031-06-16",
    "status": "published",
}
WORKSHOP = {
    "title": "Cider innovation",
    "kind": "workshop",
    "start": "2031-06-15T09:00:00+02:00",
    "end": "2031-06-15T10:30:00+02:00",
    "must_choose": True,
    "capacity": 10,
}


def test_an_api_client_builds_and_publishes_a_programme_members_choose_from(client):
    organiser = api_auth(make_organiser())
    member = api_auth(make_user())
    assert client.post(f"{API}/events", json=EVENT, headers=organiser).status_code == 201
    session = client.post(f"{API}/events/pic-2031/sessions", json=WORKSHOP, headers=organiser)
    assert session.status_code == 201, session.json
    session_id = session.json["id"]
    assert client.get(f"{API}/events/pic-2031").json["programme_published"] is False
    registered = client.post(
        f"{API}/events/pic-2031/registrations", json={"consent": True}, headers=member
    )
    assert registered.json["status"] == "confirmed"
    choose = f"{API}/events/pic-2031/sessions/{session_id}/choose"
    assert client.post(choose, headers=member).status_code == 404  # not published yet

    published = client.patch(
        f"{API}/events/pic-2031", json={"programme_published": True}, headers=organiser
    )
    assert published.status_code == 200 and published.json["programme_published"] is True
    assert client.get(f"{API}/events/pic-2031").json["programme_published"] is True

    chosen = client.post(choose, headers=member)
    assert chosen.status_code == 200, chosen.json
    assert chosen.json["chosen"] is True and chosen.json["places_left"] == 9


def test_only_organisers_publish_and_the_value_is_a_boolean(client):
    make_event("pic-2031")
    member = api_auth(make_user())
    patch = {"programme_published": True}
    assert client.patch(f"{API}/events/pic-2031", json=patch, headers=member).status_code == 403
    organiser = api_auth(make_organiser())
    response = client.patch(
        f"{API}/events/pic-2031", json={"programme_published": "maybe"}, headers=organiser
    )
    assert response.status_code == 422
    assert client.get(f"{API}/events/pic-2031").json["programme_published"] is False


def test_the_editors_publish_button_and_the_api_show_the_same_state(client):
    make_event("pic-2031")
    login(client, make_organiser())
    response = client.post("/organiser/events/pic-2031/programme/publish", data={"published": "1"})
    assert response.status_code == 302
    assert client.get(f"{API}/events/pic-2031").json["programme_published"] is True
