"""Programme pages: the public timetable, My agenda, and the organiser's editor."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from pic_events.accounts.auth import organiser_required
from pic_events.agenda.services import registration_of
from pic_events.core.conditional import conditional_response
from pic_events.core.forms import save_form
from pic_events.core.timezones import to_zone
from pic_events.core.validation import Conflict, ServiceValidationError, apply_errors_to_form
from pic_events.events import services as event_services
from pic_events.events.models import Event
from pic_events.extensions import db
from pic_events.programme import agenda_page, personal_bits, public_page, services
from pic_events.programme.editions import new_edition as copy_edition
from pic_events.programme.forms import MoveForm, NewEditionForm, RoomForm, SessionForm
from pic_events.programme.models import ProgrammeSession, Room
from pic_events.registration import session_choices

bp = Blueprint("programme", __name__)


@bp.app_template_filter("iso_in_zone")
def iso_in_zone(instant, tz_name: str) -> str:
    """For <time datetime="...">: the instant with the event's offset."""
    return to_zone(instant, tz_name).isoformat()


def _event(slug: str) -> Event:
    return event_services.visible_event(slug, current_user)


def _session(event: Event, session_id: int) -> ProgrammeSession:
    session = db.session.get(ProgrammeSession, session_id)
    if session is None or session.event_id != event.id:
        abort(404)
    return session


def _room(event: Event, room_id: int) -> Room:
    room = db.session.get(Room, room_id)
    if room is None or room.event_id != event.id:
        abort(404)
    return room


# --- public ----------------------------------------------------------------------------


@bp.get("/events/<slug>/programme")
def programme(slug: str):
    event = _event(slug)
    user = current_user if current_user.is_authenticated else None
    kind = request.args.get("kind") or None
    page = public_page.programme_page(event, user, kind, personal_bits.render_timetable)
    shared = user is None and set(request.args) <= {"kind"}
    return conditional_response(page.validators, lambda: _programme_html(page), shared_body=shared)


def _programme_html(page: public_page.ProgrammePage) -> str:
    return render_template(
        "programme/programme.html",
        event=page.event,
        page=page,
        timetable=personal_bits.fill(page),
    )


@bp.get("/events/<slug>/my-agenda")
@login_required
def my_agenda(slug: str):
    event = _event(slug)
    registration = registration_of(event, current_user)
    body = agenda_page.body(event, registration, current_user, _agenda_html)
    return render_template(
        "programme/my_agenda.html",
        event=event,
        registration=registration,
        agenda=agenda_page.fill(event, body, "agenda"),
    )


def _agenda_html(content: agenda_page.AgendaContent) -> str:
    return render_template(
        "programme/_my_agenda_body.html",
        event=content.event,
        registration=content.registration,
        days=content.days,
        may_choose=content.may_choose,
        choosable_count=content.choosable_count,
    )


def _back(event: Event):
    if request.form.get("back") == "agenda":
        return redirect(url_for("programme.my_agenda", slug=event.slug))
    kind = request.form.get("kind")
    return redirect(url_for("programme.programme", slug=event.slug, kind=kind or None))


@bp.post("/events/<slug>/sessions/<int:session_id>/choose")
@login_required
def choose(slug: str, session_id: int):
    return _change_choice(slug, session_id, session_choices.choose_session)


@bp.post("/events/<slug>/sessions/<int:session_id>/drop")
@login_required
def drop(slug: str, session_id: int):
    return _change_choice(slug, session_id, session_choices.drop_session)


def _change_choice(slug: str, session_id: int, change):
    event = _event(slug)
    session = _session(event, session_id)
    registration = registration_of(event, current_user)
    if not services.may_see_session(session, current_user, registration):
        abort(404)
    if registration is None:
        flash(_("Register for the meeting first, then choose your sessions."), "warning")
        return _back(event)
    try:
        change(registration, session, actor=current_user)
    except ServiceValidationError as error:
        for messages in error.errors.values():
            for message in messages:
                flash(message, "danger")
    except Conflict as error:
        flash(str(error), "warning")
    else:
        if change is session_choices.choose_session:
            flash(_("“%(title)s” is on your agenda.", title=session.title), "success")
        else:
            flash(_("“%(title)s” is off your agenda.", title=session.title), "info")
    return _back(event)


# --- organiser: timetable editor -------------------------------------------------------


@bp.get("/organiser/events/<slug>/programme")
@organiser_required
def editor(slug: str):
    event = _event(slug)
    sessions = services.event_sessions(event)
    return render_template(
        "programme/editor.html",
        event=event,
        days=services.by_day(sessions, event.timezone),
        rooms=services.list_rooms(event),
        taken=session_choices.places_taken_in(sessions),
    )


@bp.post("/organiser/events/<slug>/programme/publish")
@organiser_required
def publish(slug: str):
    event = _event(slug)
    published = request.form.get("published") == "1"
    services.set_programme_published(event, published)
    if published:
        flash(_("The programme is published: members can see it."), "success")
    else:
        flash(_("The programme is back to draft: only organisers see it."), "info")
    return redirect(url_for("programme.editor", slug=event.slug))


@bp.post("/organiser/events/<slug>/programme/restricted")
@organiser_required
def hide_restricted(slug: str):
    event = _event(slug)
    hide = request.form.get("hide") == "1"
    services.set_hide_restricted(event, hide)
    if hide:
        flash(_("Steering-committee sessions are hidden from other attendees."), "success")
    else:
        flash(_("Steering-committee sessions are shown to everyone, marked as closed."), "info")
    return redirect(url_for("programme.editor", slug=event.slug))


