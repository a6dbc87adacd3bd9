"""The registration rules: capacity, waiting list, approval, mails, one per person."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from pic_events.core.types import utcnow
from pic_events.core.validation import ServiceValidationError
from pic_events.events import services as event_services
from pic_events.extensions import db
from pic_events.notifications.models import OutboxMessage
from pic_events.registration import services
from pic_events.registration.models import AuditLog, Registration
from pic_events.registration.services import (
    AlreadyRegistered,
    EventFull,
    PlacesFull,
    RegistrationChanges,
    RegistrationClosed,
    RegistrationInput,
)
from tests.factories import (
    make_cluster,
    make_event,
    make_organisation,
    make_organiser,
    make_question,
    make_user,
)

OK = RegistrationInput(consent=True)


def mails_to(user) -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            sa.select(OutboxMessage)
            .where(OutboxMessage.recipient == user.email)
            .order_by(OutboxMessage.id)
        )
    )


def test_register_confirms_and_mails_a_link_to_my_registration(app):
    event = make_event(slug="pic-2027", title="PIC 2027")
    user = make_user()
    registration = services.register(event, user, OK)
    assert registration.status == "confirmed"
    assert registration.consent_at is not None
    [mail] = mails_to(user)
    assert mail.subject == "Registration confirmed: PIC 2027"
    assert "http://localhost/events/pic-2027/registration" in mail.body_text
    assert "http://localhost/events/pic-2027/registration" in mail.body_html


def test_consent_is_required_and_nothing_is_written_without_it(app):
    event = make_event()
    with pytest.raises(ServiceValidationError) as error:
        services.register(event, make_user(), RegistrationInput(consent=False))
    assert "consent" in error.value.errors
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0


def test_over_capacity_goes_to_the_waiting_list_with_positions(app):
    event = make_event(capacity=2)
    users = [make_user() for _ in range(5)]
    registrations = [services.register(event, u, OK) for u in users]
    assert [r.status for r in registrations] == ["confirmed"] * 2 + ["waitlisted"] * 3
    assert [services.waitlist_position(r) for r in registrations] == [None, None, 1, 2, 3]
    mail = mails_to(users[3])[0]
    assert mail.subject.startswith("On the waiting list")
    assert "position 2" in mail.body_text


def test_cancelling_a_confirmed_seat_promotes_the_first_waitlisted_and_mails_them(app):
    event = make_event(capacity=1, title="PIC 2027")
    first, second, third = make_user(), make_user(), make_user()
    seat = services.register(event, first, OK)
    waiting = services.register(event, second, OK)
    services.register(event, third, OK)
    services.cancel_registration(seat, actor=first)
    assert db.session.get(Registration, waiting.id).status == "confirmed"
    assert services.waitlist_positions(event.id) == {
        db.session.scalar(sa.select(Registration.id).where(Registration.user_id == third.id)): 1
    }
    assert mails_to(first)[-1].subject == "Registration cancelled: PIC 2027"
    promoted = mails_to(second)[-1]
    assert promoted.subject == "A place is yours: PIC 2027"
    assert "/events/" in promoted.body_text and "/registration" in promoted.body_text
    actions = db.session.scalars(
        sa.select(AuditLog.action).where(AuditLog.registration_id == waiting.id)
    ).all()
    assert actions == ["created", "promoted"]


def test_cancelling_a_waitlisted_registration_keeps_positions_without_gaps(app):
    event = make_event(capacity=1)
    services.register(event, make_user(), OK)
    waiting = [services.register(event, make_user(), OK) for _ in range(3)]
    services.cancel_registration(waiting[1], actor=None)
    assert sorted(services.waitlist_positions(event.id).values()) == [1, 2]
    assert services.waitlist_position(db.session.get(Registration, waiting[2].id)) == 2


def test_no_waitlist_setting_refuses_when_full(app):
    event = make_event(capacity=1, waitlist_enabled=False)
    services.register(event, make_user(), OK)
    with pytest.raises(EventFull):
        services.register(event, make_user(), OK)


def test_approval_keeps_registrations_pending_until_an_organiser_acts(app):
    event = make_event(capacity=1, requires_approval=True, title="PIC 2027")
    organiser = make_organiser()
    a, b, c = make_user(), make_user(), make_user()
    ra, rb, rc = (services.register(event, u, OK) for u in (a, b, c))
    assert {ra.status, rb.status, rc.status} == {"pending"}
    assert mails_to(a)[0].subject == "Registration received: PIC 2027"
    assert services.approve(ra, actor=organiser).status == "confirmed"
    assert mails_to(a)[-1].subject == "Registration approved: PIC 2027"
    assert services.approve(rb, actor=organiser).status == "waitlisted"
    services.decline(rc, actor=organiser, message="Sorry, only members.")
    declined = mails_to(c)[-1]
    assert declined.subject == "Registration declined: PIC 2027"
    assert "Sorry, only members." in declined.body_text
    services.decline(ra, actor=organiser, message="")
    assert db.session.get(Registration, rb.id).status == "confirmed"


def test_one_registration_per_person_and_event(app):
    event = make_event()
    user = make_user()
    services.register(event, user, OK)
    with pytest.raises(AlreadyRegistered):
        services.register(event, user, OK)
    # The database refuses a second row even without the service's check.
    db.session.add(Registration(event_id=event.id, user_id=user.id, status="confirmed"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_a_cancelled_member_registers_again_on_the_same_row(app):
    event = make_event()
    user = make_user()
    first = services.register(event, user, OK)
    first_date = first.created_at
    services.cancel_registration(first, actor=user)
    again = services.register(event, user, OK)
    assert again.id == first.id and again.status == "confirmed"
    assert again.created_at > first_date  # a new registration, dated now


def test_closed_registration_refuses_members_but_not_organisers(app):
    event = make_event(registration_closes=utcnow() - timedelta(minutes=1))
    with pytest.raises(RegistrationClosed):
        services.register(event, make_user(), OK)
    organiser = make_organiser()
    registration = services.register(event, make_user(), OK, actor=organiser)
    assert registration.status == "confirmed"


def test_steering_category_needs_a_steering_cluster(app):
    event = make_event()
    steering_org = make_organisation(cluster=make_cluster(steering=True))
    other_org = make_organisation(cluster=make_cluster(steering=False))
    member = make_user(organisation=steering_org)
    outsider = make_user(organisation=other_org)
    assert services.register(event, member, RegistrationInput(consent=True, category="steering"))
    with pytest.raises(ServiceValidationError) as error:
        services.register(event, outsider, RegistrationInput(consent=True, category="steering"))
    assert "category" in error.value.errors
    with pytest.raises(ServiceValidationError):
        services.register(event, outsider, RegistrationInput(consent=True, category="speaker"))
    # An organiser may set it.
    registration = services.register(
        event,
        outsider,
        RegistrationInput(consent=True, category="steering"),
        actor=make_organiser(),
    )
    assert registration.category == "steering"


def test_choice_capacity_refuses_the_option_when_its_places_are_taken(app):
    event = make_event()
    visit = make_question(
        event, "Site visit", "single_choice", options=[("Visit A", 1), ("Visit B", None)]
    )
    a_id, b_id = (o.id for o in visit.options)
    services.register(
        event, make_user(), RegistrationInput(consent=True, answers={visit.key: a_id})
    )
    with pytest.raises(PlacesFull) as error:
        services.register(
            event, make_user(), RegistrationInput(consent=True, answers={visit.key: a_id})
        )
    assert f"answers.{visit.id}" in error.value.errors
    other = services.register(
        event, make_user(), RegistrationInput(consent=True, answers={visit.key: b_id})
    )
    # Keeping a full option while changing other answers is fine; switching to it is not.
    with pytest.raises(PlacesFull):
        services.update_registration(
            other, RegistrationChanges(answers={visit.key: a_id}), actor=other.user
        )


def test_promotion_drops_a_choice_whose_places_went_meanwhile(app):
    event = make_event(capacity=1)
    visit = make_question(event, "Site visit", "single_choice", options=[("Visit A", 1)])
    option = visit.options[0].id
    seat = services.register(event, make_user(), OK)
    waiting = services.register(
        event, make_user(), RegistrationInput(consent=True, answers={visit.key: option})
    )
    assert waiting.status == "waitlisted"
    # The waiting list holds no choice places: a pending/confirmed person takes it.
    taker = services.register(
        event,
        make_user(),
        RegistrationInput(consent=True, answers={visit.key: option}),
        actor=make_organiser(),
    )
    assert taker.status == "waitlisted"
    event.capacity = 3
    db.session.commit()
    promoted = services.fill_free_seats(event)
    assert len(promoted) == 2
    first = db.session.get(Registration, waiting.id)
    assert first.status == "confirmed" and first.answers == {visit.key: option}
    second = db.session.get(Registration, taker.id)
    assert second.status == "confirmed" and second.answers == {}
    assert "No place was left for: Visit A" in mails_to(second.user)[-1].body_text
    assert seat.id


def test_update_records_what_changed_in_the_history(app):
    event = make_event()
    diet = make_question(event, "Dietary needs")
    user = make_user()
    registration = services.register(
        event, user, RegistrationInput(consent=True, answers={diet.key: "none"})
    )
    services.update_registration(
        registration, RegistrationChanges(answers={diet.key: "vegetarian"}), actor=user
    )
    entry = db.session.scalars(sa.select(AuditLog).where(AuditLog.action == "updated")).one()
    assert entry.actor_id == user.id
    assert entry.changes == {f"answers.{diet.id}": ["none", "vegetarian"]}


def test_members_cannot_change_after_registration_closes(app):
    event = make_event()
    user = make_user()
    registration = services.register(event, user, OK)
    event.registration_closes = utcnow() - timedelta(seconds=1)
    db.session.commit()
    with pytest.raises(RegistrationClosed):
        services.update_registration(registration, RegistrationChanges(listed=False), actor=user)
    services.update_registration(
        registration, RegistrationChanges(listed=False), actor=make_organiser()
    )
    assert db.session.get(Registration, registration.id).listed is False


def test_manual_promotion_needs_a_free_seat(app):
    event = make_event(capacity=1)
    organiser = make_organiser()
    services.register(event, make_user(), OK)
    waiting = services.register(event, make_user(), OK)
    with pytest.raises(EventFull):
        services.promote(waiting, actor=organiser)
    event.capacity = 2
    db.session.commit()
    assert services.promote(waiting, actor=organiser).status == "confirmed"


def test_raising_the_capacity_on_the_event_gives_the_seats_to_the_waiting_list_first(app):
    event = make_event(capacity=1)
    services.register(event, make_user(), OK)
    first, second, third = (services.register(event, make_user(), OK) for _ in range(3))
    event_services.update_event(event, {"capacity": 3})
    assert [_status(r) for r in (first, second, third)] == ["confirmed", "confirmed", "waitlisted"]
    assert mails_to(first.user)[-1].subject.startswith("A place is yours")
    assert services.waitlist_position(db.session.get(Registration, third.id)) == 1
    late = services.register(event, make_user(), OK)
    assert late.status == "waitlisted" and services.waitlist_position(late) == 2
    event_services.update_event(event, {"capacity": None})
    assert _status(third) == _status(late) == "confirmed"


def _status(registration: Registration) -> str:
    return db.session.scalar(
        sa.select(Registration.status).where(Registration.id == registration.id)
    )
