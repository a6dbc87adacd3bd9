"""Mail delivery as RQ jobs, when REDIS_URL is set.

A commit that writes outbox rows enqueues ``deliver_outbox_job``; the job delivers what
is due and, when messages are waiting for a retry, schedules itself for the earliest
one (one scheduled job per instant: the job id carries it). ``flask mail-worker`` runs
the worker with its scheduler.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Flask, current_app, has_app_context
from redis import Redis
from rq import Queue
from rq.job import Job

DEFAULT_QUEUE = "pic-mail"
JOB_TIMEOUT_SECONDS = 600


def redis_connection(app: Flask | None = None) -> Redis:
    app = app or current_app
    connection = app.extensions.get("pic_mail_redis")
    if connection is None:
        connection = Redis.from_url(
            app.config["REDIS_URL"], socket_connect_timeout=2, socket_timeout=5
        )
        app.extensions["pic_mail_redis"] = connection
    return connection


def mail_queue(app: Flask | None = None) -> Queue:
    app = app or current_app
    name = app.config.get("MAIL_QUEUE", DEFAULT_QUEUE)
    return Queue(name, connection=redis_connection(app), default_timeout=JOB_TIMEOUT_SECONDS)


def enqueue_delivery() -> Job:
    return mail_queue().enqueue(deliver_outbox_job)


def schedule_retry(at: datetime) -> Job:
    job_id = f"{mail_queue().name}-retry-{int(at.timestamp())}"
    return mail_queue().enqueue_at(at, deliver_outbox_job, job_id=job_id)


def deliver_outbox_job() -> dict[str, Any]:
    """Runs in the worker: inside the worker's app context, or in a new app's."""
    if has_app_context():
        return _deliver_and_reschedule()
    from pic_events import create_app

    with create_app().app_context():
        return _deliver_and_reschedule()


def _deliver_and_reschedule() -> dict[str, Any]:
    from pic_events.notifications.sender import deliver_due

    report = deliver_due()
    if report.next_attempt_at is not None:
        schedule_retry(report.next_attempt_at)
    return report.as_dict()
