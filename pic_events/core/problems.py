"""RFC 9457 problem details for the JSON API."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

PROBLEM_MIMETYPE = "application/problem+json"


def problem(status: int, detail: str = "", title: str | None = None, **extra: Any) -> Response:
    body = {
        "type": "about:blank",
        "title": title or HTTP_STATUS_CODES.get(status, "Error"),
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
