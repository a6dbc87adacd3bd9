"""Check-in: the API the desk and scanner apps post to, and the desk page without JavaScript."""

from __future__ import annotations

from datetime import timedelta

import pytest

from pic_events.core.types import utcnow
from pic_events.extensions import db
from pic_events.registration.models import Registration
from tests.factories import (
    login,
    make_event,
    make_organisation,
    make_organiser,
    make_registration,
    make_user,
)


@pytest.fixture(autouse=True)
def _request_context(app):
    with app.test_request_context():
        yield


def _url(event) -> str:
    return f"/api/v1/events/{event.slug}/check-ins"


def _person(event, name="Gökçe Yıldız", **kw):
    organisation = make_organisation(f"Szegedi Paprika Zrt. ({name})", country="HU")
    return make_registration(event, make_user(name=name, organisation=organisation), **kw)


def test_first_scan_then_repeat_with_the_first_time(client, organiser_auth):
    event = make_event()
    registration = _person(event, category="speaker")
    _person(event, name="Other Person")
    first = client.post(
        _url(event), json={"code": registration.checkin_code}, headers=organiser_auth
    )
    assert first.status_code == 200
    body = first.json
    assert body["first_scan"] is True
    assert body["registration"]["name"] == "Gökçe Yıldız"
    assert body["registration"]["organisation"] == "Szegedi Paprika Zrt. (Gökçe Yıldız)"
    assert body["registration"]["category"] == "speaker"
    assert body["registration"]["category_label"] == "Speaker"
    assert (body["checked_in"], body["expected"]) == (1, 2)
    again = client.post(
        _url(event), json={"code": f"  {registration.checkin_code} "}, headers=organiser_auth
    )
    assert again.status_code == 200
    assert again.json["first_scan"] is False
    assert again.json["registration"]["checked_in_at"] == body["registration"]["checked_in_at"]
    assert again.json["checked_in"] == 1


def test_unknown_code_or_another_events_code_is_404(client, organiser_auth):
    event, other = make_event(), make_event()
    elsewhere = _person(other)
    for code in ("not-a-code", elsewhere.checkin_code, str(elsewhere.id)):
        response = client.post(_url(event), json={"code": code}, headers=organiser_auth)
        assert response.status_code == 404
        assert response.mimetype == "application/problem+json"
    db.session.expire_all()
    assert db.session.get(Registration, elsewhere.id).checked_in_at is None


def test_a_cancelled_registration_is_not_admitted(client, organiser_auth):
    event = make_event()
    registration = _person(event, status="cancelled")
    response = client.post(
        _url(event), json={"code": registration.checkin_code}, headers=organiser_auth
    )
    assert response.status_code == 409
    assert "not admitted" in response.json["detail"]
    db.session.expire_all()
    assert db.session.get(Registration, registration.id).checked_in_at is None


def test_bad_bodies_are_422(client, organiser_auth):
    event = make_event()
    for body in (
        {},
        {"code": ""},
        {"code": 12},
        {"code": "x" * 65},
        {"code": "a", "scanned_at": "x"},
    ):
        assert client.post(_url(event), json=body, headers=organiser_auth).status_code == 422


def test_only_organisers_check_people_in(client, member_auth):
    event = make_event()
    registration = _person(event)
    body = {"code": registration.checkin_code}
    assert client.post(_url(event), json=body).status_code == 401
    assert client.post(_url(event), json=body, headers=member_auth).status_code == 403
    db.session.expire_all()
    assert db.session.get(Registration, registration.id).checked_in_at is None


def test_an_offline_scan_keeps_its_time_if_recent(client, organiser_auth):
    event = make_event()
    earlier, future = _person(event), _person(event, name="Zoë Brontë")
    scanned = (utcnow() - timedelta(minutes=7)).replace(microsecond=0)
    response = client.post(
        _url(event),
        json={"code": earlier.checkin_code, "scanned_at": scanned.isoformat()},
        headers=organiser_auth,
    )
    assert response.json["registration"]["checked_in_at"] == scanned.isoformat()
    tomorrow = (utcnow() + timedelta(days=1)).isoformat()
    response = client.post(
        _url(event),
        json={"code": future.checkin_code, "scanned_at": tomorrow},
        headers=organiser_auth,
    )
    db.session.expire_all()
    assert db.session.get(Registration, future.id).checked_in_at <= utcnow()


def test_the_api_is_in_the_openapi_document(client):
    spec = client.get("/api/v1/openapi.json").json
    operation = spec["paths"]["/api/v1/events/{slug}/check-ins"]["post"]
    assert {"200", "404", "409"} <= set(operation["responses"])


def test_the_desk_page_checks_in_a_typed_code_without_javascript(client):
    event = make_event(timezone="Europe/Paris")
    registration = _person(event)
    _person(event, name="Other Person")
    login(client, make_organiser())
    page = client.get(f"/organiser/events/{event.slug}/check-in").get_data(as_text=True)
    assert "0 / 2 checked in" in page
    assert "html5-qrcode.min.js" in page and "HTTPS" in page
    url = f"/organiser/events/{event.slug}/check-in"
    page = client.post(url, data={"code": registration.checkin_code}).get_data(as_text=True)
    assert "First check-in" in page and "Gökçe Yıldız" in page and "1 / 2 checked in" in page
    assert "Reprint badge" in page
    page = client.post(url, data={"code": registration.checkin_code}).get_data(as_text=True)
    assert "Already checked in at" in page
    typed = client.post(url, data={"code": "\x00"})
    assert typed.status_code == 200 and "No badge of this event has this code." in typed.text
    page = client.post(url, data={"code": "nonsense"}).get_data(as_text=True)
    assert "No badge of this event has this code." in page
    assert 'value="nonsense"' in page  # what was typed stays


def test_members_do_not_see_the_desk(client):
    event = make_event()
    login(client, make_user())
    assert client.get(f"/organiser/events/{event.slug}/check-in").status_code == 403
