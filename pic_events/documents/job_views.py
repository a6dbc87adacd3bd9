"""Organiser pages of a document job: start all the badges of an event, follow the job's
progress (the page refreshes itself: no JavaScript needed), download the file, retry."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user

from pic_events.accounts.auth import organiser_required
from pic_events.core.types import utcnow
from pic_events.core.validation import ServiceValidationError
from pic_events.documents import badge_jobs, services
from pic_events.documents.badges import DEFAULT_LAYOUT
from pic_events.documents.models import JobStatus
from pic_events.documents.views import pdf_response, render_badges_page
from pic_events.events import services as event_services
from pic_events.events.models import Event

bp = Blueprint("document_jobs", __name__, url_prefix="/organiser/events/<slug>/badges/jobs")

REFRESH_SECONDS = 2


def _event(slug: str) -> Event:
    return event_services.visible_event(slug, current_user)


@bp.post("")
@organiser_required
def start_badges(slug: str):
    event = _event(slug)
    layout = request.form.get("layout") or DEFAULT_LAYOUT
    selection = services.BadgeSelection.from_args(request.form)
    try:
        job = badge_jobs.start_badge_job(event, current_user, selection, layout)
    except ServiceValidationError as error:
        chosen = {**request.form.to_dict(), "id": " ".join(request.form.getlist("id"))}
        return render_badges_page(event, chosen=chosen, errors=error.errors, status=422)
    if job.status == JobStatus.DONE:  # made in the request (no worker): straight to the file
        return redirect(url_for(".download", slug=event.slug, job_id=job.id))
    return redirect(url_for(".progress", slug=event.slug, job_id=job.id))


@bp.get("/<int:job_id>")
@organiser_required
def progress(slug: str, job_id: int):
    event = _event(slug)
    job = badge_jobs.event_job(event, job_id)
    return render_template(
        "documents/badge_job.html",
        event=event,
        job=job,
        may_retry=badge_jobs.may_retry(job, utcnow()),
        refresh=REFRESH_SECONDS if job.in_progress else None,
    )


@bp.get("/<int:job_id>/file")
@organiser_required
def download(slug: str, job_id: int):
    event = _event(slug)
    job = badge_jobs.event_job(event, job_id)
    return pdf_response(badge_jobs.job_file(job), job.filename)


@bp.post("/<int:job_id>/retry")
@organiser_required
def retry(slug: str, job_id: int):
    event = _event(slug)
    job = badge_jobs.retry_job(badge_jobs.event_job(event, job_id))
    if job.status == JobStatus.DONE:
        return redirect(url_for(".download", slug=event.slug, job_id=job.id))
    return redirect(url_for(".progress", slug=event.slug, job_id=job.id))
