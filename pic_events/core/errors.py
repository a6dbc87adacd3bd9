"""Friendly HTML error pages; problem+json under /api/."""

from __future__ import annotations

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError, NotFound

from pic_events.core.problems import problem_for, problem_from_http_exception, wants_problem
from pic_events.core.validation import Conflict, NotFoundError, ServiceValidationError
from pic_events.extensions import db


def register(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def handle_http_exception(error: HTTPException):
        if wants_problem():
            return problem_from_http_exception(error)
        if error.code in (400, 403, 404, 405, 409, 429):
            return render_template("errors/error.html", error=error), error.code
        return error

    @app.errorhandler(CSRFError)
    def handle_csrf_error(error: CSRFError):
        if wants_problem():
            return problem_from_http_exception(error)
        return render_template("errors/error.html", error=error), 400

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
