"""RQ queues on REDIS_URL: one connection per app, the queue names `flask worker` serves.

MAIL_QUEUE carries mail delivery (notifications.jobs); DOCUMENTS_QUEUE the long document
jobs. Without REDIS_URL nothing is queued: the same work runs inline.
"""

from __future__ import annotations

from flask import Flask, current_app
from redis import Redis
from rq import Queue, SimpleWorker
from rq.defaults import DEFAULT_WORKER_TTL
from rq.job import Job

DEFAULT_TIMEOUT_SECONDS = 600
# The worker wakes from its wait on the queues this long before its TTL runs out.
WAKE_BEFORE_TTL_SECONDS = 15


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


class PicWorker(SimpleWorker):
    """RQ's SimpleWorker (jobs run in the worker's process and app context, no fork) whose
    running job counts as abandoned `job_grace` seconds after its timeout (RQ's: 60). A
    worker's maintenance then finds it in the StartedJobRegistry and, if the job has retries
    left (rq.Retry), puts it back on its queue: a killed worker's job is run again."""

    job_grace = 60

    def get_heartbeat_ttl(self, job: Job, working_time: float = 0.0) -> int:
        if job.timeout == -1:
            return DEFAULT_WORKER_TTL
        return int(job.timeout or DEFAULT_WORKER_TTL) + self.job_grace


def make_worker(queues: list[Queue], app: Flask | None = None) -> PicWorker:
    """A worker that looks for abandoned jobs every WORKER_MAINTENANCE_SECONDS (RQ: 600)."""
    app = app or current_app
    maintenance = int(app.config.get("WORKER_MAINTENANCE_SECONDS", 60))
    worker = PicWorker(
        queues,
        connection=redis_connection(app),
        maintenance_interval=maintenance,
        worker_ttl=maintenance + WAKE_BEFORE_TTL_SECONDS,
    )
    worker.job_grace = int(app.config.get("WORKER_JOB_GRACE_SECONDS", 60))
    return worker
