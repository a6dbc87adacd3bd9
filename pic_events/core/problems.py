"""RFC 9457 problem details for the JSON API."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from flask import Response, jsonify, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

from pic_events.core.validation import (
    Conflict,
    ConflictingInput,
    NotFoundError,
    PermissionDenied,
    ServiceValidationError,
)

PROBLEM_MIMETYPE = "application/problem+json"

# The titles of the statuses the API answers with, in the reader's language (the English
# ones are werkzeug's; any other status keeps werkzeug's English name).
TITLES = {
    400: _l("Bad Request"),
    401: _l("Unauthorized"),
    403: _l("Forbidden"),
    404: _l("Not Found"),
    405: _l("Method Not Allowed"),
    409: _l("Conflict"),
    413: _l("Request Entity Too Large"),
    415: _l("Unsupported Media Type"),
    422: _l("Unprocessable Entity"),
    429: _l("Too Many Requests"),
    500: _l("Internal Server Error"),
    503: _l("Service Unavailable"),
}


def status_title(status: int) -> str:
    title = TITLES.get(status)
    return str(title) if title is not None else HTTP_STATUS_CODES.get(status, "Error")


def problem(status: int, detail: str = "", title: str | None = None, **extra: Any) -> Response:
    body = {
        "type": "about:blank",
        "title": title or status_title(status),
        "status": status,
        "detail": detail,
        **extra,
    }
    response = jsonify(body)
    response.status_code = status
    response.mimetype = PROBLEM_MIMETYPE
    return response


def wants_problem() -> bool:
    return request.path.startswith("/api/")


def problem_from_http_exception(error: HTTPException) -> Response:
    data = getattr(error, "data", None) or {}
    extra: dict[str, Any] = {}
    messages = data.get("messages")
    if messages:
        # webargs puts field errors under the request location ("json", "query").
        extra["errors"] = messages.get("json", messages) if isinstance(messages, dict) else messages
    extra.update(data.get("extra", {}))
    detail = data.get("message") or error.description or ""
    response = problem(error.code or 500, detail=detail, **extra)
    for header, value in getattr(error, "headers", None) or []:
        response.headers[header] = value
    return response


class ApiError(HTTPException):
    """Raised by API handlers and services' callers to answer with a problem."""

    def __init__(self, status: int, detail: str, **extra: Any) -> None:
        super().__init__(description=detail)
        self.code = status
        self.data = {"message": detail, "extra": extra}


SERVICE_ERRORS = (ServiceValidationError, Conflict, NotFoundError)


def problem_for(
    error: Exception, *, fields: Mapping[str, str] | None = None, invalid: str | None = None
) -> ApiError:
    """The one translation of a service's error into an API problem: invalid fields 422,
    refused to this person 403, a clash with the state 409, not found 404.

    `fields` renames the service's field names to the API's; `invalid` is the detail of a
    422 (else its first message). Field errors come under `errors`, "answers.12" nested as
    {"answers": {"12": [...]}} the way webargs reports fields; a refusal's `code`, if any,
    comes too."""
    if isinstance(error, NotFoundError):
        return ApiError(404, str(error))
    errors: dict[str, list[str]] = getattr(error, "errors", None) or {}
    extra: dict[str, Any] = {}
    if errors:
        extra["errors"] = _api_errors(errors, fields or {})
    if getattr(error, "code", None):
        extra["code"] = error.code
    if isinstance(error, ServiceValidationError):
        first = next((m for messages in errors.values() for m in messages), str(error))
        if isinstance(error, PermissionDenied):
            return ApiError(403, first, **extra)
        if isinstance(error, ConflictingInput):
            return ApiError(409, first, **extra)
        return ApiError(422, invalid or first, **extra)
    return ApiError(409, str(error), **extra)


@contextmanager
def service_errors(
    *, fields: Mapping[str, str] | None = None, invalid: str | None = None
) -> Iterator[None]:
    """Around a service call whose errors need the API's field names or a summary; other
    handlers need nothing: the app's error handler gives `problem_for(error)` itself."""
    try:
        yield
    except SERVICE_ERRORS as error:
        raise problem_for(error, fields=fields, invalid=invalid) from None


def _api_errors(errors: dict[str, list[str]], fields: Mapping[str, str]) -> dict[str, Any]:
    nested: dict[str, Any] = {}
    for key, messages in errors.items():
        head, dot, rest = key.partition(".")
        head = fields.get(head, head) or "_schema"
        if dot:
            nested.setdefault(head, {})[rest] = messages
        else:
            nested[head] = messages
    return nested
