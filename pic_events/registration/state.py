"""Whether a person may register for an event, and what happens if they do: decided here once.

The event page's box, the registration form, `services.register` (inside the event lock) and
so the API all obey `registration_state`; templates only render its fields.

The checks run in order and the first that refuses decides. Account-level blockers (an e-mail
address not confirmed yet, a category that needs an organiser's word ...) are checks too: add
them to `CHECKS` after `_logged_in`, each a function of the `Situation` returning a refusal
(`_refusal(...)`), an outcome (`_outcome(situation, approval=True)`) or None to pass.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cached_property

from flask_babel import gettext as _
from flask_babel import ngettext

from pic_events.accounts import standing
from pic_events.accounts.models import User
from pic_events.agenda.services import registration_of
from pic_events.core.templating import local_datetime, zone_label
from pic_events.core.types import utcnow
from pic_events.events.models import Event
from pic_events.registration.capacity import free_seats, waitlist_length, waitlist_position
from pic_events.registration.models import Category, Registration, RegistrationStatus


class Reason(enum.StrEnum):
    """Why the state is what it is; the API's problem `code` when it refuses."""

    NOT_PUBLISHED = "not_published"
    NOT_OPEN_YET = "not_open_yet"
    CLOSED = "closed"
    ALREADY_REGISTERED = "already_registered"
    DECLINED = "declined"
    FULL = "full"
    LOGIN_REQUIRED = "login_required"
    EMAIL_NOT_VERIFIED = "email_not_verified"
    # The outcomes of a registration that is accepted:
    OPEN = "open"
    WAITING_LIST = "waiting_list"
    APPROVAL = "approval"


OUTCOME_STATUS = {
    Reason.OPEN: RegistrationStatus.CONFIRMED,
    Reason.WAITING_LIST: RegistrationStatus.WAITLISTED,
    Reason.APPROVAL: RegistrationStatus.PENDING,
}


@dataclass(frozen=True)
class RegistrationState:
    reason: Reason
    message: str  # the form page and the API say this ("" when there is nothing to say)
    summary: str = ""  # the event page's box says this, in a line
    action: str = ""  # the label of the button to the form; "" means no button
    registration: Registration | None = None  # the person's own, whatever its status
    position: int | None = None  # theirs on the waiting list
    seats: int | None = None  # free seats; None: no limit

    @property
    def accepts(self) -> bool:
        """A registration sent now is taken (confirmed, waitlisted or pending)."""
        return self.reason in OUTCOME_STATUS

    @property
    def status(self) -> RegistrationStatus | None:
        """The status a registration sent now gets."""
        return OUTCOME_STATUS.get(self.reason)


@dataclass
class Situation:
    """What the checks look at; the counts are read only when a check asks for them."""

    event: Event
    user: User | None
    registration: Registration | None
    by_organiser: bool = False
    category: str | None = None  # the category asked for, when known (the form sent)

    @cached_property
    def seats(self) -> int | None:
        return free_seats(self.event)

    @property
    def logged_in(self) -> bool:
        return self.user is not None and self.user.is_authenticated


Check = Callable[[Situation], RegistrationState | None]


def _refusal(situation: Situation, reason: Reason, message: str, summary: str = ""):
    return RegistrationState(
        reason,
        message,
        summary=summary or message,
        registration=situation.registration,
        seats=situation.seats if reason == Reason.FULL else None,
    )


def _published(situation: Situation) -> RegistrationState | None:
    if situation.by_organiser or situation.event.is_published:
        return None
    return _refusal(
        situation,
        Reason.NOT_PUBLISHED,
        _("Registration for this meeting is closed."),
        _("Registration is not open."),
    )


def _window(situation: Situation) -> RegistrationState | None:
    event, now = situation.event, utcnow()
    if situation.by_organiser:
        return None
    if event.registration_opens and now < event.registration_opens:
        when = local_datetime(event.registration_opens, event.timezone)
        zone = zone_label(event.timezone, event.registration_opens)
        return _refusal(
            situation,
            Reason.NOT_OPEN_YET,
            _("Registration opens on %(when)s (%(zone)s).", when=when, zone=zone),
            _("Registration opens on %(when)s.", when=when),
        )
    if event.registration_closes and now >= event.registration_closes:
        when = local_datetime(event.registration_closes, event.timezone)
        return _refusal(
            situation,
            Reason.CLOSED,
            _("Registration for this meeting is closed."),
            _("Registration closed on %(when)s.", when=when),
        )
    return None


