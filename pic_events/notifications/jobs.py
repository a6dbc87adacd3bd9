"""Mail delivery as RQ jobs, when REDIS_URL is set.

A commit that writes outbox rows enqueues ``deliver_outbox_job``; the job delivers what
is due and, when messages are waiting for a retry, schedules itself for the earliest
one (one scheduled job per instant: the job id carries it). ``flask mail-worker`` runs
the worker with its scheduler.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Flask, current_app
from rq import Queue, Retry
from rq.job import Job

from pic_events.core.background import ABANDONED_RETRIES, in_app_context
from pic_events.core.queues import queue

DEFAULT_QUEUE = "pic-mail"


def mail_queue(app: Flask | None = None) -> Queue:
    app = app or current_app
    return queue(app.config.get("MAIL_QUEUE") or DEFAULT_QUEUE, app)


def enqueue_delivery() -> Job:
    """RQ re-enqueues the job if its worker dies (the outbox claims stop a second send)."""
    return mail_queue().enqueue(deliver_outbox_job, retry=Retry(max=ABANDONED_RETRIES))


def schedule_retry(at: datetime) -> Job:
    job_id = f"{mail_queue().name}-retry-{int(at.timestamp())}"
    return mail_queue().enqueue_at(at, deliver_outbox_job, job_id=job_id)


def deliver_outbox_job() -> dict[str, Any]:
    """Runs in the worker: inside the worker's app context, or in a new app's."""
    return in_app_context(_deliver_and_reschedule)


def _deliver_and_reschedule() -> dict[str, Any]:
    from pic_events.notifications.sender import deliver_due

    report = deliver_due()
    if report.next_attempt_at is not None:
        schedule_retry(report.next_attempt_at)
    return report.as_dict()
