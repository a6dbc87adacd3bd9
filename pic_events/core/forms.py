"""The one way an HTML form page hands its input to a service."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask_wtf import FlaskForm

from pic_events.core.validation import ServiceValidationError, apply_errors_to_form

T = TypeVar("T")


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
