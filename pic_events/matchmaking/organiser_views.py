"""Organiser pages of B2B matchmaking: set-up, slots, tables, scheduling, grid, one person's
schedule, statistics, accepted-but-unscheduled requests, moving or cancelling by hand."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from pic_events.accounts.auth import organiser_required
from pic_events.core.forms import save_form
from pic_events.core.types import utcnow
from pic_events.core.validation import (
    Conflict,
    NotFoundError,
    ServiceValidationError,
    apply_errors_to_form,
)
from pic_events.events import services as event_services
from pic_events.events.models import Event
from pic_events.extensions import db
from pic_events.matchmaking import booking, scheduling, setup, stats
from pic_events.matchmaking.meetings import meetings_of
from pic_events.matchmaking.models import (
    BOOKING_STYLE_LABELS,
    RATING_LABELS,
    REQUEST_STATUS_LABELS,
    BookingStyle,
    MeetingOrigin,
    MeetingRequest,
    Rating,
    RequestStatus,
)
from pic_events.matchmaking.organiser_forms import (
    CancelForm,
    DeleteSlotForm,
    PlaceForm,
    RulesForm,
    RunForm,
    SlotForm,
    TableForm,
    TablesForm,
    WindowForm,
    slot_label,
)
from pic_events.matchmaking.scheduling_models import ScheduleRun
from pic_events.matchmaking.settings import settings_of
from pic_events.programme.services import list_rooms
from pic_events.registration.models import Registration

bp = Blueprint("b2b_admin", __name__, url_prefix="/organiser/events/<slug>/b2b")


def _event(slug: str) -> Event:
    return event_services.visible_event(slug, current_user)


def _page(template: str, event: Event, **context):
    return render_template(
        f"matchmaking/organiser/{template}", event=event, settings=settings_of(event), **context
    )


def _flash_errors(error: ServiceValidationError) -> None:
    for messages in error.errors.values():
        for message in messages:
            flash(message, "danger")


# Set-up: rules and freeze ----------------------------------------------------------------


@bp.route("", methods=["GET", "POST"])
@organiser_required
def setup_page(slug: str):
    event = _event(slug)
    settings = settings_of(event)
    form = RulesForm()
    form.setup(event, settings)
    if save_form(form, lambda: setup.save_rules(event, form.values())):
        flash(_("Matchmaking rules saved."), "success")
        return redirect(url_for(".setup_page", slug=event.slug))
    return _page(
        "setup.html",
        event,
        form=form,
        slots=len(setup.event_slots(event)),
        tables=len(setup.event_tables(event)),
        style_labels=BOOKING_STYLE_LABELS,
    )


@bp.post("/freeze")
@organiser_required
def freeze(slug: str):
    event = _event(slug)
    frozen = request.form.get("frozen") == "1"
    setup.set_frozen(event, frozen)
    if frozen:
        flash(
            _("The schedule is frozen: participants can no longer change their meetings."),
            "success",
        )
    else:
        flash(_("The schedule is open again for participants' changes."), "info")
    return redirect(url_for(".setup_page", slug=event.slug))


@bp.post("/self-booking")
@organiser_required
def self_booking(slug: str):
    event = _event(slug)
    setup.set_self_booking_open(event, request.form.get("open") == "1")
    flash(_("Self-booking setting saved."), "success")
    return redirect(url_for(".setup_page", slug=event.slug))


# Slots -----------------------------------------------------------------------------------


@bp.route("/slots", methods=["GET", "POST"])
@organiser_required
def slots(slug: str):
    event = _event(slug)
    window = WindowForm(prefix="w")
    window.setup(event)
    one = SlotForm(prefix="s")
    one.setup(event)
    posted = request.form.get("form")
    made = (
        save_form(window, lambda: setup.generate_slots(event, window.window()))
        if posted == "window"
        else None
    )
    if made is not None:
        flash(ngettext("%(num)d slot added.", "%(num)d slots added.", len(made)), "success")
        return redirect(url_for(".slots", slug=event.slug))
    if posted == "slot" and one.validate_on_submit():
        try:
            setup.add_slot(event, *one.times())
        except ServiceValidationError as error:
            apply_errors_to_form(one, _slot_field_errors(error.errors))
        else:
            flash(_("Slot added."), "success")
            return redirect(url_for(".slots", slug=event.slug))
    return _page(
        "slots.html",
        event,
        window=window,
        one=one,
        days=_by_day(event, setup.event_slots(event)),
        counts=setup.live_meeting_counts_by_slot(event),
    )


def _by_day(event: Event, slots):
    from pic_events.core.timezones import to_zone

    days: dict = {}
    for slot in slots:
        days.setdefault(to_zone(slot.starts_at, event.timezone).date(), []).append(slot)
    return sorted(days.items())


def _slot_field_errors(errors: dict) -> dict:
    renamed = {"starts_at": "start_time", "ends_at": "end_time"}
    return {renamed.get(k, k): v for k, v in errors.items()}


def _slot(event: Event, slot_id: int):
    try:
        return setup.slot_of(event, slot_id)
    except NotFoundError:
        abort(404)


@bp.route("/slots/<int:slot_id>/edit", methods=["GET", "POST"])
@organiser_required
def edit_slot(slug: str, slot_id: int):
    event = _event(slug)
    slot = _slot(event, slot_id)
    form = SlotForm()
    form.setup(event, slot)
    affected = []
    if form.validate_on_submit():
        starts_at, ends_at = form.times()
        try:
            setup.edit_slot(slot, starts_at, ends_at, confirmed=form.confirm.data)
        except ServiceValidationError as error:
            apply_errors_to_form(form, _slot_field_errors(error.errors))
        except setup.NeedsConfirmation as asked:
            affected = asked.affected
            form.confirm.data = False
        except Conflict as error:
            flash(str(error), "danger")
        else:
            flash(_("Slot changed."), "success")
            return redirect(url_for(".slots", slug=event.slug))
    elif not form.is_submitted():
        affected = []
    return _page(
        "slot_edit.html",
        event,
        form=form,
        slot=slot,
        affected=affected,
        current=setup.slot_impact(slot) if not affected else [],
    )


@bp.route("/slots/<int:slot_id>/delete", methods=["GET", "POST"])
@organiser_required
def delete_slot(slug: str, slot_id: int):
    event = _event(slug)
    slot = _slot(event, slot_id)
    form = DeleteSlotForm()
    form.setup(event, slot, setup.event_slots(event))
    affected = setup.slot_impact(slot)
    if form.validate_on_submit():
        if not form.confirm.data:
            form.confirm.errors = [_("Tick the box to confirm.")]
        else:
            try:
                setup.delete_slot(slot, confirmed=True, move_to=form.move_to.data or None)
            except ServiceValidationError as error:
                apply_errors_to_form(form, error.errors)
            except setup.NeedsConfirmation as asked:
                affected = asked.affected
                flash(_("Meetings were booked in this slot meanwhile: check again."), "warning")
            except Conflict as error:
                flash(
                    _("Nothing was changed: %(why)s", why=str(error)),
                    "danger",
                )
            else:
                flash(_("Slot deleted."), "success")
                return redirect(url_for(".slots", slug=event.slug))
    return _page(
        "slot_delete.html", event, form=form, slot=slot, affected=affected, label=slot_label
    )


# Tables ----------------------------------------------------------------------------------


@bp.route("/tables", methods=["GET", "POST"])
@organiser_required
def tables(slug: str):
    event = _event(slug)
    rooms = list_rooms(event)
    form = TablesForm()
    form.setup(rooms)
    if form.validate_on_submit():
        try:
            made = setup.add_numbered_tables(
                event,
                form.count.data,
                prefix=form.prefix.data or "",
                first=form.first.data,
                seats=form.seats.data,
                room_id=form.room_id.data or None,
            )
        except ServiceValidationError as error:
            apply_errors_to_form(form, error.errors)
        else:
            flash(ngettext("%(num)d table added.", "%(num)d tables added.", len(made)), "success")
            return redirect(url_for(".tables", slug=event.slug))
    return _page("tables.html", event, form=form, tables=setup.event_tables(event))


@bp.route("/tables/<int:table_id>/edit", methods=["GET", "POST"])
@organiser_required
def edit_table(slug: str, table_id: int):
    event = _event(slug)
    table = _table(event, table_id)
    form = TableForm(obj=table)
    form.setup(list_rooms(event))
    if not form.is_submitted():
        form.room_id.data = table.room_id or 0

    def save():
        return setup.edit_table(table, seats=form.seats.data, room_id=form.room_id.data or None)

    if save_form(form, save):
        flash(_("Table %(table)s saved.", table=table.label), "success")
        return redirect(url_for(".tables", slug=event.slug))
    return _page("table_edit.html", event, form=form, table=table)


def _table(event: Event, table_id: int):
    try:
        return setup.table_of(event, table_id)
    except NotFoundError:
        abort(404)


@bp.post("/tables/<int:table_id>/delete")
@organiser_required
def delete_table(slug: str, table_id: int):
    event = _event(slug)
    table = _table(event, table_id)
    label = table.label
    try:
        setup.delete_table(table)
    except ServiceValidationError as error:
        _flash_errors(error)
    else:
        flash(_("Table %(table)s deleted.", table=label), "info")
    return redirect(url_for(".tables", slug=event.slug))


# Scheduling ------------------------------------------------------------------------------


@bp.route("/scheduling", methods=["GET", "POST"])
@organiser_required
def scheduling_page(slug: str):
    event = _event(slug)
    form = RunForm()
    if form.validate_on_submit():
        try:
            scheduling.start_run(event, form.time_limit.data)
        except Conflict as busy:
            flash(busy.message, "warning")
        return redirect(url_for(".scheduling_page", slug=event.slug))
    run = scheduling.latest_run(event)
    preview = None
    if run is not None and run.result:
        preview = scheduling.describe(event, run.result)
    return _page(
        "scheduling.html",
        event,
        form=form,
        run=run,
        preview=preview,
        waiting=len(scheduling.accepted_unscheduled(event)),
        inline_limit=None
        if current_app.config.get("REDIS_URL")
        else scheduling.inline_time_limit(),
        now=utcnow(),
    )


@bp.post("/scheduling/<int:run_id>/publish")
@organiser_required
def publish(slug: str, run_id: int):
    event = _event(slug)
    run = db.session.get(ScheduleRun, run_id)
    if run is None or run.event_id != event.id:
        abort(404)
    try:
        meetings = scheduling.publish_run(run)
    except Conflict as error:
        flash(str(error), "danger")
    else:
        flash(
            ngettext(
                "%(num)d meeting published; both sides of each are told.",
                "%(num)d meetings published; both sides of each are told.",
                len(meetings),
            ),
            "success",
        )
    return redirect(url_for(".scheduling_page", slug=event.slug))


# Views: grid, person, statistics, unscheduled -------------------------------------------


@bp.get("/grid")
@organiser_required
def grid(slug: str):
    event = _event(slug)
    return _page("grid.html", event, grid=stats.grid(event))


@bp.get("/participants")
@organiser_required
def participant(slug: str):
    event = _event(slug)
    people = stats.confirmed_people(event)
    chosen = None
    registration_id = request.args.get("registration", type=int)
    if registration_id:
        chosen = db.session.get(Registration, registration_id)
        if chosen is None or chosen.event_id != event.id:
            abort(404)
    return _page(
        "participant.html",
        event,
        people=people,
        chosen=chosen,
        meetings=meetings_of(chosen) if chosen else [],
        requests=stats.requests_of(chosen) if chosen else [],
        status_labels=REQUEST_STATUS_LABELS,
    )


@bp.get("/statistics")
@organiser_required
def statistics(slug: str):
    event = _event(slug)
    labels = {
        "did_not_take_place": _("Did not take place"),
        "took_place": _("Took place (no rating)"),
        **{r.value: str(RATING_LABELS[r]) for r in Rating},
    }
    origin_labels = {
        MeetingOrigin.REQUEST.value: _("Booked by participants"),
        MeetingOrigin.SCHEDULER.value: _("Placed by the scheduler"),
        MeetingOrigin.ORGANISER.value: _("Placed by organisers"),
        MeetingOrigin.CONSORTIUM.value: _("Consortium meetings"),
    }
    return _page(
        "statistics.html",
        event,
        figures=stats.statistics(event),
        status_labels={s.value: str(REQUEST_STATUS_LABELS[s]) for s in RequestStatus},
        outcome_labels=labels,
        outcome_keys=stats.OUTCOME_KEYS,
        origin_labels=origin_labels,
    )


@bp.get("/unscheduled")
@organiser_required
def unscheduled(slug: str):
    event = _event(slug)
    return _page(
        "unscheduled.html",
        event,
        requests=scheduling.accepted_unscheduled(event),
        style=BookingStyle(settings_of(event).booking_style),
    )


@bp.route("/requests/<int:request_id>/place", methods=["GET", "POST"])
@organiser_required
def place(slug: str, request_id: int):
    event = _event(slug)
    meeting_request = db.session.get(MeetingRequest, request_id)
    if meeting_request is None or meeting_request.event_id != event.id:
        abort(404)
    form = PlaceForm()
    form.setup(event, setup.event_slots(event), setup.event_tables(event))
    if form.validate_on_submit():
        try:
            scheduling.place_request(
                event, meeting_request.id, form.slot_id.data, form.table_id.data or None
            )
        except scheduling.RequestNotOpen as error:
            flash(str(error), "warning")
            return redirect(url_for(".unscheduled", slug=event.slug))
        except (Conflict, NotFoundError) as error:
            flash(str(error), "danger")
        else:
            flash(_("Meeting booked; both sides are told."), "success")
            return redirect(url_for(".unscheduled", slug=event.slug))
    return _page("place.html", event, form=form, meeting_request=meeting_request)


@bp.route("/meetings/<int:meeting_id>", methods=["GET", "POST"])
@organiser_required
def meeting(slug: str, meeting_id: int):
    event = _event(slug)
    found = stats.event_meeting(event, meeting_id)
    if found is None:
        abort(404)
    move_form = PlaceForm(prefix="m")
    move_form.setup(event, setup.event_slots(event), setup.event_tables(event))
    cancel_form = CancelForm(prefix="c")
    if not move_form.is_submitted():
        move_form.slot_id.data = found.slot_id
        move_form.table_id.data = found.table_id
    action = request.form.get("action")
    if action == "move" and move_form.validate_on_submit():
        try:
            booking.move(
                found,
                move_form.slot_id.data,
                table_id=move_form.table_id.data or None,
                by_organiser=True,
            )
        except (Conflict, NotFoundError) as error:
            flash(_("Not moved: %(why)s", why=str(error)), "danger")
        else:
            flash(_("Meeting moved; its people are told."), "success")
            return redirect(url_for(".grid", slug=event.slug))
    if action == "cancel" and cancel_form.validate_on_submit():
        try:
            booking.cancel(found, by_organiser=True, reason=cancel_form.reason.data or "")
        except Conflict as error:
            flash(str(error), "danger")
        else:
            flash(_("Meeting cancelled; its people are told."), "info")
            return redirect(url_for(".grid", slug=event.slug))
    return _page("meeting.html", event, meeting=found, move_form=move_form, cancel_form=cancel_form)
