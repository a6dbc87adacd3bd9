"""Paged lists: one set of parameters (`page`, `per_page`) and one cap, in pages and the API.

A page beyond the last is empty (never a 404, never the database's "out of range").
"""

from __future__ import annotations

from collections.abc import Sequence

from flask import current_app, request
from flask_sqlalchemy.pagination import Pagination
from marshmallow import Schema, fields, validate
from sqlalchemy import Select

from pic_events.core.limits import INT_MAX
from pic_events.core.schemas import InputSchema
from pic_events.extensions import db

MAX_PER_PAGE = 500
MAX_PAGE = INT_MAX // MAX_PER_PAGE  # keeps the row offset within what databases take


def _bounded(name: str, default: int, maximum: int) -> int:
    value = request.args.get(name, type=int)
    if value is None or value < 1:
        return default
    return min(value, maximum)


def paginate(query: Select, per_page: int | None = None) -> Pagination:
    """Paginate a select from ?page= and ?per_page= (capped at MAX_PER_PAGE)."""
    default = per_page or current_app.config["PER_PAGE"]
    return db.paginate(
        query,
        page=_bounded("page", 1, MAX_PAGE),
        per_page=_bounded("per_page", default, MAX_PER_PAGE),
        max_per_page=MAX_PER_PAGE,
        error_out=False,
    )


class _ListPagination(Pagination):
    """A page of a list already in memory (flask_sqlalchemy's arithmetic and pager)."""

    def _query_items(self) -> list:
        offset = self._query_offset
        return list(self._query_args["items"][offset : offset + self.per_page])

    def _query_count(self) -> int:
        return len(self._query_args["items"])


def paginate_list(items: Sequence, per_page: int | None = None) -> Pagination:
    """paginate() for a list: the same ?page= and ?per_page=, the same page beyond the last."""
    default = per_page or current_app.config["PER_PAGE"]
    return _ListPagination(
        page=_bounded("page", 1, MAX_PAGE),
        per_page=_bounded("per_page", default, MAX_PER_PAGE),
        max_per_page=MAX_PER_PAGE,
        error_out=False,
        items=items,
    )


def paginate_api(query: Select, args: dict) -> dict:
    """The `page`, `per_page` and `total` of a paged API list, with the page's rows as `rows`."""
    page = db.paginate(
        query,
        page=args["page"],
        per_page=args["per_page"],
        max_per_page=MAX_PER_PAGE,
        error_out=False,
        count=True,
    )
    return _api_page(page)


def paginate_api_list(items: Sequence, args: dict) -> dict:
    """paginate_api() for a list already in memory: the same keys, the same page beyond the
    last (empty, `total` still counted)."""
    page = _ListPagination(
        page=args["page"],
        per_page=args["per_page"],
        max_per_page=MAX_PER_PAGE,
        error_out=False,
        items=items,
    )
    return _api_page(page)


def _api_page(page: Pagination) -> dict:
    return {"rows": page.items, "total": page.total, "page": page.page, "per_page": page.per_page}


class PaginationArgsSchema(InputSchema):
    """The query parameters of every paged API list."""

    page = fields.Integer(
        load_default=1,
        validate=validate.Range(min=1, max=MAX_PAGE),
        metadata={"description": "1 for the first page; past the last: no items"},
    )
    per_page = fields.Integer(
        load_default=50,
        validate=validate.Range(min=1, max=MAX_PER_PAGE),
        metadata={"description": f"Items per page, at most {MAX_PER_PAGE}"},
    )


class PageSchema(Schema):
    """What every paged list answers besides its `items`."""

    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()


def page_args() -> dict[str, str]:
    """The current query string without `page`, for building pager links."""
    return {k: v for k, v in request.args.items() if k != "page"}
