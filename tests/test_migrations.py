"""The checked-in migrations build the schema the models describe, and unwind cleanly."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from pic_events.extensions import db
from tests.conftest import BACKENDS, backend_url, make_app


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
