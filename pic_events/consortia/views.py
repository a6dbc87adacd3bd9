"""Project idea pages: the list, an idea, post and edit, join, invite, meet as a group."""

from __future__ import annotations

import sqlalchemy as sa
from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload

from pic_events.accounts.auth import organiser_required
from pic_events.accounts.models import User
from pic_events.consortia import pitches, services
from pic_events.consortia.forms import (
    EditIdeaForm,
    FilterForm,
    InterestForm,
    InviteForm,
    MeetingForm,
    NewIdeaForm,
    PitchForm,
    RoleForm,
)
from pic_events.consortia.models import ConsortiumScheduleRequest, Idea, IdeaStatus
from pic_events.core.countries import country_name
from pic_events.core.templating import local_datetime
from pic_events.core.validation import (
    Conflict,
    PermissionDenied,
    ServiceValidationError,
    apply_errors_to_form,
)
from pic_events.events import services as event_services
from pic_events.events.models import Event
from pic_events.extensions import db
from pic_events.programme.services import event_sessions as programme_sessions
from pic_events.registration.models import Registration

bp = Blueprint("consortia", __name__)


def _event(slug: str) -> Event:
    return event_services.visible_event(slug, current_user)


def _idea(event: Event, idea_id: int) -> tuple[Idea, services.Access]:
    idea = services.get_idea(idea_id)
    if idea.event_id != event.id:
        abort(404)
    return idea, services.access_to(idea, current_user)


def _back(event: Event, idea: Idea):
    return redirect(url_for("consortia.show", slug=event.slug, idea_id=idea.id))


def _refused(error: Exception) -> None:
    """A refusal told on the idea's page (the action was a button, not a form to keep)."""
    if isinstance(error, PermissionDenied):
        abort(403)
    if isinstance(error, ServiceValidationError):
        for messages in error.errors.values():
            for message in messages:
                flash(message, "danger")
    else:
        flash(str(error), "danger")


@bp.app_template_global("ideas_open_to")
def ideas_open_to(event: Event) -> bool:
    """The event page shows its link to project ideas to those who may see them."""
    user = current_user if current_user.is_authenticated else None
    return user is not None and services.may_see_ideas(event, user)


@bp.get("/events/<slug>/ideas")
@login_required
def index(slug: str):
    event = _event(slug)
    form = FilterForm(request.args)
    form.validate()
    filters = services.IdeaFilters(
        q=(form.q.data or "").strip() if not form.q.errors else "",
        call=(form.call.data or "").strip() if not form.call.errors else "",
        sector=form.sector.data if not form.sector.errors else "",
        role_kind=form.role_kind.data if not form.role_kind.errors else "",
        country=form.country.data if not form.country.errors else "",
    )
    try:
        listing = services.list_ideas(event, current_user, filters)
    except PermissionDenied:
        return render_template("consortia/closed.html", event=event), 403
    registration = services.confirmed_registration(event, current_user)
    filtered = any([filters.q, filters.call, filters.sector, filters.role_kind, filters.country])
    return render_template(
        "consortia/list.html",
        event=event,
        form=form,
        listing=listing,
        registration=registration,
        filtered=filtered,
        pitches=services.pitch_order(event),
        services=services,
    )


@bp.route("/events/<slug>/ideas/new", methods=["GET", "POST"])
@login_required
def new(slug: str):
    event = _event(slug)
    if services.confirmed_registration(event, current_user) is None:
        return render_template("consortia/closed.html", event=event, posting=True), 403
    form = NewIdeaForm()
    if form.validate_on_submit():
        try:
            idea = services.create_idea(event, current_user, form.idea_input(), form.role_inputs())
        except ServiceValidationError as error:
            apply_errors_to_form(form, form.apply_role_errors(error.errors))
        else:
            flash(_("Your idea is posted. Share it, and watch for interest."), "success")
            return _back(event, idea)
    return render_template("consortia/form.html", event=event, form=form, idea=None)


@bp.get("/events/<slug>/ideas/<int:idea_id>")
@login_required
def show(slug: str, idea_id: int):
    event = _event(slug)
    idea, access = _idea(event, idea_id)
    details = services.shows_details(idea, access)
    interests = services.interests_of(idea) if (access.lead or access.organiser) else []
    mine = services.my_interests(idea, access.registration)
    meetings = services.meetings_of_idea(idea) if details else []
    return render_template(
        "consortia/show.html",
        event=event,
        idea=idea,
        access=access,
        details=details,
        interests=interests,
        mine=mine,
        meetings=meetings,
        covered=services.countries_covered(idea),
        missing=services.missing_countries(idea),
        interest_form=InterestForm(),
        my_country=services.person_country(access.registration),
        carry_targets=services.carry_over_targets(idea, current_user),
        services=services,
    )