def _existing(situation: Situation) -> RegistrationState | None:
    registration = situation.registration
    if registration is None:
        return None
    if registration.is_active:
        return RegistrationState(
            Reason.ALREADY_REGISTERED,
            _("You are already registered for this meeting."),
            registration=registration,
            position=waitlist_position(registration),
        )
    if registration.status == RegistrationStatus.DECLINED and not situation.by_organiser:
        return _refusal(
            situation,
            Reason.DECLINED,
            _("Your registration was declined. Please write to the organisers."),
        )
    return None


def _seat_or_waiting_list(situation: Situation) -> RegistrationState | None:
    if situation.seats != 0 or situation.event.waitlist_enabled:
        return None
    return _refusal(
        situation,
        Reason.FULL,
        _("The meeting is full and has no waiting list. Please write to the organisers."),
        _("The meeting is full."),
    )


def _logged_in(situation: Situation) -> RegistrationState | None:
    if situation.logged_in:
        return None
    # The box still says what registering would give; its button leads to the log-in.
    return replace(_outcome(situation), reason=Reason.LOGIN_REQUIRED, message=_("Log in first."))


def _verified(situation: Situation) -> RegistrationState | None:
    if situation.by_organiser or situation.user.is_verified:
        return None
    return _refusal(
        situation,
        Reason.EMAIL_NOT_VERIFIED,
        _("Confirm your e-mail address first: we sent you a link."),
    )


def unconfirmed_steering_claim(user: User | None, category: str | None) -> bool:
    """The steering-committee category, chosen by someone no organiser has confirmed."""
    return category == Category.STEERING and not standing.has_steering_standing(user)


def _steering_claim(situation: Situation) -> RegistrationState | None:
    """Steering standing is granted by organisers: claimed alone, it waits for their word."""
    if situation.by_organiser or not unconfirmed_steering_claim(situation.user, situation.category):
        return None
    return _outcome(situation, approval=True)


CHECKS: list[Check] = [
    _published,
    _window,
    _existing,
    _seat_or_waiting_list,
    _logged_in,
    # Account-level blockers, in order.
    _verified,
    _steering_claim,
]


def _outcome(situation: Situation, *, approval: bool | None = None) -> RegistrationState:
    """Accepted: confirmed while seats are free, else the waiting list; or approval first."""
    event, seats = situation.event, situation.seats
    if approval is None:
        approval = event.requires_approval and not situation.by_organiser
    common = {"registration": situation.registration, "seats": seats}
    places = "" if seats is None else ngettext("%(num)d place left", "%(num)d places left", seats)
    if approval:
        full = seats == 0
        return RegistrationState(
            Reason.APPROVAL,
            _(
                "Registrations are approved by the organisers: you will receive a mail once "
                "yours is confirmed."
            ),
            summary=_(
                "The meeting is full: registrations are reviewed, and go on the waiting list "
                "if no place frees up."
            )
            if full
            else places,
            action=_("Register"),
            **common,
        )
    if seats == 0:
        return RegistrationState(
            Reason.WAITING_LIST,
            _(
                "The meeting is full. If you register now you will be on the waiting list, in "
                "position %(n)s; when a place frees up it goes to the first person on the list, "
                "and we write to you at once.",
                n=waitlist_length(event.id) + 1,
            ),
            summary=_("The meeting is full: new registrations go on the waiting list."),
            action=_("Join the waiting list"),
            **common,
        )
    return RegistrationState(Reason.OPEN, "", summary=places, action=_("Register"), **common)


def decide(situation: Situation) -> RegistrationState:
    for check in CHECKS:
        state = check(situation)
        if state is not None:
            return state
    return _outcome(situation)


def registration_state(
    event: Event,
    user: User | None,
    registration: Registration | None = None,
    *,
    by_organiser: bool = False,
    category: str | None = None,
) -> RegistrationState:
    """The state for `user` (None or anonymous: a visitor). `registration` is theirs when the
    caller has it already (read under the event lock); else it is looked up."""
    if registration is None:
        registration = registration_of(event, user)
    return decide(Situation(event, user, registration, by_organiser, category))
