"""Meeting requests: send, accept, decline, cancel, expire, and the daily nudge.

In self-booking a request proposes a slot and accepting books it, through booking.py, in the
same transaction as the request's new status. In organiser scheduling accepting only marks
the request accepted: the organisers' scheduling run gives it a time and a table.

Locks: the request row first (booking.lock_request), then booking's own (slots,
registrations, meeting). The partial unique index over live requests of a pair is the final
word on "one live request per pair"; its refusal comes back as a BookingConflict.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from pic_events.accounts.models import User
from pic_events.core.types import utcnow
from pic_events.core.validation import NotFoundError, ServiceValidationError
from pic_events.events.models import Event
from pic_events.extensions import db
from pic_events.matchmaking import booking, mails, slots
from pic_events.matchmaking.booking import BookingConflict
from pic_events.matchmaking.models import (
    LIVE_REQUEST_STATUSES,
    MatchProfile,
    Meeting,
    MeetingRequest,
    MeetingSeat,
    MeetingStatus,
    NudgeSent,
    RequestStatus,
)
from pic_events.matchmaking.settings import requests_carry_a_slot, requests_open, settings_of
from pic_events.registration.models import Registration, RegistrationStatus

MESSAGE_MAX = 2000
REASON_MAX = 1000


# Who may take part ------------------------------------------------------------------------


def participant_of(event: Event, user: User | None) -> Registration:
    """The user's confirmed registration at an event whose matchmaking is on; else
    NotFoundError (pages and API answer 404: nothing here for this person)."""
    from pic_events.agenda.services import registration_of

    if not settings_of(event).enabled:
        raise NotFoundError(_("This meeting has no B2B meetings."))
    registration = registration_of(event, user)
    if registration is None or registration.status != RegistrationStatus.CONFIRMED:
        raise NotFoundError(_("B2B meetings are for confirmed participants of this meeting."))
    return registration


def _closed_reason(event: Event) -> BookingConflict:
    settings = settings_of(event)
    if not settings.enabled:
        return BookingConflict(_("This meeting has no B2B meetings."), "requests_closed")
    if settings.frozen:
        return BookingConflict(
            _("The B2B schedule is frozen: ask the organisers for any change."), "frozen"
        )
    return BookingConflict(_("The deadline for meeting requests has passed."), "requests_closed")


# Reading ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MyRequests:
    received: list[MeetingRequest]  # pending, waiting for my answer
    sent: list[MeetingRequest]  # pending, waiting for theirs
    unscheduled: list[MeetingRequest]  # accepted, waiting for the organisers' run


def request_options():
    """Loader options: a request's two sides (user, organisation) and proposed slot."""
    return (
        joinedload(MeetingRequest.sender)
        .joinedload(Registration.user)
        .joinedload(User.organisation),
        joinedload(MeetingRequest.recipient)
        .joinedload(Registration.user)
        .joinedload(User.organisation),
        joinedload(MeetingRequest.proposed_slot),
    )


def requests_of(event: Event, registration: Registration) -> MyRequests:
    """My live requests at the event (pending ones past their time expire first)."""
    expire_due(event=event)
    rows = db.session.scalars(
        sa.select(MeetingRequest)
        .where(
            MeetingRequest.event_id == event.id,
            MeetingRequest.status.in_(LIVE_REQUEST_STATUSES),
            sa.or_(
                MeetingRequest.sender_id == registration.id,
                MeetingRequest.recipient_id == registration.id,
            ),
        )
        .options(*request_options())
        .order_by(MeetingRequest.created_at, MeetingRequest.id)
    ).all()
    scheduled = set(
        db.session.scalars(
            sa.select(Meeting.request_id).where(
                Meeting.request_id.in_([r.id for r in rows]),
                Meeting.status == MeetingStatus.CONFIRMED,
            )
        )
    )
    pending = [r for r in rows if r.status == RequestStatus.PENDING]
    return MyRequests(
        received=[r for r in pending if r.recipient_id == registration.id],
        sent=[r for r in pending if r.sender_id == registration.id],
        unscheduled=[
            r for r in rows if r.status == RequestStatus.ACCEPTED and r.id not in scheduled
        ],
    )


