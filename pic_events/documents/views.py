"""Downloads of printed documents, the badge page and the check-in desk."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from pic_events.accounts import services as accounts
from pic_events.accounts.auth import organiser_required
from pic_events.agenda.services import agenda_entries, registration_of
from pic_events.core.types import utcnow
from pic_events.core.validation import Conflict, NotFoundError
from pic_events.documents import badge_jobs, services
from pic_events.documents.agenda import render_agenda
from pic_events.documents.badges import DEFAULT_LAYOUT, LAYOUTS
from pic_events.documents.participants import render_participant_list
from pic_events.documents.programme import render_programme
from pic_events.documents.tables import render_table_plan, render_table_sheets
from pic_events.events import services as event_services
from pic_events.events.models import Event
from pic_events.programme import services as programme_services
from pic_events.registration import checkin
from pic_events.registration.models import CATEGORY_LABELS, HOLDING_STATUSES

bp = Blueprint("documents", __name__)


def _event(slug: str) -> Event:
    return event_services.visible_event(slug, current_user)


def pdf_response(data: bytes, filename: str, *, private: bool = True) -> Response:
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store" if private else "public, max-age=300"
    return response


# --- badges (organisers) ----------------------------------------------------------------


@bp.get("/organiser/events/<slug>/badges")
@organiser_required
def badges_page(slug: str):
    return render_badges_page(_event(slug))


def render_badges_page(
    event: Event, chosen: dict | None = None, errors: dict | None = None, status: int = 200
):
    """The badge page; `chosen` keeps what the organiser picked when a job was refused."""
    page = render_template(
        "documents/badges_page.html",
        event=event,
        layouts=LAYOUTS,
        chosen=chosen or {"layout": DEFAULT_LAYOUT, "sort": "family"},
        errors=errors or {},
        categories=[(c.value, str(label)) for c, label in CATEGORY_LABELS.items()],
        counts=services.badge_counts(event),
        jobs=badge_jobs.recent_jobs(event),
    )
    return page, status


@bp.route("/organiser/events/<slug>/badges.pdf", methods=["GET", "POST"])
@organiser_required
def badges_pdf(slug: str):
    """GET gives the badges and changes nothing; POST (a form with its CSRF token) prints
    them: they are marked as printed."""
    event = _event(slug)
    layout = request.values.get("layout") or DEFAULT_LAYOUT
    if layout not in LAYOUTS:
        flash(_("Unknown badge layout: choose one of the list."), "danger")
        return redirect(url_for("documents.badges_page", slug=event.slug))
    selection = services.BadgeSelection.from_args(request.values)
    pdf, count = services.print_badges(event, selection, layout, mark=request.method == "POST")
    if not count:
        flash(_("No confirmed registration matches this choice: there is no badge to print."))
        return redirect(url_for("documents.badges_page", slug=event.slug))
    return pdf_response(pdf, f"{event.slug}-badges-{layout}.pdf")


# --- participant list (organisers) ------------------------------------------------------


@bp.get("/organiser/events/<slug>/participants.pdf")
@organiser_required
def participants_pdf(slug: str):
    event = _event(slug)
    groups = services.by_cluster(services.confirmed_registrations(event))
    pdf = render_participant_list(event, groups, generated_at=utcnow())
    return pdf_response(pdf, f"{event.slug}-participants.pdf")


# --- programme (anyone, once published) -------------------------------------------------


@bp.get("/events/<slug>/programme.pdf")
def programme_pdf(slug: str):
    event = _event(slug)
    user = current_user if current_user.is_authenticated else None
    if not programme_services.may_see_programme(event, user):
        raise NotFoundError(_("The programme of this event is not published yet."))
    # Restricted sessions are printed as the public sees them: a handout travels.
    if event.programme_published:
        sessions = programme_services.visible_sessions(event, None, None)
    else:  # an organiser's preview
        sessions = programme_services.event_sessions(event)
    days = programme_services.by_day(sessions, event.timezone)
    pdf = render_programme(event, days, generated_at=utcnow())
    return pdf_response(pdf, f"{event.slug}-programme.pdf", private=not event.programme_published)


# --- my agenda (the registered participant) ---------------------------------------------


@bp.get("/events/<slug>/my-agenda.pdf")
@login_required
def my_agenda_pdf(slug: str):
    """Only ever the agenda of the person asking: there is no id to change in the URL."""
    event = _event(slug)
    registration = registration_of(event, current_user)
    if registration is None or registration.status not in HOLDING_STATUSES:
        raise NotFoundError(_("You are not registered for this event."))
    entries = agenda_entries(event, registration)
    services.load_agenda_clusters(entries)
    pdf = render_agenda(
        event,
        registration,
        programme_services.by_day(entries, event.timezone),
        calendar_url=accounts.calendar_url(current_user),
        generated_at=utcnow(),
    )
    return pdf_response(pdf, f"{event.slug}-my-agenda.pdf")


# --- B2B table plan and table sheets (organisers) ----------------------------------------


@bp.get("/organiser/events/<slug>/table-plan.pdf")
@organiser_required
def table_plan_pdf(slug: str):
    event = _event(slug)
    pdf = render_table_plan(event, services.table_plan(event), generated_at=utcnow())
    return pdf_response(pdf, f"{event.slug}-table-plan.pdf")


@bp.get("/organiser/events/<slug>/table-sheets.pdf")
@organiser_required
def table_sheets_pdf(slug: str):
    event = _event(slug)
    pdf = render_table_sheets(event, services.table_plan(event), generated_at=utcnow())
    return pdf_response(pdf, f"{event.slug}-table-sheets.pdf")


# --- check-in desk (organisers) ---------------------------------------------------------


@bp.route("/organiser/events/<slug>/check-in", methods=["GET", "POST"])
@organiser_required
def desk(slug: str):
    """The desk page. With JavaScript it scans and posts to the API (and keeps scans made
    offline); without, this form posts a typed code here."""
    event = _event(slug)
    result = error = None
    code = ""
    if request.method == "POST":
        code = checkin.clean_code(request.form.get("code"))
        try:
            result = checkin.check_in(event, code)
        except NotFoundError as problem:
            error = str(problem)
        except Conflict as problem:
            error = problem.message
        else:
            code = ""
    return render_template(
        "documents/desk.html",
        event=event,
        result=result,
        error=error,
        code=code,
        counts=checkin.counts(event),
        recent=checkin.recent_check_ins(event),
    )
