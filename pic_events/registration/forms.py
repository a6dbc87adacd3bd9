"""Forms. The registration form is generated from the event's questions (questions.py);
the forms only carry input to the services, which apply the rules and report errors."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    FloatField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields import EmailField
from wtforms.validators import DataRequired, Email, Length, Optional

from pic_events.core.forms import Form
from pic_events.core.validation import Conflict, ServiceValidationError
from pic_events.events.forms import RegistrationWindowFields
from pic_events.events.models import ALL_CATEGORIES, Event
from pic_events.events.services import DESCRIPTION_MAX
from pic_events.registration import services
from pic_events.registration.models import (
    CATEGORY_LABELS,
    QUESTION_TYPE_LABELS,
    Category,
    Question,
    QuestionType,
    Registration,
)
from pic_events.registration.questions import (
    MultiCheckboxField,
    field_name,
    form_field,
    form_initial,
)
from pic_events.registration.services import RegistrationChanges, RegistrationInput


def category_choices(categories: Sequence[str]) -> list[tuple[str, str]]:
    return [(c, str(CATEGORY_LABELS[Category(c)])) for c in categories]


class RegistrationFormBase(Form):
    """Fields common to every registration form; questions are added per event."""

    questions: list[Question] = []

    def raw_answers(self) -> dict[str, Any]:
        return {question.key: self[field_name(question)].data for question in self.questions}

    def chosen_session_ids(self) -> list[int] | None:
        if "session_ids" not in self:
            return None
        return [int(value) for value in self["session_ids"].data or [] if str(value).isdigit()]

    def category_value(self) -> str | None:
        return self["category"].data if "category" in self else None

    def registration_input(self) -> RegistrationInput:
        return RegistrationInput(
            answers=self.raw_answers(),
            category=self.category_value(),
            session_ids=self.chosen_session_ids(),
            consent=self["consent"].data,
            listed=self["listed"].data,
        )

    def registration_changes(self) -> RegistrationChanges:
        return RegistrationChanges(
            answers=self.raw_answers(),
            category=self.category_value(),
            session_ids=self.chosen_session_ids(),
            listed=self["listed"].data,
        )

    def apply_conflict(self, error: Conflict) -> None:
        """A conflict's field errors next to the fields, else its message at the top."""
        self.apply_errors(getattr(error, "errors", None) or {"": [error.message]})

    def apply_errors(self, errors: dict[str, list[str]]) -> None:
        """Service errors next to their fields; "answers.12" is the field of question 12."""
        for key, messages in errors.items():
            name = f"q_{key.split('.', 1)[1]}" if key.startswith("answers.") else key
            if name in self:
                self[name].errors = list(self[name].errors) + list(messages)
            else:
                self.form_errors.extend(messages)


def save_registration_changes(
    form: RegistrationFormBase, registration: Registration, actor
) -> bool:
    """Validate the posted form and save its changes; errors and conflicts go on the form.
    True once saved."""
    if not form.validate_on_submit():
        return False
    try:
        services.update_registration(registration, form.registration_changes(), actor=actor)
    except ServiceValidationError as error:
        form.apply_errors(error.errors)
    except Conflict as error:
        form.apply_conflict(error)
    else:
        return True
    return False


def registration_form(
    questions: Sequence[Question],
    *,
    categories: Sequence[str] = (),
    sessions: Sequence[Any] = (),
    with_consent: bool = True,
    registration: Registration | None = None,
    prefix: str = "",
    extra: type[FlaskForm] | None = None,
    places_left: dict[int, int] | None = None,
) -> RegistrationFormBase:
    """The member's form: a field per question, the category when there is a choice, the
    workshops and visits to pick when there are any, consent and listing."""
    bases = (extra, RegistrationFormBase) if extra else (RegistrationFormBase,)
    form_class = type("RegistrationForm", bases, {"questions": list(questions)})
    for question in questions:
        setattr(form_class, field_name(question), form_field(question, places_left))
    if len(categories) > 1:
        form_class.category = RadioField(
            _l("I attend as"), choices=category_choices(categories), validate_choice=False
        )
    if sessions:
        form_class.session_ids = MultiCheckboxField(
            _l("Workshops and visits"),
            choices=[(str(s.id), _session_label(s)) for s in sessions],
            validate_choice=False,
            description=_l("Places are limited; you can change your choice later."),
        )
    form_class.listed = BooleanField(
        _l("Show me in the participant list and the B2B catalogue"), default=True
    )
    if with_consent:
        form_class.consent = BooleanField(_l("I agree to the privacy notice above"))
    form = form_class(prefix=prefix)
    if registration is not None and not form.is_submitted():
        _prefill(form, registration)
    return form


