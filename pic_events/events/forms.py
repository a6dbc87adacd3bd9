from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields import DateTimeLocalField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from pic_events.core.countries import country_choices
from pic_events.core.forms import Form, check_wall_clock
from pic_events.core.timezones import all_timezones, is_valid_timezone, localize, to_zone
from pic_events.events.services import DESCRIPTION_MAX


class RegistrationWindowFields(Form):
    """When registration opens and closes, typed as wall-clock times in the event's zone and
    stored as UTC instants; the capacity and approval that go with them."""

    registration_opens = DateTimeLocalField(
        _l("Registration opens"),
        validators=[Optional()],
        description=_l("In the event's time zone"),
    )
    registration_closes = DateTimeLocalField(
        _l("Registration closes"),
        validators=[Optional()],
        description=_l("In the event's time zone; members can change their answers until then"),
    )
    capacity = IntegerField(
        _l("Capacity"),
        validators=[Optional(), NumberRange(min=0)],
        description=_l("Confirmed places; leave empty for no limit"),
    )
    requires_approval = BooleanField(_l("Registrations need an organiser's approval"))

    window_zone: str | None = None  # the zone the window is typed in, when not a field

    def validate_registration_opens(self, field) -> None:
        check_wall_clock(field.data, self._window_zone())

    def validate_registration_closes(self, field) -> None:
        check_wall_clock(field.data, self._window_zone())

    def _window_zone(self) -> str | None:
        zone_field = self._fields.get("timezone")
        return zone_field.data if zone_field is not None else self.window_zone

    def fill_window_from(self, event) -> None:
        """Show the stored UTC instants as wall-clock times in the event's zone."""
        self.window_zone = event.timezone
        if self.is_submitted():
            return
        for name in ("registration_opens", "registration_closes"):
            value = getattr(event, name)
            if value is not None:
                getattr(self, name).data = to_zone(value, event.timezone).replace(tzinfo=None)

    def window_values(self, tz_name: str) -> dict[str, Any]:
        def aware(value: datetime | None) -> datetime | None:
            return localize(value, tz_name) if value else None

        return {
            "registration_opens": aware(self.registration_opens.data),
            "registration_closes": aware(self.registration_closes.data),
            "capacity": self.capacity.data,
            "requires_approval": self.requires_approval.data,
        }


class EventForm(RegistrationWindowFields):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    slug = StringField(
        _l("Address (slug)"),
        validators=[DataRequired(), Length(max=80)],
        description=_l("Appears in links: /events/pic-2027"),
    )
    description = TextAreaField(
        _l("Description"), validators=[Optional(), Length(max=DESCRIPTION_MAX)]
    )
    venue = StringField(_l("Venue"), validators=[Optional(), Length(max=200)])
    city = StringField(_l("City"), validators=[Optional(), Length(max=120)])
    country = SelectField(_l("Country"), validators=[Optional()])
    timezone = SelectField(_l("Time zone"), default="Europe/Paris", validators=[DataRequired()])
    # InputRequired, not DataRequired: a date typed wrong says so, not "required".
    starts_on = DateField(_l("First day"), validators=[InputRequired()])
    ends_on = DateField(_l("Last day"), validators=[InputRequired()])
    privacy_notice = TextAreaField(
        _l("Privacy notice"), validators=[Optional(), Length(max=DESCRIPTION_MAX)]
    )
    retention_until = DateField(
        _l("Keep registrations until"),
        validators=[Optional()],
        description=_l("After this date registrations are anonymised"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.country.choices = [("", "—")] + country_choices()
        self.timezone.choices = sorted(all_timezones())

    def fill_from(self, event) -> None:
        self.fill_window_from(event)

    def values(self) -> dict[str, Any]:
        tz = self.timezone.data if is_valid_timezone(self.timezone.data or "") else "UTC"
        return {
            "title": self.title.data,
            "slug": self.slug.data,
            "description": self.description.data or "",
            "venue": self.venue.data or "",
            "city": self.city.data or "",
            "country": self.country.data or None,
            "timezone": self.timezone.data,
            "starts_on": self.starts_on.data,
            "ends_on": self.ends_on.data,
            "privacy_notice": self.privacy_notice.data or "",
            "retention_until": self.retention_until.data,
            **self.window_values(tz),
        }
