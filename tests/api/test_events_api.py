"""The events API: who may read and write, field names, time zones, validation (422)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import func, select

from pic_events.events.models import Event, EventStatus
from pic_events.extensions import db
from tests.api.contract import EVENT_FIELDS
from tests.factories import make_event

NEW_EVENT = {
    "slug": "pic-2027",
    "title": "PIC Annual Meeting 2027",
    "description": "Horizon Europe consortia, B2B meetings.",
    "venue": "Terra Botanica",
    "city": "Angers",
    "country": "FR",
    "timezone": "Europe/Paris",
    "starts": "2027-03-30",
    "ends": "2027-04-01",
    "registration_opens": "2027-01-15T09:00:00+01:00",
    "registration_closes": "2027-03-28T09:00:00+02:00",
    "capacity": 150,
    "requires_approval": True,
}


def event_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Event))


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.json
    assert body["status"] == status
    assert body["title"] and "detail" in body
    return body


# Reading


def test_anyone_lists_published_and_archived_events_not_drafts(client):
    make_event("pic-2027", status=EventStatus.PUBLISHED)
    make_event("pic-2019", status=EventStatus.ARCHIVED, starts_on=date(2019, 4, 2))
    make_event("pic-2028", status=EventStatus.DRAFT)

    response = client.get("/api/v1/events")

    assert response.status_code == 200
    assert response.json["total"] == 2
    assert {e["slug"] for e in response.json["items"]} == {"pic-2027", "pic-2019"}
    assert set(response.json["items"][0]) == EVENT_FIELDS


def test_organisers_list_drafts_too_and_filter_by_status(client, organiser_auth):
    make_event("pic-2027", status=EventStatus.PUBLISHED)
    make_event("pic-2028", status=EventStatus.DRAFT)

    everything = client.get("/api/v1/events", headers=organiser_auth).json
    drafts = client.get("/api/v1/events?status=draft", headers=organiser_auth).json

    assert everything["total"] == 2
    assert [e["slug"] for e in drafts["items"]] == ["pic-2028"]
    assert client.get("/api/v1/events?status=draft").json == {"items": [], "total": 0}
    assert_problem(client.get("/api/v1/events?status=secret"), 422)


def test_event_gives_times_in_its_own_zone_with_offset(client):
    make_event(
        "pic-2027",
        timezone="Europe/Paris",
        starts_on=date(2027, 3, 30),
        ends_on=date(2027, 4, 1),
        registration_opens=datetime(2027, 1, 15, 8, 0, tzinfo=UTC),
        registration_closes=datetime(2027, 3, 28, 7, 0, tzinfo=UTC),
        capacity=None,
    )

    event = client.get("/api/v1/events/pic-2027").json

    assert event["starts"] == "2027-03-30"
    assert event["ends"] == "2027-04-01"
    assert event["registration_opens"] == "2027-01-15T09:00:00+01:00"  # winter time
    assert event["registration_closes"] == "2027-03-28T09:00:00+02:00"  # summer time
    assert event["capacity"] is None
    assert event["timezone"] == "Europe/Paris"


def test_a_draft_is_404_except_for_organisers(client, member_auth, organiser_auth):
    make_event("pic-2028", status=EventStatus.DRAFT)

    assert_problem(client.get("/api/v1/events/pic-2028"), 404)
    assert_problem(client.get("/api/v1/events/pic-2028", headers=member_auth), 404)
    response = client.get("/api/v1/events/pic-2028", headers=organiser_auth)
    assert response.status_code == 200
    assert response.json["status"] == "draft"
    assert_problem(client.get("/api/v1/events/no-such-event"), 404)


# Creating


def test_organiser_creates_an_event(client, organiser_auth):
    response = client.post("/api/v1/events", json=NEW_EVENT, headers=organiser_auth)

    assert response.status_code == 201, response.json
    assert response.headers["Location"].endswith("/api/v1/events/pic-2027")
    assert response.json == {**NEW_EVENT, "status": "draft", "programme_published": False}
    event = db.session.scalars(select(Event)).one()
    assert event.starts_on == date(2027, 3, 30)
    assert event.registration_closes == datetime(2027, 3, 28, 7, 0, tzinfo=UTC)
    assert event.status == EventStatus.DRAFT
    assert client.get(response.headers["Location"], headers=organiser_auth).json["slug"] == (
        "pic-2027"
    )


def test_instants_given_in_another_offset_come_back_in_the_event_zone(client, organiser_auth):
    body = {**NEW_EVENT, "registration_opens": "2027-01-15T08:00:00Z", "status": "published"}
    response = client.post("/api/v1/events", json=body, headers=organiser_auth)

    assert response.status_code == 201
    assert response.json["registration_opens"] == "2027-01-15T09:00:00+01:00"
    assert client.get("/api/v1/events/pic-2027").json["status"] == "published"


def test_anonymous_gets_401_and_member_403_and_nothing_is_written(client, member_auth):
    anonymous = assert_problem(client.post("/api/v1/events", json=NEW_EVENT), 401)
    member = assert_problem(client.post("/api/v1/events", json=NEW_EVENT, headers=member_auth), 403)

    assert "Bearer" in anonymous["detail"]
    assert member["detail"]
    assert event_count() == 0


def test_auth_is_checked_before_the_body(client, member_auth):
    assert_problem(client.post("/api/v1/events", json={"bogus": 1}), 401)
    assert_problem(client.post("/api/v1/events", json={"bogus": 1}, headers=member_auth), 403)


def test_bad_timezone_is_422_with_field_error_and_nothing_written(client, organiser_auth):
    body = {**NEW_EVENT, "timezone": "Mars/Olympus_Mons"}
    problem = assert_problem(client.post("/api/v1/events", json=body, headers=organiser_auth), 422)

    assert list(problem["errors"]) == ["timezone"]
    assert problem["errors"]["timezone"][0]
    assert event_count() == 0


def test_service_rules_come_back_under_the_api_field_names(client, organiser_auth):
    body = {**NEW_EVENT, "slug": "PIC 2027!", "starts": "2027-04-02", "title": "  "}
    problem = assert_problem(client.post("/api/v1/events", json=body, headers=organiser_auth), 422)

    assert set(problem["errors"]) == {"slug", "ends", "title"}
    assert event_count() == 0


def test_missing_required_fields_are_all_named(client, organiser_auth):
    problem = assert_problem(client.post("/api/v1/events", json={}, headers=organiser_auth), 422)
    assert {"title", "slug", "starts", "ends"} <= set(problem["errors"])


def test_times_without_offset_are_refused(client, organiser_auth):
    body = {**NEW_EVENT, "registration_opens": "2027-01-15T09:00:00"}
    problem = assert_problem(client.post("/api/v1/events", json=body, headers=organiser_auth), 422)

    assert list(problem["errors"]) == ["registration_opens"]
    assert event_count() == 0


def test_wrong_types_and_unknown_fields_are_422(client, organiser_auth):
    body = {**NEW_EVENT, "capacity": "many", "starts": "30/03/2027", "colour": "green"}
    problem = assert_problem(client.post("/api/v1/events", json=body, headers=organiser_auth), 422)
    assert {"capacity", "starts", "colour"} <= set(problem["errors"])


def test_a_slug_already_taken_is_a_field_error(client, organiser_auth):
    make_event("pic-2027")
    problem = assert_problem(
        client.post("/api/v1/events", json=NEW_EVENT, headers=organiser_auth), 422
    )
    assert list(problem["errors"]) == ["slug"]
    assert event_count() == 1


def test_overlong_title_is_a_field_error_on_every_database(client, organiser_auth):
    body = {**NEW_EVENT, "title": "x" * 201}
    problem = assert_problem(client.post("/api/v1/events", json=body, headers=organiser_auth), 422)
    assert list(problem["errors"]) == ["title"]


# Changing


def test_patch_changes_only_the_fields_given(client, organiser_auth):
    make_event("pic-2027", title="Old title", city="Angers", capacity=100, status=EventStatus.DRAFT)

    response = client.patch(
        "/api/v1/events/pic-2027",
        json={"title": "PIC 2027", "capacity": None, "status": "published"},
        headers=organiser_auth,
    )

    assert response.status_code == 200, response.json
    assert response.json["title"] == "PIC 2027"
    assert response.json["capacity"] is None
    assert response.json["city"] == "Angers"
    event = db.session.scalars(select(Event)).one()
    db.session.refresh(event)
    assert (event.title, event.capacity, event.status) == ("PIC 2027", None, "published")
    assert client.get("/api/v1/events/pic-2027").status_code == 200  # now public


def test_patch_can_rename_the_slug_and_clear_the_window(client, organiser_auth):
    make_event("pic-2027")
    response = client.patch(
        "/api/v1/events/pic-2027",
        json={"slug": "pic-2027-angers", "registration_opens": None},
        headers=organiser_auth,
    )
    assert response.status_code == 200
    assert response.json["slug"] == "pic-2027-angers"
    assert response.json["registration_opens"] is None
    assert_problem(client.get("/api/v1/events/pic-2027"), 404)


def test_invalid_patch_is_422_and_changes_nothing(client, organiser_auth):
    event = make_event("pic-2027", starts_on=date(2027, 3, 30), ends_on=date(2027, 4, 1))
    make_event("pic-2028")

    dates = assert_problem(
        client.patch(
            "/api/v1/events/pic-2027", json={"ends": "2027-03-01"}, headers=organiser_auth
        ),
        422,
    )
    taken = assert_problem(
        client.patch(
            "/api/v1/events/pic-2027",
            json={"slug": "pic-2028", "title": "Renamed"},
            headers=organiser_auth,
        ),
        422,
    )

    assert list(dates["errors"]) == ["ends"]
    assert list(taken["errors"]) == ["slug"]
    db.session.refresh(event)
    assert (event.slug, event.title, event.ends_on) == (
        "pic-2027",
        "Test meeting",
        date(2027, 4, 1),
    )


def test_patch_needs_an_organiser(client, member_auth, organiser_auth):
    make_event("pic-2027")
    assert_problem(client.patch("/api/v1/events/pic-2027", json={"title": "x"}), 401)
    assert_problem(
        client.patch("/api/v1/events/pic-2027", json={"title": "x"}, headers=member_auth), 403
    )
    assert_problem(
        client.patch("/api/v1/events/nothing-here", json={"title": "x"}, headers=organiser_auth),
        404,
    )