def profiles_of(registration_ids) -> dict[int, MatchProfile]:
    """{registration id: its matchmaking profile} for those that have one (one query)."""
    ids = list(set(registration_ids))
    if not ids:
        return {}
    rows = db.session.scalars(sa.select(MatchProfile).where(MatchProfile.registration_id.in_(ids)))
    return {row.registration_id: row for row in rows}


def live_request_between(a: Registration, b: Registration) -> MeetingRequest | None:
    low, high = sorted((a.id, b.id))
    return db.session.scalar(
        sa.select(MeetingRequest).where(
            MeetingRequest.pair_low == low,
            MeetingRequest.pair_high == high,
            MeetingRequest.status.in_(LIVE_REQUEST_STATUSES),
        )
    )


def request_for(request_id: int, registration: Registration) -> MeetingRequest:
    """A request one of whose sides is `registration`, else NotFoundError."""
    request = db.session.get(MeetingRequest, request_id)
    if request is None or registration.id not in (request.sender_id, request.recipient_id):
        raise NotFoundError(_("No such meeting request."))
    return request


def meeting_of_request(request_id: int) -> Meeting | None:
    return db.session.scalar(
        sa.select(Meeting).where(
            Meeting.request_id == request_id, Meeting.status == MeetingStatus.CONFIRMED
        )
    )


# Sending ----------------------------------------------------------------------------------


def catalogue_person(event: Event, registration_id: int) -> Registration:
    """A confirmed participant listed in the event's B2B catalogue (whom one may ask for a
    meeting), else NotFoundError."""
    person = db.session.get(Registration, registration_id)
    if (
        person is None
        or person.event_id != event.id
        or person.status != RegistrationStatus.CONFIRMED
        or not person.listed
    ):
        raise NotFoundError(_("This person is not in the meeting's B2B catalogue."))
    return person


def send_request(
    event: Event,
    sender: Registration,
    recipient_id: int,
    *,
    message: str = "",
    slot_id: int | None = None,
    now: datetime | None = None,
) -> MeetingRequest:
    """Ask another listed participant for a meeting; in self-booking propose one of our
    common free slots. Raises ServiceValidationError (bad input), NotFoundError (no such
    participant) or BookingConflict (closed, not listed, already asked, slot not free)."""
    now = now or utcnow()
    message = (message or "").strip()
    settings = settings_of(event)
    errors: dict[str, list[str]] = {}
    if len(message) > MESSAGE_MAX:
        errors["message"] = [_("Keep the message under %(n)d characters.", n=MESSAGE_MAX)]
    if recipient_id == sender.id:
        errors["recipient"] = [_("You cannot ask yourself for a meeting.")]
    with_slot = requests_carry_a_slot(settings)
    if with_slot and slot_id is None:
        errors["slot"] = [_("Choose a time for the meeting.")]
    if errors:
        raise ServiceValidationError(errors)
    recipient = catalogue_person(event, recipient_id)
    if not requests_open(settings, now):
        raise _closed_reason(event)
    if sender.status != RegistrationStatus.CONFIRMED:
        raise BookingConflict(
            _("B2B meetings are for confirmed participants of this meeting."), "not_registered"
        )
    if not sender.listed:
        raise BookingConflict(
            _(
                "You are not listed in the B2B catalogue: list yourself (in your registration) "
                "to ask others for meetings."
            ),
            "not_listed",
        )
    if live_request_between(sender, recipient) is not None:
        raise BookingConflict(
            _(
                "You already have a meeting request with %(name)s: see My meetings.",
                name=recipient.display_name,
            ),
            "already_requested",
        )
    if with_slot:
        free = {slot.id for slot in slots.common_free_slots(event, [sender, recipient])}
        if slot_id not in free:
            raise BookingConflict(
                _("This time is not free for both of you (or no table is free): choose another."),
                "slot_not_free",
            )
    lifetime = timedelta(hours=settings.request_lifetime_hours or 72)
    expires_at = now + lifetime
    low, high = sorted((sender.id, recipient.id))
    with booking.transaction():
        request = MeetingRequest(
            event_id=event.id,
            sender=sender,
            recipient=recipient,
            pair_low=low,
            pair_high=high,
            message=message,
            status=RequestStatus.PENDING.value,
            proposed_slot_id=slot_id if with_slot else None,
            expires_at=expires_at,
        )
        db.session.add(request)
        db.session.flush()  # the unique index speaks here, before any mail is queued
        mails.request_received(request)
    return request


