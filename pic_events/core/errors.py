"""Friendly HTML error pages; problem+json under /api/.

When the database cannot be reached, every page and endpoint answers 503 with Retry-After
and the log gets one line per request (a restart of a few seconds must not write a
traceback per request)."""

from __future__ import annotations

from flask import Flask, current_app, g, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, InternalServerError, NotFound, ServiceUnavailable

from pic_events.core.problems import (
    problem,
    problem_for,
    problem_from_http_exception,
    wants_problem,
)
from pic_events.core.validation import Conflict, NotFoundError, ServiceValidationError
from pic_events.extensions import db, login_manager

HTML_ERROR_PAGES = (400, 403, 404, 405, 409, 413, 422, 429)
RETRY_AFTER_SECONDS = 30


def database_unavailable(error: Exception) -> bool:
    """Connection refused, lost or timed out: not the request's fault, try again later."""
    if isinstance(error, OperationalError | InterfaceError | PoolTimeout):
        return True
    return isinstance(error, DBAPIError) and bool(error.connection_invalidated)


def _one_line(error: Exception) -> str:
    cause = getattr(error, "orig", None) or error
    text = str(cause).strip().splitlines()
    return f"{type(cause).__name__}: {text[0] if text else ''}"


def _forget_session() -> None:
    try:
        db.session.rollback()
    except DBAPIError:  # the connection is gone; the pool replaces it
        db.session.close()


def service_unavailable_response(error: Exception):
    # Nothing below may ask the database who is calling (an API token, a session cookie):
    # the locale of the answer asks for the current user, and a second failure inside this
    # handler would turn the 503 into a 500.
    g._login_user = login_manager.anonymous_user()
    _forget_session()
    current_app.logger.error(
        "Database unavailable: %s %s (%s)", request.method, request.path, _one_line(error)
    )
    detail = _("The database is not reachable. Please try again in a moment.")
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    if wants_problem():
        response = problem(503, detail=detail)
        response.headers.update(headers)
        return response
    page = render_template("errors/error.html", error=ServiceUnavailable(detail))
    return page, 503, headers


def register(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def handle_http_exception(error: HTTPException):
        if wants_problem():
            return problem_from_http_exception(error)
        if error.code in HTML_ERROR_PAGES:
            return render_template("errors/error.html", error=error), error.code
        return error

    @app.errorhandler(CSRFError)
    def handle_csrf_error(error: CSRFError):
        if wants_problem():
            return problem_from_http_exception(error)
        return render_template("errors/error.html", error=error), 400

    @app.errorhandler(PoolTimeout)
    @app.errorhandler(DBAPIError)
    def handle_database_error(error: Exception):
        if not database_unavailable(error):
            return handle_unexpected(error)
        return service_unavailable_response(error)

    @app.errorhandler(NotFoundError)
    def handle_not_found(error: NotFoundError):
        return handle_http_exception(NotFound(description=str(error)))

    @app.errorhandler(ServiceValidationError)
    @app.errorhandler(Conflict)
    def handle_service_error(error: Exception):
        """API handlers let service errors through: they become problems here. In a page it
        is a bug (forms show service errors next to their fields): the 500 page."""
        if wants_problem():
            db.session.rollback()
            return problem_from_http_exception(problem_for(error))
        return handle_unexpected(error)

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception):
        if isinstance(error, HTTPException):
            return handle_http_exception(error)
        db.session.rollback()
        app.logger.exception("Unhandled error")
        if app.config.get("TESTING") and app.config.get("PROPAGATE_EXCEPTIONS", True):
            raise error
        wrapped = InternalServerError()
        if wants_problem():
            return problem_from_http_exception(wrapped)
        return render_template("errors/error.html", error=wrapped), 500
