"""Whole-API promises: the OpenAPI document, and errors as RFC 9457 problems."""

from __future__ import annotations

import json
import re

import pytest

from tests.api.contract import EVENT_FIELDS

API = "/api/v1"


@pytest.fixture
def openapi(client) -> dict:
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200
    return json.loads(response.get_data(as_text=True))


def served_api_endpoints(app) -> set[tuple[str, str]]:
    """(method, OpenAPI path) of every JSON endpoint the app answers under /api/v1."""
    served = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(API + "/") or rule.rule.endswith("openapi.json"):
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            served.add((method.lower(), path))
    return served


def test_openapi_document_is_openapi_3(openapi):
    assert openapi["openapi"].startswith("3.")
    assert openapi["info"]["title"]
    assert openapi["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


def test_openapi_describes_every_endpoint_served(app, openapi):
    served = served_api_endpoints(app)
    documented = {(m, p) for p, methods in openapi["paths"].items() for m in methods}

    assert {("get", "/api/v1/events"), ("patch", "/api/v1/events/{slug}")} <= served
    assert served <= documented, f"served but not documented: {served - documented}"


def test_openapi_marks_organiser_endpoints_with_bearer_security(openapi):
    events = openapi["paths"]["/api/v1/events"]
    event = openapi["paths"]["/api/v1/events/{slug}"]

    assert events["post"]["security"] == [{"bearer": []}]
    assert event["patch"]["security"] == [{"bearer": []}]
    assert "security" not in events["get"]
    assert "201" in events["post"]["responses"]
    assert {"401", "403", "422"} <= set(events["post"]["responses"])


def test_openapi_event_schema_uses_the_contract_field_names(openapi):
    properties = openapi["components"]["schemas"]["Event"]["properties"]
    assert set(properties) == EVENT_FIELDS
    assert properties["starts"]["format"] == "date"
    assert properties["registration_opens"]["format"] == "date-time"


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    body = response.json
    assert body["status"] == status
    assert isinstance(body["title"], str) and body["title"]
    assert isinstance(body["detail"], str)
    return body


def test_unknown_url_under_the_api_is_a_problem_404(client):
    assert_problem(client.get(f"{API}/no-such-thing"), 404)
    assert_problem(client.get(f"{API}/events/a/b/c"), 404)


def test_html_404_stays_html(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"


def test_wrong_method_is_a_problem_405(client):
    assert_problem(client.delete(f"{API}/events"), 405)


def test_malformed_json_is_a_problem_400(client):
    response = client.post(f"{API}/tokens", data="{not json", content_type="application/json")
    assert_problem(response, 400)


def test_validation_errors_are_a_problem_422_with_field_errors(client):
    body = assert_problem(client.post(f"{API}/tokens", json={}), 422)
    assert set(body["errors"]) >= {"email", "password"}
    assert all(isinstance(messages, list) for messages in body["errors"].values())


def test_openapi_document_validates_as_openapi_3_0(openapi):
    from openapi_spec_validator import validate
    from openapi_spec_validator.validation import OpenAPIV30SpecValidator

    assert openapi["openapi"] == "3.0.3"
    validate(openapi, cls=OpenAPIV30SpecValidator)
    assert '"type": "null"' not in json.dumps(openapi)  # 3.1's way; 3.0 says nullable


def test_openapi_error_answers_are_problem_json(openapi):
    responses = openapi["components"]["responses"]
    for name in ("DEFAULT_ERROR", "UNPROCESSABLE_ENTITY"):
        content = responses[name]["content"]
        assert set(content) == {"application/problem+json"}, name
        assert content["application/problem+json"]["schema"] == {
            "$ref": "#/components/schemas/Problem"
        }
    problem = openapi["components"]["schemas"]["Problem"]["properties"]
    assert {"type", "title", "status", "detail", "errors"} <= set(problem)
    for path in openapi["paths"].values():
        for operation in path.values():
            if isinstance(operation, dict) and "responses" in operation:
                assert "default" in operation["responses"] or any(
                    code.startswith(("4", "5")) for code in operation["responses"]
                )


def test_paged_lists_share_one_set_of_parameters(openapi):
    from pic_events.core.pagination import MAX_PER_PAGE

    listing = openapi["paths"]["/api/v1/events/{slug}/registrations"]["get"]
    parameters = {p["name"]: p["schema"] for p in listing["parameters"]}
    assert parameters["per_page"]["maximum"] == MAX_PER_PAGE
    assert parameters["page"]["minimum"] == 1
    page = openapi["components"]["schemas"]["RegistrationPage"]["properties"]
    assert {"items", "total", "page", "per_page"} <= set(page)