def _session_form_page(event: Event, session: ProgrammeSession | None, source, saved_message):
    """The add / edit page of a session: `source` fills the form (a copy, or the session
    itself); `saved_message(title)` is flashed once the session is saved."""
    form = SessionForm()
    form.setup(event, services.list_rooms(event), session or source)
    if source is not None:
        form.fill_from(services.duplicate_values(source))
    warnings: list[str] = []
    if form.validate_on_submit():
        try:
            saved = services.save_session(
                event, form.values(), session, confirmed=form.save_anyway.data
            )
        except ServiceValidationError as error:
            apply_errors_to_form(form, _form_field_errors(error.errors))
        except services.ScheduleWarnings as warning:
            warnings = warning.warnings
        else:
            flash(saved_message(saved.session.title), "success")
            return _to_editor(event, saved.session)
    return render_template(
        "programme/session_form.html",
        event=event,
        form=form,
        session=session,
        source=None if session else source,
        warnings=warnings,
    )


def _to_editor(event: Event, session: ProgrammeSession):
    return redirect(url_for("programme.editor", slug=event.slug, _anchor=f"s{session.id}"))


def _form_field_errors(errors: dict[str, list[str]]) -> dict[str, list[str]]:
    renamed = {"starts_at": "start_time", "ends_at": "end_time"}
    return {renamed.get(name, name): messages for name, messages in errors.items()}


@bp.route("/organiser/events/<slug>/sessions/new", methods=["GET", "POST"])
@organiser_required
def new_session(slug: str):
    event = _event(slug)
    source_id = request.args.get("from", type=int)
    source = _session(event, source_id) if source_id else None
    return _session_form_page(
        event, None, source, lambda title: _("“%(title)s” added to the programme.", title=title)
    )


@bp.route("/organiser/events/<slug>/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@organiser_required
def edit_session(slug: str, session_id: int):
    event = _event(slug)
    session = _session(event, session_id)
    return _session_form_page(
        event, session, session, lambda title: _("Changes to “%(title)s” saved.", title=title)
    )


@bp.route("/organiser/events/<slug>/sessions/<int:session_id>/move", methods=["GET", "POST"])
@organiser_required
def move_session(slug: str, session_id: int):
    event = _event(slug)
    session = _session(event, session_id)
    form = MoveForm()
    form.setup(event, services.list_rooms(event), session)
    if not form.is_submitted():
        form.fill_schedule(session)
    warnings: list[str] = []
    if form.validate_on_submit():
        try:
            services.move_session(
                session,
                form.starts_at(),
                form.room_id.data or None,
                confirmed=form.save_anyway.data,
            )
        except ServiceValidationError as error:
            apply_errors_to_form(form, _form_field_errors(error.errors))
        except services.ScheduleWarnings as warning:
            warnings = warning.warnings
        else:
            flash(_("“%(title)s” moved.", title=session.title), "success")
            return _to_editor(event, session)
    return render_template(
        "programme/move.html", event=event, form=form, session=session, warnings=warnings
    )


@bp.post("/organiser/events/<slug>/sessions/<int:session_id>/delete")
@organiser_required
def delete_session(slug: str, session_id: int):
    event = _event(slug)
    session = _session(event, session_id)
    title = session.title
    services.delete_session(session)
    flash(_("“%(title)s” deleted.", title=title), "info")
    return redirect(url_for("programme.editor", slug=event.slug))


# --- organiser: rooms ------------------------------------------------------------------


@bp.route("/organiser/events/<slug>/rooms", methods=["GET", "POST"])
@organiser_required
def rooms(slug: str):
    event = _event(slug)
    form = RoomForm()
    room = save_form(form, lambda: services.save_room(event, form.values()))
    if room is not None:
        flash(_("Room “%(name)s” added.", name=room.name), "success")
        return redirect(url_for("programme.rooms", slug=event.slug))
    return render_template(
        "programme/rooms.html", event=event, rooms=services.list_rooms(event), form=form
    )


@bp.route("/organiser/events/<slug>/rooms/<int:room_id>/edit", methods=["GET", "POST"])
@organiser_required
def edit_room(slug: str, room_id: int):
    event = _event(slug)
    room = _room(event, room_id)
    form = RoomForm(obj=room)
    if save_form(form, lambda: services.save_room(event, form.values(), room)) is not None:
        flash(_("Changes saved."), "success")
        return redirect(url_for("programme.rooms", slug=event.slug))
    return render_template("programme/room_form.html", event=event, room=room, form=form)


@bp.post("/organiser/events/<slug>/rooms/<int:room_id>/delete")
@organiser_required
def delete_room(slug: str, room_id: int):
    event = _event(slug)
    room = _room(event, room_id)
    name = room.name
    services.delete_room(room)
    flash(_("Room “%(name)s” deleted; its sessions have no room now.", name=name), "info")
    return redirect(url_for("programme.rooms", slug=event.slug))


# --- organiser: new edition ------------------------------------------------------------


@bp.route("/organiser/events/<slug>/new-edition", methods=["GET", "POST"])
@organiser_required
def new_edition(slug: str):
    source = _event(slug)
    form = NewEditionForm()
    event = save_form(
        form,
        lambda: copy_edition(
            source, slug=form.slug.data, title=form.title.data, starts_on=form.starts_on.data
        ),
    )
    if event is not None:
        message = _(
            "“%(title)s” created as a draft from “%(source)s”.",
            title=event.title,
            source=source.title,
        )
        flash(message, "success")
        return redirect(url_for("programme.editor", slug=event.slug))
    return render_template("programme/new_edition.html", event=source, form=form)
