"""Project ideas in the member's data export, account deletion and anonymisation.

Receivers of pic_events.core.signals, connected in pic_events.app. An idea outlives its lead's
account only when a partner takes the lead (the earliest to join); otherwise it is withdrawn
and the people interested are told. A deleted partner's role opens again (the lead is told);
their interests, messages included, are deleted."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from pic_events.accounts.models import User
from pic_events.consortia import mails
from pic_events.consortia.models import (
    ConsortiumScheduleRequest,
    Idea,
    IdeaStatus,
    Interest,
    InterestStatus,
    Role,
    ScheduleRequestStatus,
)
from pic_events.consortia.services import interests_of
from pic_events.core.types import utcnow
from pic_events.extensions import db
from pic_events.registration.models import Registration


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def _registration_ids(user: User) -> list[int]:
    return list(
        db.session.scalars(sa.select(Registration.id).where(Registration.user_id == user.id))
    )


def _role_data(role: Role) -> dict[str, Any]:
    return {"kind": role.kind, "description": role.description, "countries": role.countries}


def export_ideas(user: User, **_kw: object) -> dict[str, Any]:
    """personal_data_exported: the ideas I lead, the roles I fill, my interests."""
    ids = _registration_ids(user)
    if not ids:
        return {
            "project_ideas": {
                "led": [],
                "partner_in": [],
                "interests": [],
                "consortium_meeting_requests": [],
            }
        }
    led = db.session.scalars(
        sa.select(Idea)
        .where(Idea.lead_id.in_(ids))
        .order_by(Idea.created_at)
        .options(joinedload(Idea.event), selectinload(Idea.roles))
    ).all()
    filled = db.session.scalars(
        sa.select(Role)
        .where(Role.filled_by_id.in_(ids))
        .order_by(Role.filled_at)
        .options(joinedload(Role.idea).joinedload(Idea.event))
    ).all()
    interests = db.session.scalars(
        sa.select(Interest)
        .where(Interest.registration_id.in_(ids))
        .order_by(Interest.created_at)
        .options(joinedload(Interest.role).joinedload(Role.idea).joinedload(Idea.event))
    ).all()
    meeting_requests = _schedule_requests_of(set(ids))
    return {
        "project_ideas": {
            "led": [
                {
                    "event": idea.event.slug,
                    "title": idea.title,
                    "summary": idea.summary,
                    "call": idea.call,
                    "call_deadline": _iso(idea.call_deadline),
                    "sectors": idea.sectors,
                    "keywords": idea.keywords,
                    "confidential": idea.confidential,
                    "status": idea.status,
                    "roles": [_role_data(role) for role in idea.roles],
                    "created_at": _iso(idea.created_at),
                }
                for idea in led
            ],
            "partner_in": [
                {
                    "event": role.idea.event.slug,
                    "idea": role.idea.title,
                    "role": _role_data(role),
                    "since": _iso(role.filled_at),
                }
                for role in filled
            ],
            "interests": [
                {
                    "event": interest.role.idea.event.slug,
                    "idea": interest.role.idea.title,
                    "role": interest.role.kind,
                    "message": interest.message,
                    "status": interest.status,
                    "invited": interest.invited,
                    "created_at": _iso(interest.created_at),
                }
                for interest in interests
            ],
            "consortium_meeting_requests": [
                {
                    "event": request.idea.event.slug,
                    "idea": request.idea.title,
                    "status": request.status,
                    "people": len(request.registration_ids),
                    "created_at": _iso(request.created_at),
                }
                for request in meeting_requests
            ],
        }
    }


def _schedule_requests_of(ids: set[int]) -> list[ConsortiumScheduleRequest]:
    """The consortium meeting requests that name one of these registrations (the ids sit in
    a JSON list, so the events' requests are read and filtered here)."""
    events = sa.select(Registration.event_id).where(Registration.id.in_(ids))
    candidates = db.session.scalars(
        sa.select(ConsortiumScheduleRequest)
        .join(Idea, Idea.id == ConsortiumScheduleRequest.idea_id)
        .where(Idea.event_id.in_(events))
        .order_by(ConsortiumScheduleRequest.created_at, ConsortiumScheduleRequest.id)
    ).all()
    return [r for r in candidates if ids.intersection(r.registration_ids)]


def forget_on_account_deletion(user: User, **_kw: object) -> None:
    """account_deleting: hand my ideas to a partner or withdraw them, open the roles I fill,
    delete my interests. The caller commits."""
    ids = set(_registration_ids(user))
    if not ids:
        return
    for idea in db.session.scalars(sa.select(Idea).where(Idea.lead_id.in_(ids))).all():
        _hand_over_or_withdraw(idea, ids)
    for role in db.session.scalars(sa.select(Role).where(Role.filled_by_id.in_(ids))).all():
        role.filled_by_id = None
        role.filled_at = None
        if role.idea.lead_id not in ids and role.idea.status != IdeaStatus.WITHDRAWN:
            mails.partner_left(role.idea, role)
    db.session.execute(sa.delete(Interest).where(Interest.registration_id.in_(ids)))
    pending = db.session.scalars(
        sa.select(ConsortiumScheduleRequest).where(
            ConsortiumScheduleRequest.status == ScheduleRequestStatus.PENDING
        )
    ).all()
    for request in pending:
        if ids.intersection(request.registration_ids):
            request.registration_ids = [i for i in request.registration_ids if i not in ids]
            if len(request.registration_ids) < 3:
                request.status = ScheduleRequestStatus.CANCELLED.value
    db.session.flush()


def _hand_over_or_withdraw(idea: Idea, leaving: set[int]) -> None:
    partners = sorted(
        (r for r in idea.filled_roles if r.filled_by_id not in leaving),
        key=lambda r: (r.filled_at or r.created_at, r.id),
    )
    if partners:
        idea.lead = partners[0].filled_by
        idea.lead_id = partners[0].filled_by_id
        db.session.flush()
        mails.lead_handed_over(idea, [r.filled_by for r in partners])
        return
    told = [
        interest.registration
        for interest in interests_of(idea)
        if interest.is_pending and interest.registration_id not in leaving
    ]
    for interest in interests_of(idea):
        if interest.is_pending:
            interest.status = InterestStatus.DECLINED.value
            interest.responded_at = utcnow()
    if idea.status != IdeaStatus.WITHDRAWN:
        idea.status = IdeaStatus.WITHDRAWN.value
        idea.status_changed_at = utcnow()
        mails.idea_withdrawn(idea, told, lead_left=True)


def forget_messages(registration: Registration, **_kw: object) -> None:
    """registration_anonymising: the person's interest messages go; the ideas (the network's
    record of projects) stay, their lead shown as an anonymised participant."""
    db.session.execute(
        sa.update(Interest).where(Interest.registration_id == registration.id).values(message="")
    )
