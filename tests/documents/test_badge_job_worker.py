"""A badge job survives its worker: real `flask --app wsgi worker` processes on the local
Redis (a database number and queue names of this test's own) and PostgreSQL. The first
worker is killed (SIGKILL) mid-job; RQ's clean-up of the StartedJobRegistry hands the
abandoned job to the next worker (rq.Retry), which makes the file, once."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from redis import Redis
from redis.exceptions import RedisError
from rq.job import Job, JobStatus

from pic_events.core.queues import queue
from pic_events.documents import badge_jobs, services
from pic_events.documents.models import DocumentJob
from pic_events.extensions import db
from tests.documents import pdf
from tests.factories import make_event, make_organiser, make_registration, make_user
from tests.notifications.test_workers import _delete_queue_keys

REDIS_URL = "redis://127.0.0.1:6379/9"  # this test's own database number
ROOT = Path(__file__).resolve().parents[2]
PEOPLE = 12
JOB_TIMEOUT = 30  # seconds: the retried run must finish within it, even on a busy machine
GRACE = 2  # the job counts as abandoned GRACE seconds after its timeout
MAINTENANCE = 2  # how often the worker looks for abandoned jobs


@pytest.fixture
def worker_app(pg_app):
    try:
        Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except RedisError as error:
        pytest.skip(f"Redis at {REDIS_URL} is not answering: {error}")
    name = f"test-killed-{uuid.uuid4().hex}"
    pg_app.config.update(
        REDIS_URL=REDIS_URL,
        MAIL_QUEUE=f"{name}-mail",
        DOCUMENTS_QUEUE=f"{name}-documents",
        DOCUMENT_JOB_TIMEOUT=JOB_TIMEOUT,
        WORKER_JOB_GRACE_SECONDS=GRACE,
    )
    queues = [queue(pg_app.config["MAIL_QUEUE"]), queue(pg_app.config["DOCUMENTS_QUEUE"])]
    yield pg_app
    redis = queues[0].connection
    for each in queues:
        _delete_queue_keys(each)
        redis.delete(f"rq:scheduler-lock:{each.name}", f"rq:clean_registries:{each.name}")


def _worker(app) -> subprocess.Popen:
    config = app.config
    env = {
        **os.environ,
        "PIC_CONFIG": "development",
        "SECRET_KEY": "worker-test",
        "DATABASE_URL": config["SQLALCHEMY_DATABASE_URI"],
        "REDIS_URL": REDIS_URL,
        "MAIL_QUEUE": config["MAIL_QUEUE"],
        "DOCUMENTS_QUEUE": config["DOCUMENTS_QUEUE"],
        "DOCUMENT_JOB_TIMEOUT": str(JOB_TIMEOUT),
        "DOCUMENT_CHUNK_PAGES": "1",  # progress after every page: the kill lands mid-job
        "WORKER_JOB_GRACE_SECONDS": str(GRACE),
        "WORKER_MAINTENANCE_SECONDS": str(MAINTENANCE),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "worker"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # the worker and its scheduler: one group to signal
    )


def _row(job_id: int) -> DocumentJob:
    db.session.expire_all()
    row = db.session.get(DocumentJob, job_id)
    db.session.commit()  # end the read transaction: the workers write meanwhile
    return row


def _wait_for(check, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return False


def _stop(process: subprocess.Popen | None, sig: int = signal.SIGTERM) -> None:
    if process is None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)
    process.wait(timeout=30)


def test_a_killed_worker_s_badge_job_is_made_once_by_the_next_worker(worker_app):
    event = make_event()
    for n in range(PEOPLE):
        make_registration(event, make_user(name=f"Person{n:02} Family{n:02}"))
    job = badge_jobs.start_badge_job(event, make_organiser(), services.BadgeSelection(), "a6")
    assert job.status == "queued" and job.rq_job_id
    first = second = None
    try:
        first = _worker(worker_app)
        started = _wait_for(lambda: _row(job.id).pages_done >= 1, 90)
        assert started, "the first worker never started the job"
        os.killpg(first.pid, signal.SIGKILL)  # mid-job: no file, no cleanup
        first.wait(timeout=10)
        killed = _row(job.id)
        assert (killed.status, killed.attempts) == ("running", 1)
        assert killed.pages_done < PEOPLE
        assert db.session.scalar(sa.select(DocumentJob.content)) is None

        second = _worker(worker_app)
        done = _wait_for(lambda: _row(job.id).status == "done", JOB_TIMEOUT + GRACE + 90)
    finally:
        _stop(first, signal.SIGKILL)
        _stop(second)

    assert done, f"the job was not made again: {_row(job.id).status}"
    row = _row(job.id)
    assert (row.attempts, row.pages_done, row.items) == (2, PEOPLE, PEOPLE)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DocumentJob)) == 1
    assert pdf.page_count(badge_jobs.job_file(row)) == PEOPLE
    assert services.badge_counts(event)["printed"] == PEOPLE
    rq_job = Job.fetch(
        job.rq_job_id, connection=queue(worker_app.config["DOCUMENTS_QUEUE"]).connection
    )
    assert rq_job.get_status() == JobStatus.FINISHED
    assert rq_job.retries_left == 1  # RQ put the abandoned job back once (Retry(max=2))
