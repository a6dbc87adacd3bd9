"""Calendar files: the programme, one session or meeting, the personal feed, and its reset.

Feeds answer with an ETag and a Last-Modified (the time their content last changed) and 304
to a conditional request; the personal feed is found by its random token only, and anything
else (wrong, reset, malformed) is the same plain 404.
"""

from __future__ import annotations

import functools

import segno
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

from pic_events.accounts.auth import organiser_required
from pic_events.agenda.services import registration_of
from pic_events.calendar import builders, reminders, services
from pic_events.calendar.forms import ReminderForm
from pic_events.core.conditional import Validators, conditional_response
from pic_events.core.types import utcnow
from pic_events.events import services as event_services
from pic_events.extensions import db
from pic_events.matchmaking.models import Meeting
from pic_events.programme import services as programme
from pic_events.programme.models import ProgrammeSession

bp = Blueprint("calendar", __name__)

ICS_TYPE = "text/calendar; charset=utf-8"
QR_CACHE_SIZE = 2048  # QR codes of feed links kept per worker (about 10 kB each)


def _viewer():
    return current_user if current_user.is_authenticated else None


def _ics(body: bytes, filename: str) -> Response:
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Type"] = ICS_TYPE
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def _download(body: bytes, filename: str) -> Response:
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Type"] = ICS_TYPE
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-cache"
    return response


# --- programme -------------------------------------------------------------------------------


@bp.get("/events/<slug>/programme.ics")
def programme_ics(slug: str):
    viewer = _viewer()
    event = event_services.visible_event(slug, viewer)
    built = services.programme_feed(event, viewer)
    if built is None:
        abort(404)
    return conditional_response(built.validators, lambda: _ics(built.body(), f"{event.slug}.ics"))


@bp.get("/events/<slug>/sessions/<int:session_id>.ics")
def session_ics(slug: str, session_id: int):
    viewer = _viewer()
    event = event_services.visible_event(slug, viewer)
    session = db.session.get(ProgrammeSession, session_id)
    registration = registration_of(event, viewer)
    if (
        session is None
        or session.event_id != event.id
        or not event.programme_published
        or not programme.may_see_session(session, viewer, registration)
    ):
        abort(404)
    body = builders.sessions_calendar(event, [session], services.site(), stamp=event.updated_at)
    return _download(body, f"session-{session.id}.ics")


@bp.get("/calendar/meetings/<int:meeting_id>.ics")
@login_required
def meeting_ics(meeting_id: int):
    meeting = db.session.get(Meeting, meeting_id)
    seat = None
    if meeting is not None:
        seat = next((s for s in meeting.seats if s.registration.user_id == current_user.id), None)
    if seat is None:
        abort(404)
    item = services.meeting_item(meeting, seat.registration)
    body = builders.meeting_calendar(item, services.site(), stamp=utcnow())
    return _download(body, f"meeting-{meeting.id}.ics")


# --- the personal feed -------------------------------------------------------------------


@bp.get("/calendar/<token>.ics")
def personal_feed(token: str):
    found = services.cached_personal_feed(token)
    if found is None:
        abort(404)  # the app's usual 404, the same for a malformed, unknown or reset token
    feed, state = found
    validators = Validators(
        etag=state.etag,
        last_modified=state.changed_at,
        private=True,
        max_age=services.FEED_MAX_AGE,
    )
    return conditional_response(validators, lambda: _ics(feed.body, "pic-meetings.ics"))


@bp.post("/calendar/reset")
@login_required
def reset():
    back = request.form.get("next", "")  # read (and size-checked) before anything is written
    services.reset_token(current_user)
    flash(
        _("Your calendar link is new: the old one no longer works. Subscribe again with it."),
        "success",
    )
    if back.startswith("/") and not back.startswith("//"):
        return redirect(back)
    return redirect(url_for("accounts.profile"))


# --- organisers: the reminder mail -------------------------------------------------------


@bp.route("/organiser/events/<slug>/reminder", methods=["GET", "POST"])
@organiser_required
def reminder_settings(slug: str):
    event = event_services.visible_event(slug, current_user)
    days = reminders.reminder_days(event, reminders.settings_of(event))
    form = ReminderForm(data={"enabled": days is not None, "days": days if days is not None else 3})
    if form.validate_on_submit():
        if form.enabled.data and form.days.data is None:
            form.days.errors = [_("Say how many days before (0 to 60).")]
        else:
            reminders.set_reminder_days(event, form.days.data if form.enabled.data else None)
            flash(_("Reminder settings saved."), "success")
            return redirect(url_for("calendar.reminder_settings", slug=event.slug))
    window = None
    if days is not None:
        window = reminders.reminder_window(event, days)[0]
    return render_template(
        "calendar/reminder_settings.html",
        event=event,
        form=form,
        days=days,
        window=window,
        programme_url=f"{services.site().base_url}/events/{event.slug}/programme.ics",
    )


# --- for the templates ---------------------------------------------------------------------


@bp.app_template_global("calendar_links")
def calendar_links(user) -> dict[str, str]:
    """The person's feed: https and webcal addresses, and a QR code of it (inline SVG)."""
    https = services.feed_url(user)
    qr = _qr_svg(https, _("QR code of your calendar link"))
    return {"https": https, "webcal": services.webcal_url(user), "qr": Markup(qr)}


@functools.lru_cache(maxsize=QR_CACHE_SIZE)
def _qr_svg(text: str, title: str) -> str:
    """Encoding a QR code takes longer than the rest of My agenda: once per link and language."""
    return segno.make(text, error="m").svg_inline(scale=3, title=title)


@bp.app_template_global("google_calendar_link")
def google_calendar_link(session: ProgrammeSession) -> str:
    site = services.site()
    return builders.google_calendar_url(
        session.title,
        session.starts_at,
        session.ends_at,
        timezone=session.event.timezone,
        details=builders.session_url(session, site),
        location=builders.session_location(session),
    )


@bp.app_template_global("google_meeting_link")
def google_meeting_link(meeting: Meeting, registration) -> str:
    from pic_events.matchmaking.meetings import meeting_title

    return builders.google_calendar_url(
        meeting_title(meeting, registration),
        meeting.slot.starts_at,
        meeting.slot.ends_at,
        timezone=meeting.event.timezone,
        details=builders.meeting_url(meeting, services.site()),
        location=builders.meeting_location(meeting),
    )