@bp.route("/events/<slug>/ideas/<int:idea_id>/edit", methods=["GET", "POST"])
@login_required
def edit(slug: str, idea_id: int):
    event = _event(slug)
    idea, access = _idea(event, idea_id)
    if not access.lead:
        abort(403)
    form = EditIdeaForm()
    form.fill_from(idea)
    if not form.is_submitted():
        form.status.data = idea.status
    if form.validate_on_submit():
        try:
            services.update_idea(idea, current_user, form.idea_input(), status=form.status.data)
        except ServiceValidationError as error:
            db.session.rollback()
            apply_errors_to_form(form, error.errors)
        else:
            flash(_("Saved."), "success")
            return _back(event, idea)
    return render_template(
        "consortia/form.html", event=event, form=form, idea=idea, role_form=RoleForm()
    )


@bp.post("/events/<slug>/ideas/<int:idea_id>/roles")
@login_required
def add_role(slug: str, idea_id: int):
    event = _event(slug)
    idea, access = _idea(event, idea_id)
    if not access.lead:
        abort(403)
    form = RoleForm()
    if form.validate_on_submit():
        try:
            services.add_role(idea, current_user, form.role_input())
        except (ServiceValidationError, Conflict) as error:
            db.session.rollback()
            if isinstance(error, ServiceValidationError):
                apply_errors_to_form(form, error.errors)
            else:
                form.form_errors.append(str(error))
        else:
            flash(_("Role added."), "success")
            return redirect(url_for("consortia.edit", slug=slug, idea_id=idea.id) + "#roles")
    edit_form = EditIdeaForm(formdata=None)
    edit_form.fill_from(idea)
    edit_form.status.data = idea.status
    return render_template(
        "consortia/form.html", event=event, form=edit_form, idea=idea, role_form=form
    ), 422


@bp.post("/events/<slug>/ideas/<int:idea_id>/roles/<int:role_id>/remove")
@login_required
def remove_role(slug: str, idea_id: int, role_id: int):
    event = _event(slug)
    idea, _access = _idea(event, idea_id)
    role = services.get_role(role_id)
    if role.idea_id != idea.id:
        abort(404)
    try:
        services.remove_role(role, current_user)
    except (ServiceValidationError, Conflict) as error:
        _refused(error)
    else:
        flash(_("Role removed."), "success")
    return redirect(url_for("consortia.edit", slug=slug, idea_id=idea.id) + "#roles")


@bp.post("/events/<slug>/ideas/<int:idea_id>/roles/<int:role_id>/interest")
@login_required
def express_interest(slug: str, idea_id: int, role_id: int):
    event = _event(slug)
    idea, _access = _idea(event, idea_id)
    role = services.get_role(role_id)
    if role.idea_id != idea.id:
        abort(404)
    form = InterestForm()
    if not form.validate_on_submit():
        for messages in form.errors.values():
            for message in messages:
                flash(message, "danger")
        return _back(event, idea)
    try:
        services.express_interest(role, current_user, form.message.data or "")
    except (ServiceValidationError, Conflict) as error:
        _refused(error)
    else:
        flash(_("The lead has your request and will answer it."), "success")
    return _back(event, idea)


@bp.post(
    "/events/<slug>/ideas/<int:idea_id>/interests/<int:interest_id>/<any(accept, decline):action>"
)
@login_required
def answer(slug: str, idea_id: int, interest_id: int, action: str):
    event = _event(slug)
    idea, _access = _idea(event, idea_id)
    interest = services.get_interest(interest_id)
    if interest.role.idea_id != idea.id:
        abort(404)
    do = services.accept_interest if action == "accept" else services.decline_interest
    try:
        do(interest, current_user)
    except (ServiceValidationError, Conflict) as error:
        _refused(error)
    else:
        if action == "accept":
            flash(_("Accepted: the role is filled."), "success")
        else:
            flash(_("Declined."), "info")
    return _back(event, idea)


