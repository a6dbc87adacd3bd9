"""This module's `flask` commands; pic_events.cli registers every command listed here."""

from __future__ import annotations

import json
import time

import click
from flask import current_app
from flask.cli import with_appcontext

from pic_events.notifications import sender


@click.command("send-mail")
@click.option("--limit", default=100, show_default=True, help="At most this many per run.")
@click.option(
    "--retry-failed", is_flag=True, help="First give failed messages a fresh set of attempts."
)
@click.option(
    "--every",
    type=click.FloatRange(min=1),
    default=None,
    help="Keep running: deliver what is due every N seconds (no Redis, no cron).",
)
@with_appcontext
def send_mail_command(limit: int, retry_failed: bool, every: float | None) -> None:
    """Deliver the outbox messages that are due (run it from cron)."""
    if retry_failed:
        click.echo(f"{sender.requeue_failed()} failed message(s) put back in the queue.", err=True)
    while True:
        report = sender.deliver_due(limit=limit)
        click.echo(json.dumps(report.as_dict()))
        if every is None:
            return
        time.sleep(every)


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
@with_appcontext
def worker_command(burst: bool) -> None:
    """Run the RQ worker for every background job: mail and documents (needs REDIS_URL)."""
    from pic_events.core.queues import queue, worker_queue_names

    _require_redis()
    _run_worker([queue(name) for name in worker_queue_names()], burst)


@click.command("mail-worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
@with_appcontext
def mail_worker_command(burst: bool) -> None:
    """Run the RQ worker that delivers mail only (needs REDIS_URL); see also `worker`."""
    from pic_events.notifications.jobs import mail_queue

    _require_redis()
    _run_worker([mail_queue()], burst)


def _require_redis() -> None:
    if not current_app.config.get("REDIS_URL"):
        raise click.ClickException(
            "REDIS_URL is not set, so there is no queue to work on. Mail is delivered right "
            "after each change; for retries run `flask --app wsgi send-mail` from cron or "
            "`flask --app wsgi send-mail --every 60`."
        )


RQ_DEQUEUE_MARGIN_SECONDS = 15


def _run_worker(queues: list, burst: bool) -> None:
    from rq import SimpleWorker

    from pic_events.core.queues import redis_connection
    from pic_events.notifications.jobs import enqueue_delivery

    # Catch up with whatever became due while no worker ran, or was left half-done by a
    # worker that was killed: the outbox rows, not the queue, say what is still to send.
    enqueue_delivery()
    # SimpleWorker runs jobs in this process, inside this app context (no fork, no
    # database connections shared with a child).
    interval = current_app.config.get("WORKER_MAINTENANCE_SECONDS", 60)
    worker = SimpleWorker(
        queues,
        connection=redis_connection(),
        maintenance_interval=interval,
        # RQ waits worker_ttl - 15 s for a job before it looks at its maintenance again.
        worker_ttl=interval + RQ_DEQUEUE_MARGIN_SECONDS,
    )
    worker.work(burst=burst, with_scheduler=True)


commands: list[click.Command] = [send_mail_command, worker_command, mail_worker_command]
