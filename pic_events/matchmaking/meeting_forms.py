"""Forms of the member B2B pages: a request, answering one, cancelling, the outcome."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from pic_events.core.forms import Form
from pic_events.matchmaking.models import RATING_LABELS
from pic_events.matchmaking.requests import MESSAGE_MAX, REASON_MAX


def _int_or_none(value):
    if value in (None, "", "None"):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class RequestForm(Form):
    message = TextAreaField(
        _l("Your message"),
        validators=[Length(max=MESSAGE_MAX)],
        description=_l("Say who you are and what you would like to discuss."),
        render_kw={"rows": 4},
    )
    slot_id = SelectField(_l("Proposed time"), coerce=_int_or_none, validate_choice=False)


class AcceptForm(Form):
    slot_id = SelectField(_l("Time"), coerce=_int_or_none, validate_choice=False)


class DeclineForm(Form):
    reason = TextAreaField(
        _l("Reason (optional, sent to them)"),
        validators=[Optional(), Length(max=REASON_MAX)],
        render_kw={"rows": 2},
    )


class CancelForm(Form):
    reason = TextAreaField(
        _l("Reason (optional, sent to the others)"),
        validators=[Optional(), Length(max=REASON_MAX)],
        render_kw={"rows": 2},
    )


class OutcomeForm(Form):
    took_place = RadioField(
        _l("Did the meeting take place?"),
        choices=[("yes", _l("Yes")), ("no", _l("No"))],
        validators=[InputRequired(message=_l("Say whether it took place."))],
    )
    rating = RadioField(
        _l("How did it go?"),
        choices=[(value.value, label) for value, label in RATING_LABELS.items()],
        validators=[Optional()],
    )


class ConfirmForm(Form):
    """A button with its CSRF token (withdraw a request)."""
