"""Self-service sign-up: the address is proved by a mailed link before the account may
register for anything, and the answer never tells whether the address has an account.

Both branches of `sign_up` do the same slow step (hashing the password), queue one mail and
commit once, so neither the page nor its timing tells a known address from a new one.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, url_for
from flask_babel import gettext as _
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy.exc import IntegrityError
from werkzeug.security import generate_password_hash

from pic_events.accounts import services
from pic_events.accounts.models import User
from pic_events.core.types import utcnow
from pic_events.extensions import db
from pic_events.notifications.services import queue_mail

VERIFY_SALT = "pic-events.email-verify"


class InvalidVerifyLink(Exception):
    def __init__(self, expired: bool) -> None:
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


def sign_up(*, next_path: str | None = None, **values: Any) -> User | None:
    """Create an unverified account and mail it its confirmation link; when the address
    already has an account, mail its owner a note instead. Invalid values raise
    ServiceValidationError (never "address taken"). Returns the new account, or None."""
    account = services.check_new_account(**values, check_taken=False)
    with db.session.no_autoflush:  # the organisation typed stays unwritten until we know
        existing = services.get_user_by_email(account.email)
    if existing is None:
        user = services.add_account(account, verified=False)
        try:
            db.session.flush()
        except IntegrityError:  # the address was taken a moment ago
            db.session.rollback()
        else:
            queue_mail(user.email, *_verification_mail(user, next_path))
            db.session.commit()
            return user
    if account.organisation is not None and account.organisation in db.session:
        db.session.expunge(account.organisation)  # an attempt creates nothing
    generate_password_hash(account.password, method="scrypt")  # as slow as a new account
    _mail_signup_attempt(existing or services.get_user_by_email(account.email))
    db.session.commit()
    return None


def _mail_signup_attempt(user: User | None) -> None:
    if user is None:  # deleted between two statements: nobody to tell
        return
    base = current_app.config["PUBLIC_BASE_URL"]
    with services.mail_locale(user):
        body = _(
            "Hello %(name)s,\n\n"
            "Someone (hopefully you) tried to sign up for PIC Meetings with this e-mail address, "
            "which already has an account.\n\n"
            "If it was you, log in here:\n%(login)s\n\n"
            "Forgot your password? Choose a new one here:\n%(reset)s\n\n"
            "If it was not you, ignore this message: nothing has changed.\n",
            name=user.name,
            login=base + url_for("accounts.login"),
            reset=base + url_for("accounts.forgot_password"),
        )
        queue_mail(user.email, _("Someone tried to sign up with your address"), body)


# The confirmation link ----------------------------------------------------------------------


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=VERIFY_SALT)


def make_verify_token(user: User, next_path: str | None = None) -> str:
    payload: dict[str, Any] = {"u": user.id, "e": user.email}
    if next_path:
        payload["n"] = next_path
    return _serializer().dumps(payload)


def verify_link(user: User, next_path: str | None = None) -> str:
    path = url_for("accounts.verify_email", token=make_verify_token(user, next_path))
    return current_app.config["PUBLIC_BASE_URL"] + path


def _verification_mail(user: User, next_path: str | None = None) -> tuple[str, str]:
    days = max(current_app.config["EMAIL_VERIFY_MAX_AGE"] // 86400, 1)
    with services.mail_locale(user):
        return _mail_text(user, days, verify_link(user, next_path))


def _mail_text(user: User, days: int, link: str) -> tuple[str, str]:
    body = _(
        "Hello %(name)s,\n\n"
        "Welcome to PIC Meetings! Confirm that this e-mail address is yours by opening this "
        "link within %(days)d days:\n\n%(link)s\n\n"
        "Until then you can log in, but not register for a meeting.\n"
        "If you did not sign up, ignore this message.\n",
        name=user.name,
        days=days,
        link=link,
    )
    return _("Confirm your e-mail address for PIC Meetings"), body


def verify_email(token: str, max_age: int | None = None) -> tuple[User, bool, str | None]:
    """Mark the address as confirmed. Returns the account, whether this link confirmed it
    (False when it already was) and the page to go to next, if the link carries one."""
    if max_age is None:
        max_age = current_app.config["EMAIL_VERIFY_MAX_AGE"]
    user, payload = services.load_signed_link(
        _serializer(),
        token,
        max_age,
        InvalidVerifyLink,
        lambda user, payload: payload.get("e") == user.email,
    )
    if user.is_verified:
        return user, False, None
    user.email_verified_at = utcnow()
    db.session.commit()
    next_path = payload.get("n")
    return user, True, next_path if isinstance(next_path, str) else None


def resend_verification(email: str | None) -> None:
    """Mail a fresh link if an unconfirmed account uses the address. Callers answer the same
    whichever way it goes."""
    user = services.get_user_by_email(email)
    if user is None or user.is_verified:
        return
    queue_mail(user.email, *_verification_mail(user))
    db.session.commit()
