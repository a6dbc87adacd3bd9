from __future__ import annotations

from flask import current_app, request
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select

from pic_events.extensions import db


def paginate(query: Select, per_page: int | None = None) -> Pagination:
    """Paginate a select from ?page= and ?per_page= (capped), never 404 on a bad page."""
    default = per_page or current_app.config["PER_PAGE"]
    return db.paginate(query, per_page=default, max_per_page=100, error_out=False)


def page_args() -> dict[str, str]:
    """The current query string without `page`, for building pager links."""
    return {k: v for k, v in request.args.items() if k != "page"}
