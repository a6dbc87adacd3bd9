"""Organiser pages: dashboard, list and exports, detail with history, actions, on-behalf
registration, registration settings and custom questions."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from pic_events.accounts import services as accounts
from pic_events.accounts import standing
from pic_events.accounts.auth import organiser_required
from pic_events.agenda.services import chosen_sessions
from pic_events.core.forms import save_form
from pic_events.core.pagination import paginate
from pic_events.core.types import utcnow
from pic_events.core.validation import Conflict, ServiceValidationError
from pic_events.directory.models import Organisation
from pic_events.events import services as event_services
from pic_events.events.models import Event
from pic_events.extensions import db
from pic_events.registration import audit, exports, listing, services, settings
from pic_events.registration.forms import (
    ConfirmForm,
    DecisionForm,
    OnBehalfFields,
    QuestionForm,
    SettingsForm,
    registration_form,
    save_registration_changes,
)
from pic_events.registration.models import (
    CATEGORY_LABELS,
    STATUS_LABELS,
    Category,
    Question,
    Registration,
    RegistrationStatus,
)
from pic_events.registration.questions import display_answer
from pic_events.registration.session_choices import choosable_sessions

bp = Blueprint("registration_admin", __name__, url_prefix="/organiser")


def _event(slug: str) -> Event:
    return event_services.visible_event(slug, current_user)


def _registration(registration_id: int) -> Registration:
    registration = db.session.get(Registration, registration_id)
    if registration is None:
        abort(404)
    return registration


# List, counts, exports ------------------------------------------------------------------


@bp.get("/events/<slug>/registrations")
@organiser_required
def dashboard(slug: str):
    event = _event(slug)
    filters = listing.RegistrationFilters.from_args(request.args)
    questions = services.event_questions(event)
    page = paginate(listing.filtered_query(event, filters))
    return render_template(
        "registration/organiser/dashboard.html",
        event=event,
        page=page,
        filters=filters,
        counts=listing.counts(event),
        positions=services.waitlist_positions(event.id),
        free_seats=services.free_seats(event),
        status_labels={s.value: str(label) for s, label in STATUS_LABELS.items()},
        category_labels={c.value: str(label) for c, label in CATEGORY_LABELS.items()},
        clusters=listing.cluster_choices(event),
        answer_choices=listing.answer_filter_choices(questions),
        sorts=_sort_labels(),
    )


def _sort_labels() -> list[tuple[str, str]]:
    return [
        ("date", _("Registration date")),
        ("-date", _("Newest first")),
        ("name", _("Name")),
        ("organisation", _("Organisation")),
        ("country", _("Country")),
        ("status", _("Status")),
        ("category", _("Category")),
    ]


def _filename(event: Event, extension: str) -> str:
    return f"{event.slug}-registrations-{utcnow():%Y%m%d}.{extension}"


@bp.get("/events/<slug>/registrations.csv")
@organiser_required
def export_csv(slug: str):
    event = _event(slug)
    header, rows = exports.export_table(event, listing.RegistrationFilters.from_args(request.args))
    return Response(
        exports.to_csv(header, rows),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{_filename(event, "csv")}"'},
    )


@bp.get("/events/<slug>/registrations.xlsx")
@organiser_required
def export_xlsx(slug: str):
    event = _event(slug)
    header, rows = exports.export_table(event, listing.RegistrationFilters.from_args(request.args))
    return Response(
        exports.to_xlsx(header, rows, _("Registrations")),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{_filename(event, "xlsx")}"'},
    )


# Detail and actions ---------------------------------------------------------------------


@bp.get("/registrations/<int:registration_id>")
@organiser_required
def detail(registration_id: int):
    registration = _registration(registration_id)
    event = registration.event
    answers = registration.answers or {}
    questions = services.event_questions(event)
    return render_template(
        "registration/organiser/detail.html",
        event=event,
        registration=registration,
        position=services.waitlist_position(registration),
        answers=[(q.label, display_answer(q, answers.get(q.key))) for q in questions],
        sessions=chosen_sessions(registration),
        history=[(e, _readable_changes(e.changes, questions)) for e in audit.history(registration)],
        decision_form=DecisionForm(prefix="decision"),
        confirm_form=ConfirmForm(),
        free_seats=services.free_seats(event),
        standing=standing.standing_state(registration.user) if registration.user else None,
        approval_reason=services.approval_reason(registration),
    )


def _readable_changes(changes: dict, questions: list[Question]) -> list[tuple[str, str, str]]:
    """(what, before, after) with question labels and option labels instead of ids."""
    by_key = {f"answers.{q.key}": q for q in questions}
    names = {
        "status": _("Status"),
        "category": _("Category"),
        "listed": _("Listed"),
        "session_ids": _("Sessions"),
        "dropped_options": _("Choices dropped"),
        "steering_member": _("Steering-committee member"),
        "organisation_confirmed": _("Organisation confirmed"),
    }
    rows = []
    for key, (before, after) in changes.items():
        question = by_key.get(key)
        if question is not None:
            rows.append(
                (question.label, display_answer(question, before), display_answer(question, after))
            )
        elif key == "status":
            rows.append((names[key], _status_label(before), _status_label(after)))
        elif key == "category":
            rows.append((names[key], _category_label(before), _category_label(after)))
        elif key in ("listed", "steering_member"):
            rows.append((names[key], _yes_no(before), _yes_no(after)))
        elif not key.startswith("answers."):
            rows.append((names.get(key, key), _plain(before), _plain(after)))
    return rows


def _status_label(value: str | None) -> str:
    return str(STATUS_LABELS[RegistrationStatus(value)]) if value else ""


def _category_label(value: str | None) -> str:
    return str(CATEGORY_LABELS[Category(value)]) if value in CATEGORY_LABELS else ""


def _yes_no(value: bool | None) -> str:
    return "" if value is None else (_("Yes") if value else _("No"))


def _plain(value) -> str:
    if value is None or value == []:
        return ""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


ACTIONS = {
    "approve": lambda r, actor, msg: services.approve(r, actor=actor),
    "decline": lambda r, actor, msg: services.decline(r, actor=actor, message=msg),
    "promote": lambda r, actor, msg: services.promote(r, actor=actor),
    "cancel": lambda r, actor, msg: services.cancel_registration(r, actor=actor, message=msg),
}


@bp.post("/registrations/<int:registration_id>/<action>")
@organiser_required
def act(registration_id: int, action: str):
    registration = _registration(registration_id)
    if action not in ACTIONS:
        abort(404)
    form = DecisionForm(prefix="decision")
    if not form.validate_on_submit():
        flash(_("The form expired; please try again."), "danger")
        return redirect(url_for(".detail", registration_id=registration_id))
    try:
        registration = ACTIONS[action](registration, current_user, form.message.data or "")
    except Conflict as error:
        flash(error.message, "warning")
    else:
        flash(
            _("Done: the registration is now “%(status)s”.", status=registration.status_label),
            "success",
        )
    return redirect(url_for(".detail", registration_id=registration_id))


@bp.post("/registrations/<int:registration_id>/standing/<decision>")
@organiser_required
def standing_decision(registration_id: int, decision: str):
    """Mark / unmark the person, confirm / withdraw their organisation (see accounts.standing)."""
    registration = _registration(registration_id)
    if decision not in standing.DECISIONS or registration.user is None:
        abort(404)
    if ConfirmForm().validate_on_submit():
        _decide_standing(registration.user, decision)
    return redirect(url_for(".detail", registration_id=registration_id))


def _decide_standing(person, decision: str) -> None:
    try:
        standing.decide(person, decision, actor=current_user)
    except ServiceValidationError as error:
        for messages in error.errors.values():
            for message in messages:
                flash(message, "warning")
    else:
        flash(_("Saved: the steering-committee standing of %(name)s.", name=person.name), "success")


def _organiser_form(event: Event, registration: Registration | None, with_person: bool):
    categories = services.enabled_categories(event)
    sessions = choosable_sessions(event, current_user)
    questions = services.event_questions(event)
    form = registration_form(
        questions,
        categories=categories if len(categories) > 1 else [],
        sessions=sessions,
        with_consent=registration is None,
        registration=registration,
        extra=OnBehalfFields if with_person else None,
        places_left=services.option_places_left(questions),
    )
    if with_person:
        organisations = db.session.scalars(db.select(Organisation).order_by(Organisation.name))
        form["organisation_id"].choices = [("", "—")] + [(str(o.id), o.name) for o in organisations]
    if "category" in form and not form.is_submitted() and registration is None:
        form["category"].data = Category.PARTICIPANT.value
    return form


@bp.route("/events/<slug>/registrations/new", methods=["GET", "POST"])
@organiser_required
def create(slug: str):
    event = _event(slug)
    form = _organiser_form(event, None, with_person=True)
    if form.validate_on_submit():
        try:
            person = accounts.account_for_person(
                form["email"].data, form["name"].data, form["organisation_id"].data
            )
            registration = services.register(
                event, person, form.registration_input(), actor=current_user
            )
        except ServiceValidationError as error:
            db.session.rollback()
            form.apply_errors(error.errors)
        except Conflict as error:
            db.session.rollback()
            form.apply_conflict(error)
        else:
            flash(
                _(
                    "%(name)s is registered: %(status)s.",
                    name=person.name,
                    status=registration.status_label,
                ),
                "success",
            )
            return redirect(url_for(".detail", registration_id=registration.id))
    return render_template("registration/organiser/new.html", event=event, form=form)


@bp.route("/registrations/<int:registration_id>/edit", methods=["GET", "POST"])
@organiser_required
def edit(registration_id: int):
    registration = _registration(registration_id)
    event = registration.event
    if not registration.is_active:
        flash(_("A cancelled or declined registration cannot change."), "warning")
        return redirect(url_for(".detail", registration_id=registration_id))
    form = _organiser_form(event, registration, with_person=False)
    if save_registration_changes(form, registration, current_user):
        flash(_("Changes saved."), "success")
        return redirect(url_for(".detail", registration_id=registration_id))
    return render_template(
        "registration/organiser/edit.html", event=event, form=form, registration=registration
    )


# Settings and questions -----------------------------------------------------------------


@bp.route("/events/<slug>/registration-settings", methods=["GET", "POST"])
@organiser_required
def settings_page(slug: str):
    event = _event(slug)
    form = SettingsForm(obj=event)
    form.fill_from(event)
    promoted = save_form(form, lambda: settings.update_settings(event, form.values(event)))
    if promoted is not None:
        flash(_("Registration settings saved."), "success")
        if promoted:
            flash(
                _("%(n)d people moved from the waiting list to confirmed.", n=len(promoted)),
                "info",
            )
        return redirect(url_for(".settings_page", slug=slug))
    return render_template("registration/organiser/settings.html", event=event, form=form)


@bp.get("/events/<slug>/questions")
@organiser_required
def questions(slug: str):
    event = _event(slug)
    return render_template(
        "registration/organiser/questions.html",
        event=event,
        questions=services.event_questions(event),
        form=ConfirmForm(),
    )


def _question(event: Event, question_id: int) -> Question:
    question = db.session.get(Question, question_id)
    if question is None or question.event_id != event.id:
        abort(404)
    return question


@bp.route("/events/<slug>/questions/new", methods=["GET", "POST"])
@bp.route("/events/<slug>/questions/<int:question_id>/edit", methods=["GET", "POST"])
@organiser_required
def question_form(slug: str, question_id: int | None = None):
    event = _event(slug)
    question = _question(event, question_id) if question_id else None
    form = QuestionForm(obj=question)
    if question is not None:
        form.fill_from(question)
    if question is None:
        saved = save_form(form, lambda: settings.create_question(event, form.values()))
    else:
        saved = save_form(form, lambda: settings.update_question(question, form.values()))
    if saved is not None:
        flash(_("Question saved."), "success")
        return redirect(url_for(".questions", slug=slug))
    return render_template(
        "registration/organiser/question_form.html", event=event, form=form, question=question
    )


@bp.post("/events/<slug>/questions/<int:question_id>/delete")
@organiser_required
def delete_question(slug: str, question_id: int):
    event = _event(slug)
    question = _question(event, question_id)
    if ConfirmForm().validate_on_submit():
        settings.delete_question(question)
        flash(_("Question deleted."), "success")
    return redirect(url_for(".questions", slug=slug))


@bp.post("/events/<slug>/questions/<int:question_id>/move/<direction>")
@organiser_required
def move_question(slug: str, question_id: int, direction: str):
    event = _event(slug)
    question = _question(event, question_id)
    if direction not in ("up", "down"):
        abort(404)
    if ConfirmForm().validate_on_submit():
        settings.move_question(question, -1 if direction == "up" else 1)
    return redirect(url_for(".questions", slug=slug))