# Answering --------------------------------------------------------------------------------


def _refuse_not_pending(request: MeetingRequest) -> None:
    if request.status == RequestStatus.PENDING:
        return
    messages = {
        RequestStatus.ACCEPTED: _("This request was already accepted."),
        RequestStatus.DECLINED: _("This request was declined."),
        RequestStatus.CANCELLED: _("This request was withdrawn."),
        RequestStatus.EXPIRED: _("This request expired without an answer."),
    }
    raise BookingConflict(str(messages[RequestStatus(request.status)]), f"request_{request.status}")


def _is_due(request: MeetingRequest, now: datetime) -> bool:
    return (
        request.status == RequestStatus.PENDING
        and request.expires_at is not None
        and request.expires_at <= now
    )


def _expire(request: MeetingRequest, now: datetime) -> None:
    request.status = RequestStatus.EXPIRED.value
    request.responded_at = now
    mails.request_expired(request)


def _locked_for(request_id: int, registration: Registration, now: datetime) -> MeetingRequest:
    request = booking.lock_request(request_id)
    if registration.id not in (request.sender_id, request.recipient_id):
        raise NotFoundError(_("No such meeting request."))
    return request


def accept(
    request_id: int,
    by: Registration,
    *,
    slot_id: int | None = None,
    now: datetime | None = None,
) -> tuple[MeetingRequest, Meeting | None]:
    """The recipient accepts. Self-booking: the proposed slot (or `slot_id`, another common
    free one) and a table are booked at once, else BookingConflict naming the clash and
    nothing changes. Organiser scheduling: accepted, to be placed by the organisers."""
    now = now or utcnow()
    expired = False
    meeting = None
    with booking.transaction():
        request = _locked_for(request_id, by, now)
        if request.recipient_id != by.id:
            raise BookingConflict(
                _("Only the person you asked can accept this request."), "not_recipient"
            )
        if _is_due(request, now):
            _expire(request, now)
            expired = True
        else:
            _refuse_not_pending(request)
            event = request.event
            settings = settings_of(event)
            if requests_carry_a_slot(settings):
                chosen = slot_id or request.proposed_slot_id
                if chosen is None:
                    raise ServiceValidationError({"slot": [_("Choose a time for the meeting.")]})
                meeting = booking.book_in_transaction(
                    event, [request.sender_id, request.recipient_id], chosen, request=request
                )
            else:
                if settings.frozen:
                    raise _closed_reason(event)
                for person in (request.sender, request.recipient):
                    if person.status != RegistrationStatus.CONFIRMED:
                        raise BookingConflict(
                            _(
                                "%(name)s is no longer registered for this meeting.",
                                name=person.display_name,
                            ),
                            "not_registered",
                        )
                mails.request_accepted_unscheduled(request)
            request.status = RequestStatus.ACCEPTED.value
            request.responded_at = now
    if expired:
        raise BookingConflict(_("This request expired without an answer."), "request_expired")
    return request, meeting


def decline(
    request_id: int, by: Registration, *, reason: str = "", now: datetime | None = None
) -> MeetingRequest:
    """The recipient says no (with an optional reason, sent to the sender)."""
    now = now or utcnow()
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX:
        raise ServiceValidationError(
            {"reason": [_("Keep the reason under %(n)d characters.", n=REASON_MAX)]}
        )
    with booking.transaction():
        request = _locked_for(request_id, by, now)
        if request.recipient_id != by.id:
            raise BookingConflict(
                _("Only the person you asked can decline this request; withdraw it instead."),
                "not_recipient",
            )
        _refuse_not_pending(request)
        request.status = RequestStatus.DECLINED.value
        request.decline_reason = reason
        request.responded_at = now
        mails.request_declined(request)
    return request


