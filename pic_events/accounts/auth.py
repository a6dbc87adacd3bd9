"""How a request is authenticated (session cookie or API token) and who may do what."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort, current_app, g, has_request_context, request, session
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, current_user

from pic_events.accounts.models import ApiToken, User, hash_token
from pic_events.core.types import utcnow
from pic_events.extensions import db


def configure(manager: LoginManager) -> None:
    manager.login_view = "accounts.login"
    manager.login_message = _l("Please log in to see this page.")
    manager.login_message_category = "info"
    manager.session_protection = "basic"
    manager.user_loader(load_user)
    manager.request_loader(load_user_from_token)


def load_user(session_id: str) -> User | None:
    """The session holds "id.fingerprint" (User.get_id): a password change ends it."""
    user_id, _, fingerprint = session_id.partition(".")
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or fingerprint != user.password_fingerprint:
        return None
    return user


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return None


def load_user_from_token(req) -> User | None:
    token = bearer_token()
    if not token:
        return None
    api_token = db.session.scalar(
        db.select(ApiToken).where(
            ApiToken.token_hash == hash_token(token),
            ApiToken.revoked_at.is_(None),
            db.or_(ApiToken.expires_at.is_(None), ApiToken.expires_at > utcnow()),
        )
    )
    if api_token is None:
        return None
    api_token.last_used_at = utcnow()
    db.session.commit()
    g.token_auth = True
    return api_token.user


def authenticated_by_token() -> bool:
    return bool(g.get("token_auth"))


LOCALE_SESSION_KEY = "locale"


def select_locale() -> str | None:
    """The member's profile language, else the language a visitor chose in the navigation,
    else the browser's Accept-Language, else the default (English)."""
    if not has_request_context():  # CLI and background jobs: the default locale
        return None
    languages = list(current_app.config["LANGUAGES"])
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    return visitor_locale()


def visitor_locale() -> str | None:
    languages = list(current_app.config["LANGUAGES"])
    chosen = session.get(LOCALE_SESSION_KEY)
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages)


def organiser_required(view: Callable) -> Callable:
    """Anonymous users go to the log-in page; members get 403."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return current_app.login_manager.unauthorized()
        if not current_user.is_organiser:
            abort(403)
        return view(*args, **kwargs)

    return wrapped
