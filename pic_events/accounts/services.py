"""Account rules shared by the HTML pages, the API and the CLI."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from pic_events.accounts import standing
from pic_events.accounts.models import ApiToken, Role, User, hash_token
from pic_events.core.countries import is_country
from pic_events.core.types import utcnow
from pic_events.core.validation import ServiceValidationError
from pic_events.directory import services as directory
from pic_events.directory.models import Organisation
from pic_events.extensions import db
from pic_events.notifications.services import queue_mail

PASSWORD_MIN_LENGTH = 10
NAME_MAX = 200
TOKEN_NAME_MAX = 100
TOKEN_DAYS_MIN, TOKEN_DAYS_MAX = 1, 3650
RESET_SALT = "pic-events.password-reset"
Errors = dict[str, list[str]]


@cache
def _dummy_hash() -> str:
    """Checked against when the e-mail is unknown, so both answers take about as long."""
    return generate_password_hash("not a real password", method="scrypt")


class InvalidResetLink(Exception):
    def __init__(self, expired: bool) -> None:
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


def _add(errors: Errors, field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def normalise_email(email: str | None) -> str:
    return (email or "").strip().lower()


def get_user_by_email(email: str | None) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def _email_errors(errors: Errors, email: str, *, check_taken: bool = True) -> None:
    if not email:
        _add(errors, "email", _("An e-mail address is required."))
        return
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        _add(errors, "email", _("This does not look like an e-mail address."))
        return
    if check_taken and get_user_by_email(email) is not None:
        _add(errors, "email", _("An account already uses this e-mail address. Log in instead?"))


def password_errors(password: str | None, field: str = "password") -> Errors:
    if len(password or "") < PASSWORD_MIN_LENGTH:
        message = _("Use at least %(n)d characters.", n=PASSWORD_MIN_LENGTH)
        return {field: [message]}
    return {}


def _name_errors(errors: Errors, name: str) -> None:
    if not name:
        _add(errors, "name", _("Your name is required."))
    elif len(name) > NAME_MAX:
        _add(errors, "name", _("Keep the name under %(n)d characters.", n=NAME_MAX))


def _country_errors(errors: Errors, country: str | None, required: bool) -> None:
    if country and not is_country(country):
        _add(errors, "country", _("Choose a country from the list."))
    elif required and not country:
        _add(errors, "country", _("Choose your country."))


def _organisation_errors(errors: Errors, organisation_id: int | None) -> None:
    if organisation_id is not None and directory.get_organisation(organisation_id) is None:
        _add(errors, "organisation", _("This organisation is not in the list (any more)."))


def _new_organisation(values: dict[str, Any], errors: Errors):
    """Build the organisation typed at sign-up; its field errors get an `organisation_` prefix."""
    taken = _("This organisation is already in the list: choose it there.")
    try:
        return directory.build_organisation(values, taken=taken)
    except ServiceValidationError as error:
        for field, messages in error.errors.items():
            errors.setdefault(f"organisation_{field}", []).extend(messages)
        return None


@dataclass
class NewAccount:
    """Checked sign-up values; `organisation` is the one typed at sign-up (in the session)."""

    email: str
    name: str
    password: str
    country: str | None
    organisation_id: int | None
    organisation: Organisation | None
    role: Role
    locale: str | None


def check_new_account(
    *,
    email: str,
    name: str,
    password: str,
    country: str | None = None,
    organisation_id: int | None = None,
    new_organisation: dict[str, Any] | None = None,
    role: Role = Role.MEMBER,
    locale: str | None = None,
    country_required: bool = False,
    check_taken: bool = True,
) -> NewAccount:
    """Validate an account to create; ServiceValidationError lists what is wrong."""
    email, name = normalise_email(email), (name or "").strip()
    country = (country or "").strip().upper() or None
    errors: Errors = {}
    _email_errors(errors, email, check_taken=check_taken)
    _name_errors(errors, name)
    errors.update(password_errors(password))
    _country_errors(errors, country, country_required)
    _organisation_errors(errors, organisation_id)
    if errors:
        raise ServiceValidationError(errors)
    organisation = _new_organisation(new_organisation, errors) if new_organisation else None
    if errors:
        db.session.rollback()
        raise ServiceValidationError(errors)
    return NewAccount(
        email, name, password, country, organisation_id, organisation, Role(role), locale
    )


def add_account(account: NewAccount, *, verified: bool) -> User:
    """Add the checked account to the session (the caller commits)."""
    user = User(email=account.email, name=account.name, role=account.role.value)
    user.country = account.country
    user.organisation_id = account.organisation_id
    if account.organisation is not None:
        user.organisation = account.organisation
    if account.locale in current_app.config["LANGUAGES"]:
        user.locale = account.locale
    user.email_verified_at = utcnow() if verified else None
    user.set_password(account.password)
    db.session.add(user)
    return user


def register_user(*, verified: bool = False, **values: Any) -> User:
    """Create an account (and the organisation typed with it) in one transaction. `verified`
    for accounts made by someone trusted (the CLI); sign-up goes through accounts.signup."""
    user = add_account(check_new_account(**values), verified=verified)
    _commit_registration()
    return user


def _commit_registration() -> None:
    try:
        db.session.commit()
    except IntegrityError:
        # Someone took the address (or the organisation name) between check and commit.
        db.session.rollback()
        raise ServiceValidationError(
            {"email": [_("An account already uses this e-mail address. Log in instead?")]}
        ) from None


def account_for_person(
    email: str | None, name: str | None, organisation_id: int | str | None = None
) -> User:
    """The account with this e-mail address (whatever its case), or a new member account made
    by an organiser: verified, since the organiser vouches for it, and without a password
    until the person sets one through "forgot my password". Flushed, not committed: the
    caller's change commits it."""
    email, name = normalise_email(email), (name or "").strip()
    digits = str(organisation_id or "")
    organisation_id = int(digits) if digits.isdigit() and len(digits) < 10 else None
    errors: Errors = {}
    _email_errors(errors, email, check_taken=False)
    if errors:
        raise ServiceValidationError(errors)
    user = get_user_by_email(email)
    if user is not None:
        return user
    if not name:
        message = _("Nobody has an account with this e-mail: give a name to create one.")
        raise ServiceValidationError({"name": [message]})
    _name_errors(errors, name)
    _organisation_errors(errors, organisation_id)
    if errors:
        raise ServiceValidationError(errors)
    user = User(email=email, name=name, organisation_id=organisation_id)
    user.email_verified_at = utcnow()
    try:
        with db.session.begin_nested():
            db.session.add(user)
    except IntegrityError:  # made by someone else a moment ago
        return get_user_by_email(email)
    return user


