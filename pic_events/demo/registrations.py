"""Demo registrations: everyone confirmed for the main meeting with a few answers, and a
small, nearly full webinar to try the waiting list. Idempotent: a second run changes nothing.

Rows are written directly (not through the services) so that seeding sends no mail.
"""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from pic_events.accounts.models import User
from pic_events.accounts.standing import has_steering_standing
from pic_events.core.types import utcnow
from pic_events.events.models import Event, EventStatus
from pic_events.extensions import db
from pic_events.registration.audit import record
from pic_events.registration.models import (
    AuditAction,
    Category,
    OptionPick,
    Question,
    QuestionOption,
    Registration,
    RegistrationStatus,
)

WEBINAR_SLUG = "pic-webinar-2027"
WEBINAR_CAPACITY = 12

DIET = "Dietary needs"
DINNER = "Will you attend the dinner?"
# A choice with places of its own (site visits are programme sessions, chosen there).
VISIT = "Shuttle on 15 June"
VISIT_OPTIONS = (
    ("Nantes airport → Angers, 10:00 (30 seats)", 30),
    ("Angers Saint-Laud station → venue, 12:30 (30 seats)", 30),
    ("I make my own way", None),
)
DIETS = ("", "vegetarian", "", "no pork", "", "gluten-free", "", "vegan")


def _question(event: Event, label: str, kind: str, position: int, **kw) -> Question:
    question = db.session.scalar(
        sa.select(Question).where(Question.event_id == event.id, Question.label == label)
    )
    if question is None:
        options = kw.pop("options", [])
        question = Question(event_id=event.id, label=label, kind=kind, position=position, **kw)
        question.options = [
            QuestionOption(label=text, capacity=places, position=i)
            for i, (text, places) in enumerate(options)
        ]
        db.session.add(question)
        db.session.flush()
    return question


def demo_questions(event: Event) -> tuple[Question, Question, Question]:
    diet = _question(event, DIET, "text", 1, help_text="Allergies too, please.")
    dinner = _question(event, DINNER, "yes_no", 2, required=True)
    visit = _question(event, VISIT, "single_choice", 3, options=list(VISIT_OPTIONS))
    return diet, dinner, visit


def _category(user: User) -> str:
    steering = has_steering_standing(user)
    return Category.STEERING.value if steering else Category.PARTICIPANT.value


def _visit_option(visit: Question, taken: dict[int, int], index: int) -> int:
    """Round robin over the shuttles, skipping those that are full."""
    options = visit.options
    for step in range(len(options)):
        option = options[(index + step) % len(options)]
        if option.capacity is None or taken.get(option.id, 0) < option.capacity:
            taken[option.id] = taken.get(option.id, 0) + 1
            return option.id
    return options[-1].id


def _existing_user_ids(event: Event) -> set[int]:
    return set(
        db.session.scalars(sa.select(Registration.user_id).where(Registration.event_id == event.id))
    )


def _add_confirmed(event: Event, user: User, answers: dict, option_ids: list[int]) -> None:
    now = utcnow()
    registration = Registration(
        event_id=event.id,
        user_id=user.id,
        status=RegistrationStatus.CONFIRMED.value,
        category=_category(user),
        answers=answers,
        consent_at=now,
        listed=True,
        created_at=now,
    )
    registration.option_picks = [OptionPick(option_id=o) for o in option_ids]
    db.session.add(registration)
    db.session.flush()
    record(registration, AuditAction.CREATED, None, message="Demo data")


def seed_registrations(event: Event, members: list[User]) -> None:
    """Every member confirmed for `event`, with dietary needs, dinner and a shuttle seat."""
    diet, dinner, visit = demo_questions(event)
    taken: dict[int, int] = dict(
        db.session.execute(
            sa.select(OptionPick.option_id, sa.func.count())
            .where(OptionPick.option_id.in_([o.id for o in visit.options]))
            .group_by(OptionPick.option_id)
        ).all()
    )
    registered = _existing_user_ids(event)
    for index, user in enumerate(members):
        if user.id in registered:
            continue
        option_id = _visit_option(visit, taken, index)
        answers = {dinner.key: index % 5 != 0, visit.key: option_id}
        if DIETS[index % len(DIETS)]:
            answers[diet.key] = DIETS[index % len(DIETS)]
        _add_confirmed(event, user, answers, [option_id])
    db.session.commit()


def seed_waitlist_event(members: list[User]) -> Event:
    """A small webinar, published and open, 11 of its 12 seats taken."""
    event = db.session.scalar(sa.select(Event).where(Event.slug == WEBINAR_SLUG))
    if event is None:
        starts = date.today() + timedelta(days=45)
        event = Event(
            slug=WEBINAR_SLUG,
            title="PIC webinar: preparing the 2027 Horizon Europe calls",
            description=(
                "A two-hour online session for cluster managers: the calls that fit the plant "
                "sector, how to build a consortium across the PIC network, and questions to "
                "the National Contact Points.\n\nOnly twelve seats, to keep it a conversation."
            ),
            venue="Online",
            city="",
            timezone="Europe/Paris",
            starts_on=starts,
            ends_on=starts,
            registration_opens=utcnow() - timedelta(days=7),
            registration_closes=utcnow() + timedelta(days=40),
            capacity=WEBINAR_CAPACITY,
            status=EventStatus.PUBLISHED.value,
            privacy_notice=(
                "VEGEPOLYS VALLEY uses your name, e-mail and organisation to run this webinar. "
                "They are deleted six months after it."
            ),
            retention_until=starts + timedelta(days=180),
        )
        db.session.add(event)
        db.session.flush()
    registered = _existing_user_ids(event)
    confirmed = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Registration)
        .where(
            Registration.event_id == event.id,
            Registration.status == RegistrationStatus.CONFIRMED.value,
        )
    )
    for user in members:
        if confirmed >= WEBINAR_CAPACITY - 1:
            break
        if user.id in registered:
            continue
        _add_confirmed(event, user, {}, [])
        confirmed += 1
    db.session.commit()
    return event
