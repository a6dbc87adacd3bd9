"""The one way an HTML form page hands its input to a service."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import IntegerField
from wtforms.validators import ValidationError

from pic_events.core.limits import NUL, fits_integer_column
from pic_events.core.timezones import is_valid_timezone, wall_clock_exists
from pic_events.core.validation import ServiceValidationError, apply_errors_to_form

T = TypeVar("T")


class Form(FlaskForm):
    """Every HTML form: input the database cannot hold is refused next to its field before
    any validator or service sees it (a NUL character, a number beyond the integer column),
    and what was typed is shown again."""

    def validate(self, extra_validators=None) -> bool:
        refused = [(field, message) for field in self if (message := _refusal(field))]
        for field, message in refused:
            field.errors = [*field.errors, message]
        if refused:
            return False
        return super().validate(extra_validators)


def _refusal(field) -> str | None:
    if any(isinstance(raw, str) and NUL in raw for raw in field.raw_data or ()):
        return _("This text contains a NUL character, which cannot be stored.")
    if (
        isinstance(field, IntegerField)
        and isinstance(field.data, int)
        and not fits_integer_column(field.data)
    ):
        return _("This number is too large.")
    return None


def save_form(form: FlaskForm, save: Callable[[], T]) -> T | None:
    """Validate the posted form and call `save`; the service's errors go next to the fields.

    Returns what `save` returned, or None when the page must show the form again."""
    if not form.validate_on_submit():
        return None
    try:
        return save()
    except ServiceValidationError as error:
        apply_errors_to_form(form, error.errors)
        return None


def check_wall_clock(moment: datetime | None, tz_name: str | None) -> None:
    """Refuse a typed local time that does not exist in the zone that day: the time the
    clocks skip when they go forward would otherwise be saved an hour off."""
    if moment is None or not tz_name or not is_valid_timezone(tz_name):
        return
    if not wall_clock_exists(moment, tz_name):
        raise ValidationError(
            _(
                "%(time)s does not exist on that day in %(zone)s: the clocks go forward. "
                "Choose another time.",
                time=moment.strftime("%H:%M"),
                zone=tz_name,
            )
        )
