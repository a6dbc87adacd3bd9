"""The ceilings of the load benchmark, served by the same gunicorn settings as the real app
(`gunicorn -c gunicorn.conf.py benchmarks.hello_app:app`):

- /hello: a bare Flask answer, the ceiling of this machine;
- /one-query and /two-queries: the same with one or two trivial SELECTs through
  Flask-SQLAlchemy on the app's database (DATABASE_URL, the same pool settings): the ceiling
  of any page that must ask the database, for instance who is logged in.
"""

from __future__ import annotations

import os

import sqlalchemy as sa
from flask import Flask
from flask_sqlalchemy import SQLAlchemy

from config import Config, database_url

app = Flask(__name__)
app.config["SQLALCHEMY_DATABASE_URI"] = database_url(os.environ.get("DATABASE_URL", "sqlite://"))
app.config["SQLALCHEMY_ENGINE_OPTIONS"] = Config.SQLALCHEMY_ENGINE_OPTIONS
db = SQLAlchemy(app)


@app.get("/hello")
def hello() -> str:
    return "hello"


@app.get("/one-query")
def one_query() -> str:
    return str(db.session.execute(sa.text("SELECT 1")).scalar_one())


@app.get("/two-queries")
def two_queries() -> str:
    first = db.session.execute(sa.text("SELECT 1")).scalar_one()
    return str(first + db.session.execute(sa.text("SELECT 2")).scalar_one())


@app.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}
