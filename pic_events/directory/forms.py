from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from pic_events.core.countries import country_choices
from pic_events.core.forms import Form
from pic_events.directory import services
from pic_events.directory.models import ORGANISATION_KIND_LABELS
from pic_events.directory.sectors import sector_choices

STEERING, PARTNER = "steering", "partner"


def membership_choices() -> list[tuple[str, str]]:
    return [
        (STEERING, str(_l("Steering-committee member"))),
        (PARTNER, str(_l("International partner"))),
    ]


def kind_choices() -> list[tuple[str, str]]:
    return [(kind.value, str(label)) for kind, label in ORGANISATION_KIND_LABELS.items()]


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ClusterForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    country = SelectField(_l("Country"), validators=[DataRequired()])
    membership = SelectField(_l("Place in the PIC network"), default=PARTNER)
    sectors = CheckboxesField(_l("Sectors"), validators=[Optional()])
    website = StringField(
        _l("Website"),
        validators=[Optional(), Length(max=300)],
        description=_l("For example https://www.vegepolys-valley.eu"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.country.choices = [("", "—")] + country_choices()
        self.membership.choices = membership_choices()
        self.sectors.choices = sector_choices()

    def fill_from(self, cluster) -> None:
        if not self.is_submitted():
            self.membership.data = STEERING if cluster.steering_committee else PARTNER
            self.sectors.data = cluster.sectors

    def values(self) -> dict[str, Any]:
        return {
            "name": self.name.data,
            "country": self.country.data,
            "sectors": self.sectors.data or [],
            "steering_committee": self.membership.data == STEERING,
            "website": self.website.data,
        }


class OrganisationForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    cluster_id = SelectField(_l("Cluster"), validators=[Optional()])
    country = SelectField(_l("Country"), validators=[DataRequired()])
    kind = SelectField(_l("Kind"), validators=[DataRequired()])
    description = TextAreaField(_l("Description"), validators=[Optional()])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cluster_id.choices = [("", _l("No cluster"))] + [
            (str(cid), name) for cid, name in services.cluster_choices()
        ]
        self.country.choices = [("", "—")] + country_choices()
        self.kind.choices = kind_choices()

    def fill_from(self, organisation) -> None:
        if not self.is_submitted():
            self.cluster_id.data = str(organisation.cluster_id or "")

    def values(self) -> dict[str, Any]:
        return {
            "name": self.name.data,
            "cluster_id": self.cluster_id.data or None,
            "country": self.country.data,
            "kind": self.kind.data,
            "description": self.description.data or "",
        }
