from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField
from wtforms.validators import NumberRange, Optional

from pic_events.calendar.reminders import MAX_DAYS
from pic_events.core.forms import Form


class ReminderForm(Form):
    enabled = BooleanField(_l("Send a reminder mail before the event"))
    days = IntegerField(
        _l("Days before the first day"),
        validators=[Optional(), NumberRange(min=0, max=MAX_DAYS)],
        description=_l(
            "It goes out from midnight that day (event time), to everyone confirmed, once: "
            "with their agenda, their calendar link and the practical details."
        ),
    )
