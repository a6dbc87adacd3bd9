"""Registration JSON as CONTRACT.md names it. Schemas parse types; the rules live in
services (answers are checked by pic_events.registration.questions)."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from pic_events.registration.models import Category, QuestionType, Registration, RegistrationStatus

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


class RegistrationCreateSchema(Schema):
    answers = fields.Dict(
        keys=fields.String(),
        values=fields.Raw(allow_none=True),
        load_default=dict,
        metadata={"description": ANSWERS_DESCRIPTION},
    )
    session_ids = fields.List(
        fields.Integer(strict=True),
        load_default=None,
        allow_none=True,
        metadata={"description": "Workshops and visits to take (ignored on the waiting list)"},
    )
    category = fields.String(
        load_default=None,
        allow_none=True,
        metadata={"description": "participant (default), speaker, steering, organiser, press"},
    )
    consent = fields.Boolean(
        required=True, metadata={"description": "Agreement to the event's privacy notice"}
    )
    listed = fields.Boolean(load_default=True)


class RegistrationPatchSchema(Schema):
    """Only the fields given change; answers given replace those answers only."""

    answers = fields.Dict(
        keys=fields.String(),
        values=fields.Raw(allow_none=True),
        metadata={"description": ANSWERS_DESCRIPTION},
    )
    session_ids = fields.List(fields.Integer(strict=True))
    category = fields.String()
    listed = fields.Boolean()


class RegistrationListArgsSchema(Schema):
    status = fields.String(validate=validate.OneOf([s.value for s in RegistrationStatus]))
    category = fields.String(validate=validate.OneOf([c.value for c in Category]))
    q = fields.String(metadata={"description": "Search in name, e-mail, organisation, cluster"})
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class RegistrationPageSchema(Schema):
    items = fields.List(fields.Nested(RegistrationSchema))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()


class DecisionSchema(Schema):
    message = fields.String(load_default="", metadata={"description": "Sent to the person"})


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
