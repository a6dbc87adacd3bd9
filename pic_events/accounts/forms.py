from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, EqualTo, Length, NumberRange, Optional, ValidationError

from pic_events.accounts.services import PASSWORD_MIN_LENGTH, TOKEN_DAYS_MAX, TOKEN_DAYS_MIN
from pic_events.core.countries import country_choices
from pic_events.core.forms import Form
from pic_events.directory import services as directory
from pic_events.directory.forms import kind_choices

NEW_ORGANISATION = "new"


def _password_help():
    return _l("At least %(n)d characters.", n=PASSWORD_MIN_LENGTH)


def _organisation_options() -> list[tuple[str, str]]:
    return [(str(oid), name) for oid, name in directory.organisation_choices()]


def _optional_int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


class LoginForm(Form):
    email = EmailField(_l("E-mail"), validators=[DataRequired()])
    password = PasswordField(_l("Password"), validators=[DataRequired()])
    remember = BooleanField(_l("Keep me logged in on this device"))


class SignupForm(Form):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    password = PasswordField(
        _l("Password"), validators=[DataRequired()], description=_password_help()
    )
    confirm = PasswordField(
        _l("Confirm the password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )
    organisation = SelectField(
        _l("Organisation"),
        validators=[DataRequired(_l("Choose your organisation, or “not in the list” to add it."))],
    )
    # Used only for a new organisation; the directory's rules check them then.
    organisation_name = StringField(_l("Organisation name"), validators=[Length(max=200)])
    organisation_country = SelectField(_l("Organisation's country"), validate_choice=False)
    organisation_kind = SelectField(_l("Kind of organisation"), validate_choice=False)
    organisation_cluster_id = SelectField(
        _l("Cluster"),
        validate_choice=False,
        description=_l("The PIC cluster your organisation belongs to, if any"),
    )
    country = SelectField(_l("Your country"), validators=[DataRequired(_l("Choose your country."))])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        countries = [("", "—")] + country_choices()
        self.organisation.choices = [
            ("", _l("Choose your organisation…")),
            (NEW_ORGANISATION, _l("My organisation is not in the list")),
            *_organisation_options(),
        ]
        self.organisation_country.choices = countries
        self.organisation_kind.choices = kind_choices()
        self.organisation_cluster_id.choices = [("", _l("No cluster / I do not know"))] + [
            (str(cid), name) for cid, name in directory.cluster_choices()
        ]
        self.country.choices = countries

    @property
    def wants_new_organisation(self) -> bool:
        return self.organisation.data == NEW_ORGANISATION

    def validate_organisation_name(self, field) -> None:
        if self.wants_new_organisation and not (field.data or "").strip():
            raise ValidationError(_l("Type the name of your organisation."))

    def values(self) -> dict[str, Any]:
        new_organisation = None
        if self.wants_new_organisation:
            new_organisation = {
                "name": self.organisation_name.data,
                "country": self.organisation_country.data,
                "kind": self.organisation_kind.data,
                "cluster_id": self.organisation_cluster_id.data or None,
            }
        return {
            "email": self.email.data,
            "name": self.name.data,
            "password": self.password.data,
            "country": self.country.data,
            "organisation_id": _optional_int(self.organisation.data),
            "new_organisation": new_organisation,
            "country_required": True,
        }


class ForgotPasswordForm(Form):
    email = EmailField(_l("E-mail"), validators=[DataRequired()])


class ResendVerificationForm(Form):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])


class ResetPasswordForm(Form):
    password = PasswordField(
        _l("New password"), validators=[DataRequired()], description=_password_help()
    )
    confirm = PasswordField(
        _l("Confirm the new password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )


class ProfileForm(Form):
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    organisation_id = SelectField(_l("Organisation"), validators=[Optional()])
    country = SelectField(_l("Country"), validators=[Optional()])
    locale = SelectField(_l("Preferred language"), validators=[DataRequired()])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisation_id.choices = [("", "—")] + _organisation_options()
        self.country.choices = [("", "—")] + country_choices()
        self.locale.choices = list(current_app.config["LANGUAGES"].items())

    def fill_from(self, user) -> None:
        if not self.is_submitted():
            self.organisation_id.data = str(user.organisation_id or "")
            self.country.data = user.country or ""

    def values(self) -> dict[str, Any]:
        return {
            "name": self.name.data,
            "organisation_id": _optional_int(self.organisation_id.data),
            "country": self.country.data or None,
            "locale": self.locale.data,
        }


class ChangePasswordForm(Form):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    new_password = PasswordField(
        _l("New password"), validators=[DataRequired()], description=_password_help()
    )
    confirm = PasswordField(
        _l("Confirm the new password"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The passwords differ."))],
    )


class ApiTokenForm(Form):
    name = StringField(
        _l("Token name"),
        validators=[DataRequired(), Length(max=100)],
        description=_l("Where you will use it, e.g. “my calendar script”"),
    )
    expires_in_days = IntegerField(
        _l("Expires after (days)"),
        validators=[Optional(), NumberRange(min=TOKEN_DAYS_MIN, max=TOKEN_DAYS_MAX)],
        description=_l("Leave empty for a token that lasts until you revoke it"),
    )
