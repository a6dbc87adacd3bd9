"""All badges of an event (any layout, any filter of the badge page) as a document job.

With REDIS_URL the job runs on the documents queue (`flask worker`) and the organiser's page
follows its progress (pages laid out / pages); without Redis, or when Redis does not answer,
the request runs it. The row (documents.models.DocumentJob) is the truth: a run claims it
with one conditional UPDATE (queued, or running with its lease over: its worker died), and
stores the file, with the badges marked as printed, only while it still holds that claim. So
when RQ runs the job again after its worker was killed (rq.Retry, see core.queues.PicWorker),
the document is made and stored once.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import asdict
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app, has_request_context
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _

from pic_events.accounts.models import User
from pic_events.core import background
from pic_events.core.types import utcnow
from pic_events.core.validation import NotFoundError, ServiceValidationError
from pic_events.documents import services
from pic_events.documents.badges import (
    LAYOUTS,
    badges_of,
    page_count,
    render_badge_sheets,
)
from pic_events.documents.models import DocumentJob, JobStatus
from pic_events.documents.rendering import collector_paused, join_pdf
from pic_events.events.models import Event
from pic_events.extensions import db
from pic_events.registration.models import Registration

logger = logging.getLogger(__name__)

BADGES_KIND = "badges"
ERROR_MAX_LENGTH = 500


# Starting --------------------------------------------------------------------------------------


def start_badge_job(
    event: Event, user: User, selection: services.BadgeSelection, layout: str
) -> DocumentJob:
    """A new job for these badges: queued for a worker, or made now (then it is done or
    failed when this returns). Raises ServiceValidationError, changing nothing, for an
    unknown layout or a selection that matches nobody."""
    if layout not in LAYOUTS:
        raise ServiceValidationError(
            {"layout": [_("Unknown badge layout: choose one of the list.")]}
        )
    count = services.count_badges(event, selection)
    if not count:
        raise ServiceValidationError(
            {
                "selection": [
                    _("No confirmed registration matches this choice: there is no badge to print.")
                ]
            }
        )
    delete_expired()
    now = utcnow()
    job = DocumentJob(
        event_id=event.id,
        requested_by_id=user.id,
        kind=BADGES_KIND,
        params={"layout": layout, "selection": asdict(selection)},
        locale=str(get_locale() or "en"),
        pages_total=page_count(count, layout),
        items=count,
        filename=f"{event.slug}-badges-{layout}.pdf",
        created_at=now,
        lease_until=now + timedelta(seconds=_stall_seconds()),
        expires_at=now + timedelta(days=file_days()),
    )
    db.session.add(job)
    db.session.commit()
    _dispatch(job)
    return job


def retry_job(job: DocumentJob) -> DocumentJob:
    """The same badges again, after a failure or a worker that never finished (a conditional
    UPDATE: a job that finished meanwhile is left as it is)."""
    now = utcnow()
    reset = db.session.execute(
        sa.update(DocumentJob)
        .where(DocumentJob.id == job.id, _may_retry_clause(now))
        .values(
            status=JobStatus.QUEUED.value,
            error="",
            pages_done=0,
            lease_until=now + timedelta(seconds=_stall_seconds()),
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    db.session.refresh(job)
    if reset == 1:
        _dispatch(job)
    return job


def _dispatch(job: DocumentJob) -> None:
    queued = background.enqueue(
        documents_queue_name(), badge_job_task, job.id, job_timeout=job_timeout()
    )
    if queued is None:
        run_badge_job(job.id)
    else:
        db.session.execute(
            sa.update(DocumentJob).where(DocumentJob.id == job.id).values(rq_job_id=queued.id)
        )
        db.session.commit()
    db.session.refresh(job)


def documents_queue_name() -> str:
    return current_app.config.get("DOCUMENTS_QUEUE") or "pic-documents"


def job_timeout() -> int:
    return int(current_app.config.get("DOCUMENT_JOB_TIMEOUT", 600))


def file_days() -> int:
    return int(current_app.config.get("DOCUMENT_FILE_DAYS", 2))


def _stall_seconds() -> int:
    """A queued job not started by then waits for a worker that is not there."""
    return job_timeout() + int(current_app.config.get("WORKER_JOB_GRACE_SECONDS", 60))


def _may_retry_clause(now: datetime):
    in_progress = DocumentJob.status.in_([JobStatus.QUEUED.value, JobStatus.RUNNING.value])
    return sa.or_(
        DocumentJob.status == JobStatus.FAILED.value,
        sa.and_(in_progress, DocumentJob.lease_until < now),
    )


def may_retry(job: DocumentJob, now: datetime | None = None) -> bool:
    """Failed, or in progress past its lease (its worker died, or none is running): offer
    a retry."""
    if job.status == JobStatus.FAILED:
        return True
    return job.in_progress and job.lease_until is not None and job.lease_until < (now or utcnow())


# Running ---------------------------------------------------------------------------------------


def badge_job_task(job_id: int) -> None:
    """The RQ job on the documents queue."""
    background.in_app_context(run_badge_job, job_id)


def claim(job_id: int) -> DocumentJob | None:
    """Take the job for this run, or None: done, failed, or held by a live run. Committed
    before any work, so two runs never both hold it."""
    now = utcnow()
    taken = db.session.execute(
        sa.update(DocumentJob)
        .where(
            DocumentJob.id == job_id,
            sa.or_(
                DocumentJob.status == JobStatus.QUEUED.value,
                sa.and_(
                    DocumentJob.status == JobStatus.RUNNING.value, DocumentJob.lease_until < now
                ),
            ),
        )
        .values(
            status=JobStatus.RUNNING.value,
            attempts=DocumentJob.attempts + 1,
            lease_until=now + timedelta(seconds=job_timeout()),
            started_at=now,
            pages_done=0,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    if taken != 1:
        return None
    return db.session.get(DocumentJob, job_id, populate_existing=True)


def run_badge_job(job_id: int) -> None:
    """Claim, lay out the badges part by part (saving the progress), store the file."""
    job = claim(job_id)
    if job is None:
        logger.info("Document job %s is not for this run (done, failed or held)", job_id)
        return
    attempt = job.attempts
    try:
        with _render_context(job.locale):
            pdf, ids = _make_badges(job)
    except Exception as error:  # the organiser sees it failed, with a retry button
        logger.exception("Document job %s failed", job_id)
        db.session.rollback()
        _finish(job_id, attempt, status=JobStatus.FAILED.value, error=_describe(error))
        return
    services.mark_printed_in_transaction(ids)
    stored = _finish(
        job_id,
        attempt,
        status=JobStatus.DONE.value,
        content=pdf,
        items=len(ids),
        pages_done=job.pages_total,
    )
    if not stored:
        logger.warning("Document job %s: another run took it over; this file is dropped", job_id)


def _make_badges(job: DocumentJob) -> tuple[bytes, list[int]]:
    event = db.session.get(Event, job.event_id)
    layout = job.params["layout"]
    selection = services.BadgeSelection(**job.params["selection"])
    registrations = services.badge_registrations(event, selection)
    if not registrations:
        raise NothingToPrint(_("No confirmed registration matches this choice any more."))
    ids = [r.id for r in registrations]
    badges = badges_of(registrations, layout)
    total = page_count(len(badges), layout)
    per_part = max(1, _chunk_pages()) * LAYOUTS[layout].badges_per_page
    parts = []
    with collector_paused():  # as render_pdf_in_parts: WeasyPrint's objects are not cyclic
        for start in range(0, len(badges), per_part):
            part = badges[start : start + per_part]
            parts.append(render_badge_sheets(event, part, layout))
            _progress(job.id, job.attempts, page_count(start + len(part), layout), total)
        return join_pdf(parts), ids


class NothingToPrint(Exception):
    """The selection matched people when the job was asked for, and nobody now."""

    def __str__(self) -> str:
        return str(self.args[0])


def _chunk_pages() -> int:
    return int(current_app.config.get("DOCUMENT_CHUNK_PAGES", 20))


def _progress(job_id: int, attempt: int, done: int, total: int) -> None:
    db.session.execute(
        sa.update(DocumentJob)
        .where(DocumentJob.id == job_id, DocumentJob.attempts == attempt)
        .values(pages_done=done, pages_total=total)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def _finish(job_id: int, attempt: int, **values) -> bool:
    """Store the outcome (in the caller's transaction, with what it did) if this run still
    holds the job; else roll all of it back."""
    changed = db.session.execute(
        sa.update(DocumentJob)
        .where(
            DocumentJob.id == job_id,
            DocumentJob.status == JobStatus.RUNNING.value,
            DocumentJob.attempts == attempt,
        )
        .values(finished_at=utcnow(), lease_until=None, **values)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        db.session.rollback()
        return False
    db.session.commit()
    return True


def _describe(error: BaseException) -> str:
    if isinstance(error, NothingToPrint):
        return str(error)
    return f"{error.__class__.__name__}: {error}"[:ERROR_MAX_LENGTH]


def _render_context(locale: str):
    """Templates want a request (url_for, the locale): the worker makes one up."""
    stack = contextlib.ExitStack()
    if not has_request_context():
        stack.enter_context(current_app.test_request_context())
    stack.enter_context(force_locale(locale))
    return stack


# Reading, expiry, privacy ------------------------------------------------------------------


def event_job(event: Event, job_id: int) -> DocumentJob:
    job = db.session.get(DocumentJob, job_id)
    if job is None or job.event_id != event.id or job.expires_at <= utcnow():
        raise NotFoundError(
            _("This document is gone: it was kept for a limited time. Make it again.")
        )
    return job


RECENT_JOBS_SHOWN = 5


def recent_jobs(event: Event) -> list[DocumentJob]:
    """The event's latest badge jobs still kept, newest first."""
    return list(
        db.session.scalars(
            sa.select(DocumentJob)
            .where(DocumentJob.event_id == event.id, DocumentJob.expires_at > utcnow())
            .order_by(DocumentJob.id.desc())
            .limit(RECENT_JOBS_SHOWN)
        )
    )


def job_file(job: DocumentJob) -> bytes:
    """The finished file, unless it expired (NotFoundError)."""
    if job.status != JobStatus.DONE or job.expires_at <= utcnow():
        raise NotFoundError(_("This document is not ready, or no longer kept."))
    content = db.session.scalar(sa.select(DocumentJob.content).where(DocumentJob.id == job.id))
    if content is None:
        raise NotFoundError(_("This document is not ready, or no longer kept."))
    return content


def delete_expired(now: datetime | None = None) -> int:
    """Delete the jobs (and their files) whose time is over."""
    deleted = db.session.execute(
        sa.delete(DocumentJob).where(DocumentJob.expires_at <= (now or utcnow()))
    ).rowcount
    db.session.commit()
    return deleted


def purge_expired_files(now: datetime, **_kwargs) -> str:
    """signals.retention_purging: the line `flask purge-expired` prints."""
    return f"{delete_expired(now)} expired document file(s) deleted."


def forget_event_files(registration: Registration, **_kwargs) -> None:
    """signals.registration_anonymising: the event's stored files may carry the person's
    name and check-in code; delete them (a running job then stores nothing)."""
    db.session.execute(sa.delete(DocumentJob).where(DocumentJob.event_id == registration.event_id))
