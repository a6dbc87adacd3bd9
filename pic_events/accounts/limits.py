"""Rate-limit keys beside the client address: the e-mail address a request is about, or the
account making it. Each limited view carries both kinds of limit, so neither many clients
against one address nor one client against many addresses gets through."""

from __future__ import annotations

from flask import request
from flask_limiter.util import get_remote_address
from flask_login import current_user

from pic_events.accounts.services import normalise_email


def _email_key(value: object) -> str:
    return "email:" + normalise_email(value if isinstance(value, str) else None)


def form_email() -> str:
    """The normalised `email` field of a posted form."""
    return _email_key(request.form.get("email"))


def json_email() -> str:
    """The normalised `email` member of a JSON body."""
    body = request.get_json(silent=True)
    return _email_key(body.get("email") if isinstance(body, dict) else None)


def account() -> str:
    """The logged-in account (by session or token); the client address otherwise."""
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return get_remote_address()
