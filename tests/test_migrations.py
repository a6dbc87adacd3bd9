"""The checked-in migrations build the schema the models describe, and unwind cleanly."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from pic_events.extensions import db
from pic_events.matchmaking import booking
from tests.conftest import BACKENDS, backend_url, make_app
from tests.factories import b2b_slots, make_b2b_event, make_registration, make_user


@pytest.fixture(params=BACKENDS)
def empty_database_app(request, tmp_path_factory):
    url = backend_url(request.param, tmp_path_factory, name="migrations")
    app = make_app(url)
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
        yield app
        db.session.remove()
        db.engine.dispose()


def _tables() -> set[str]:
    return set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}


def test_upgrade_to_head_and_back(empty_database_app):
    upgrade()
    assert _tables() == set(db.metadata.tables)
    downgrade(revision="base")
    assert _tables() == set()


def test_models_and_migrations_agree(empty_database_app):
    upgrade()
    with db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "render_as_batch": True}
        )
        diff = compare_metadata(context, db.metadata)
    assert diff == [], "models changed without a migration: flask --app wsgi db migrate"


def _row_counts(tables) -> dict[str, int]:
    with db.engine.connect() as conn:
        return {t: conn.execute(sa.text(f'SELECT count(*) FROM "{t}"')).scalar() for t in tables}


def test_the_newest_migration_keeps_every_row_down_and_up_again(empty_database_app):
    """SQLite rebuilds a table to change it: the rows pointing at it (a meeting's seats) must
    not go with the old copy."""
    upgrade()
    event = make_b2b_event()
    ana, ben = (make_registration(event, make_user(name=n)) for n in ("Ana", "Ben"))
    booking.book(event, [ana.id, ben.id], b2b_slots(event)[0].id)
    db.session.remove()
    downgrade(revision="0013")  # before 0020, which rebuilds b2b_meeting on SQLite
    kept = _tables()
    before = _row_counts(kept)
    assert before["b2b_meeting_seat"] == 2
    upgrade()
    assert _row_counts(kept) == before
