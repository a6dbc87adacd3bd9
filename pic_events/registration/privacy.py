"""GDPR: a member's data export, account deletion, and anonymisation after retention.

Other modules that keep personal data on a user or a registration (mail, tokens, matchmaking
profiles ...) receive the signals sent here (pic_events.core.signals: personal_data_exported,
registration_anonymising, account_deleting), connected in pic_events.app. They run in the
same transaction; a receiver that raises aborts the export or the deletion.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload, selectinload

from pic_events.accounts import standing
from pic_events.accounts.models import User
from pic_events.core.signals import (
    account_deleting,
    personal_data_exported,
    registration_anonymising,
)
from pic_events.core.types import utcnow
from pic_events.events.models import Event
from pic_events.extensions import db
from pic_events.registration import audit, services
from pic_events.registration.models import (
    AuditAction,
    AuditLog,
    Question,
    Registration,
    new_checkin_code,
)
from pic_events.registration.questions import display_answer


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def user_registrations(user: User) -> list[Registration]:
    return list(
        db.session.scalars(
            sa.select(Registration)
            .options(joinedload(Registration.event), selectinload(Registration.session_choices))
            .where(Registration.user_id == user.id)
            .order_by(Registration.created_at)
        )
    )


def _questions_by_event(event_ids: set[int]) -> dict[int, list[Question]]:
    """{event id: its questions in order} for many events (one query)."""
    found: dict[int, list[Question]] = {event_id: [] for event_id in event_ids}
    for question in db.session.scalars(
        sa.select(Question)
        .where(Question.event_id.in_(event_ids))
        .order_by(Question.position, Question.id)
    ):
        found[question.event_id].append(question)
    return found


def _answers_data(registration: Registration, questions: list[Question]) -> list[dict[str, Any]]:
    """Answers to the event's questions, then those whose question was deleted since (raw)."""
    answers = registration.answers or {}
    known = [
        {
            "question": question.label,
            "answer": display_answer(question, answers[question.key]),
            "value": answers[question.key],
        }
        for question in questions
        if question.key in answers
    ]
    keys = {question.key for question in questions}
    orphans = [
        {"question": None, "question_key": key, "answer": None, "value": value}
        for key, value in sorted(answers.items())
        if key not in keys
    ]
    return known + orphans


def _registration_data(
    registration: Registration, questions: list[Question], history: list[AuditLog]
) -> dict[str, Any]:
    return {
        "event": registration.event.slug,
        "event_title": registration.event.title,
        "status": registration.status,
        "category": registration.category,
        "answers": _answers_data(registration, questions),
        "session_ids": registration.session_ids,
        "listed": registration.listed,
        "consent_at": _iso(registration.consent_at),
        "created_at": _iso(registration.created_at),
        "checked_in_at": _iso(registration.checked_in_at),
        "badge_printed_at": _iso(registration.badge_printed_at),
        "history": [
            {
                "when": _iso(entry.created_at),
                "action": entry.action,
                "by": entry.actor_name,
                "changes": entry.changes,
                "message": entry.message,
            }
            for entry in reversed(history)
        ],
    }


def _registrations_data(registrations: list[Registration]) -> list[dict[str, Any]]:
    questions = _questions_by_event({r.event_id for r in registrations})
    histories = audit.histories([r.id for r in registrations])
    return [_registration_data(r, questions[r.event_id], histories[r.id]) for r in registrations]


def export_user_data(user: User) -> dict[str, Any]:
    """Everything held about the person, as JSON-able data."""
    organisation = user.organisation
    data: dict[str, Any] = {
        "exported_at": _iso(utcnow()),
        "account": {
            "name": user.name,
            "email": user.email,
            "role": user.role,
            "organisation": organisation.name if organisation else None,
            "cluster": organisation.cluster.name if organisation and organisation.cluster else None,
            "country": user.country,
            "locale": user.locale,
            "created_at": _iso(user.created_at),
            "email_verified_at": _iso(user.email_verified_at),
            **standing.standing_data(user),
        },
        "registrations": _registrations_data(user_registrations(user)),
    }
    for _receiver, section in personal_data_exported.send(user):
        data.update(section)
    return data


def anonymise(registration: Registration) -> None:
    """Unlink the person and forget their answers; the row stays for the event's numbers."""
    registration_anonymising.send(registration)
    audit.scrub(registration, registration.user_id)
    registration.user_id = None
    registration.user = None
    registration.answers = {}
    registration.option_picks = []
    registration.listed = False
    registration.decision_message = ""
    registration.checkin_code = new_checkin_code()
    registration.anonymised_at = utcnow()
    audit.record(registration, AuditAction.ANONYMISED, None)


def delete_account(user: User) -> None:
    """Cancel registrations of meetings still to come (freeing seats, promoting the waiting
    list), anonymise every registration, then delete the account."""
    today = utcnow().date()
    for registration in user_registrations(user):
        if registration.is_active and registration.event.ends_on >= today:
            services.cancel_registration(
                registration, actor=user, message=_("The account was deleted.")
            )
    try:
        account_deleting.send(user)
        for registration in user_registrations(user):
            anonymise(registration)
        db.session.execute(
            sa.update(AuditLog)
            .where(AuditLog.actor_id == user.id)
            .values(actor_id=None, actor_name=_("deleted account"))
        )
        db.session.delete(user)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise


def purge_expired(today: date | None = None) -> int:
    """Anonymise registrations of events that have ended and whose retention date has
    passed; returns how many. A retention date set before the event's end waits for it."""
    today = today or utcnow().date()
    registrations = db.session.scalars(
        sa.select(Registration)
        .join(Event, Event.id == Registration.event_id)
        .where(
            Event.retention_until.is_not(None),
            Event.retention_until < today,
            Event.ends_on < today,
            Registration.anonymised_at.is_(None),
        )
    ).all()
    try:
        for registration in registrations:
            anonymise(registration)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return len(registrations)
