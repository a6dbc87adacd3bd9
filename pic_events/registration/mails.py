"""The mails a registration change sends, queued in the outbox with the change."""

from __future__ import annotations

import enum

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from markupsafe import escape

from pic_events.notifications.privacy import forget_mail_about
from pic_events.notifications.services import queue_mail
from pic_events.registration.models import Registration


class MailKind(enum.StrEnum):
    RECEIVED = "received"
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    PROMOTED = "promoted"
    APPROVED = "approved"
    DECLINED = "declined"
    CANCELLED = "cancelled"


def mail_topic(registration: Registration) -> str:
    return f"registration:{registration.id}"


def forget_mail(registration: Registration, **_: object) -> None:
    """registration_anonymising: the mails about this registration go with its owner."""
    forget_mail_about(mail_topic(registration))


def my_registration_url(registration: Registration) -> str:
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    return f"{base}/events/{registration.event.slug}/registration"


def _subject(kind: MailKind, title: str) -> str:
    subjects = {
        MailKind.RECEIVED: _("Registration received: %(title)s", title=title),
        MailKind.CONFIRMED: _("Registration confirmed: %(title)s", title=title),
        MailKind.WAITLISTED: _("On the waiting list: %(title)s", title=title),
        MailKind.PROMOTED: _("A place is yours: %(title)s", title=title),
        MailKind.APPROVED: _("Registration approved: %(title)s", title=title),
        MailKind.DECLINED: _("Registration declined: %(title)s", title=title),
        MailKind.CANCELLED: _("Registration cancelled: %(title)s", title=title),
    }
    return subjects[kind]


def _lead(kind: MailKind, registration: Registration, position: int | None) -> str:
    title = registration.event.title
    leads = {
        MailKind.RECEIVED: _(
            "We have received your registration for %(title)s. An organiser will review it "
            "and you will receive another message when it is approved.",
            title=title,
        ),
        MailKind.CONFIRMED: _("Your registration for %(title)s is confirmed.", title=title),
        MailKind.WAITLISTED: _(
            "%(title)s is full. You are on the waiting list, in position %(position)s. "
            "If a place frees up, it goes to the first person on the list and we will write "
            "to you at once.",
            title=title,
            position=position or "?",
        ),
        MailKind.PROMOTED: _(
            "A place has freed up for %(title)s and it is yours: your registration is now "
            "confirmed. Please check your workshop and visit choices.",
            title=title,
        ),
        MailKind.APPROVED: _(
            "The organisers have approved your registration for %(title)s.", title=title
        ),
        MailKind.DECLINED: _(
            "The organisers could not accept your registration for %(title)s.", title=title
        ),
        MailKind.CANCELLED: _(
            "Your registration for %(title)s is cancelled. If this is a mistake, you can "
            "register again while registration is open.",
            title=title,
        ),
    }
    return leads[kind]


# Files other modules attach to the confirmation mails (the calendar: the chosen sessions as
# .ics): callables (registration) -> [(filename, mimetype, bytes)], set at start-up.
_confirmation_attachments = []
CONFIRMING = (MailKind.CONFIRMED, MailKind.APPROVED, MailKind.PROMOTED)


def attach_to_confirmation_mails(builder) -> None:
    if builder not in _confirmation_attachments:
        _confirmation_attachments.append(builder)


def send(
    kind: MailKind,
    registration: Registration,
    *,
    position: int | None = None,
    note: str = "",
) -> None:
    """Queue the mail in the person's language; the caller commits it with the change."""
    user = registration.user
    if user is None:
        return
    with force_locale(user.locale or "en"):
        subject = _subject(kind, registration.event.title)
        url = my_registration_url(registration)
        lines = [
            _("Hello %(name)s,", name=user.name),
            "",
            _lead(kind, registration, position),
        ]
        if note:
            lines += ["", note]
        lines += ["", _("My registration: %(url)s", url=url), "", _("The PIC meeting organisers")]
        body_text = "\n".join(lines)
        body_html = "".join(f"<p>{escape(line)}</p>" for line in lines[:-3] if line)
        body_html += (
            f'<p><a href="{escape(url)}">{escape(_("My registration"))}</a></p>'
            f"<p>{escape(_('The PIC meeting organisers'))}</p>"
        )
    message = queue_mail(user.email, subject, body_text, body_html, topic=mail_topic(registration))
    if kind in CONFIRMING:
        for builder in _confirmation_attachments:
            for attachment in builder(registration) or ():
                message.add_attachment(*attachment)
