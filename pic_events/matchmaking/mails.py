"""The mails B2B matchmaking sends, queued in the outbox with the change that causes them.

Each says the time (in the event's zone, named), the table and who, in the reader's language:
Outlook shows the body, not a calendar part's description."""

from __future__ import annotations

from collections.abc import Sequence

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from markupsafe import escape

from pic_events.core.templating import local_datetime, zone_label
from pic_events.matchmaking.meetings import meeting_title
from pic_events.matchmaking.models import Meeting, MeetingOrigin, MeetingRequest, Slot
from pic_events.notifications.services import queue_mail
from pic_events.registration.models import Registration


def mail_topic(registration: Registration) -> str:
    """The same topic as the registration's own mails: anonymising it forgets these too."""
    return f"registration:{registration.id}"


def base_url() -> str:
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/")


def my_meetings_url(registration: Registration) -> str:
    return f"{base_url()}/events/{registration.event.slug}/b2b/meetings"


def when(slot: Slot, registration: Registration) -> str:
    tz = registration.event.timezone
    moment = local_datetime(slot.starts_at, tz, "EEEE d MMMM, HH:mm")
    return f"{moment} ({zone_label(tz, slot.starts_at)})"


def who(people: Sequence[Registration]) -> str:
    parts = []
    for person in people:
        organisation = (
            person.user.organisation.name if person.user and person.user.organisation else ""
        )
        parts.append(
            f"{person.display_name} ({organisation})" if organisation else person.display_name
        )
    return ", ".join(parts)


def where(meeting: Meeting) -> str:
    table = meeting.table
    if table.room is not None:
        return _("table %(table)s, %(room)s", table=table.label, room=table.room.name)
    return _("table %(table)s", table=table.label)


# Extra parts other modules attach to a meeting's mail (the calendar invite): a callable
# (meeting, registration, method) -> list of (filename, mimetype, bytes), set at start-up.
_meeting_attachments = []


def attach_to_meeting_mails(builder) -> None:
    if builder not in _meeting_attachments:
        _meeting_attachments.append(builder)


def _send(
    registration: Registration,
    subject: str,
    lines: list[str],
    *,
    meeting: Meeting | None = None,
    method: str | None = None,
) -> None:
    user = registration.user
    if user is None:
        return
    url = my_meetings_url(registration)
    with force_locale(user.locale or "en"):
        body = [
            _("Hello %(name)s,", name=user.name),
            "",
            *lines,
            "",
            _("My meetings: %(url)s", url=url),
        ]
        body += ["", _("The PIC meeting organisers")]
        text = "\n".join(str(line) for line in body)
        html = "".join(f"<p>{escape(line)}</p>" for line in body if line)
    message = queue_mail(user.email, subject, text, html, topic=mail_topic(registration))
    if meeting is not None and method is not None:
        for builder in _meeting_attachments:
            for attachment in builder(meeting, registration, method) or ():
                message.add_attachment(*attachment)


def _meeting_lines(meeting: Meeting, registration: Registration) -> list[str]:
    about = [meeting_title(meeting, registration)] if _is_consortium(meeting) else []
    return [
        *about,
        _("When: %(when)s", when=when(meeting.slot, registration)),
        _("Where: %(where)s", where=where(meeting)),
        _("With: %(who)s", who=who(meeting.others(registration.id))),
    ]


def _is_consortium(meeting: Meeting) -> bool:
    return meeting.origin == MeetingOrigin.CONSORTIUM


def meeting_booked(meeting: Meeting) -> None:
    for seat in meeting.seats:
        person = seat.registration
        with force_locale(_locale(person)):
            time = when(meeting.slot, person)
            if _is_consortium(meeting):
                subject = _("Consortium meeting confirmed: %(time)s", time=time)
                lines = [_("Your consortium meeting is confirmed.")]
            else:
                subject = _("B2B meeting confirmed: %(time)s", time=time)
                lines = [_("Your B2B meeting is confirmed.")]
            lines += ["", *_meeting_lines(meeting, person)]
            if meeting.request is not None and meeting.request.message:
                lines += ["", _("Message: %(message)s", message=meeting.request.message)]
        _send(person, subject, lines, meeting=meeting, method="REQUEST")


