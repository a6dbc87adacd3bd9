"""Counting the SQL statements a block of code runs (to catch N+1 queries)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from pic_events.extensions import db


@contextmanager
def count_queries(app=None) -> Iterator[list[str]]:
    """Yields the list of statements sent to the database inside the block (by `app`'s
    engine when given, else the current app's)."""
    statements: list[str] = []
    if app is not None:
        with app.app_context():
            engine = db.engine
    else:
        engine = db.engine

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
