"""Fixtures: every database test runs on SQLite and again on PostgreSQL.

PostgreSQL tests need TEST_DATABASE_URL (``.ci/run`` sets it); without it they are
skipped with a visible reason. Each xdist worker gets its own PostgreSQL schema and
SQLite file; every test starts from empty tables.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from flask import Flask, g, request_started

from config import database_url
from pic_events import create_app
from pic_events.extensions import db
from tests.factories import api_auth, make_organiser, make_user

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
BACKENDS = ["sqlite", "postgresql"]


def _worker() -> str:
    # The pid keeps two test runs on one machine (two engineers, CI) out of each other's way.
    return f"{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{os.getpid()}"


_schemas: set[str] = set()


@pytest.fixture(scope="session", autouse=True)
def _drop_test_schemas() -> Iterator[None]:
    yield
    if not _schemas:
        return
    engine = sa.create_engine(database_url(TEST_DATABASE_URL))
    with engine.begin() as conn:
        for schema in _schemas:
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    engine.dispose()


def postgres_url(schema: str) -> str:
    """A URL whose connections see only `schema` (created if missing)."""
    base = database_url(TEST_DATABASE_URL)
    engine = sa.create_engine(base)
    with engine.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
    engine.dispose()
    _schemas.add(schema)
    separator = "&" if "?" in base else "?"
    return f"{base}{separator}options={quote(f'-csearch_path={schema}')}"


def backend_url(backend: str, tmp_path_factory, name: str = "app") -> str:
    if backend == "postgresql":
        if not TEST_DATABASE_URL:
            pytest.skip("PostgreSQL tests need TEST_DATABASE_URL (set by .ci/run)")
        return postgres_url(f"test_{name}_{_worker()}")
    return f"sqlite:///{tmp_path_factory.getbasetemp() / f'{name}.sqlite'}"


_prepared: set[str] = set()


def _empty_tables() -> None:
    tables = list(reversed(db.metadata.sorted_tables))
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        db.session.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            db.session.execute(table.delete())
    db.session.commit()


def make_app(url: str, **overrides) -> Flask:
    application = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url, **overrides})
    request_started.connect(_fresh_g, application)
    return application


def _fresh_g(sender: Flask, **extra) -> None:
    """Test requests share the fixture's app context, hence its `g`: start each one with an
    empty `g`, as in production (else the logged-in user, the token flag, the locale and the
    CSRF token of the previous request leak into the next one)."""
    for name in list(g):
        g.pop(name)


def _app_on(url: str) -> Iterator[Flask]:
    application = make_app(url)
    with application.app_context():
        if url not in _prepared:
            db.drop_all()
            db.create_all()
            _prepared.add(url)
        _empty_tables()
        yield application
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(params=BACKENDS)
def app(request, tmp_path_factory) -> Iterator[Flask]:
    yield from _app_on(backend_url(request.param, tmp_path_factory))


@pytest.fixture
def pg_app(tmp_path_factory) -> Iterator[Flask]:
    """PostgreSQL only: for concurrency tests that need real row locks."""
    yield from _app_on(backend_url("postgresql", tmp_path_factory))


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def organiser_auth(app) -> dict[str, str]:
    """Authorization header of a new organiser's API token."""
    return api_auth(make_organiser())


@pytest.fixture
def member_auth(app) -> dict[str, str]:
    """Authorization header of a new member's API token."""
    return api_auth(make_user())