def cancel(request_id: int, by: Registration, *, now: datetime | None = None) -> MeetingRequest:
    """Withdraw a request: the sender while it is pending; either side once accepted (its
    meeting, if booked, is cancelled through booking.py and the other side told)."""
    now = now or utcnow()
    with booking.transaction():
        request = _locked_for(request_id, by, now)
        if request.status == RequestStatus.PENDING:
            if request.sender_id != by.id:
                raise BookingConflict(
                    _("Decline the request instead: only its sender can withdraw it."),
                    "not_sender",
                )
            request.status = RequestStatus.CANCELLED.value
            request.responded_at = now
            mails.request_cancelled(request, by=by)
        elif request.status == RequestStatus.ACCEPTED:
            meeting = meeting_of_request(request.id)
            if meeting is not None:
                booking.cancel_in_transaction(meeting, by=by)  # cancels the request too
            else:
                request.status = RequestStatus.CANCELLED.value
                mails.request_cancelled(request, by=by)
        else:
            _refuse_not_pending(request)
    return request


def expire_due(*, event: Event | None = None, now: datetime | None = None) -> int:
    """Pending requests past their time expire (the sender is told); returns how many.
    Run by `flask expire-requests` and lazily before requests are shown."""
    now = now or utcnow()
    query = sa.select(MeetingRequest.id).where(
        MeetingRequest.status == RequestStatus.PENDING,
        MeetingRequest.expires_at <= now,
    )
    if event is not None:
        query = query.where(MeetingRequest.event_id == event.id)
    count = 0
    for request_id in db.session.scalars(query).all():
        with booking.transaction():
            request = booking.lock_request(request_id)
            if _is_due(request, now):  # someone may have answered meanwhile
                _expire(request, now)
                count += 1
    return count


# The daily nudge ---------------------------------------------------------------------------


def nudge_candidates(event: Event) -> list[Registration]:
    """Confirmed listed participants with no live meeting, no live request and no nudge yet."""
    seated = (
        sa.select(MeetingSeat.registration_id)
        .join(Meeting, Meeting.id == MeetingSeat.meeting_id)
        .where(Meeting.event_id == event.id, MeetingSeat.live.is_(True))
    )
    live = MeetingRequest.status.in_(LIVE_REQUEST_STATUSES)
    senders = sa.select(MeetingRequest.sender_id).where(MeetingRequest.event_id == event.id, live)
    recipients = sa.select(MeetingRequest.recipient_id).where(
        MeetingRequest.event_id == event.id, live
    )
    nudged = sa.select(NudgeSent.registration_id)
    return list(
        db.session.scalars(
            sa.select(Registration)
            .where(
                Registration.listed_at(event.id),
                Registration.user_id.is_not(None),
                Registration.id.not_in(seated),
                Registration.id.not_in(senders),
                Registration.id.not_in(recipients),
                Registration.id.not_in(nudged),
            )
            .options(selectinload(Registration.user))
            .order_by(Registration.id)
        )
    )


def nudge(event: Event, *, now: datetime | None = None) -> int:
    """Mail the "no meeting yet" nudge to each candidate, once per person: the NudgeSent
    row's primary key refuses a second one even when two runs overlap. Returns how many."""
    if not requests_open(settings_of(event), now):
        return 0
    sent = 0
    for registration in nudge_candidates(event):
        try:
            db.session.add(NudgeSent(registration_id=registration.id, sent_at=now or utcnow()))
            db.session.flush()
            mails.no_meeting_yet(registration)
            db.session.commit()
        except IntegrityError:
            db.session.rollback()  # another run nudged this person first
            continue
        except BaseException:
            db.session.rollback()
            raise
        sent += 1
    return sent
