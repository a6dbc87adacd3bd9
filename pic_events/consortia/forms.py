"""Forms of the idea pages: the idea with its first roles, a role, interest, invitation,
consortium meeting, and the list's filters."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    FormField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms import Form as PlainForm
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from pic_events.consortia.models import (
    CALL_MAX,
    DESCRIPTION_MAX,
    IDEA_STATUS_LABELS,
    MESSAGE_MAX,
    ROLE_KIND_LABELS,
    SUMMARY_MAX,
    TITLE_MAX,
)
from pic_events.consortia.services import IdeaInput, RoleInput
from pic_events.core.countries import country_choices
from pic_events.core.forms import Form
from pic_events.directory.sectors import sector_choices

NEW_IDEA_ROLES = 3


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def role_kind_choices(blank: str | None = None) -> list[tuple[str, str]]:
    choices = [(kind.value, str(label)) for kind, label in ROLE_KIND_LABELS.items()]
    return [("", blank), *choices] if blank is not None else choices


def split_keywords(text: str | None) -> list[str]:
    return [part for part in (text or "").replace(";", ",").split(",") if part.strip()]


class IdeaFields(Form):
    title = StringField(
        _l("Title"),
        validators=[DataRequired(), Length(max=TITLE_MAX)],
        description=_l("For example “Field trials of low-pesticide apple varieties”"),
    )
    summary = TextAreaField(
        _l("Summary"),
        validators=[Optional(), Length(max=SUMMARY_MAX)],
        render_kw={"rows": 5},
        description=_l("The challenge, what the project would do, what is in it for partners"),
    )
    call = StringField(
        _l("The call it targets"),
        validators=[Optional(), Length(max=CALL_MAX)],
        description=_l("Programme, call or topic, e.g. HORIZON-CL6-2027-FARM2FORK-01"),
    )
    call_deadline = DateField(_l("Deadline of the call"), validators=[Optional()])
    sectors = CheckboxesField(_l("Sectors"), validators=[Optional()])
    keywords = StringField(
        _l("Keywords"),
        validators=[Optional(), Length(max=1200)],
        description=_l("Separated by commas"),
    )
    confidential = BooleanField(
        _l("Confidential"),
        description=_l(
            "Everyone registered sees the title and the call; the details only your partners, "
            "the people you invite and the organisers."
        ),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.sectors.choices = sector_choices()

    def fill_from(self, idea) -> None:
        if not self.is_submitted():
            self.title.data = idea.title
            self.summary.data = idea.summary
            self.call.data = idea.call
            self.call_deadline.data = idea.call_deadline
            self.sectors.data = list(idea.sectors or [])
            self.keywords.data = ", ".join(idea.keywords or [])
            self.confidential.data = idea.confidential

    def idea_input(self) -> IdeaInput:
        return IdeaInput(
            title=self.title.data or "",
            summary=self.summary.data or "",
            call=self.call.data or "",
            call_deadline=self.call_deadline.data,
            sectors=list(self.sectors.data or []),
            keywords=split_keywords(self.keywords.data),
            confidential=bool(self.confidential.data),
        )


class RoleFields(PlainForm):
    """One role row of the new-idea form (no CSRF of its own); a blank kind: no role."""

    kind = SelectField(_l("Kind of partner"), validators=[Optional()])
    description = StringField(
        _l("What they would do"), validators=[Optional(), Length(max=DESCRIPTION_MAX)]
    )
    countries = SelectMultipleField(_l("Countries wanted"), validators=[Optional()])

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.kind.choices = role_kind_choices(blank=str(_l("— no role —")))
        self.countries.choices = country_choices()


class NewIdeaForm(IdeaFields):
    roles = FieldList(FormField(RoleFields), min_entries=NEW_IDEA_ROLES, max_entries=NEW_IDEA_ROLES)

    def role_inputs(self) -> list[RoleInput]:
        return [
            RoleInput(
                kind=row.form.kind.data,
                description=row.form.description.data or "",
                countries=list(row.form.countries.data or []),
            )
            for row in self.roles
            if row.form.kind.data
        ]

    def apply_role_errors(self, errors: dict[str, list[str]]) -> dict[str, list[str]]:
        """Put 'roles.N.field' errors next to the role rows given; the rest is returned."""
        given = [i for i, row in enumerate(self.roles) if row.form.kind.data]
        rest = {}
        for key, messages in errors.items():
            head, _dot, tail = key.partition(".")
            if head == "roles" and tail:
                index, _dot, name = tail.partition(".")
                if index.isdigit() and int(index) < len(given):
                    row = self.roles[given[int(index)]]
                    field = getattr(row.form, name, None)
                    if field is not None:
                        field.errors = [*field.errors, *messages]
                        continue
            rest[key] = messages
        return rest


class EditIdeaForm(IdeaFields):
    status = SelectField(_l("Status"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.status.choices = [(s.value, str(label)) for s, label in IDEA_STATUS_LABELS.items()]


class RoleForm(Form):
    kind = SelectField(_l("Kind of partner"), validators=[DataRequired()])
    description = StringField(
        _l("What they would do"),
        validators=[Optional(), Length(max=DESCRIPTION_MAX)],
        description=_l("e.g. “a seed company to run field trials in southern Europe”"),
    )
    countries = SelectMultipleField(
        _l("Countries wanted"),
        validators=[Optional()],
        description=_l("None chosen: any country"),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.kind.choices = role_kind_choices()
        self.countries.choices = country_choices()

    def role_input(self) -> RoleInput:
        return RoleInput(
            kind=self.kind.data,
            description=self.description.data or "",
            countries=list(self.countries.data or []),
        )


class InterestForm(Form):
    message = TextAreaField(
        _l("Your message to the lead"),
        validators=[Optional(), Length(max=MESSAGE_MAX)],
        render_kw={"rows": 2},
        description=_l("What your organisation would bring"),
    )


class InviteForm(Form):
    role_id = SelectField(_l("Role"), coerce=int, validators=[DataRequired()])
    registration_id = SelectField(_l("Participant"), coerce=int, validators=[DataRequired()])
    message = TextAreaField(
        _l("Message"), validators=[Optional(), Length(max=MESSAGE_MAX)], render_kw={"rows": 3}
    )


class MeetingForm(Form):
    people = CheckboxesField(_l("Who"), coerce=int)
    slot_id = SelectField(_l("When"), coerce=int, default=0)


class PitchForm(Form):
    position = IntegerField(_l("Position"), validators=[Optional(), NumberRange(min=1, max=1000)])
    minutes = IntegerField(_l("Minutes"), validators=[Optional(), NumberRange(min=1, max=120)])


class FilterForm(Form):
    """The list's filters (a GET form: no CSRF)."""

    class Meta:
        csrf = False

    q = StringField(_l("Search"), validators=[Optional(), Length(max=200)])
    call = StringField(_l("Call"), validators=[Optional(), Length(max=CALL_MAX)])
    sector = SelectField(_l("Sector"), validators=[Optional()])
    role_kind = SelectField(_l("Open role"), validators=[Optional()])
    country = SelectField(_l("Country still missing"), validators=[Optional()])

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.sector.choices = [("", str(_l("Any sector")))] + sector_choices()
        self.role_kind.choices = role_kind_choices(blank=str(_l("Any kind")))
        self.country.choices = [("", str(_l("Any country")))] + country_choices()
