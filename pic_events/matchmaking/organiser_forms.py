"""The organiser's B2B forms: rules, slot windows, one slot, tables, scheduling, moving."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    FloatField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from pic_events.core.forms import Form, check_wall_clock
from pic_events.core.templating import local_date, local_time
from pic_events.core.timezones import localize, to_zone
from pic_events.matchmaking.models import BOOKING_STYLE_LABELS


def day_choices(event) -> list[tuple[str, str]]:
    days = [
        event.starts_on + timedelta(days=i)
        for i in range((event.ends_on - event.starts_on).days + 1)
    ]
    return [
        (d.isoformat(), _l("Day %(n)d: %(date)s", n=i + 1, date=local_date(d, "full")))
        for i, d in enumerate(days)
    ]


def room_choices(rooms) -> list[tuple[int, str]]:
    return [(0, str(_l("— no room —")))] + [(r.id, r.name) for r in rooms]


class RulesForm(Form):
    enabled = BooleanField(_l("Matchmaking is on for this meeting"))
    booking_style = SelectField(
        _l("Booking style"), choices=[(k.value, v) for k, v in BOOKING_STYLE_LABELS.items()]
    )
    max_meetings = IntegerField(
        _l("Most meetings per participant"),
        validators=[Optional(), NumberRange(min=1, max=1000)],
        description=_l("Empty: no limit but one per slot"),
    )
    deadline_day = DateField(_l("Request deadline: day"), validators=[Optional()])
    deadline_time = TimeField(_l("Request deadline: time"), validators=[Optional()])
    request_lifetime_hours = IntegerField(
        _l("A pending request expires after (hours)"),
        validators=[DataRequired(), NumberRange(min=1, max=24 * 365)],
        default=72,
    )

    def setup(self, event, settings) -> None:
        self.event = event
        self.deadline_time.description = _l(
            "In the meeting's time zone, %(zone)s. Empty: until the meetings start.",
            zone=event.timezone,
        )
        if self.is_submitted():
            return
        self.enabled.data = settings.enabled
        self.booking_style.data = settings.booking_style
        self.max_meetings.data = settings.max_meetings
        self.request_lifetime_hours.data = settings.request_lifetime_hours
        if settings.request_deadline is not None:
            local = to_zone(settings.request_deadline, event.timezone)
            self.deadline_day.data = local.date()
            self.deadline_time.data = local.time().replace(tzinfo=None)

    def validate_deadline_time(self, field) -> None:
        if (self.deadline_day.data is None) != (field.data is None):
            raise ValidationError(_l("Give both the day and the time, or neither."))
        if field.data is not None:
            check_wall_clock(
                datetime.combine(self.deadline_day.data, field.data), self.event.timezone
            )

    def values(self) -> dict[str, Any]:
        deadline = None
        if self.deadline_day.data and self.deadline_time.data:
            deadline = localize(
                datetime.combine(self.deadline_day.data, self.deadline_time.data),
                self.event.timezone,
            )
        return {
            "enabled": self.enabled.data,
            "booking_style": self.booking_style.data,
            "max_meetings": self.max_meetings.data,
            "request_deadline": deadline,
            "request_lifetime_hours": self.request_lifetime_hours.data,
        }


class WindowForm(Form):
    """Slots from a time window: day 2, 09:00-12:30, 20 minutes, 5-minute gaps."""

    day = SelectField(_l("Day"), validators=[DataRequired()])
    start = TimeField(_l("From"), validators=[DataRequired()])
    end = TimeField(_l("To"), validators=[DataRequired()])
    minutes = IntegerField(
        _l("Meeting length (minutes)"),
        validators=[DataRequired(), NumberRange(min=5, max=24 * 60)],
        default=20,
    )
    gap = IntegerField(
        _l("Gap between meetings (minutes)"),
        validators=[Optional(), NumberRange(min=0, max=24 * 60)],
        default=5,
    )

    def setup(self, event) -> None:
        self.day.choices = day_choices(event)

    def window(self):
        from pic_events.matchmaking.setup import Window

        return Window(
            date.fromisoformat(self.day.data),
            self.start.data,
            self.end.data,
            self.minutes.data,
            self.gap.data or 0,
        )


class SlotForm(Form):
    day = SelectField(_l("Day"), validators=[DataRequired()])
    start_time = TimeField(_l("Starts"), validators=[DataRequired()])
    end_time = TimeField(_l("Ends"), validators=[DataRequired()])
    confirm = BooleanField(_l("Yes, change these meetings as said above"))

    def setup(self, event, slot=None) -> None:
        self.event = event
        self.day.choices = day_choices(event)
        if slot is not None and not self.is_submitted():
            start, end = (to_zone(m, event.timezone) for m in (slot.starts_at, slot.ends_at))
            self.day.data = start.date().isoformat()
            self.start_time.data = start.time().replace(tzinfo=None)
            self.end_time.data = end.time().replace(tzinfo=None)

    def _moment(self, moment: time) -> datetime:
        return localize(
            datetime.combine(date.fromisoformat(self.day.data), moment), self.event.timezone
        )

    def validate_start_time(self, field) -> None:
        self._exists(field.data)

    def validate_end_time(self, field) -> None:
        self._exists(field.data)

    def _exists(self, moment) -> None:
        try:
            day = date.fromisoformat(self.day.data or "")
        except ValueError:
            return
        if moment is not None:
            check_wall_clock(datetime.combine(day, moment), self.event.timezone)

    def times(self) -> tuple[datetime, datetime]:
        return self._moment(self.start_time.data), self._moment(self.end_time.data)


def slot_label(slot, event) -> str:
    tz = event.timezone
    return (
        f"{local_date(slot.starts_at, 'medium', tz)} "
        f"{local_time(slot.starts_at, tz)}–{local_time(slot.ends_at, tz)}"
    )


class DeleteSlotForm(Form):
    move_to = SelectField(_l("Its meetings"), coerce=int, default=0)
    confirm = BooleanField(_l("Yes, delete this slot"))

    def setup(self, event, slot, slots) -> None:
        self.move_to.choices = [(0, str(_l("Cancel them (both sides are told)")))] + [
            (s.id, str(_l("Move them to %(slot)s", slot=slot_label(s, event))))
            for s in slots
            if s.id != slot.id
        ]


class TablesForm(Form):
    count = IntegerField(
        _l("How many tables"), validators=[DataRequired(), NumberRange(min=1, max=200)], default=10
    )
    prefix = StringField(_l("Label prefix"), validators=[Optional(), Length(max=36)], default="T")
    first = IntegerField(
        _l("First number"),
        validators=[Optional(), NumberRange(min=0, max=100000)],
        description=_l("Empty: after the highest in use"),
    )
    seats = IntegerField(
        _l("Seats per table"), validators=[DataRequired(), NumberRange(min=2, max=100)], default=2
    )
    room_id = SelectField(_l("Room"), coerce=int, default=0)

    def setup(self, rooms) -> None:
        self.room_id.choices = room_choices(rooms)


class TableForm(Form):
    seats = IntegerField(
        _l("Seats"), validators=[DataRequired(), NumberRange(min=2, max=100)], default=2
    )
    room_id = SelectField(_l("Room"), coerce=int, default=0)

    def setup(self, rooms) -> None:
        self.room_id.choices = room_choices(rooms)


class RunForm(Form):
    time_limit = FloatField(
        _l("Time limit (seconds)"),
        validators=[DataRequired(), NumberRange(min=1, max=300)],
        default=10,
    )


class PlaceForm(Form):
    """A meeting's slot and table, chosen by hand (move, or place a request)."""

    slot_id = SelectField(_l("Slot"), coerce=int, validators=[DataRequired()])
    table_id = SelectField(_l("Table"), coerce=int, default=0)

    def setup(self, event, slots, tables) -> None:
        self.slot_id.choices = [(s.id, slot_label(s, event)) for s in slots]
        self.table_id.choices = [(0, str(_l("Any free table")))] + [(t.id, t.label) for t in tables]


class CancelForm(Form):
    reason = TextAreaField(
        _l("Reason (sent to both sides)"), validators=[Optional(), Length(max=500)]
    )
