"""What the database can hold: the bounds every input is checked against before it is saved.

PostgreSQL's INTEGER is 32-bit and its text cannot hold a NUL character; dates far from now
come back with local-mean-time offsets (+00:09:21) that nobody means. Input beyond these is
refused as invalid (422, or an error next to the field), never passed on to the database.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

INT_MIN = -(2**31)
INT_MAX = 2**31 - 1
FIRST_YEAR = 2000
LAST_YEAR = 2100
NUL = "\x00"


def contains_nul(value: Any) -> bool:
    """A NUL anywhere in a string, or in the keys and values of nested JSON."""
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, dict):
        return any(contains_nul(k) or contains_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(contains_nul(item) for item in value)
    return False


def fits_integer_column(value: int) -> bool:
    return INT_MIN <= value <= INT_MAX


def in_year_range(value: date | datetime | None) -> bool:
    return value is None or FIRST_YEAR <= value.year <= LAST_YEAR
