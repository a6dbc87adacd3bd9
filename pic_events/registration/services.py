"""Registration rules, used by the HTML pages, the API and the CLI alike.

Every change to an event's registrations first locks the event row (capacity.py), then
counts seats and choice places, writes, queues mails in the outbox and commits once. Two
people sending the form at the same moment are served one after the other, so confirmed
registrations never exceed the capacity of the event or of a choice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from pic_events.accounts import standing
from pic_events.accounts.models import User
from pic_events.agenda.services import registration_of
from pic_events.core import signals
from pic_events.core.types import utcnow
from pic_events.core.validation import Conflict, ServiceValidationError
from pic_events.events.models import ALL_CATEGORIES, Event
from pic_events.extensions import db
from pic_events.registration import audit, mails, session_choices
from pic_events.registration.capacity import (  # some only re-exported: pages and API show them
    free_seats,
    full_options,
    has_free_seat,
    held_option_ids,
    lock_event,
    locked,
    option_places_left,  # noqa: F401
    option_places_taken,  # noqa: F401
    reload_registration,
    sync_option_picks,
    transaction,
    waitlist_length,  # noqa: F401
    waitlist_order,
    waitlist_position,
    waitlist_positions,  # noqa: F401
)
from pic_events.registration.mails import MailKind
from pic_events.registration.models import (
    CATEGORY_LABELS,
    HOLDING_STATUSES,
    AuditAction,
    Category,
    Question,
    QuestionOption,
    Registration,
    RegistrationStatus,
)
from pic_events.registration.questions import chosen_option_ids, clean_answers
from pic_events.registration.state import (
    Reason,
    RegistrationState,
    registration_state,
    unconfirmed_steering_claim,
)
from pic_events.registration.window import changes_allowed, may_change  # noqa: F401 (pages)

Status = RegistrationStatus


class RegistrationConflict(Conflict):
    """A valid request that the current state refuses; `errors` points at fields if any,
    `code` says which refusal it is (a `state.Reason` value) for API clients."""

    code: str | None = None

    def __init__(
        self,
        message: str,
        errors: dict[str, list[str]] | None = None,
        *,
        code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.errors = errors or {}
        self.code = code or self.code


class AlreadyRegistered(RegistrationConflict):
    code = Reason.ALREADY_REGISTERED.value


class RegistrationClosed(RegistrationConflict):
    pass


class EventFull(RegistrationConflict):
    pass


class EmailNotVerified(RegistrationConflict):
    """The person has not yet confirmed their e-mail address (see accounts.signup)."""


class PlacesFull(RegistrationConflict):
    """A chosen option (site visit A ...) has no place left."""


@dataclass
class RegistrationInput:
    answers: dict[str, Any] = field(default_factory=dict)
    category: str | None = None
    session_ids: list[int] | None = None
    consent: bool = False
    listed: bool = True


@dataclass
class RegistrationChanges:
    """Only what is given changes; answers given replace those answers, others stay."""

    answers: dict[str, Any] | None = None
    category: str | None = None
    session_ids: list[int] | None = None
    listed: bool | None = None


def event_questions(event: Event) -> list[Question]:
    return list(
        db.session.scalars(
            sa.select(Question)
            .where(Question.event_id == event.id)
            .order_by(Question.position, Question.id)
        )
    )


def _check_option_places(
    questions: list[Question], new_option_ids: set[int], registration_id: int | None
) -> None:
    errors: dict[str, list[str]] = {}
    for question, option in full_options(questions, new_option_ids, registration_id):
        errors.setdefault(f"answers.{question.id}", []).append(
            _("No place left for “%(label)s”. Please choose another option.", label=option.label)
        )
    if errors:
        raise PlacesFull(_("A choice you made has no place left."), errors)


# Categories and eligibility --------------------------------------------------------------


def enabled_categories(event: Event) -> list[str]:
    enabled = set(event.registration_categories or ALL_CATEGORIES)
    return [c for c in ALL_CATEGORIES if c in enabled] or [Category.PARTICIPANT.value]


def allowed_categories(event: Event, user: User | None, *, by_organiser: bool) -> list[str]:
    """Categories this person may be given: organisers set any enabled one."""
    enabled = enabled_categories(event)
    if by_organiser:
        return enabled
    selectable = set(event.self_service_categories or [])
    allowed = [c for c in enabled if c in selectable]
    if not (standing.in_steering_cluster(user) or standing.has_steering_standing(user)):
        allowed = [c for c in allowed if c != Category.STEERING]
    return allowed or [enabled[0]]


def default_category(event: Event, user: User | None, *, by_organiser: bool = False) -> str:
    allowed = allowed_categories(event, user, by_organiser=by_organiser)
    return Category.PARTICIPANT.value if Category.PARTICIPANT in allowed else allowed[0]


def _category_error(category: str) -> str:
    if category == Category.STEERING:
        return _(
            "The steering-committee category is for members of steering-committee clusters; "
            "ask the organisers if you should have it."
        )
    if category in CATEGORY_LABELS:
        return _("This category is set by the organisers.")
    return _("Unknown category.")


def _check_category(
    event: Event, user: User | None, category: str | None, *, by_organiser: bool, current=None
) -> tuple[str, dict[str, list[str]]]:
    if category is None or category == "" or category == current:
        return current or default_category(event, user, by_organiser=by_organiser), {}
    if category not in allowed_categories(event, user, by_organiser=by_organiser):
        return category, {"category": [_category_error(category)]}
    if current is not None and not by_organiser and unconfirmed_steering_claim(user, category):
        # A new registration in this category goes to approval; a registration already
        # given a place does not switch to it by itself.
        message = _(
            "The organisers confirm who sits on the steering committee: ask them to change "
            "your category."
        )
        return category, {"category": [message]}
    return category, {}


def approval_reason(registration: Registration) -> str | None:
    """Why a pending registration waits for an organiser, when it is not the event's rule."""
    if registration.status != Status.PENDING:
        return None
    if unconfirmed_steering_claim(registration.user, registration.category):
        return _(
            "Registered as steering committee, but no organiser has confirmed it: mark the "
            "person as a steering-committee member, or confirm their organisation if it "
            "belongs to a steering cluster. Approving the registration alone does not open "
            "the closed sessions."
        )
    return None


