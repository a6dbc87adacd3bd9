"""Question types in one place: the form field, the validation and the display of each.

Answers are stored in ``Registration.answers`` keyed by the question id as a string, the
same as in the API:

=================  ===========================================  ==========================
type               accepted input (API and form)                stored as
=================  ===========================================  ==========================
text, long_text    a string                                     the stripped string
single_choice      an option id (number or numeric string)      the option id
multiple_choice    a list of option ids                         sorted list of option ids
yes_no             true/false (or "yes"/"no")                   true / false
number             a number or numeric string                   int when whole, else float
date               "YYYY-MM-DD"                                 "YYYY-MM-DD"
=================  ===========================================  ==========================

An empty input (None, "", []) means "no answer": its key is left out.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from datetime import date
from typing import Any

from flask_babel import gettext as _
from wtforms import Field, RadioField, SelectMultipleField, StringField, TextAreaField, widgets

from pic_events.registration.models import Question, QuestionType

TEXT_MAX = 500
LONG_TEXT_MAX = 5000
MISSING = object()
# Control characters (pasted vertical tabs, NULs ...) that spreadsheets and mail refuse;
# tabs and line breaks stay.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class AnswerError(ValueError):
    """One bad answer; the message is shown to the person."""


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def _is_empty(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip()) or raw == []


def _option_id(question: Question, raw: Any) -> int:
    if isinstance(raw, bool) or (isinstance(raw, float) and not raw.is_integer()):
        raise AnswerError(_("Choose one of the options."))
    try:
        option_id = int(raw)
    except (TypeError, ValueError):
        raise AnswerError(_("Choose one of the options.")) from None
    if option_id not in {option.id for option in question.options}:
        raise AnswerError(_("Choose one of the options."))
    return option_id


def _clean_text(question: Question, raw: Any, limit: int) -> str:
    if not isinstance(raw, str):
        raise AnswerError(_("Give a text."))
    value = CONTROL_CHARACTERS.sub("", raw.replace("\r\n", "\n").replace("\r", "\n")).strip()
    if len(value) > limit:
        raise AnswerError(_("At most %(n)d characters.", n=limit))
    return value


def _clean_single(question: Question, raw: Any) -> int:
    return _option_id(question, raw)


def _clean_multiple(question: Question, raw: Any) -> list[int]:
    if isinstance(raw, str | int) and not isinstance(raw, bool):
        raw = [raw]
    if not isinstance(raw, list | tuple):
        raise AnswerError(_("Choose among the options."))
    chosen = {_option_id(question, item) for item in raw}
    order = {option.id: index for index, option in enumerate(question.options)}
    return sorted(chosen, key=order.__getitem__)


YES_WORDS = {"yes", "true", "y", "1", "on"}
NO_WORDS = {"no", "false", "n", "0", "off"}


def _clean_yes_no(question: Question, raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().lower() in YES_WORDS | NO_WORDS:
        return raw.strip().lower() in YES_WORDS
    raise AnswerError(_("Answer yes or no."))


def _clean_number(question: Question, raw: Any) -> int | float:
    if isinstance(raw, bool):
        raise AnswerError(_("Give a number."))
    if isinstance(raw, str):
        try:
            raw = float(raw.strip().replace(",", "."))
        except ValueError:
            raise AnswerError(_("Give a number.")) from None
    if not isinstance(raw, int | float) or not _is_finite(raw):
        raise AnswerError(_("Give a number."))
    if question.min_value is not None and raw < question.min_value:
        raise AnswerError(_("At least %(n)s.", n=_number_text(question.min_value)))
    if question.max_value is not None and raw > question.max_value:
        raise AnswerError(_("At most %(n)s.", n=_number_text(question.max_value)))
    return int(raw) if float(raw).is_integer() else float(raw)


def _is_finite(value: int | float) -> bool:
    try:
        return math.isfinite(value)
    except OverflowError:  # an int with hundreds of digits
        return False


def _number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _clean_date(question: Question, raw: Any) -> str:
    if isinstance(raw, date):
        return raw.isoformat()
    if not isinstance(raw, str):
        raise AnswerError(_("Give a date as YYYY-MM-DD."))
    try:
        return date.fromisoformat(raw.strip()).isoformat()
    except ValueError:
        raise AnswerError(_("Give a date as YYYY-MM-DD.")) from None


CLEANERS = {
    QuestionType.TEXT: lambda q, raw: _clean_text(q, raw, TEXT_MAX),
    QuestionType.LONG_TEXT: lambda q, raw: _clean_text(q, raw, LONG_TEXT_MAX),
    QuestionType.SINGLE_CHOICE: _clean_single,
    QuestionType.MULTIPLE_CHOICE: _clean_multiple,
    QuestionType.YES_NO: _clean_yes_no,
    QuestionType.NUMBER: _clean_number,
    QuestionType.DATE: _clean_date,
}


def clean_answer(question: Question, raw: Any) -> Any:
    """The stored form of one answer, MISSING for no answer; AnswerError when it is bad."""
    if _is_empty(raw):
        if question.required:
            raise AnswerError(_("This question needs an answer."))
        return MISSING
    value = CLEANERS[QuestionType(question.kind)](question, raw)
    if _is_empty(value):
        if question.required:
            raise AnswerError(_("This question needs an answer."))
        return MISSING
    return value


def answer_error_key(question: Question) -> str:
    return f"answers.{question.id}"


def clean_answers(
    questions: Iterable[Question], raw: dict[str, Any], *, previous: dict | None = None
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Validate all answers at once: (stored answers, errors keyed "answers.<id>").

    With `previous`, questions absent from `raw` keep their previous answer (a PATCH).
    """
    questions = list(questions)
    raw = {str(key): value for key, value in raw.items()}
    known = {question.key for question in questions}
    errors: dict[str, list[str]] = {
        f"answers.{key}": [_("There is no such question.")] for key in raw if key not in known
    }
    cleaned: dict[str, Any] = {}
    for question in questions:
        if previous is not None and question.key not in raw:
            raw_value = previous.get(question.key)
            if raw_value is not None:
                cleaned[question.key] = raw_value
                continue
        else:
            raw_value = raw.get(question.key)
        try:
            value = clean_answer(question, raw_value)
        except AnswerError as error:
            errors[answer_error_key(question)] = [str(error)]
            continue
        if value is not MISSING:
            cleaned[question.key] = value
    return cleaned, errors


