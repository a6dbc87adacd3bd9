"""Background work whose progress a row in the database tells (a scheduling run, a document
job): queued on RQ when REDIS_URL is set, else run by the caller, in the request.

`enqueue` answers None when the work must run inline: no REDIS_URL, or Redis does not answer
(the page then does the work while the organiser waits, rather than not at all). The row, not
the queue, is the truth: a job that RQ retries after its worker was killed finds the row and
claims it again (see documents.badge_jobs), so a retry never does the work twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from flask import current_app, has_app_context
from redis.exceptions import RedisError
from rq import Retry
from rq.job import Job

from pic_events.core.queues import queue

logger = logging.getLogger(__name__)

# RQ re-enqueues a job whose worker died (StartedJobRegistry clean-up) this many times.
ABANDONED_RETRIES = 2


def enqueue(
    queue_name: str,
    func: Callable[..., Any],
    *args: Any,
    job_timeout: int,
    retries: int = ABANDONED_RETRIES,
) -> Job | None:
    """The RQ job doing `func(*args)`, or None when the caller must run it now."""
    if not current_app.config.get("REDIS_URL"):
        return None
    try:
        return queue(queue_name).enqueue(
            func, *args, job_timeout=job_timeout, retry=Retry(max=retries) if retries else None
        )
    except (RedisError, OSError):
        logger.exception("Could not enqueue %s on %s; running it inline", func.__name__, queue_name)
        return None


def in_app_context(func: Callable[..., Any], *args: Any) -> Any:
    """Run an RQ job's work in the worker's app context (`flask worker`), or a new app's
    (a plain `rq worker`)."""
    if has_app_context():
        return func(*args)
    from pic_events import create_app

    with create_app().app_context():
        return func(*args)