def _session_label(session) -> str:
    places = getattr(session, "capacity", None)
    title = session.title
    return f"{title} ({places})" if places else title


def _prefill(form: RegistrationFormBase, registration: Registration) -> None:
    answers = registration.answers or {}
    for question in form.questions:
        form[field_name(question)].data = form_initial(question, answers.get(question.key))
    if "category" in form:
        form["category"].data = registration.category
    if "session_ids" in form:
        form["session_ids"].data = [str(i) for i in registration.session_ids]
    form["listed"].data = registration.listed


class OnBehalfFields(Form):
    """An organiser registers someone: an existing account, or a new one."""

    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=254)])
    name = StringField(
        _l("Name"),
        validators=[Optional(), Length(max=200)],
        description=_l("Only needed when the person has no account yet"),
    )
    organisation_id = SelectField(_l("Organisation"), coerce=str, validate_choice=False)


class DecisionForm(Form):
    message = TextAreaField(
        _l("Message to the person"),
        validators=[Optional(), Length(max=2000)],
        description=_l("Sent in the mail and kept in the history"),
    )


class ConfirmForm(Form):
    """An empty form: its CSRF token is the confirmation."""


def option_lines(question: Question | None) -> str:
    if question is None:
        return ""
    return "\n".join(
        f"{o.label} | {o.capacity}" if o.capacity is not None else o.label for o in question.options
    )


class QuestionForm(Form):
    label = StringField(_l("Question"), validators=[DataRequired(), Length(max=300)])
    help_text = TextAreaField(_l("Help text"), validators=[Optional(), Length(max=2000)])
    kind = SelectField(
        _l("Type"), choices=[(k.value, str(v)) for k, v in QUESTION_TYPE_LABELS.items()]
    )
    required = BooleanField(_l("An answer is required"))
    options = TextAreaField(
        _l("Options"),
        validators=[Optional()],
        description=_l(
            "For choice questions: one option per line. To limit the places, add | and a "
            "number, e.g. “Site visit A | 25”."
        ),
        render_kw={"rows": 5},
    )
    min_value = FloatField(_l("Smallest number"), validators=[Optional()])
    max_value = FloatField(_l("Largest number"), validators=[Optional()])

    def values(self) -> dict[str, Any]:
        return {
            "label": self.label.data,
            "help_text": self.help_text.data or "",
            "kind": self.kind.data,
            "required": self.required.data,
            "options": self.options.data or "",
            "min_value": self.min_value.data,
            "max_value": self.max_value.data,
        }

    def fill_from(self, question: Question) -> None:
        if not self.is_submitted():
            self.options.data = option_lines(question)


class SettingsForm(RegistrationWindowFields):
    waitlist_enabled = BooleanField(
        _l("When full, put new registrations on a waiting list"),
        description=_l("Without a waiting list, registration stops when the meeting is full"),
    )
    registration_categories = MultiCheckboxField(
        _l("Categories used at this meeting"), choices=[], validate_choice=False
    )
    self_service_categories = MultiCheckboxField(
        _l("Categories members may choose themselves"),
        choices=[],
        validate_choice=False,
        description=_l(
            "Steering committee is only offered to members of steering-committee clusters"
        ),
    )
    privacy_notice = TextAreaField(
        _l("Privacy notice"),
        validators=[Optional(), Length(max=DESCRIPTION_MAX)],
        description=_l("Shown on the registration form; members must agree to it"),
        render_kw={"rows": 6},
    )
    retention_until = DateField(
        _l("Keep registrations until"),
        validators=[Optional()],
        description=_l("After this date `flask purge-expired` anonymises them"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = category_choices(ALL_CATEGORIES)
        self.registration_categories.choices = choices
        self.self_service_categories.choices = choices

    def fill_from(self, event: Event) -> None:
        self.fill_window_from(event)

    def values(self, event: Event) -> dict[str, Any]:
        return {
            **self.window_values(event.timezone),
            "waitlist_enabled": self.waitlist_enabled.data,
            "registration_categories": list(self.registration_categories.data or []),
            "self_service_categories": list(self.self_service_categories.data or []),
            "privacy_notice": self.privacy_notice.data or "",
            "retention_until": self.retention_until.data,
        }


QUESTION_KINDS_WITH_OPTIONS = (QuestionType.SINGLE_CHOICE.value, QuestionType.MULTIPLE_CHOICE.value)
