"""Who may call an API endpoint: token or browser session (with CSRF), organisers."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import request
from flask_babel import gettext as _
from flask_login import current_user

from pic_events.accounts.auth import authenticated_by_token
from pic_events.core.problems import ApiError
from pic_events.extensions import csrf

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def check_session_csrf() -> None:
    """Token calls need no CSRF token; calls made with the browser's cookie do."""
    if request.method not in UNSAFE_METHODS:
        return
    # Resolving current_user first is what tells whether a token was used.
    if current_user.is_authenticated and not authenticated_by_token():
        csrf.protect()


def login_required(view: Callable) -> Callable:
    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            raise ApiError(401, _("Log in or send 'Authorization: Bearer TOKEN'."))
        return view(*args, **kwargs)

    return wrapped


def organiser_required(view: Callable) -> Callable:
    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_organiser:
            raise ApiError(403, _("Only organisers may do this."))
        return view(*args, **kwargs)

    return wrapped