def login_rate_limit() -> str:
    """Log-in attempts per client address (HTML form and token exchange alike)."""
    return current_app.config["LOGIN_RATE_LIMIT"]


def signup_rate_limit() -> str:
    return current_app.config["SIGNUP_RATE_LIMIT"]


def mail_address_rate_limit() -> str:
    """Requests that mail an address (sign-up, reset, new confirmation link), per address."""
    return current_app.config["MAIL_ADDRESS_RATE_LIMIT"]


def account_rate_limit() -> str:
    """Password changes and token creation, per account."""
    return current_app.config["ACCOUNT_RATE_LIMIT"]


def authenticate(email: str | None, password: str | None) -> User | None:
    user = get_user_by_email(email)
    if user is None:
        check_password_hash(_dummy_hash(), password or "")
        return None
    return user if user.check_password(password or "") else None


def update_profile(
    user: User,
    *,
    name: str,
    organisation_id: int | None,
    country: str | None,
    locale: str | None,
) -> User:
    name = (name or "").strip()
    country = (country or "").strip().upper() or None
    errors: Errors = {}
    _name_errors(errors, name)
    _country_errors(errors, country, required=False)
    _organisation_errors(errors, organisation_id)
    if locale not in current_app.config["LANGUAGES"]:
        _add(errors, "locale", _("Choose a language from the list."))
    if errors:
        raise ServiceValidationError(errors)
    user.name, user.country, user.locale = name, country, locale
    standing.organisation_changing(user, organisation_id)
    user.organisation_id = organisation_id
    db.session.commit()
    return user


def set_locale(user: User, locale: str) -> None:
    """The language switch: only a language the site offers."""
    if locale not in current_app.config["LANGUAGES"]:
        raise ServiceValidationError({"locale": [_("Choose a language from the list.")]})
    user.locale = locale
    db.session.commit()


def change_password(user: User, current_password: str, new_password: str) -> None:
    errors: Errors = {}
    if not user.check_password(current_password or ""):
        _add(errors, "current_password", _("This is not your current password."))
    errors.update(password_errors(new_password, "new_password"))
    if errors:
        raise ServiceValidationError(errors)
    user.set_password(new_password)
    db.session.commit()


# API tokens -------------------------------------------------------------------------------


def _token_errors(name: str, expires_in_days: int | None) -> Errors:
    errors: Errors = {}
    if not name:
        _add(errors, "name", _("Give the token a name, e.g. “my laptop”."))
    elif len(name) > TOKEN_NAME_MAX:
        _add(errors, "name", _("Keep the name under %(n)d characters.", n=TOKEN_NAME_MAX))
    if expires_in_days is not None and not (
        isinstance(expires_in_days, int) and TOKEN_DAYS_MIN <= expires_in_days <= TOKEN_DAYS_MAX
    ):
        message = _(
            "Give a number of days from %(min)d to %(max)d, or leave it empty for no expiry.",
            min=TOKEN_DAYS_MIN,
            max=TOKEN_DAYS_MAX,
        )
        _add(errors, "expires_in_days", message)
    return errors


