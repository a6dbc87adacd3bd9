"""Row locks that hold on both databases, until the transaction ends."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from pic_events.extensions import db


def locked_rows(model, ids: Iterable[int]) -> list:
    """The rows, reloaded and locked until the transaction ends, in id order.

    SQLite has no row locks: a no-op UPDATE takes the database's write lock at once."""
    ids = sorted(set(ids))
    if not ids:
        return []
    table = model.__table__
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(sa.update(table).where(table.c.id.in_(ids)).values(id=table.c.id))
        query = sa.select(model).where(model.id.in_(ids))
    else:
        query = (
            sa.select(model).where(model.id.in_(ids)).order_by(model.id).with_for_update(of=model)
        )
    rows = {
        row.id: row for row in db.session.scalars(query.execution_options(populate_existing=True))
    }
    return [rows[i] for i in ids if i in rows]
