"""Member pages of B2B matchmaking: my meetings, requests, slots and availability."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from pic_events.core.types import utcnow
from pic_events.core.validation import (
    NotFoundError,
    ServiceValidationError,
    apply_errors_to_form,
)
from pic_events.events import services as event_services
from pic_events.events.models import Event
from pic_events.matchmaking import outcomes, requests, slots
from pic_events.matchmaking.booking import BookingConflict, slot_time
from pic_events.matchmaking.meeting_forms import (
    AcceptForm,
    CancelForm,
    ConfirmForm,
    DeclineForm,
    OutcomeForm,
    RequestForm,
)
from pic_events.matchmaking.meetings import meeting_for, meetings_of
from pic_events.matchmaking.models import MatchProfile
from pic_events.matchmaking.settings import requests_carry_a_slot, requests_open, settings_of
from pic_events.registration.models import Registration

bp = Blueprint("matchmaking", __name__)


def _event(slug: str) -> Event:
    return event_services.visible_event(slug, current_user)


def _me(event: Event) -> Registration:
    """My confirmed registration at an event with B2B meetings, else 404."""
    return requests.participant_of(event, current_user)


@bp.app_template_global("b2b_member_links")
def b2b_member_links(event: Event) -> dict[str, str] | None:
    """The event page's links to my B2B pages (only for confirmed participants when
    matchmaking is on)."""
    if not current_user.is_authenticated:
        return None
    try:
        requests.participant_of(event, current_user)
    except NotFoundError:
        return None
    return {
        "meetings": url_for("matchmaking.my_meetings", slug=event.slug),
        "availability": url_for("matchmaking.availability", slug=event.slug),
        "profile": url_for("b2b_profiles.my_profile", slug=event.slug),
        "recommendations": url_for("b2b_profiles.recommendations", slug=event.slug),
        "participants": url_for("b2b_profiles.catalogue", slug=event.slug),
    }


def _person(registration: Registration, profiles: dict[int, MatchProfile]) -> dict[str, Any]:
    user = registration.user
    organisation = user.organisation if user else None
    profile = profiles.get(registration.id)
    return {
        "id": registration.id,
        "name": registration.display_name,
        "organisation": organisation.name if organisation else "",
        "country": (user.country if user and user.country else None)
        or (organisation.country if organisation else None),
        "summary": profile.summary if profile else "",
        "offers": profile.offers if profile else "",
        "seeks": profile.seeks if profile else "",
    }


def _profiles(registration_ids) -> dict[int, MatchProfile]:
    return requests.profiles_of(registration_ids)


def _slot_label(slot, event: Event) -> str:
    from pic_events.core.templating import local_datetime

    return local_datetime(slot.starts_at, event.timezone, "EEE d MMM, HH:mm")


def _meetings_page(
    event: Event,
    me: Registration,
    *,
    failed: tuple[str, int, Any] | None = None,
    status: int = 200,
):
    """My meetings: meetings, requests to answer, requests sent (a fixed number of queries
    whatever their number). `failed` = (kind, id, form) keeps what was typed in a form
    that was refused."""
    settings = settings_of(event)
    now = utcnow()
    mine = requests.requests_of(event, me)
    meetings = meetings_of(me)
    others = [
        *(p for m in meetings for p in m.others(me.id)),
        *(r.sender for r in mine.received),
        *(r.recipient for r in mine.sent),
        *(r.other_side(me.id) for r in mine.unscheduled),
    ]
    profiles = _profiles(p.id for p in others)
    with_slot = requests_carry_a_slot(settings)
    common = (
        slots.common_free_slots_with(event, me, [r.sender for r in mine.received])
        if with_slot and mine.received
        else {}
    )
    said = outcomes.outcomes_of(me, [m.id for m in meetings])

    def form_for(kind: str, item_id: int, factory):
        if failed and failed[0] == kind and failed[1] == item_id:
            return failed[2]
        return factory()

    received = []
    for item in mine.received:
        form = form_for("accept", item.id, lambda: AcceptForm(formdata=None))
        choices = [(s.id, _slot_label(s, event)) for s in common.get(item.sender_id, [])]
        proposed = item.proposed_slot
        if proposed is not None and proposed.id not in {c[0] for c in choices}:
            choices.insert(
                0, (proposed.id, _("%(time)s (no longer free)", time=_slot_label(proposed, event)))
            )
        form.slot_id.choices = choices
        if form.slot_id.data is None and proposed is not None:
            form.slot_id.data = proposed.id
        received.append(
            {
                "request": item,
                "person": _person(item.sender, profiles),
                "accept_form": form,
                "decline_form": form_for("decline", item.id, lambda: DeclineForm(formdata=None)),
            }
        )
    meeting_rows = []
    for meeting in meetings:
        outcome = said.get(meeting.id)
        outcome_form = form_for("outcome", meeting.id, lambda: OutcomeForm(formdata=None))
        if outcome is not None and not outcome_form.is_submitted():
            outcome_form.took_place.data = "yes" if outcome.took_place else "no"
            outcome_form.rating.data = outcome.rating
        meeting_rows.append(
            {
                "meeting": meeting,
                "people": [_person(p, profiles) for p in meeting.others(me.id)],
                "message": meeting.request.message if meeting.request else "",
                "from_me": meeting.request is not None and meeting.request.sender_id == me.id,
                "past": meeting.slot.ends_at <= now,
                "can_report": outcomes.can_report(meeting, now),
                "outcome": outcome,
                "cancel_form": form_for("cancel", meeting.id, lambda: CancelForm(formdata=None)),
                "outcome_form": outcome_form,
            }
        )
    return (
        render_template(
            "matchmaking/my_meetings.html",
            event=event,
            me=me,
            settings=settings,
            with_slot=with_slot,
            open=requests_open(settings, now),
            meetings=meeting_rows,
            received=received,
            sent=[{"request": r, "person": _person(r.recipient, profiles)} for r in mine.sent],
            unscheduled=[
                {"request": r, "person": _person(r.other_side(me.id), profiles)}
                for r in mine.unscheduled
            ],
            withdraw_form=ConfirmForm(formdata=None),
            catalogue_url=url_for("b2b_profiles.catalogue", slug=event.slug),
        ),
        status,
    )


@bp.get("/events/<slug>/b2b/meetings")
@login_required
def my_meetings(slug: str):
    event = _event(slug)
    return _meetings_page(event, _me(event))


def _back(event: Event, anchor: str = ""):
    return redirect(url_for("matchmaking.my_meetings", slug=event.slug) + anchor)


def _refused(event: Event, me: Registration, kind: str, item_id: int, form, error) -> Any:
    """Show the page again with the refusal and what was typed."""
    if isinstance(error, ServiceValidationError):
        apply_errors_to_form(form, error.errors)
        message = next((m for ms in error.errors.values() for m in ms), str(error))
        flash(message, "danger")
        return _meetings_page(event, me, failed=(kind, item_id, form), status=422)
    flash(str(error), "danger")
    return _meetings_page(event, me, failed=(kind, item_id, form), status=409)


@bp.post("/events/<slug>/b2b/requests/<int:request_id>/accept")
@login_required
def accept_request(slug: str, request_id: int):
    event = _event(slug)
    me = _me(event)
    item = requests.request_for(request_id, me)
    form = AcceptForm()
    form.slot_id.choices = []
    if not form.validate_on_submit():
        return _refused(event, me, "accept", item.id, form, ServiceValidationError(form.errors))
    try:
        _accepted, meeting = requests.accept(item.id, me, slot_id=form.slot_id.data)
    except (BookingConflict, ServiceValidationError) as error:
        return _refused(event, me, "accept", item.id, form, error)
    name = item.sender.display_name
    if meeting is not None:
        flash(
            _(
                "Meeting booked with %(name)s at %(time)s, table %(table)s. We have told them.",
                name=name,
                time=slot_time(meeting.slot, event),
                table=meeting.table.label,
            ),
            "success",
        )
        return _back(event, f"#meeting-{meeting.id}")
    flash(
        _(
            "You accepted %(name)s's request. The organisers will give it a time and a table.",
            name=name,
        ),
        "success",
    )
    return _back(event)


@bp.post("/events/<slug>/b2b/requests/<int:request_id>/decline")
@login_required
def decline_request(slug: str, request_id: int):
    event = _event(slug)
    me = _me(event)
    item = requests.request_for(request_id, me)
    form = DeclineForm()
    if not form.validate_on_submit():
        return _refused(event, me, "decline", item.id, form, ServiceValidationError(form.errors))
    try:
        requests.decline(item.id, me, reason=form.reason.data or "")
    except (BookingConflict, ServiceValidationError) as error:
        return _refused(event, me, "decline", item.id, form, error)
    flash(_("You declined %(name)s's request.", name=item.sender.display_name), "info")
    return _back(event)


@bp.post("/events/<slug>/b2b/requests/<int:request_id>/cancel")
@login_required
def cancel_request(slug: str, request_id: int):
    event = _event(slug)
    me = _me(event)
    item = requests.request_for(request_id, me)
    form = ConfirmForm()
    if not form.validate_on_submit():
        flash(_("The form expired: please try again."), "warning")
        return _back(event)
    try:
        requests.cancel(item.id, me)
    except BookingConflict as error:
        flash(str(error), "danger")
        return _back(event)
    flash(_("Request withdrawn; %(name)s has been told.", name=item.other_side(me.id).display_name))
    return _back(event)


@bp.post("/events/<slug>/b2b/meetings/<int:meeting_id>/cancel")
@login_required
def cancel_meeting(slug: str, meeting_id: int):
    from pic_events.matchmaking import booking

    event = _event(slug)
    me = _me(event)
    meeting = meeting_for(meeting_id, me)
    form = CancelForm()
    if not form.validate_on_submit():
        return _refused(event, me, "cancel", meeting.id, form, ServiceValidationError(form.errors))
    try:
        booking.cancel(meeting, by=me, reason=form.reason.data or "")
    except BookingConflict as error:
        return _refused(event, me, "cancel", meeting.id, form, error)
    flash(_("Meeting cancelled; the others have been told and the slot is free again."), "info")
    return _back(event)


@bp.post("/events/<slug>/b2b/meetings/<int:meeting_id>/outcome")
@login_required
def meeting_outcome(slug: str, meeting_id: int):
    event = _event(slug)
    me = _me(event)
    meeting = meeting_for(meeting_id, me)
    form = OutcomeForm()
    if not form.validate_on_submit():
        return _refused(event, me, "outcome", meeting.id, form, ServiceValidationError(form.errors))
    took_place = form.took_place.data == "yes"
    try:
        outcomes.record_outcome(
            meeting.id, me, took_place=took_place, rating=form.rating.data or None
        )
    except (BookingConflict, ServiceValidationError) as error:
        return _refused(event, me, "outcome", meeting.id, form, error)
    flash(_("Thank you: your answer is saved."), "success")
    return _back(event, f"#meeting-{meeting.id}")


@bp.route("/events/<slug>/b2b/request/<int:registration_id>", methods=["GET", "POST"])
@login_required
def new_request(slug: str, registration_id: int):
    event = _event(slug)
    me = _me(event)
    settings = settings_of(event)
    them = requests.catalogue_person(event, registration_id)
    if them.id == me.id:
        flash(_("You cannot ask yourself for a meeting."), "info")
        return _back(event)
    existing = requests.live_request_between(me, them)
    with_slot = requests_carry_a_slot(settings)
    common = slots.common_free_slots(event, [me, them]) if with_slot else []
    form = RequestForm()
    form.slot_id.choices = [(None, _("Choose a time"))] + [
        (s.id, _slot_label(s, event)) for s in common
    ]
    if not with_slot:
        del form.slot_id
    status = 200
    if request.method == "POST" and existing is None:
        if form.validate_on_submit():
            try:
                requests.send_request(
                    event,
                    me,
                    them.id,
                    message=form.message.data or "",
                    slot_id=form.slot_id.data if with_slot else None,
                )
            except ServiceValidationError as error:
                apply_errors_to_form(
                    form, {("slot_id" if k == "slot" else k): v for k, v in error.errors.items()}
                )
                status = 422
            except BookingConflict as error:
                form.form_errors.append(str(error))
                status = 409
            else:
                hours = settings.request_lifetime_hours
                flash(
                    _(
                        "Request sent to %(name)s. They have %(hours)d hours to answer; "
                        "we will write to you.",
                        name=them.display_name,
                        hours=hours,
                    ),
                    "success",
                )
                return _back(event)
        else:
            status = 422
    profiles = _profiles([them.id])
    return (
        render_template(
            "matchmaking/request_form.html",
            event=event,
            form=form,
            person=_person(them, profiles),
            existing=existing,
            with_slot=with_slot,
            common=common,
            open=requests_open(settings),
            catalogue_url=url_for("b2b_profiles.catalogue", slug=event.slug),
        ),
        status,
    )


@bp.route("/events/<slug>/b2b/availability", methods=["GET", "POST"])
@login_required
def availability(slug: str):
    event = _event(slug)
    me = _me(event)
    settings = settings_of(event)
    form = ConfirmForm()
    chosen: set[int] | None = None
    error = None
    status = 200
    if request.method == "POST":
        chosen = {int(v) for v in request.form.getlist("unavailable") if v.isdigit()}
        if not form.validate_on_submit():
            error = _("The form expired: please try again.")
            status = 400
        else:
            try:
                slots.set_unavailability(event, me, chosen)
            except BookingConflict as refused:
                error, status = str(refused), 409
            except ServiceValidationError as refused:
                error = next(m for ms in refused.errors.values() for m in ms)
                status = 422
            else:
                flash(_("Your availability is saved."), "success")
                return redirect(url_for("matchmaking.availability", slug=slug))
    statuses = slots.slot_statuses(event, me)
    days: dict[Any, list] = {}
    from pic_events.core.templating import local_date

    for item in statuses:
        days.setdefault(local_date(item.slot.starts_at, "full", event.timezone), []).append(item)
    return (
        render_template(
            "matchmaking/availability.html",
            event=event,
            days=days,
            chosen=chosen,
            error=error,
            form=form,
            frozen=settings.frozen,
        ),
        status,
    )
