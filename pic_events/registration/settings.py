"""Organiser set-up: an event's registration settings and its custom questions."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from pic_events.core.copying import copy_event_rows
from pic_events.core.validation import ServiceValidationError
from pic_events.events import services as event_services
from pic_events.events.models import ALL_CATEGORIES, Event
from pic_events.extensions import db
from pic_events.registration import services
from pic_events.registration.models import (
    OptionPick,
    Question,
    QuestionOption,
    QuestionType,
    Registration,
    RegistrationStatus,
)

SHARED_EVENT_FIELDS = (
    "registration_opens",
    "registration_closes",
    "capacity",
    "requires_approval",
    "privacy_notice",
    "retention_until",
)
OPTION_KINDS = (QuestionType.SINGLE_CHOICE.value, QuestionType.MULTIPLE_CHOICE.value)


# Settings -------------------------------------------------------------------------------


def _category_errors(values: dict[str, Any]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    enabled = values.get("registration_categories") or []
    chosen = values.get("self_service_categories") or []
    if not enabled:
        errors["registration_categories"] = [_("Keep at least one category.")]
    if any(c not in ALL_CATEGORIES for c in enabled + chosen):
        errors.setdefault("registration_categories", []).append(_("Unknown category."))
    if any(c not in enabled for c in chosen):
        errors["self_service_categories"] = [
            _("Members can only choose categories used at this meeting.")
        ]
    return errors


def update_settings(event: Event, values: dict[str, Any]) -> list[Registration]:
    """Save the settings; free seats (a larger capacity) go to the waiting list at once.

    Returns the registrations promoted from the waiting list."""
    errors = _category_errors(values)
    if errors:
        raise ServiceValidationError(errors)
    event.registration_categories = [
        c for c in ALL_CATEGORIES if c in values["registration_categories"]
    ]
    event.self_service_categories = [
        c for c in ALL_CATEGORIES if c in (values.get("self_service_categories") or [])
    ]
    event.waitlist_enabled = bool(values.get("waitlist_enabled"))
    waiting = list(services.waitlist_positions(event.id))
    try:
        # A larger capacity promotes the waiting list at once (services.fill_free_seats).
        event_services.update_event(
            event, {k: values[k] for k in SHARED_EVENT_FIELDS if k in values}
        )
    except ServiceValidationError:
        db.session.rollback()
        raise
    services.fill_free_seats(event)
    return _confirmed_among(waiting)


def _confirmed_among(registration_ids: list[int]) -> list[Registration]:
    if not registration_ids:
        return []
    return list(
        db.session.scalars(
            sa.select(Registration).where(
                Registration.id.in_(registration_ids),
                Registration.status == RegistrationStatus.CONFIRMED,
            )
        )
    )


# Questions ------------------------------------------------------------------------------


def parse_options(text: str) -> tuple[list[tuple[str, int | None]], list[str]]:
    """Lines "Site visit A | 25" -> [("Site visit A", 25)], with error messages."""
    options: list[tuple[str, int | None]] = []
    errors: list[str] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        label, _sep, places = line.rpartition("|") if "|" in line else (line, "", "")
        label, places = label.strip(), places.strip()
        capacity = None
        if places:
            if not places.isdigit():
                errors.append(
                    _("“%(line)s”: the places after | must be a whole number.", line=line)
                )
                continue
            capacity = int(places)
        if not label or len(label) > 200:
            errors.append(
                _("“%(line)s”: an option needs a label (at most 200 characters).", line=line)
            )
            continue
        if label in [existing for existing, _cap in options]:
            errors.append(_("“%(label)s” appears twice.", label=label))
            continue
        options.append((label, capacity))
    return options, errors


def _validate_question(values: dict[str, Any]) -> tuple[list, dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    if not (values.get("label") or "").strip():
        errors["label"] = [_("Write the question.")]
    if values.get("kind") not in {k.value for k in QuestionType}:
        errors["kind"] = [_("Choose a type.")]
    options, option_errors = parse_options(values.get("options") or "")
    if values.get("kind") in OPTION_KINDS:
        if option_errors:
            errors["options"] = option_errors
        elif not options:
            errors["options"] = [_("A choice question needs at least one option.")]
    low, high = values.get("min_value"), values.get("max_value")
    if low is not None and high is not None and low > high:
        errors["max_value"] = [_("The largest number must not be below the smallest.")]
    return options, errors


def _picks_of(option_ids: list[int]) -> dict[int, int]:
    if not option_ids:
        return {}
    return dict(
        db.session.execute(
            sa.select(OptionPick.option_id, sa.func.count())
            .where(OptionPick.option_id.in_(option_ids))
            .group_by(OptionPick.option_id)
        ).all()
    )


def _apply_options(question: Question, options: list[tuple[str, int | None]]) -> None:
    """Keep options by label (their ids stay in the answers); refuse removing chosen ones."""
    wanted = dict(options)
    removed = [o for o in question.options if o.label not in wanted]
    used = _picks_of([o.id for o in removed])
    in_use = [o.label for o in removed if used.get(o.id)]
    if in_use:
        raise ServiceValidationError(
            {
                "options": [
                    _(
                        "“%(labels)s” has been chosen already and cannot be removed or renamed.",
                        labels=", ".join(in_use),
                    )
                ]
            }
        )
    by_label = {o.label: o for o in question.options if o.label in wanted}
    for option in removed:
        db.session.execute(sa.delete(OptionPick).where(OptionPick.option_id == option.id))
    question.options = [
        _updated_option(by_label.get(label), label, capacity, position)
        for position, (label, capacity) in enumerate(options)
    ]


def _updated_option(option, label, capacity, position) -> QuestionOption:
    option = option or QuestionOption(label=label)
    option.capacity = capacity
    option.position = position
    return option


def _set_question_fields(question: Question, values: dict[str, Any], options: list) -> None:
    question.label = values["label"].strip()
    question.help_text = (values.get("help_text") or "").strip()
    question.kind = values["kind"]
    question.required = bool(values.get("required"))
    numeric = values["kind"] == QuestionType.NUMBER
    question.min_value = values.get("min_value") if numeric else None
    question.max_value = values.get("max_value") if numeric else None
    _apply_options(question, options if values["kind"] in OPTION_KINDS else [])


def create_question(event: Event, values: dict[str, Any]) -> Question:
    options, errors = _validate_question(values)
    if errors:
        raise ServiceValidationError(errors)
    last = db.session.scalar(
        sa.select(sa.func.max(Question.position)).where(Question.event_id == event.id)
    )
    question = Question(event_id=event.id, position=(last or 0) + 1, options=[])
    _set_question_fields(question, values, options)
    db.session.add(question)
    db.session.commit()
    return question


def update_question(question: Question, values: dict[str, Any]) -> Question:
    options, errors = _validate_question(values)
    if errors:
        raise ServiceValidationError(errors)
    if question.kind != values["kind"] and _answered(question):
        raise ServiceValidationError(
            {"kind": [_("People have answered this question: its type can no longer change.")]}
        )
    try:
        _set_question_fields(question, values, options)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return question


def _answered(question: Question) -> bool:
    rows = db.session.scalars(
        sa.select(Registration.answers).where(Registration.event_id == question.event_id)
    )
    return any(question.key in (answers or {}) for answers in rows)


def delete_question(question: Question) -> None:
    """The answers stay in the registrations' data but are no longer shown or exported."""
    option_ids = [o.id for o in question.options]
    if option_ids:
        db.session.execute(sa.delete(OptionPick).where(OptionPick.option_id.in_(option_ids)))
    db.session.delete(question)
    db.session.commit()


def move_question(question: Question, step: int) -> None:
    questions = services.event_questions(question.event)
    index = questions.index(question)
    target = index + step
    if 0 <= target < len(questions):
        questions[index], questions[target] = questions[target], questions[index]
    for position, item in enumerate(questions, start=1):
        item.position = position
    db.session.commit()


def copy_questions(source: Event, *, event: Event, days: int, **_kw) -> None:
    """A new edition gets the questions of `source` with their options (edition_created)."""
    copy_event_rows(Question, source, event, days, children=("options", "question_id"))