def meeting_moved(meeting: Meeting, previous: Slot) -> None:
    for seat in meeting.seats:
        person = seat.registration
        with force_locale(_locale(person)):
            time, before = when(meeting.slot, person), when(previous, person)
            if _is_consortium(meeting):
                subject = _("Consortium meeting moved: %(time)s", time=time)
                lines = [_("Your consortium meeting has moved (it was %(before)s).", before=before)]
            else:
                subject = _("B2B meeting moved: %(time)s", time=time)
                lines = [_("Your B2B meeting has moved (it was %(before)s).", before=before)]
            lines += ["", *_meeting_lines(meeting, person)]
        _send(person, subject, lines, meeting=meeting, method="REQUEST")


def meeting_cancelled(meeting: Meeting, *, by: Registration | None, reason: str) -> None:
    for seat in meeting.seats:
        person = seat.registration
        if by is not None and person.id == by.id:
            continue
        with force_locale(_locale(person)):
            time = when(meeting.slot, person)
            if _is_consortium(meeting):
                subject = _("Consortium meeting cancelled: %(time)s", time=time)
                lines = [_("This consortium meeting is cancelled; the slot is free again.")]
            else:
                subject = _("B2B meeting cancelled: %(time)s", time=time)
                lines = [_("This B2B meeting is cancelled; the slot is free again.")]
            lines += ["", *_meeting_lines(meeting, person)]
            if by is not None:
                lines += [_("Cancelled by: %(name)s", name=by.display_name)]
            if reason:
                lines += [_("Reason: %(reason)s", reason=reason)]
        _send(person, subject, lines, meeting=meeting, method="CANCEL")


def request_received(request: MeetingRequest) -> None:
    person = request.recipient
    with force_locale(_locale(person)):
        subject = _("B2B meeting request from %(name)s", name=request.sender.display_name)
        lines = [_("%(who)s would like to meet you.", who=who([request.sender]))]
        if request.proposed_slot is not None:
            lines += [_("Proposed time: %(when)s", when=when(request.proposed_slot, person))]
        if request.message:
            lines += ["", _("Message: %(message)s", message=request.message)]
        lines += ["", _("Accept or decline it on your meetings page.")]
    _send(person, subject, lines)


def request_declined(request: MeetingRequest) -> None:
    person = request.sender
    with force_locale(_locale(person)):
        subject = _("B2B meeting request declined by %(name)s", name=request.recipient.display_name)
        lines = [_("%(who)s declined your meeting request.", who=who([request.recipient]))]
        if request.decline_reason:
            lines += [_("Reason: %(reason)s", reason=request.decline_reason)]
    _send(person, subject, lines)


def request_accepted_unscheduled(request: MeetingRequest) -> None:
    """Organiser scheduling: accepted now, placed at the organisers' scheduling run."""
    person = request.sender
    with force_locale(_locale(person)):
        subject = _("B2B meeting request accepted by %(name)s", name=request.recipient.display_name)
        lines = [
            _("%(who)s accepted your meeting request.", who=who([request.recipient])),
            _("The organisers will give it a time and a table; you will get another message."),
        ]
    _send(person, subject, lines)


def request_cancelled(request: MeetingRequest, *, by: Registration) -> None:
    person = request.other_side(by.id)
    with force_locale(_locale(person)):
        subject = _("B2B meeting request withdrawn by %(name)s", name=by.display_name)
        lines = [_("%(who)s withdrew the meeting request.", who=who([by]))]
    _send(person, subject, lines)


def request_expired(request: MeetingRequest) -> None:
    person = request.sender
    with force_locale(_locale(person)):
        subject = _("B2B meeting request expired: %(name)s", name=request.recipient.display_name)
        lines = [
            _("%(who)s did not answer your meeting request in time.", who=who([request.recipient]))
        ]
    _send(person, subject, lines)


def no_meeting_yet(registration: Registration) -> None:
    with force_locale(_locale(registration)):
        subject = _("Find your partners at %(title)s", title=registration.event.title)
        lines = [
            _("You have no B2B meeting yet at %(title)s.", title=registration.event.title),
            _(
                "Browse the participants and the people we recommend for you, "
                "and ask for a meeting."
            ),
        ]
    _send(registration, subject, lines)


def _locale(registration: Registration) -> str:
    return (registration.user.locale if registration.user else None) or "en"
