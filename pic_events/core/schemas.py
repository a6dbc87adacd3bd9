"""The marshmallow pieces every API schema is built from, so each kind of bad input is
refused once, here: text longer than its column or holding a NUL, integers beyond the
column's range or given as non-integers, instants outside the years the app handles.

Input schemas derive from `InputSchema`; their text fields are `Text(max_length)`, their
integers `Int32`/`Id`, lists of ids `IdList(max_items)`, instants `Instant`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from marshmallow import Schema, ValidationError, fields, pre_load, validate

from pic_events.core.limits import (
    FIRST_YEAR,
    INT_MAX,
    INT_MIN,
    LAST_YEAR,
    contains_nul,
    in_year_range,
)


def nul_message() -> str:
    return _("This text contains a NUL character (\\u0000), which cannot be stored.")


class InputSchema(Schema):
    """A request body or query: a NUL anywhere in it is refused before any field is read."""

    @pre_load
    def _refuse_nul(self, data: Any, **_kwargs: Any) -> Any:
        if isinstance(data, dict):
            errors = {str(k): [nul_message()] for k, v in data.items() if contains_nul([k, v])}
            if errors:
                raise ValidationError(errors)
        elif contains_nul(data):
            raise ValidationError(nul_message())
        return data


def _with(validator: Any, kwargs: dict[str, Any]) -> list:
    given = kwargs.pop("validate", None)
    if given is None:
        given = []
    elif callable(given):
        given = [given]
    return [validator, *given]


class Text(fields.String):
    """A string with the length limit of its column (the same as the HTML form's)."""

    def __init__(self, max_length: int, *, min_length: int | None = None, **kwargs: Any):
        validators = _with(validate.Length(min=min_length, max=max_length), kwargs)
        super().__init__(validate=validators, **kwargs)


class Int32(fields.Integer):
    """A whole number that fits an INTEGER column; 2.5, "3" and 1e-42 are refused."""

    def __init__(self, *, minimum: int = INT_MIN, maximum: int = INT_MAX, **kwargs: Any):
        validators = _with(validate.Range(min=minimum, max=maximum), kwargs)
        super().__init__(strict=True, validate=validators, **kwargs)


class Id(Int32):
    """A row's id: 1 to 2**31-1."""

    def __init__(self, **kwargs: Any):
        super().__init__(minimum=1, **kwargs)


class Count(Int32):
    """A capacity, a number of places: 0 or more."""

    def __init__(self, **kwargs: Any):
        super().__init__(minimum=0, **kwargs)


def IdList(max_items: int, **kwargs: Any) -> fields.List:  # noqa: N802 (a field factory)
    return fields.List(Id(), validate=_with(validate.Length(max=max_items), kwargs), **kwargs)


class Instant(fields.AwareDateTime):
    """ISO 8601 with its offset (none given: refused), between FIRST_YEAR and LAST_YEAR."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> datetime:
        moment = super()._deserialize(value, attr, data, **kwargs)
        if not in_year_range(moment):
            raise ValidationError(year_range_message())
        return moment


def year_range_message() -> str:
    return _("Give a date between %(first)d and %(last)d.", first=FIRST_YEAR, last=LAST_YEAR)
