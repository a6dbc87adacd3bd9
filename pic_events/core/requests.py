"""Request parsing the whole app shares: ids in URLs and query strings within the integer
column's range, no NUL in a URL or a query string.

An id beyond 2**31-1 cannot name a row: its URL answers 404 as an unknown id does
(instead of the database's "integer out of range"), and `request.args.get(..., type=int)`
treats it as no number at all.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Request, request
from flask_babel import gettext as _
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter, UnicodeConverter

from pic_events.core.limits import INT_MAX, NUL, contains_nul, fits_integer_column
from pic_events.core.problems import ApiError


class RowIdConverter(IntegerConverter):
    """`<int:id>`: 0 to 2**31-1; a larger number names no row: 404, whatever the method
    (werkzeug's own `max` can answer 405 when the path has routes for other methods)."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", INT_MAX)
        super().__init__(map, *args, **kwargs)

    def to_python(self, value: str) -> int:
        number = int(value)
        if self.max is not None and number > self.max:
            raise NotFound()
        return number


class TextConverter(UnicodeConverter):
    """`<slug>`: any text without a slash or a NUL (a NUL matches no route: 404)."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(map, *args, **kwargs)
        self.regex = self.regex.replace("[^/]", f"[^/{NUL}]")


def _column_int(text: str) -> int:
    value = int(text)
    if not fits_integer_column(value):
        raise ValueError("beyond the integer column's range")
    return value


class ColumnSafeArgs(ImmutableMultiDict):
    """Query strings and forms where `type=int` only gives numbers an INTEGER column holds."""

    def get(self, key: Any, default: Any = None, type: Any = None) -> Any:  # noqa: A002
        return super().get(key, default, _column_int if type is int else type)

    def getlist(self, key: Any, type: Any = None) -> list:  # noqa: A002
        return super().getlist(key, _column_int if type is int else type)


class PicRequest(Request):
    parameter_storage_class = ColumnSafeArgs


def _refuse_nul_in_query() -> None:
    bad = sorted({name for name, value in request.args.items(multi=True) if NUL in value})
    if bad or contains_nul(list(request.args.keys())):
        message = _("The address contains a NUL character (%00), which cannot be stored.")
        raise ApiError(422, message, errors={name: [message] for name in bad})


def install(app: Flask) -> None:
    """Before any route is added: the converters are bound when a rule is."""
    app.request_class = PicRequest
    app.url_map.converters["int"] = RowIdConverter
    app.url_map.converters["default"] = TextConverter
    app.url_map.converters["string"] = TextConverter
    app.before_request(_refuse_nul_in_query)