# Register -------------------------------------------------------------------------------


# What a refusal of registration_state raises; any other refusal is a RegistrationConflict.
REFUSALS: dict[Reason, type[RegistrationConflict]] = {
    Reason.ALREADY_REGISTERED: AlreadyRegistered,
    Reason.NOT_PUBLISHED: RegistrationClosed,
    Reason.NOT_OPEN_YET: RegistrationClosed,
    Reason.CLOSED: RegistrationClosed,
    Reason.FULL: EventFull,
    Reason.EMAIL_NOT_VERIFIED: EmailNotVerified,
}


def _accepted_status(state: RegistrationState) -> Status:
    if state.status is None:
        refusal = REFUSALS.get(state.reason, RegistrationConflict)
        raise refusal(state.message, code=state.reason.value)
    return state.status


def register(
    event: Event, user: User, data: RegistrationInput, *, actor: User | None = None
) -> Registration:
    """Register `user`; `actor` is who does it (an organiser on someone's behalf)."""
    actor = actor or user
    by_organiser = actor.is_organiser
    with transaction():
        event = lock_event(event.id)
        existing = registration_of(event, user)
        if existing is not None:
            existing = reload_registration(existing.id)
        category, category_errors = _check_category(
            event, user, data.category, by_organiser=by_organiser
        )
        state = registration_state(
            event, user, existing, by_organiser=by_organiser, category=category or data.category
        )
        status = _accepted_status(state)
        questions = event_questions(event)
        answers, errors = clean_answers(questions, data.answers)
        errors.update(category_errors)
        if not data.consent:
            errors["consent"] = [_("Please agree to the privacy notice to register.")]
        if errors:
            raise ServiceValidationError(errors)
        option_ids = chosen_option_ids(questions, answers)
        if status in HOLDING_STATUSES:
            _check_option_places(questions, option_ids, existing.id if existing else None)
        registration = _write_new_registration(
            event, user, existing, status, category, answers, data
        )
        sync_option_picks(registration, option_ids)
        if data.session_ids is not None and status in HOLDING_STATUSES:
            session_choices.set_choices(registration, data.session_ids)
        audit.record(
            registration, AuditAction.CREATED, actor, changes=_creation_changes(registration)
        )
        _mail_new_status(registration)
    return registration


