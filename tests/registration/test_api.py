"""The registration API: register, read, change, cancel; organisers list and decide."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from pic_events.core.types import utcnow
from pic_events.extensions import db
from pic_events.notifications.models import OutboxMessage
from pic_events.registration.models import Registration
from tests.factories import (
    api_auth,
    make_event,
    make_organiser,
    make_question,
    make_registration,
    make_user,
)

FIELDS = {
    "id",
    "event",
    "status",
    "position",
    "category",
    "answers",
    "session_ids",
    "name",
    "email",
    "organisation",
}


def test_register_with_a_token_returns_the_registration(client):
    event = make_event(slug="pic-2027")
    dinner = make_question(event, "Dinner", "yes_no")
    user = make_user(name="Zoé Durand")
    response = client.post(
        "/api/v1/events/pic-2027/registrations",
        json={"answers": {str(dinner.id): True}, "consent": True},
        headers=api_auth(user),
    )
    assert response.status_code == 201, response.json
    body = response.json
    assert set(body) >= FIELDS
    assert body["status"] == "confirmed" and body["position"] is None
    assert body["event"] == "pic-2027" and body["name"] == "Zoé Durand"
    assert body["answers"] == {str(dinner.id): True}
    assert body["category"] == "participant" and body["session_ids"] == []


def test_register_needs_login_and_consent(client):
    make_event(slug="pic-2027")
    response = client.post("/api/v1/events/pic-2027/registrations", json={"consent": True})
    assert response.status_code == 401
    headers = api_auth(make_user())
    response = client.post(
        "/api/v1/events/pic-2027/registrations", json={"answers": {}}, headers=headers
    )
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert "consent" in response.json["errors"]
    response = client.post(
        "/api/v1/events/pic-2027/registrations", json={"consent": False}, headers=headers
    )
    assert response.status_code == 422 and "consent" in response.json["errors"]


def test_bad_answers_give_422_with_errors_per_question(client):
    event = make_event(slug="pic-2027")
    guests = make_question(event, "Guests", "number")
    visit = make_question(event, "Visit", "single_choice", options=["A"], required=True)
    api_auth(make_user(), client)
    response = client.post(
        "/api/v1/events/pic-2027/registrations",
        json={"answers": {str(guests.id): "many"}, "consent": True},
    )
    assert response.status_code == 422
    errors = response.json["errors"]["answers"]
    assert set(errors) == {str(guests.id), str(visit.id)}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 0


def test_409_when_already_registered_or_closed(client):
    event = make_event(slug="pic-2027")
    user = make_user()
    api_auth(user, client)
    assert (
        client.post("/api/v1/events/pic-2027/registrations", json={"consent": True}).status_code
        == 201
    )
    again = client.post("/api/v1/events/pic-2027/registrations", json={"consent": True})
    assert again.status_code == 409 and again.json["code"] == "already_registered"
    event.registration_closes = utcnow() - timedelta(minutes=1)
    db.session.commit()
    api_auth(make_user(), client)
    closed = client.post("/api/v1/events/pic-2027/registrations", json={"consent": True})
    assert closed.status_code == 409 and "closed" in closed.json["detail"]


def test_409_when_full_without_waiting_list_and_waitlisted_with_position_otherwise(client):
    event = make_event(slug="pic-2027", capacity=1)
    make_registration(event)
    api_auth(make_user(), client)
    response = client.post("/api/v1/events/pic-2027/registrations", json={"consent": True})
    assert response.status_code == 201
    assert response.json["status"] == "waitlisted" and response.json["position"] == 1
    event.waitlist_enabled = False
    db.session.commit()
    api_auth(make_user(), client)
    response = client.post("/api/v1/events/pic-2027/registrations", json={"consent": True})
    assert response.status_code == 409


def test_pending_with_approval(client):
    make_event(slug="pic-2027", requires_approval=True)
    api_auth(make_user(), client)
    response = client.post("/api/v1/events/pic-2027/registrations", json={"consent": True})
    assert response.json["status"] == "pending"


def test_owner_reads_changes_and_cancels_and_the_waiting_list_moves(client):
    event = make_event(slug="pic-2027", capacity=1)
    diet = make_question(event, "Diet")
    owner, waiting = make_user(), make_user()
    api_auth(owner, client)
    created = client.post(
        "/api/v1/events/pic-2027/registrations",
        json={"answers": {str(diet.id): "vegan"}, "consent": True},
    ).json
    api_auth(waiting, client)
    waiting_id = client.post("/api/v1/events/pic-2027/registrations", json={"consent": True}).json[
        "id"
    ]
    api_auth(owner, client)
    url = f"/api/v1/registrations/{created['id']}"
    assert client.get(url).json["answers"] == {str(diet.id): "vegan"}
    assert client.get("/api/v1/events/pic-2027/registration").json["id"] == created["id"]
    changed = client.patch(url, json={"answers": {str(diet.id): "none"}, "listed": False})
    assert changed.status_code == 200 and changed.json["answers"] == {str(diet.id): "none"}
    bad = client.patch(url, json={"category": "steering"})
    assert bad.status_code == 422 and "category" in bad.json["errors"]
    cancelled = client.delete(url)
    assert cancelled.status_code == 200 and cancelled.json["status"] == "cancelled"
    assert client.delete(url).status_code == 409
    assert db.session.get(Registration, waiting_id).status == "confirmed"
    promoted = db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.recipient == waiting.email)
    ).all()[-1]
    assert promoted.subject.startswith("A place is yours")


def test_someone_elses_registration_is_not_found(client):
    event = make_event(slug="pic-2027")
    registration = make_registration(event, make_user())
    intruder = make_user()
    headers = api_auth(intruder)
    url = f"/api/v1/registrations/{registration.id}"
    assert client.get(url, headers=headers).status_code == 404
    assert client.patch(url, json={"listed": False}, headers=headers).status_code == 404
    assert client.delete(url, headers=headers).status_code == 404
    assert client.get("/api/v1/events/pic-2027/registrations", headers=headers).status_code == 403
    assert client.post(f"{url}/approve", headers=headers).status_code == 403
    assert db.session.get(Registration, registration.id).status == "confirmed"


def test_organiser_lists_filters_and_decides(client):
    event = make_event(slug="pic-2027", requires_approval=True)
    make_registration(event, make_user(name="Anouk de Vries"))
    pending = make_registration(event, make_user(name="Éloïse Martin"), status="pending")
    organiser = make_organiser()
    headers = api_auth(organiser)
    listing = client.get("/api/v1/events/pic-2027/registrations", headers=headers).json
    assert listing["total"] == 2 and listing["page"] == 1 and "per_page" in listing
    only = client.get("/api/v1/events/pic-2027/registrations?status=pending", headers=headers).json
    assert [r["name"] for r in only["items"]] == ["Éloïse Martin"]
    found = client.get("/api/v1/events/pic-2027/registrations?q=anouk", headers=headers).json
    assert [r["name"] for r in found["items"]] == ["Anouk de Vries"]
    approved = client.post(f"/api/v1/registrations/{pending.id}/approve", headers=headers)
    assert approved.status_code == 200 and approved.json["status"] == "confirmed"
    assert client.get(f"/api/v1/registrations/{pending.id}", headers=headers).status_code == 200


def test_questions_are_listed_with_places_left(client):
    event = make_event(slug="pic-2027")
    visit = make_question(event, "Visit", "single_choice", options=[("A", 2), "B"])
    make_registration(event, answers={visit.key: visit.options[0].id})
    from pic_events.registration.models import OptionPick

    registration = db.session.scalars(sa.select(Registration)).one()
    db.session.add(OptionPick(registration_id=registration.id, option_id=visit.options[0].id))
    db.session.commit()
    body = client.get("/api/v1/events/pic-2027/questions").json
    [question] = body["items"]
    assert question["type"] == "single_choice"
    assert [(o["label"], o["places_left"]) for o in question["options"]] == [("A", 1), ("B", None)]


def test_openapi_documents_the_answers_format(client):
    spec = client.get("/api/v1/openapi.json").json
    assert "/api/v1/events/{slug}/registrations" in spec["paths"]
    schema = spec["components"]["schemas"]["RegistrationCreate"]
    assert "question id" in schema["properties"]["answers"]["description"]
