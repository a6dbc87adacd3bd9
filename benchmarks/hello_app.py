"""The ceiling of the load benchmark: a bare Flask app that answers "hello", served by the same
gunicorn settings as the real one (`gunicorn -c gunicorn.conf.py benchmarks.hello_app:app`)."""

from __future__ import annotations

from flask import Flask

app = Flask(__name__)


@app.get("/hello")
def hello() -> str:
    return "hello"


@app.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}