def _write_new_registration(event, user, existing, status, category, answers, data):
    now = utcnow()
    # Registering again after a cancellation reuses the row (one per person and event) but is
    # a new registration: it dates from now.
    registration = existing or Registration(event=event, user=user)
    registration.created_at = now
    registration.status = status.value
    registration.category = category
    registration.answers = answers
    registration.consent_at = now
    registration.listed = data.listed
    registration.decision_message = ""
    registration.waitlisted_at = now if status == Status.WAITLISTED else None
    db.session.add(registration)
    try:
        db.session.flush()
    except IntegrityError:
        # Another request registered the same person a moment ago.
        raise AlreadyRegistered(_("You are already registered for this meeting.")) from None
    return registration


def _creation_changes(registration: Registration) -> dict[str, list[Any]]:
    return audit.diff({}, audit.snapshot(registration))


def _mail_new_status(registration: Registration) -> None:
    kinds = {
        Status.PENDING: MailKind.RECEIVED,
        Status.CONFIRMED: MailKind.CONFIRMED,
        Status.WAITLISTED: MailKind.WAITLISTED,
    }
    kind = kinds[Status(registration.status)]
    mails.send(kind, registration, position=waitlist_position(registration))


# Change ---------------------------------------------------------------------------------


def update_registration(
    registration: Registration, changes: RegistrationChanges, *, actor: User
) -> Registration:
    by_organiser = actor.is_organiser
    with locked(registration) as (event, registration):
        if not registration.is_active:
            raise RegistrationConflict(_("A cancelled or declined registration cannot change."))
        if not may_change(event, actor):
            raise RegistrationClosed(
                _("Registration is closed: write to the organisers to change anything.")
            )
        before = audit.snapshot(registration)
        questions = event_questions(event)
        errors: dict[str, list[str]] = {}
        answers = registration.answers or {}
        if changes.answers is not None:
            answers, errors = clean_answers(questions, changes.answers, previous=answers)
        category, category_errors = _check_category(
            event,
            registration.user,
            changes.category,
            by_organiser=by_organiser,
            current=registration.category,
        )
        errors.update(category_errors)
        holding = registration.status in HOLDING_STATUSES
        if changes.session_ids and not holding:
            errors["session_ids"] = [
                _("You can choose workshops and visits once your place is confirmed.")
            ]
        if errors:
            raise ServiceValidationError(errors)
        option_ids = chosen_option_ids(questions, answers)
        if holding:
            _check_option_places(
                questions, option_ids - held_option_ids(registration), registration.id
            )
        registration.answers = answers
        registration.category = category
        if changes.listed is not None:
            registration.listed = changes.listed
        sync_option_picks(registration, option_ids)
        if changes.session_ids is not None and holding:
            session_choices.set_choices(registration, changes.session_ids)
        db.session.flush()
        db.session.refresh(registration, ["session_choices"])
        changed = audit.diff(before, audit.snapshot(registration))
        if changed:
            audit.record(registration, AuditAction.UPDATED, actor, changes=changed)
    return registration


# Status changes -------------------------------------------------------------------------


def _set_status(registration: Registration, status: Status) -> dict[str, list[Any]]:
    before = registration.status
    registration.status = status.value
    registration.waitlisted_at = utcnow() if status == Status.WAITLISTED else None
    if status not in HOLDING_STATUSES:
        session_choices.release_choices(registration)
    if before == Status.CONFIRMED and status != Status.CONFIRMED:
        signals.registration_released.send(registration)
    return {"status": [before, status.value]}


def cancel_registration(
    registration: Registration, *, actor: User | None, message: str = ""
) -> Registration:
    """Cancel; a freed seat goes to the first on the waiting list, who is mailed."""
    with locked(registration) as (event, registration):
        if not registration.is_active:
            raise RegistrationConflict(_("This registration is already cancelled."))
        held_seat = registration.status == Status.CONFIRMED
        changes = _set_status(registration, Status.CANCELLED)
        audit.record(registration, AuditAction.CANCELLED, actor, changes=changes, message=message)
        mails.send(MailKind.CANCELLED, registration, note=message)
        if held_seat:
            _fill_free_seats(event)
    return registration


