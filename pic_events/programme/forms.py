from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from pic_events.core.forms import Form, check_wall_clock
from pic_events.core.timezones import to_zone
from pic_events.programme.models import SESSION_KIND_LABELS
from pic_events.programme.schemas import DESCRIPTION_MAX, SPEAKER_LIMITS, SPEAKERS_MAX


class RoomForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    location = StringField(
        _l("Floor or building"),
        validators=[Optional(), Length(max=200)],
        description=_l("Helps people find it, e.g. “2nd floor, building B”"),
    )
    capacity = IntegerField(
        _l("Seats"), validators=[Optional(), NumberRange(min=0)], description=_l("Empty: unknown")
    )

    def values(self) -> dict[str, Any]:
        return {
            "name": self.name.data,
            "location": self.location.data or "",
            "capacity": self.capacity.data,
        }


def _day_choices(event, extra: date | None = None) -> list[tuple[str, str]]:
    from pic_events.core.templating import local_date

    days = [
        event.starts_on + timedelta(days=i)
        for i in range((event.ends_on - event.starts_on).days + 1)
    ]
    if extra is not None and extra not in days:
        days = sorted([*days, extra])
    return [(d.isoformat(), local_date(d, "full")) for d in days]


def _room_choices(rooms) -> list[tuple[int, str]]:
    return [(0, str(_l("— no room —")))] + [(r.id, r.name) for r in rooms]


class _ScheduleForm(Form):
    """Day, time and room, shared by the session form and the move form."""

    day = SelectField(_l("Day"), validators=[DataRequired()])
    start_time = TimeField(_l("Starts"), validators=[DataRequired()])
    room_id = SelectField(_l("Room"), coerce=int, default=0)
    save_anyway = BooleanField(_l("Save anyway"))

    def setup(self, event, rooms, session=None) -> None:
        self.event = event
        extra = to_zone(session.starts_at, event.timezone).date() if session else None
        self.day.choices = _day_choices(event, extra)
        self.room_id.choices = _room_choices(rooms)

    def _local(self, day: str, moment: time) -> datetime:
        return datetime.combine(
            date.fromisoformat(day), moment, tzinfo=ZoneInfo(self.event.timezone)
        )

    def starts_at(self) -> datetime:
        return self._local(self.day.data, self.start_time.data)

    def _check_exists(self, moment: time | None, day_text: str | None = None) -> None:
        try:
            day = date.fromisoformat(day_text or self.day.data or "")
        except ValueError:
            return  # the day field says what is wrong
        if moment is not None:
            check_wall_clock(datetime.combine(day, moment), self.event.timezone)

    def validate_start_time(self, field) -> None:
        self._check_exists(field.data)

    def fill_schedule(self, session) -> None:
        local = to_zone(session.starts_at, self.event.timezone)
        self.day.data = local.date().isoformat()
        self.start_time.data = local.time().replace(tzinfo=None)
        self.room_id.data = session.room_id or 0


class SessionForm(_ScheduleForm):
    kind = SelectField(
        _l("Kind"), choices=[(k.value, label) for k, label in SESSION_KIND_LABELS.items()]
    )
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(
        _l("Description"), validators=[Optional(), Length(max=DESCRIPTION_MAX)]
    )
    end_time = TimeField(_l("Ends"), validators=[DataRequired()])
    ends_next_day = BooleanField(_l("Ends after midnight (the next day)"))
    capacity = IntegerField(
        _l("Places"),
        validators=[Optional(), NumberRange(min=0)],
        description=_l("Empty: no limit"),
    )
    must_choose = BooleanField(
        _l("Attendees choose it (workshops, visits)"),
        description=_l("Unticked: it is on everyone's agenda"),
    )
    restricted = BooleanField(_l("Reserved for the steering committee"))
    speakers = TextAreaField(
        _l("Speakers"),
        validators=[Optional()],
        description=_l("One per line: Name | Organisation | Role"),
    )

    def validate_speakers(self, field) -> None:
        speakers = parse_speakers(field.data or "")
        if len(speakers) > SPEAKERS_MAX:
            raise ValidationError(_l("At most %(n)d speakers.", n=SPEAKERS_MAX))
        for speaker in speakers:
            for part, limit in SPEAKER_LIMITS.items():
                if len(speaker[part]) > limit:
                    raise ValidationError(
                        _l(
                            "“%(text)s…” is too long: at most %(n)d characters.",
                            text=speaker[part][:30],
                            n=limit,
                        )
                    )

    def validate_end_time(self, field) -> None:
        try:
            end_day = self._end_day()
        except ValueError:
            return  # the day field says what is wrong
        self._check_exists(field.data, end_day)

    def _end_day(self) -> str:
        if not self.ends_next_day.data:
            return self.day.data
        return (date.fromisoformat(self.day.data) + timedelta(days=1)).isoformat()

    def fill_from(self, values: dict[str, Any]) -> None:
        """Prefill from a session's values (edit, duplicate), unless the form was posted."""
        if self.is_submitted():
            return
        tz = self.event.timezone
        start, end = to_zone(values["starts_at"], tz), to_zone(values["ends_at"], tz)
        self.day.data = start.date().isoformat()
        self.start_time.data = start.time().replace(tzinfo=None)
        self.end_time.data = end.time().replace(tzinfo=None)
        self.ends_next_day.data = end.date() > start.date()
        self.room_id.data = values["room_id"] or 0
        for name in ("kind", "title", "description", "capacity", "must_choose", "restricted"):
            getattr(self, name).data = values[name]
        self.speakers.data = "\n".join(
            " | ".join(part for part in (s["name"], s["organisation"], s["role"])).rstrip(" |")
            for s in values["speakers"]
        )

    def values(self) -> dict[str, Any]:
        starts_at = self.starts_at()
        ends_at = self._local(self._end_day(), self.end_time.data)
        return {
            "kind": self.kind.data,
            "title": self.title.data,
            "description": self.description.data or "",
            "starts_at": starts_at,
            "ends_at": ends_at,
            "room_id": self.room_id.data or None,
            "capacity": self.capacity.data,
            "must_choose": self.must_choose.data,
            "restricted": self.restricted.data,
            "speakers": parse_speakers(self.speakers.data or ""),
        }


class MoveForm(_ScheduleForm):
    pass


def parse_speakers(text: str) -> list[dict[str, str]]:
    speakers = []
    for line in text.splitlines():
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")] + ["", ""]
        role = " | ".join(p for p in parts[2:] if p)
        speakers.append({"name": parts[0], "organisation": parts[1], "role": role})
    return speakers


class NewEditionForm(Form):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    slug = StringField(
        _l("Address (slug)"),
        validators=[DataRequired(), Length(max=80)],
        description=_l("Appears in links: /events/pic-2028"),
    )
    starts_on = DateField(
        _l("First day"),
        validators=[DataRequired()],
        description=_l("Sessions keep their times and move by whole days"),
    )
