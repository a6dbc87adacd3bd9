"""Member pages: register, my registration (see, change, cancel), my data."""

from __future__ import annotations

import json

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from pic_events.agenda.services import chosen_sessions, registration_of
from pic_events.core.validation import Conflict, ServiceValidationError
from pic_events.events import services as event_services
from pic_events.events.models import Event
from pic_events.registration import privacy, services
from pic_events.registration.forms import ConfirmForm, registration_form, save_registration_changes
from pic_events.registration.models import Registration, RegistrationStatus
from pic_events.registration.questions import display_answer
from pic_events.registration.services import AlreadyRegistered, RegistrationConflict
from pic_events.registration.session_choices import choosable_sessions, may_choose
from pic_events.registration.state import Reason, RegistrationState, registration_state

bp = Blueprint("registration", __name__)


def _event(slug: str) -> Event:
    return event_services.visible_event(slug, current_user)


def _mine(event: Event) -> Registration | None:
    return registration_of(event, current_user)


def _my_active(event: Event) -> Registration:
    """My registration that can still be changed or cancelled, else 404."""
    registration = _mine(event)
    if registration is None or not registration.is_active:
        abort(404)
    return registration


def _flash_outcome(registration: Registration) -> None:
    messages = {
        RegistrationStatus.CONFIRMED: (_("You are registered: see you there!"), "success"),
        RegistrationStatus.PENDING: (
            _("Registration received. The organisers will confirm it; we have sent you a mail."),
            "info",
        ),
        RegistrationStatus.WAITLISTED: (
            _(
                "The meeting is full: you are on the waiting list, in position %(n)s. "
                "We will write to you as soon as a place frees up.",
                n=services.waitlist_position(registration),
            ),
            "warning",
        ),
    }
    message, category = messages[RegistrationStatus(registration.status)]
    flash(message, category)


@bp.app_template_global("registration_state")
def registration_state_for_viewer(event: Event) -> RegistrationState:
    """What the event page's registration box shows to the current visitor."""
    return registration_state(event, current_user)


@bp.route("/events/<slug>/register", methods=["GET", "POST"])
@login_required
def register(slug: str):
    event = _event(slug)
    state = registration_state(event, current_user)
    if state.reason == Reason.ALREADY_REGISTERED:
        flash(state.message, "info")
        return redirect(url_for("registration.mine", slug=slug))
    if not state.accepts:
        return render_template("registration/closed.html", event=event, state=state)
    questions = services.event_questions(event)
    categories = services.allowed_categories(event, current_user, by_organiser=False)
    default = services.default_category(event, current_user)
    waiting = state.reason == Reason.WAITING_LIST
    sessions = [] if waiting else choosable_sessions(event, current_user)
    form = registration_form(
        questions,
        categories=categories,
        sessions=sessions,
        registration=state.registration,
        places_left=services.option_places_left(questions),
    )
    if not form.is_submitted() and "category" in form and state.registration is None:
        form["category"].data = default
    if form.validate_on_submit():
        try:
            registration = services.register(event, current_user, form.registration_input())
        except ServiceValidationError as error:
            form.apply_errors(error.errors)
        except AlreadyRegistered as error:
            flash(error.message, "info")
            return redirect(url_for("registration.mine", slug=slug))
        except Conflict as error:
            form.apply_conflict(error)
        else:
            _flash_outcome(registration)
            return redirect(url_for("registration.mine", slug=slug))
    return render_template(
        "registration/form.html", event=event, form=form, state=state, registration=None
    )


def _answers_for_display(event: Event, registration: Registration) -> list[tuple[str, str]]:
    answers = registration.answers or {}
    return [
        (question.label, display_answer(question, answers.get(question.key)))
        for question in services.event_questions(event)
    ]


@bp.get("/events/<slug>/registration")
@login_required
def mine(slug: str):
    event = _event(slug)
    registration = _mine(event)
    if registration is None:
        flash(_("You are not registered for this meeting yet."), "info")
        return redirect(url_for("events.show", slug=slug))
    return render_template(
        "registration/mine.html",
        event=event,
        registration=registration,
        position=services.waitlist_position(registration),
        answers=_answers_for_display(event, registration),
        sessions=chosen_sessions(registration),
        can_change=registration.is_active and services.changes_allowed(event),
        cancel_form=ConfirmForm(),
    )


@bp.route("/events/<slug>/registration/edit", methods=["GET", "POST"])
@login_required
def edit(slug: str):
    event = _event(slug)
    registration = _my_active(event)
    if not services.changes_allowed(event):
        flash(_("Registration is closed: write to the organisers to change anything."), "warning")
        return redirect(url_for("registration.mine", slug=slug))
    categories = services.allowed_categories(event, current_user, by_organiser=False)
    if registration.category not in categories:
        categories = [registration.category]
    sessions = choosable_sessions(event, current_user) if may_choose(registration) else []
    questions = services.event_questions(event)
    form = registration_form(
        questions,
        categories=categories,
        sessions=sessions,
        with_consent=False,
        registration=registration,
        places_left=services.option_places_left(questions),
    )
    if save_registration_changes(form, registration, current_user):
        flash(_("Your changes are saved."), "success")
        return redirect(url_for("registration.mine", slug=slug))
    return render_template(
        "registration/form.html", event=event, form=form, state=None, registration=registration
    )


@bp.route("/events/<slug>/registration/cancel", methods=["GET", "POST"])
@login_required
def cancel(slug: str):
    event = _event(slug)
    registration = _my_active(event)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            services.cancel_registration(registration, actor=current_user)
        except RegistrationConflict as error:
            flash(error.message, "warning")
        else:
            flash(_("Your registration is cancelled. Thank you for letting us know."), "success")
        return redirect(url_for("events.show", slug=slug))
    return render_template(
        "registration/cancel.html", event=event, registration=registration, form=form
    )


@bp.get("/my/registrations")
@login_required
def my_list():
    registrations = privacy.user_registrations(current_user)
    registrations.sort(key=lambda r: r.event.starts_on, reverse=True)
    return render_template("registration/my_list.html", registrations=registrations)


# Privacy --------------------------------------------------------------------------------


@bp.get("/account/privacy")
@login_required
def privacy_page():
    return render_template("registration/privacy.html", form=ConfirmForm())


@bp.get("/account/my-data.json")
@login_required
def my_data():
    body = json.dumps(privacy.export_user_data(current_user), ensure_ascii=False, indent=2)
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": 'attachment; filename="my-pic-data.json"'},
    )


@bp.post("/account/delete")
@login_required
def delete_account():
    form = ConfirmForm()
    if not form.validate_on_submit() or request.form.get("email", "").strip().lower() != (
        current_user.email.lower()
    ):
        flash(_("Type your e-mail address to confirm the deletion."), "danger")
        return redirect(url_for("registration.privacy_page"))
    user = current_user._get_current_object()
    logout_user()
    privacy.delete_account(user)
    flash(_("Your account is deleted and your registrations are anonymised. Goodbye!"), "info")
    return redirect(url_for("main.home"))