def approve(registration: Registration, *, actor: User) -> Registration:
    """Pending -> confirmed, or waitlisted when the event is full."""
    with locked(registration) as (event, registration):
        if registration.status != Status.PENDING:
            raise RegistrationConflict(_("Only a registration pending approval can be approved."))
        if has_free_seat(event):
            changes = _set_status(registration, Status.CONFIRMED)
            audit.record(registration, AuditAction.APPROVED, actor, changes=changes)
            mails.send(MailKind.APPROVED, registration)
        elif event.waitlist_enabled:
            changes = _set_status(registration, Status.WAITLISTED)
            audit.record(registration, AuditAction.WAITLISTED, actor, changes=changes)
            mails.send(MailKind.WAITLISTED, registration, position=waitlist_position(registration))
        else:
            raise EventFull(_("The meeting is full: raise the capacity first."))
    return registration


def decline(registration: Registration, *, actor: User, message: str = "") -> Registration:
    with locked(registration) as (event, registration):
        if not registration.is_active:
            raise RegistrationConflict(_("This registration is already cancelled or declined."))
        held_seat = registration.status == Status.CONFIRMED
        changes = _set_status(registration, Status.DECLINED)
        registration.decision_message = message.strip()
        audit.record(
            registration, AuditAction.DECLINED, actor, changes=changes, message=message.strip()
        )
        mails.send(MailKind.DECLINED, registration, note=message.strip())
        if held_seat:
            _fill_free_seats(event)
    return registration


def promote(registration: Registration, *, actor: User) -> Registration:
    """An organiser moves someone from the waiting list (a seat must be free)."""
    with locked(registration) as (event, registration):
        if registration.status != Status.WAITLISTED:
            raise RegistrationConflict(_("This registration is not on the waiting list."))
        if not has_free_seat(event):
            raise EventFull(_("No place is free: raise the capacity first, then try again."))
        _promote_one(registration, actor)
    return registration


def fill_free_seats(event: Event) -> list[Registration]:
    """Give free seats to the waiting list in order: after a capacity increase anywhere (event
    page, event API, registration settings: the `capacity_changed` signal), before anyone new."""
    with transaction():
        event = lock_event(event.id)
        promoted = _fill_free_seats(event)
    return promoted


def _fill_free_seats(event: Event) -> list[Registration]:
    promoted = []
    seats = free_seats(event)
    while seats is None or seats > 0:
        first = db.session.scalar(
            sa.select(Registration)
            .where(Registration.event_id == event.id, Registration.status == Status.WAITLISTED)
            .order_by(*waitlist_order())
            .limit(1)
        )
        if first is None:
            break
        _promote_one(first, None)
        promoted.append(first)
        seats = None if seats is None else seats - 1
    return promoted


def _promote_one(registration: Registration, actor: User | None) -> None:
    """Confirm; choices whose places went meanwhile are dropped and the mail says so."""
    questions = event_questions(registration.event)
    picked = {pick.option_id for pick in registration.option_picks}
    full = full_options(questions, picked, registration.id)
    changes = _set_status(registration, Status.CONFIRMED)
    note = ""
    if full:
        registration.answers = _without_options(registration.answers, full)
        sync_option_picks(registration, picked - {option.id for _q, option in full})
        labels = ", ".join(option.label for _q, option in full)
        note = _("No place was left for: %(labels)s. Please choose again.", labels=labels)
        changes["dropped_options"] = [labels, None]
    audit.record(registration, AuditAction.PROMOTED, actor, changes=changes, message=note)
    mails.send(MailKind.PROMOTED, registration, note=note)


def _without_options(answers: dict, full: list[tuple[Question, QuestionOption]]) -> dict:
    answers = dict(answers or {})
    for question, option in full:
        value = answers.get(question.key)
        if isinstance(value, list):
            answers[question.key] = [v for v in value if v != option.id]
            if not answers[question.key]:
                answers.pop(question.key)
        elif value == option.id:
            answers.pop(question.key)
    return answers
