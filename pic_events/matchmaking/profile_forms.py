"""The matchmaking profile form: it only carries input to profiles.save_profile."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, TextAreaField

from pic_events.core.forms import Form
from pic_events.directory.sectors import sector_choices
from pic_events.matchmaking import profiles
from pic_events.matchmaking.models import MatchProfile
from pic_events.registration.models import Registration
from pic_events.registration.questions import MultiCheckboxField


class ProfileForm(Form):
    summary = TextAreaField(
        _l("Your organisation in short"),
        description=_l("What your organisation does, in two or three sentences."),
        render_kw={"rows": 3, "maxlength": profiles.TEXT_LIMITS["summary"]},
    )
    offers = TextAreaField(
        _l("What you offer"),
        description=_l("Expertise, technologies, facilities, markets you bring to a project."),
        render_kw={"rows": 4, "maxlength": profiles.TEXT_LIMITS["offers"]},
    )
    seeks = TextAreaField(
        _l("What you seek"),
        description=_l("The partners, skills or markets you are looking for."),
        render_kw={"rows": 4, "maxlength": profiles.TEXT_LIMITS["seeks"]},
    )
    sectors = MultiCheckboxField(_l("Sectors"), validate_choice=False)
    keywords = TextAreaField(
        _l("Keywords"),
        description=_l("Separated by commas, e.g. biocontrol, seed phenotyping, drones."),
        render_kw={"rows": 2},
    )
    calls = TextAreaField(
        _l("EU calls or topics"),
        description=_l("Separated by commas, e.g. HORIZON-CL6-2027-01-3, Interreg NWE."),
        render_kw={"rows": 2},
    )
    partner_kinds = MultiCheckboxField(_l("Kinds of partner you want"), validate_choice=False)
    listed = BooleanField(
        _l("Show me in the participant catalogue"),
        description=_l("Unticked, nobody sees your profile and nobody can ask you for a meeting."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sectors.choices = sector_choices()
        self.partner_kinds.choices = profiles.partner_kind_choices()

    def fill(self, profile: MatchProfile | None, registration: Registration) -> None:
        """Show the saved profile (GET)."""
        self.listed.data = registration.listed
        if profile is None:
            return
        self.summary.data = profile.summary
        self.offers.data = profile.offers
        self.seeks.data = profile.seeks
        self.sectors.data = list(profile.sectors or [])
        self.keywords.data = ", ".join(profile.keywords or [])
        self.calls.data = ", ".join(profile.calls or [])
        self.partner_kinds.data = list(profile.partner_kinds or [])

    def values(self) -> profiles.ProfileInput:
        return profiles.ProfileInput(
            summary=self.summary.data or "",
            offers=self.offers.data or "",
            seeks=self.seeks.data or "",
            sectors=list(self.sectors.data or []),
            keywords=profiles.split_list(self.keywords.data),
            calls=profiles.split_list(self.calls.data),
            partner_kinds=list(self.partner_kinds.data or []),
            listed=bool(self.listed.data),
        )