def _invitable(event: Event, idea: Idea) -> list[Registration]:
    """The catalogue: listed confirmed participants who are not in the consortium yet."""
    members = {idea.lead_id, *(r.filled_by_id for r in idea.filled_roles)}
    people = db.session.scalars(
        sa.select(Registration)
        .join(User, User.id == Registration.user_id)
        .options(joinedload(Registration.user).joinedload(User.organisation))
        .where(
            Registration.listed_at(event.id),
        )
        .order_by(User.name)
    ).all()
    return [p for p in people if p.id not in members]


def _person_label(person: Registration) -> str:
    parts = [person.display_name]
    organisation = services.person_organisation(person)
    if organisation:
        parts.append(organisation)
    country = services.person_country(person)
    if country:
        parts.append(country_name(country))
    return " — ".join(parts)


@bp.route("/events/<slug>/ideas/<int:idea_id>/invite", methods=["GET", "POST"])
@login_required
def invite(slug: str, idea_id: int):
    event = _event(slug)
    idea, access = _idea(event, idea_id)
    if not access.lead:
        abort(403)
    form = InviteForm()
    form.role_id.choices = [
        (r.id, r.kind_label + (f" — {r.description}" if r.description else ""))
        for r in idea.open_roles
    ]
    form.registration_id.choices = [(p.id, _person_label(p)) for p in _invitable(event, idea)]
    if request.method == "GET" and request.args.get("registration_id", "").isdigit():
        form.registration_id.data = int(request.args["registration_id"])
    if form.validate_on_submit():
        role = services.get_role(form.role_id.data)
        try:
            services.invite(role, current_user, form.registration_id.data, form.message.data or "")
        except ServiceValidationError as error:
            apply_errors_to_form(form, error.errors)
        except Conflict as error:
            form.form_errors.append(str(error))
        else:
            flash(_("Invitation sent."), "success")
            return _back(event, idea)
    return render_template("consortia/invite.html", event=event, idea=idea, form=form)


@bp.route("/events/<slug>/ideas/<int:idea_id>/meeting", methods=["GET", "POST"])
@login_required
def meeting(slug: str, idea_id: int):
    event = _event(slug)
    idea, access = _idea(event, idea_id)
    if not access.may_book:
        abort(403)
    candidates = services.meeting_candidates(idea)
    partner_ids = {r.filled_by_id for r in idea.filled_roles}
    form = MeetingForm()
    form.people.choices = [
        (
            p.id,
            _person_label(p) + " " + (_("(partner)") if p.id in partner_ids else _("(interested)")),
        )
        for p in candidates
    ]
    slots = services.bookable_slots(event)
    form.slot_id.choices = [(0, _("The first slot that suits everyone"))] + [
        (s.id, local_datetime(s.starts_at, event.timezone, "EEEE d MMMM, HH:mm")) for s in slots
    ]
    if not form.is_submitted():
        form.people.data = [p.id for p in candidates if p.id in partner_ids]
    ask_organisers = services.organisers_schedule(event) and not access.organiser
    pending = services.pending_schedule_request(idea)
    if ask_organisers and not form.is_submitted() and pending is not None:
        form.people.data = [i for i in pending.registration_ids if i != idea.lead_id]
    if form.validate_on_submit():
        try:
            if ask_organisers:
                services.request_scheduling(idea, current_user, form.people.data or [])
            else:
                booked = services.book_meeting(
                    idea, current_user, form.people.data or [], form.slot_id.data or None
                )
        except ServiceValidationError as error:
            apply_errors_to_form(form, {"people": sum(error.errors.values(), [])})
        except PermissionDenied:
            abort(403)
        except Conflict as error:
            form.form_errors.append(str(error))
        else:
            if ask_organisers:
                flash(
                    _("Asked: the organisers' scheduling run will place your meeting."), "success"
                )
            else:
                flash(
                    _(
                        "Consortium meeting booked: %(when)s, table %(table)s. Everyone is told.",
                        when=local_datetime(
                            booked.slot.starts_at, event.timezone, "EEEE d MMMM, HH:mm"
                        ),
                        table=booked.table.label,
                    ),
                    "success",
                )
            return _back(event, idea)
    return render_template(
        "consortia/meeting.html",
        event=event,
        idea=idea,
        form=form,
        slots=slots,
        meetings=services.meetings_of_idea(idea),
        ask_organisers=ask_organisers,
        pending=pending,
    )


