"""Registration JSON as CONTRACT.md names it. Schemas parse types; the rules live in
services (answers are checked by pic_events.registration.questions)."""

from __future__ import annotations

import math
from typing import Any

from flask_babel import gettext as _
from marshmallow import Schema, ValidationError, fields, validate

from pic_events.core.limits import fits_integer_column
from pic_events.core.pagination import PageSchema, PaginationArgsSchema
from pic_events.core.schemas import IdList, InputSchema, Text
from pic_events.registration.models import Category, QuestionType, Registration, RegistrationStatus
from pic_events.registration.questions import LONG_TEXT_MAX

# As many as a form can show: every question answered, every session of a meeting chosen.
ANSWERS_MAX = 200
CHOICES_PER_ANSWER_MAX = 200
SESSION_IDS_MAX = 500
DECISION_MESSAGE_MAX = 2000  # the decline form's limit
SEARCH_MAX = 200

ANSWERS_DESCRIPTION = (
    "Answers keyed by question id as a string (GET /api/v1/events/{slug}/questions lists "
    "them): text and long_text a string; single_choice an option id; multiple_choice a list "
    'of option ids; yes_no true or false; number a number; date "YYYY-MM-DD". '
    "Leave a question out (or send null) for no answer."
)


class RegistrationSchema(Schema):
    id = fields.Integer()
    event = fields.String(metadata={"description": "The event's slug", "example": "pic-2027"})
    status = fields.String(validate=validate.OneOf([s.value for s in RegistrationStatus]))
    position = fields.Integer(
        allow_none=True, metadata={"description": "Position on the waiting list, else null"}
    )
    category = fields.String(validate=validate.OneOf([c.value for c in Category]))
    answers = fields.Dict(
        keys=fields.String(), values=fields.Raw(), metadata={"description": ANSWERS_DESCRIPTION}
    )
    session_ids = fields.List(fields.Integer())
    name = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    organisation = fields.String(allow_none=True)
    listed = fields.Boolean(
        metadata={"description": "Shown in the participant list and B2B catalogue"}
    )
    consent_at = fields.AwareDateTime(allow_none=True)
    created_at = fields.AwareDateTime()


def registration_json(
    registration: Registration, position: int | None, session_ids: list[int] | None = None
) -> dict[str, Any]:
    user = registration.user
    organisation = user.organisation if user else None
    return {
        "id": registration.id,
        "event": registration.event.slug,
        "status": registration.status,
        "position": position,
        "category": registration.category,
        "answers": registration.answers or {},
        "session_ids": registration.session_ids if session_ids is None else session_ids,
        "name": user.name if user else None,
        "email": user.email if user else None,
        "organisation": organisation.name if organisation else None,
        "listed": registration.listed,
        "consent_at": registration.consent_at,
        "created_at": registration.created_at,
    }


class AnswerValue(fields.Raw):
    """One answer as JSON gives it: text within the long-text limit, a whole number that
    fits a column (an option id), a finite number, a boolean, a list of those, or null.
    Whether it suits its question is the questions module's rule."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, list):
            if len(value) > CHOICES_PER_ANSWER_MAX:
                raise ValidationError(_("At most %(n)d choices.", n=CHOICES_PER_ANSWER_MAX))
            return [self._scalar(item) for item in value]
        return self._scalar(value)

    @staticmethod
    def _scalar(value: Any) -> Any:
        if isinstance(value, str) and len(value) > LONG_TEXT_MAX:
            raise ValidationError(_("At most %(n)d characters.", n=LONG_TEXT_MAX))
        if isinstance(value, int) and not isinstance(value, bool):
            if not fits_integer_column(value):
                raise ValidationError(_("This number is too large."))
        elif isinstance(value, float) and not math.isfinite(value):
            raise ValidationError(_("Give a finite number."))
        elif isinstance(value, dict | list):
            raise ValidationError(_("Give text, a number, true or false, or a list of those."))
        return value


def _not_too_many_answers(answers: dict) -> None:
    if len(answers) > ANSWERS_MAX:
        raise ValidationError(_("At most %(n)d answers.", n=ANSWERS_MAX))


def Answers(**kwargs: Any) -> fields.Dict:  # noqa: N802 (a field factory)
    return fields.Dict(
        keys=Text(12),
        values=AnswerValue(allow_none=True),
        validate=_not_too_many_answers,
        metadata={"description": ANSWERS_DESCRIPTION, "maxProperties": ANSWERS_MAX},
        **kwargs,
    )


class RegistrationCreateSchema(InputSchema):
    answers = Answers(load_default=dict)
    session_ids = IdList(
        SESSION_IDS_MAX,
        load_default=None,
        allow_none=True,
        metadata={"description": "Workshops and visits to take (ignored on the waiting list)"},
    )
    category = Text(
        16,
        load_default=None,
        allow_none=True,
        metadata={"description": "participant (default), speaker, steering, organiser, press"},
    )
    consent = fields.Boolean(
        required=True, metadata={"description": "Agreement to the event's privacy notice"}
    )
    listed = fields.Boolean(load_default=True)


class RegistrationPatchSchema(InputSchema):
    """Only the fields given change; answers given replace those answers only."""

    answers = Answers()
    session_ids = IdList(SESSION_IDS_MAX)
    category = Text(16)
    listed = fields.Boolean()


class RegistrationListArgsSchema(PaginationArgsSchema):
    status = fields.String(validate=validate.OneOf([s.value for s in RegistrationStatus]))
    category = fields.String(validate=validate.OneOf([c.value for c in Category]))
    q = Text(SEARCH_MAX, metadata={"description": "Search in name, e-mail, organisation, cluster"})


class RegistrationPageSchema(PageSchema):
    items = fields.List(fields.Nested(RegistrationSchema))


class DecisionSchema(InputSchema):
    message = Text(
        DECISION_MESSAGE_MAX, load_default="", metadata={"description": "Sent to the person"}
    )


class OptionSchema(Schema):
    id = fields.Integer()
    label = fields.String()
    capacity = fields.Integer(allow_none=True)
    places_left = fields.Integer(allow_none=True)


class QuestionSchema(Schema):
    id = fields.Integer()
    label = fields.String()
    help_text = fields.String()
    type = fields.String(attribute="kind", validate=validate.OneOf([k.value for k in QuestionType]))
    required = fields.Boolean()
    position = fields.Integer()
    min_value = fields.Float(allow_none=True)
    max_value = fields.Float(allow_none=True)
    options = fields.List(fields.Nested(OptionSchema))


class QuestionListSchema(Schema):
    items = fields.List(fields.Nested(QuestionSchema))
    total = fields.Integer()
