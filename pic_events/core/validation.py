"""The error services raise when input breaks a rule; views map it to fields."""

from __future__ import annotations


class ServiceValidationError(Exception):
    """Field name -> list of messages. Raised before anything is written."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in errors.items()))
        self.errors = errors


class PermissionDenied(ServiceValidationError):
    """Valid input this person may not send (restricted to others): the API answers 403."""


class ConflictingInput(ServiceValidationError):
    """Fields that clash with the state (two sessions at once): the API answers 409."""


class NotFoundError(Exception):
    """What was asked for does not exist, or not for this person: pages and API answer 404."""


class Conflict(Exception):
    """The request is valid but clashes with the state: full, taken, already booked."""

    @property
    def message(self) -> str:
        return str(self)


def apply_errors_to_form(form, errors: dict[str, list[str]]) -> None:
    """Show service errors next to the form's fields (or at the top when there is no field)."""
    for name, messages in errors.items():
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = list(field.errors) + list(messages)
        else:
            form.form_errors.extend(messages)
