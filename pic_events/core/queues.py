"""RQ queues on REDIS_URL: one connection per app, the queue names `flask worker` serves.

MAIL_QUEUE carries mail delivery (notifications.jobs); DOCUMENTS_QUEUE the long document
jobs. Without REDIS_URL nothing is queued: the same work runs inline.
"""

from __future__ import annotations

from flask import Flask, current_app
from redis import Redis
from rq import Queue

DEFAULT_TIMEOUT_SECONDS = 600


def redis_connection(app: Flask | None = None) -> Redis:
    app = app or current_app
    connection = app.extensions.get("pic_redis")
    if connection is None:
        connection = Redis.from_url(
            app.config["REDIS_URL"], socket_connect_timeout=2, socket_timeout=5
        )
        app.extensions["pic_redis"] = connection
    return connection


def queue(name: str, app: Flask | None = None) -> Queue:
    app = app or current_app
    return Queue(name, connection=redis_connection(app), default_timeout=DEFAULT_TIMEOUT_SECONDS)


def worker_queue_names(app: Flask | None = None) -> list[str]:
    """Every queue `flask worker` serves, mail first (it is short and people wait for it)."""
    app = app or current_app
    names = [app.config.get("MAIL_QUEUE") or "pic-mail"]
    names.append(app.config.get("DOCUMENTS_QUEUE") or "pic-documents")
    return list(dict.fromkeys(names))