@bp.post("/events/<slug>/ideas/<int:idea_id>/carry-over")
@login_required
def carry_over(slug: str, idea_id: int):
    event = _event(slug)
    idea, _access = _idea(event, idea_id)
    target = db.session.get(Event, request.form.get("event_id", type=int) or 0)
    if target is None:
        abort(404)
    try:
        copy = services.carry_over(idea, current_user, target)
    except (ServiceValidationError, Conflict) as error:
        _refused(error)
        return _back(event, idea)
    flash(_("The idea is carried over to %(title)s.", title=target.title), "success")
    return redirect(url_for("consortia.show", slug=target.slug, idea_id=copy.id))


def _person_line(person: Registration, role=None):
    from pic_events.consortia.documents import PersonLine

    role_text = ""
    if role is not None:
        role_text = role.kind_label + (f": {role.description}" if role.description else "")
    return PersonLine(
        name=person.display_name,
        organisation=services.person_organisation(person),
        country=country_name(services.person_country(person)),
        role=role_text,
    )


@bp.get("/events/<slug>/ideas/<int:idea_id>/summary.pdf")
@login_required
def summary_pdf(slug: str, idea_id: int):
    """The one-page summary for the pitch wall (details as the viewer may see them)."""
    from pic_events.consortia.documents import PitchSummary, pitch_summary_pdf
    from pic_events.consortia.mails import idea_url
    from pic_events.core.templating import local_date
    from pic_events.directory.sectors import sector_name

    event = _event(slug)
    idea, access = _idea(event, idea_id)
    details = services.shows_details(idea, access)
    covered = services.countries_covered(idea) if details else []
    data = PitchSummary(
        event_title=event.title,
        title=idea.title,
        call=idea.call,
        deadline=local_date(idea.call_deadline, "long") if idea.call_deadline else "",
        status=idea.status_label,
        summary=idea.summary,
        sectors=[sector_name(s) for s in idea.sectors or []],
        keywords=list(idea.keywords or []) if details else [],
        lead=_person_line(idea.lead),
        partners=[_person_line(r.filled_by, r) for r in idea.filled_roles],
        open_roles=[
            r.kind_label
            + (f": {r.description}" if details and r.description else "")
            + (f" ({', '.join(country_name(c) for c in r.countries)})" if r.countries else "")
            for r in idea.open_roles
        ],
        countries=[country_name(c) for c in covered],
        url=idea_url(idea),
        details=details,
    )
    response = Response(pitch_summary_pdf(data), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="idea-{idea.id}.pdf"'
    return response


# Organisers -------------------------------------------------------------------------------


@bp.route("/organiser/events/<slug>/ideas", methods=["GET", "POST"])
@organiser_required
def organiser(slug: str):
    """Statistics and the pitch session's running order."""
    event = _event(slug)
    ideas = services.list_ideas(event, current_user, services.IdeaFilters()).all
    if request.method == "POST" and "request_id" in request.form:
        wanted = db.session.get(
            ConsortiumScheduleRequest, request.form.get("request_id", type=int) or 0
        )
        if wanted is None or wanted.idea.event_id != event.id:
            abort(404)
        try:
            services.set_schedule_priority(
                wanted, current_user, request.form.get("priority", type=int) or 0
            )
        except ServiceValidationError as error:
            _refused(error)
        else:
            flash(_("Priority saved."), "success")
        return redirect(url_for("consortia.organiser", slug=slug) + "#requests")
    if request.method == "POST" and "pitch_session" in request.form:
        chosen = request.form.get("pitch_session", type=int)
        try:
            pitches.set_pitch_session(event, chosen or None)
        except ServiceValidationError as error:
            _refused(error)
        else:
            flash(_("Pitch session saved."), "success")
        return redirect(url_for("consortia.organiser", slug=slug))
    if request.method == "POST":
        form = PitchForm()
        idea_id = request.form.get("idea_id", type=int)
        idea = db.session.get(Idea, idea_id) if idea_id else None
        if idea is None or idea.event_id != event.id:
            abort(404)
        if form.validate_on_submit():
            services.set_pitch(idea, form.position.data, form.minutes.data)
            flash(_("Pitch order saved."), "success")
        else:
            for messages in form.errors.values():
                for message in messages:
                    flash(message, "danger")
        return redirect(url_for("consortia.organiser", slug=slug))
    return render_template(
        "consortia/organiser.html",
        event=event,
        stats=services.statistics(event),
        ideas=[row.idea for row in ideas],
        pitches=services.pitch_order(event),
        pitch_session_id=pitches.pitch_session_id(event),
        sessions=programme_sessions(event),
        requests=services.schedule_requests(event),
        statuses=IdeaStatus,
        services=services,
    )
