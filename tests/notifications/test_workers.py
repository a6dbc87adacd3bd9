"""Delivery by RQ when REDIS_URL is set, the CLI, and two workers at once on PostgreSQL."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from redis import Redis
from redis.exceptions import RedisError
from rq import SimpleWorker
from sqlalchemy import select

from pic_events.core.types import utcnow
from pic_events.extensions import db
from pic_events.notifications.jobs import deliver_outbox_job, mail_queue
from pic_events.notifications.models import OutboxMessage, OutboxStatus
from pic_events.notifications.sender import deliver_due
from pic_events.notifications.services import queue_mail
from tests.notifications.conftest import SmtpServer, free_port

REDIS_URL = "redis://127.0.0.1:6379/0"
ROOT = Path(__file__).resolve().parents[2]


def queue_connection() -> Redis:
    return mail_queue().connection


def statuses() -> list[str]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage.status).order_by(OutboxMessage.id)))


@pytest.fixture
def redis_app(mail_app):
    try:
        Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except RedisError as error:
        pytest.skip(f"Redis at {REDIS_URL} is not answering: {error}")
    mail_app.config.update(REDIS_URL=REDIS_URL, MAIL_QUEUE=f"test-mail-{uuid.uuid4().hex}")
    queue = mail_queue(mail_app)
    yield mail_app
    _delete_queue_keys(queue)


def _delete_queue_keys(queue) -> None:
    """Remove this test queue, its registries and their jobs (no other key is touched)."""
    registries = (
        queue.scheduled_job_registry,
        queue.finished_job_registry,
        queue.failed_job_registry,
        queue.started_job_registry,
        queue.deferred_job_registry,
    )
    job_ids = {job_id for registry in registries for job_id in registry.get_job_ids()}
    queue.delete(delete_jobs=True)
    redis = queue.connection
    for job_id in job_ids:
        redis.delete(f"rq:job:{job_id}", f"rq:results:{job_id}")
    for key in redis.scan_iter(f"rq:*:{queue.name}"):
        redis.delete(key)


def test_commit_enqueues_a_job_that_the_worker_runs(redis_app, smtp_server):
    queue_mail("zoe@example.org", "Bienvenue à Angers", "À bientôt.")
    db.session.commit()

    queue = mail_queue()
    assert queue.count == 1
    assert queue.jobs[0].func_name == "pic_events.notifications.jobs.deliver_outbox_job"
    assert statuses() == [OutboxStatus.PENDING]  # not inline: the worker's job
    assert smtp_server.inbox.messages == []

    SimpleWorker([queue], connection=queue.connection).work(burst=True)

    assert statuses() == [OutboxStatus.SENT]
    assert smtp_server.inbox.messages[0]["Subject"] == "Bienvenue à Angers"


def test_job_schedules_itself_for_the_next_retry(redis_app):
    redis_app.config["MAIL_PORT"] = free_port()  # nobody listens: delivery fails
    queue_mail("zoe@example.org", "Retry me", "Later.")
    db.session.commit()

    report = deliver_outbox_job()

    assert report["retrying"] == 1
    message = db.session.scalars(select(OutboxMessage)).one()
    scheduled = mail_queue().scheduled_job_registry.get_job_ids()
    assert scheduled == [f"{mail_queue().name}-retry-{int(message.next_attempt_at.timestamp())}"]


def test_redis_down_the_mail_is_delivered_inline(app, caplog):
    app.config.update(REDIS_URL=f"redis://127.0.0.1:{free_port()}/0")
    queue_mail("zoe@example.org", "Inline", "Redis is down.")
    db.session.commit()  # does not fail

    assert statuses() == [OutboxStatus.LOGGED]  # no MAIL_SERVER: delivered to the log
    assert "Could not start mail delivery on the queue; delivering inline" in caplog.text


def test_redis_down_without_inline_delivery_keeps_the_mail_for_later(app):
    app.config.update(REDIS_URL=f"redis://127.0.0.1:{free_port()}/0", MAIL_DELIVER_INLINE=False)
    queue_mail("zoe@example.org", "Kept", "Redis is down.")
    db.session.commit()

    assert statuses() == [OutboxStatus.PENDING]


def test_more_mail_than_one_run_sends_is_finished_by_the_rescheduled_job(redis_app, smtp_server):
    redis_app.config.update(REDIS_URL=None, MAIL_DELIVER_INLINE=False)
    for n in range(150):  # one run sends at most 100
        queue_mail(f"member{n:03}@example.org", f"Message {n}", "Hello.")
    db.session.commit()
    redis_app.config["REDIS_URL"] = REDIS_URL

    first = deliver_outbox_job()

    assert first["sent"] == 100
    queue = mail_queue()
    assert len(queue.scheduled_job_registry.get_job_ids()) == 1  # the rest: due at once
    SimpleWorker([queue], connection=queue.connection).work(burst=True, with_scheduler=True)
    assert statuses() == [OutboxStatus.SENT] * 150
    recipients = Counter(r for e in smtp_server.inbox.envelopes for r in e.rcpt_tos)
    assert len(recipients) == 150 and set(recipients.values()) == {1}


def test_send_mail_command_delivers_what_is_due(mail_app, smtp_server):
    mail_app.config["MAIL_DELIVER_INLINE"] = False
    queue_mail("zoe@example.org", "From cron", "Hello.")
    db.session.commit()

    result = mail_app.test_cli_runner().invoke(args=["send-mail"])

    assert result.exit_code == 0, result.output
    assert json.loads(result.output.strip().splitlines()[-1])["sent"] == 1
    assert statuses() == [OutboxStatus.SENT]
    assert len(smtp_server.inbox.messages) == 1


def test_send_mail_retry_failed_gives_failed_mail_another_chance(mail_app, smtp_server):
    mail_app.config["MAIL_DELIVER_INLINE"] = False
    message = queue_mail("zoe@example.org", "Second chance", "Hello.")
    db.session.commit()
    message.status, message.attempts = OutboxStatus.FAILED.value, 8
    db.session.commit()

    runner = mail_app.test_cli_runner()
    assert json.loads(runner.invoke(args=["send-mail"]).output)["sent"] == 0
    result = runner.invoke(args=["send-mail", "--retry-failed"])

    assert result.exit_code == 0, result.output
    assert "1 failed message(s) put back" in result.output
    assert statuses() == [OutboxStatus.SENT]


def test_mail_worker_needs_redis(app):
    result = app.test_cli_runner().invoke(args=["mail-worker", "--burst"])
    assert result.exit_code != 0
    assert "REDIS_URL is not set" in result.output


def test_mail_worker_catches_up_with_what_is_due(redis_app, smtp_server):
    redis_app.config.update(REDIS_URL=None, MAIL_DELIVER_INLINE=False)
    queue_mail("zoe@example.org", "Waiting since yesterday", "Hello.")
    db.session.commit()
    redis_app.config["REDIS_URL"] = REDIS_URL

    result = redis_app.test_cli_runner().invoke(args=["mail-worker", "--burst"])

    assert result.exit_code == 0, result.output
    assert statuses() == [OutboxStatus.SENT]


def test_two_workers_never_send_the_same_message(pg_app):
    server = SmtpServer().start()
    pg_app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port, MAIL_DELIVER_INLINE=False)
    for n in range(30):
        queue_mail(f"member{n:02}@example.org", f"Message {n}", "Hello.")
    db.session.commit()
    start = threading.Barrier(3)

    def worker() -> None:
        with pg_app.app_context():
            start.wait()
            deliver_due(now=utcnow() + timedelta(seconds=1))
            db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(3)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        server.stop()

    recipients = [r for e in server.inbox.envelopes for r in e.rcpt_tos]
    assert len(recipients) == 30
    assert len(set(recipients)) == 30
    assert statuses() == [OutboxStatus.SENT] * 30


def test_worker_serves_the_mail_and_the_documents_queue(redis_app, smtp_server):
    from rq.job import JobStatus

    from pic_events.core.queues import queue, worker_queue_names

    redis_app.config["DOCUMENTS_QUEUE"] = f"{redis_app.config['MAIL_QUEUE']}-documents"
    documents = queue(redis_app.config["DOCUMENTS_QUEUE"])
    job = documents.enqueue("os.getpid")
    queue_mail("zoe@example.org", "Sent by the worker", "Hello.")
    db.session.commit()

    try:
        assert worker_queue_names() == [mail_queue().name, documents.name]
        result = redis_app.test_cli_runner().invoke(args=["worker", "--burst"])
        assert result.exit_code == 0, result.output
        assert job.get_status(refresh=True) == JobStatus.FINISHED
        assert statuses() == [OutboxStatus.SENT]
    finally:
        _delete_queue_keys(documents)


def test_worker_needs_redis(app):
    result = app.test_cli_runner().invoke(args=["worker", "--burst"])
    assert result.exit_code != 0
    assert "REDIS_URL is not set" in result.output


class _StallFirstMessage:
    """An SMTP handler that stalls the first message (the worker is killed meanwhile, so it
    never gets a "250 accepted") and accepts the others."""

    def __init__(self) -> None:
        self.stalled = threading.Event()
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        if not self.stalled.is_set():
            self.stalled.set()
            await asyncio.sleep(30)
            return "451 4.3.0 Try again later"
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


def _worker_process(app, port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "PIC_CONFIG": "development",
        "SECRET_KEY": "worker-test",
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "REDIS_URL": REDIS_URL,
        "MAIL_QUEUE": app.config["MAIL_QUEUE"],
        "DOCUMENTS_QUEUE": app.config["MAIL_QUEUE"] + "-documents",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(port),
        "MAIL_CLAIM_SECONDS": "15",  # still leased when the next worker starts
        "WORKER_MAINTENANCE_SECONDS": "2",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "worker"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # the worker and its scheduler process: one group to signal
    )


def test_a_killed_worker_s_message_is_sent_once_by_the_restarted_worker(redis_app):
    handler = _StallFirstMessage()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    redis_app.config.update(REDIS_URL=None, MAIL_DELIVER_INLINE=False)
    for n in range(3):
        queue_mail(f"member{n}@example.org", f"Message {n}", "Hello.")
    db.session.commit()
    redis_app.config["REDIS_URL"] = REDIS_URL
    first = second = None
    try:
        first = _worker_process(redis_app, port)
        assert handler.stalled.wait(timeout=90), "the worker never sent"
        os.killpg(first.pid, signal.SIGKILL)  # mid-send: no "250", no commit
        first.wait(timeout=10)
        # The dead worker's scheduler lock still stands when the next one starts (as after
        # systemd's RestartSec); it expires in 10 s here, not 61. The new worker
        # must then take the scheduler over soon, or the lease's retry waits ten minutes.
        for name in (redis_app.config["MAIL_QUEUE"], redis_app.config["MAIL_QUEUE"] + "-documents"):
            queue_connection().expire(f"rq:scheduler-lock:{name}", 10)
        assert statuses()[0] == OutboxStatus.PENDING

        second = _worker_process(redis_app, port)
        deadline = time.monotonic() + 90
        while statuses() != [OutboxStatus.SENT] * 3 and time.monotonic() < deadline:
            time.sleep(0.5)
    finally:
        for process in (first, second):
            if process is not None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=30)
        controller.stop()
        from pic_events.core.queues import queue

        _delete_queue_keys(queue(redis_app.config["MAIL_QUEUE"] + "-documents"))

    assert statuses() == [OutboxStatus.SENT] * 3
    recipients = Counter(r for envelope in handler.envelopes for r in envelope.rcpt_tos)
    assert recipients == {f"member{n}@example.org": 1 for n in range(3)}
