"""The mails of project ideas, queued in the outbox with the change that causes them, in the
reader's language. Each names the idea and links to its page."""

from __future__ import annotations

from collections.abc import Iterable

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from markupsafe import escape

from pic_events.consortia.models import Idea, Interest, Role
from pic_events.notifications.services import queue_mail
from pic_events.registration.models import Registration


def mail_topic(registration: Registration) -> str:
    """The registration's own topic: anonymising the registration forgets these mails too."""
    return f"registration:{registration.id}"


def idea_url(idea: Idea) -> str:
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    return f"{base}/events/{idea.event.slug}/ideas/{idea.id}"


def _locale(registration: Registration) -> str:
    return (registration.user.locale if registration.user else None) or "en"


def _organisation(registration: Registration) -> str:
    user = registration.user
    return user.organisation.name if user and user.organisation else ""


def _who(registration: Registration) -> str:
    organisation = _organisation(registration)
    name = registration.display_name
    return f"{name} ({organisation})" if organisation else name


def _send(registration: Registration, idea: Idea, subject_and_lines) -> None:
    """`subject_and_lines` is called in the reader's language: (subject, [lines])."""
    user = registration.user
    if user is None:
        return
    with force_locale(_locale(registration)):
        subject, lines = subject_and_lines()
        url = idea_url(idea)
        body = [
            _("Hello %(name)s,", name=user.name),
            "",
            *lines,
            "",
            _("The idea: %(url)s", url=url),
            "",
            _("The PIC meeting organisers"),
        ]
        text = "\n".join(str(line) for line in body)
        html = "".join(f"<p>{escape(line)}</p>" for line in body[:-4] if line)
        html += (
            f'<p><a href="{escape(url)}">{escape(idea.title)}</a></p>'
            f"<p>{escape(_('The PIC meeting organisers'))}</p>"
        )
    queue_mail(user.email, subject, text, html, topic=mail_topic(registration))


def _role_line(role: Role) -> str:
    if role.description:
        return _(
            "Role: %(kind)s (%(description)s)", kind=role.kind_label, description=role.description
        )
    return _("Role: %(kind)s", kind=role.kind_label)


def interest_received(interest: Interest) -> None:
    idea = interest.role.idea

    def content():
        lines = [
            _(
                "%(who)s would like to join your idea “%(title)s”.",
                who=_who(interest.registration),
                title=idea.title,
            ),
            _role_line(interest.role),
        ]
        if interest.message:
            lines += ["", _("Message: %(message)s", message=interest.message)]
        lines += ["", _("Accept or decline on the idea's page.")]
        return _("Interest in your idea: %(title)s", title=idea.title), lines

    _send(idea.lead, idea, content)


def invited(interest: Interest) -> None:
    idea = interest.role.idea

    def content():
        lines = [
            _(
                "%(who)s invites you to join the project idea “%(title)s” (%(call)s).",
                who=_who(idea.lead),
                title=idea.title,
                call=idea.call or _("no call named yet"),
            ),
            _role_line(interest.role),
        ]
        if interest.message:
            lines += ["", _("Message: %(message)s", message=interest.message)]
        lines += ["", _("Accept or decline on the idea's page.")]
        return _("Invitation to a project idea: %(title)s", title=idea.title), lines

    _send(interest.registration, idea, content)


def interest_answered(interest: Interest) -> None:
    """Accepted or declined: the side that did not answer is told."""
    idea = interest.role.idea
    accepted = interest.status == "accepted"
    if interest.invited:
        recipient = idea.lead

        def content():
            if accepted:
                line = _(
                    "%(who)s accepted your invitation and joins “%(title)s”.",
                    who=_who(interest.registration),
                    title=idea.title,
                )
                subject = _("Invitation accepted: %(title)s", title=idea.title)
            else:
                line = _(
                    "%(who)s declined your invitation to “%(title)s”.",
                    who=_who(interest.registration),
                    title=idea.title,
                )
                subject = _("Invitation declined: %(title)s", title=idea.title)
            return subject, [line, _role_line(interest.role)]
    else:
        recipient = interest.registration

        def content():
            if accepted:
                line = _(
                    "%(who)s accepted you as a partner of “%(title)s”.",
                    who=_who(idea.lead),
                    title=idea.title,
                )
                subject = _("You joined the idea: %(title)s", title=idea.title)
            else:
                line = _(
                    "%(who)s declined your interest in “%(title)s”.",
                    who=_who(idea.lead),
                    title=idea.title,
                )
                subject = _("Interest declined: %(title)s", title=idea.title)
            return subject, [line, _role_line(interest.role)]

    _send(recipient, idea, content)


def role_filled(interest: Interest) -> None:
    """A candidate whose pending interest closed because someone else took the role."""
    idea = interest.role.idea

    def content():
        lines = [
            _(
                "The role you were interested in on “%(title)s” has been filled by another "
                "partner.",
                title=idea.title,
            ),
            _role_line(interest.role),
        ]
        return _("Role filled: %(title)s", title=idea.title), lines

    _send(interest.registration, idea, content)


def idea_withdrawn(idea: Idea, people: Iterable[Registration], *, lead_left: bool = False) -> None:
    for person in people:

        def content():
            lines = [_("The project idea “%(title)s” is withdrawn.", title=idea.title)]
            if lead_left:
                lines.append(_("Its lead deleted their account and no partner had joined yet."))
            return _("Idea withdrawn: %(title)s", title=idea.title), lines

        _send(person, idea, content)


def lead_handed_over(idea: Idea, people: Iterable[Registration]) -> None:
    for person in people:

        def content(person=person):
            if person.id == idea.lead_id:
                line = _(
                    "The lead of “%(title)s” deleted their account: you lead the idea now.",
                    title=idea.title,
                )
            else:
                line = _(
                    "The lead of “%(title)s” deleted their account: %(who)s leads it now.",
                    title=idea.title,
                    who=_who(idea.lead),
                )
            return _("New lead for the idea: %(title)s", title=idea.title), [line]

        _send(person, idea, content)


def partner_left(idea: Idea, role: Role) -> None:
    def content():
        lines = [
            _(
                "A partner of “%(title)s” deleted their account: the role is open again.",
                title=idea.title,
            ),
            _role_line(role),
        ]
        return _("A role is open again: %(title)s", title=idea.title), lines

    _send(idea.lead, idea, content)