def create_api_token(
    user: User, name: str, expires_in_days: int | None = None
) -> tuple[ApiToken, str]:
    """Return the stored token and its plain text, which is shown once and never stored.
    Without `expires_in_days` the token lasts until it is revoked."""
    name = (name or "").strip()
    errors = _token_errors(name, expires_in_days)
    if errors:
        raise ServiceValidationError(errors)
    plaintext = "pic_" + secrets.token_urlsafe(32)
    token = ApiToken(user=user, name=name, token_hash=hash_token(plaintext), prefix=plaintext[:10])
    if expires_in_days is not None:
        token.expires_at = utcnow() + timedelta(days=expires_in_days)
    db.session.add(token)
    db.session.commit()
    return token, plaintext


def revoke_api_token(user: User, token_id: int) -> ApiToken | None:
    """Revoke one of the user's own tokens; None when it is not theirs or does not exist."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        return None
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.session.commit()
    return token


def calendar_url(user: User) -> str:
    return f"{current_app.config['PUBLIC_BASE_URL']}/calendar/{user.calendar_token}.ics"


# Password reset ---------------------------------------------------------------------------


def _reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=RESET_SALT)


def make_password_reset_token(user: User) -> str:
    return _reset_serializer().dumps({"u": user.id, "p": user.password_fingerprint})


def load_signed_link(
    serializer: URLSafeTimedSerializer,
    token: str,
    max_age: int,
    invalid: Callable[..., Exception],
    still_valid: Callable[[User, dict], bool],
) -> tuple[User, dict]:
    """The account a signed, expiring link of ours names ({"u": user id, ...}) and its payload;
    `invalid(expired=...)` is raised for an expired, forged or no longer valid link."""
    try:
        payload = serializer.loads(token, max_age=max_age)
    except SignatureExpired:
        raise invalid(expired=True) from None
    except BadSignature:
        raise invalid(expired=False) from None
    user_id = payload.get("u") if isinstance(payload, dict) else None
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or not still_valid(user, payload):
        raise invalid(expired=False)
    return user, payload


def verify_password_reset_token(token: str, max_age: int | None = None) -> User:
    if max_age is None:
        max_age = current_app.config["PASSWORD_RESET_MAX_AGE"]
    user, _payload = load_signed_link(
        _reset_serializer(),
        token,
        max_age,
        InvalidResetLink,
        lambda user, payload: payload.get("p") == user.password_fingerprint,
    )
    return user


def password_reset_link(user: User) -> str:
    path = url_for("accounts.reset_password", token=make_password_reset_token(user))
    return current_app.config["PUBLIC_BASE_URL"] + path


def mail_locale(user: User):
    """Mails speak the recipient's language (their profile's), not the requester's."""
    languages = current_app.config["LANGUAGES"]
    return force_locale(user.locale if user.locale in languages else "en")


def request_password_reset(email: str | None) -> None:
    """Mail a reset link if the account exists. Callers answer the same either way."""
    user = get_user_by_email(email)
    check_password_hash(_dummy_hash(), "")  # the same slow step for known and unknown addresses
    if user is None:
        return
    minutes = current_app.config["PASSWORD_RESET_MAX_AGE"] // 60
    with mail_locale(user):
        body = _(
            "Hello %(name)s,\n\n"
            "Someone (hopefully you) asked to reset the password of your PIC Meetings account.\n"
            "Choose a new password here within %(minutes)d minutes:\n\n%(link)s\n\n"
            "If you did not ask for this, ignore this message: your password stays the same.\n",
            name=user.name,
            minutes=minutes,
            link=password_reset_link(user),
        )
        queue_mail(user.email, _("Reset your PIC Meetings password"), body)
    db.session.commit()


def reset_password(token: str, new_password: str, max_age: int | None = None) -> User:
    """Set the new password: the log-in sessions end (the fingerprint changes) and every API
    token is revoked, since whoever knew the old password may have made some. The link came
    by mail, so it also confirms the address (and locks out whoever signed up with it)."""
    user = verify_password_reset_token(token, max_age=max_age)
    errors = password_errors(new_password)
    if errors:
        raise ServiceValidationError(errors)
    user.set_password(new_password)
    _revoke_all_tokens(user)
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
    db.session.commit()
    return user


def _revoke_all_tokens(user: User) -> None:
    now = utcnow()
    for token in user.api_tokens:
        if token.revoked_at is None:
            token.revoked_at = now