def chosen_option_ids(questions: Iterable[Question], answers: dict[str, Any]) -> set[int]:
    picked: set[int] = set()
    for question in questions:
        value = answers.get(question.key)
        if question.kind == QuestionType.SINGLE_CHOICE and value is not None:
            picked.add(value)
        elif question.kind == QuestionType.MULTIPLE_CHOICE and value:
            picked.update(value)
    return picked


# Display ---------------------------------------------------------------------------------


def display_answer(question: Question, value: Any) -> str:
    if value is None:
        return ""
    kind = QuestionType(question.kind)
    labels = {option.id: option.label for option in question.options}
    if kind == QuestionType.SINGLE_CHOICE:
        return labels.get(value, "")
    if kind == QuestionType.MULTIPLE_CHOICE:
        return ", ".join(labels[v] for v in value if v in labels)
    if kind == QuestionType.YES_NO:
        return _("Yes") if value else _("No")
    if kind == QuestionType.NUMBER:
        return _number_text(value) if isinstance(value, int | float) else str(value)
    return str(value)


# Forms -----------------------------------------------------------------------------------


def field_name(question: Question) -> str:
    return f"q_{question.id}"


class _RequiredMark:
    """Marks the field as required for the label's asterisk; the service does the check."""

    field_flags = {"required": True}

    def __call__(self, form, field) -> None:
        return None


def _option_label(option, places_left: dict[int, int] | None) -> str:
    if option.capacity is None:
        return option.label
    if places_left is None or option.id not in places_left:
        return _("%(label)s (%(n)d places)", label=option.label, n=option.capacity)
    left = places_left[option.id]
    if left <= 0:
        return _("%(label)s (full)", label=option.label)
    return _("%(label)s (%(n)d places left)", label=option.label, n=left)


def form_field(question: Question, places_left: dict[int, int] | None = None) -> Field:
    """An unbound WTForms field for the question; it only carries input to the service.

    `places_left` (option id -> places) shows how many places limited options have left."""
    kind = QuestionType(question.kind)
    options = {
        "label": question.label,
        "description": question.help_text,
        "validators": [_RequiredMark()] if question.required else [],
    }
    if kind == QuestionType.LONG_TEXT:
        return TextAreaField(**options)
    if kind == QuestionType.SINGLE_CHOICE:
        choices = [(str(o.id), _option_label(o, places_left)) for o in question.options]
        return RadioField(choices=choices, validate_choice=False, **options)
    if kind == QuestionType.MULTIPLE_CHOICE:
        choices = [(str(o.id), _option_label(o, places_left)) for o in question.options]
        return MultiCheckboxField(choices=choices, validate_choice=False, **options)
    if kind == QuestionType.YES_NO:
        choices = [("yes", _("Yes")), ("no", _("No"))]
        return RadioField(choices=choices, validate_choice=False, **options)
    if kind == QuestionType.NUMBER:
        return StringField(render_kw={"inputmode": "decimal"}, **options)
    if kind == QuestionType.DATE:
        return StringField(render_kw={"type": "date"}, **options)
    return StringField(render_kw={"maxlength": TEXT_MAX}, **options)


def form_initial(question: Question, value: Any) -> Any:
    """A stored answer as the field's data (to pre-fill the form)."""
    if value is None:
        return None
    kind = QuestionType(question.kind)
    if kind == QuestionType.SINGLE_CHOICE:
        return str(value)
    if kind == QuestionType.MULTIPLE_CHOICE:
        return [str(v) for v in value]
    if kind == QuestionType.YES_NO:
        return "yes" if value else "no"
    if kind == QuestionType.NUMBER:
        return _number_text(value)
    return value
