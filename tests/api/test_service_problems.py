"""One translation of service errors into problems, one 404 for a missing or hidden event."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from pic_events.core.problems import problem_for
from pic_events.core.validation import (
    Conflict,
    ConflictingInput,
    NotFoundError,
    PermissionDenied,
    ServiceValidationError,
)
from pic_events.events.models import EventStatus
from pic_events.registration.services import AlreadyRegistered
from tests.factories import api_auth, login, make_event, make_organiser, make_question, make_user

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("error", "status", "detail"),
    [
        (ServiceValidationError({"title": ["A title is required."]}), 422, "A title is required."),
        (PermissionDenied({"session_ids": ["Steering only."]}), 403, "Steering only."),
        (ConflictingInput({"session_ids": ["Same time."]}), 409, "Same time."),
        (Conflict("“Cider” is full."), 409, "“Cider” is full."),
        (NotFoundError("No event has this address."), 404, "No event has this address."),
    ],
)
def test_each_kind_of_service_error_has_its_status(app, error, status, detail):
    problem = problem_for(error)
    assert (problem.code, problem.description) == (status, detail)


def test_field_names_are_renamed_and_answers_nested(app):
    error = ServiceValidationError({"starts_at": ["Give a time."], "answers.12": ["Too long."]})
    problem = problem_for(error, fields={"starts_at": "start"}, invalid="Not saved.")
    assert problem.description == "Not saved."
    assert problem.data["extra"]["errors"] == {
        "start": ["Give a time."],
        "answers": {"12": ["Too long."]},
    }
    refused = problem_for(AlreadyRegistered("You are already registered for this meeting."))
    assert (refused.code, refused.data["extra"]["code"]) == (409, "already_registered")


def test_a_handler_without_its_own_error_handling_answers_a_problem(client):
    event = make_event("pic-2027")
    question = make_question(event, "Guests", "number")
    response = client.post(
        "/api/v1/events/pic-2027/registrations",
        json={"answers": {str(question.id): "several"}, "consent": False},
        headers=api_auth(make_user()),
    )
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    assert set(response.json["errors"]) == {"answers", "consent"}
    assert list(response.json["errors"]["answers"]) == [str(question.id)]


API_PATHS = [
    ("get", "/api/v1/events/{slug}"),
    ("get", "/api/v1/events/{slug}/sessions"),
    ("get", "/api/v1/events/{slug}/rooms"),
    ("get", "/api/v1/events/{slug}/questions"),
    ("get", "/api/v1/events/{slug}/registration"),
    ("post", "/api/v1/events/{slug}/registrations"),
]
PAGES = [
    "/events/{slug}",
    "/events/{slug}/programme",
    "/events/{slug}/my-agenda",
    "/events/{slug}/register",
    "/events/{slug}/registration",
]


@pytest.mark.parametrize("slug", ["no-such-event", "a-draft"])
def test_a_missing_or_draft_event_is_the_same_404_everywhere(app, client, slug):
    make_event("a-draft", status=EventStatus.DRAFT)
    member = make_user()
    api = app.test_client()
    headers = api_auth(member)
    details = set()
    for method, path in API_PATHS:
        response = getattr(api, method)(
            path.format(slug=slug), json={"consent": True}, headers=headers
        )
        assert response.status_code == 404, path
        assert response.mimetype == "application/problem+json"
        details.add(response.json["detail"])
    assert details == {"No event has this address."}
    login(client, member)
    for path in PAGES:
        assert client.get(path.format(slug=slug)).status_code == 404, path


def test_organiser_pages_of_a_missing_event_are_404(client):
    login(client, make_organiser())
    for path in ("/organiser/events/nope/registrations", "/organiser/events/nope/programme"):
        assert client.get(path).status_code == 404


def _api_error_details() -> list[tuple[str, int]]:
    """(file, line) of every ApiError(...) whose detail is not a gettext call."""
    bare = []
    for path in sorted((ROOT / "pic_events").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "ApiError":
                detail = node.args[1] if len(node.args) > 1 else None
                if isinstance(detail, ast.Constant):
                    bare.append((str(path.relative_to(ROOT)), node.lineno))
    return bare


def test_api_messages_go_through_babel():
    assert _api_error_details() == []
