"""Member pages: register, my registration, change, cancel; messages for closed and full."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from pic_events.core.types import utcnow
from pic_events.extensions import db
from pic_events.notifications.models import OutboxMessage
from pic_events.registration import services
from pic_events.registration.models import Registration
from pic_events.registration.services import RegistrationInput
from tests.factories import (
    login,
    make_cluster,
    make_event,
    make_organisation,
    make_question,
    make_registration,
    make_user,
)


def _registration_of(user) -> Registration | None:
    return db.session.scalar(sa.select(Registration).where(Registration.user_id == user.id))


def test_the_form_shows_questions_known_details_and_the_privacy_notice(client):
    event = make_event(slug="pic-2027", privacy_notice="We keep your data for a year.")
    make_question(event, "Dietary needs", help_text="Allergies too")
    make_question(event, "Site visit", "single_choice", options=[("Visit A", 25)])
    org = make_organisation("Végépolys Valley", cluster=make_cluster("VEGEPOLYS VALLEY"))
    user = make_user(name="Zoé Durand", organisation=org)
    login(client, user)
    page = client.get("/events/pic-2027/register").get_data(as_text=True)
    for text in (
        "Dietary needs",
        "Allergies too",
        "Visit A (25 places left)",
        "Zoé Durand",
        "Végépolys Valley",
        "We keep your data for a year.",
        "I agree to the privacy notice",
    ):
        assert text in page


def test_registering_through_the_form(client):
    event = make_event(slug="pic-2027")
    diet = make_question(event, "Dietary needs")
    dinner = make_question(event, "Dinner", "yes_no", required=True)
    user = make_user()
    login(client, user)
    response = client.post(
        "/events/pic-2027/register",
        data={f"q_{diet.id}": "vegetarian", f"q_{dinner.id}": "yes", "consent": "y", "listed": ""},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/events/pic-2027/registration")
    registration = _registration_of(user)
    assert registration.status == "confirmed"
    assert registration.answers == {diet.key: "vegetarian", dinner.key: True}
    assert registration.listed is False
    page = client.get("/events/pic-2027/registration").get_data(as_text=True)
    assert "vegetarian" in page and "Confirmed" in page


def test_errors_are_shown_next_to_the_fields_and_what_was_typed_is_kept(client):
    event = make_event(slug="pic-2027")
    guests = make_question(event, "Guests", "number")
    diet = make_question(event, "Dietary needs")
    login(client, make_user())
    response = client.post(
        "/events/pic-2027/register",
        data={f"q_{guests.id}": "several", f"q_{diet.id}": "vegan"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Give a number." in page
    assert "Please agree to the privacy notice" in page
    assert 'value="vegan"' in page and 'value="several"' in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 0


def test_full_event_says_waiting_list_and_position(client):
    event = make_event(slug="pic-2027", capacity=1)
    make_registration(event)
    make_registration(event, status="waitlisted")
    user = make_user()
    login(client, user)
    page = client.get("/events/pic-2027/register").get_data(as_text=True)
    assert "you will be on the waiting list, in position 2" in page
    response = client.post(
        "/events/pic-2027/register", data={"consent": "y"}, follow_redirects=True
    )
    assert "in position 2" in response.get_data(as_text=True)
    assert _registration_of(user).status == "waitlisted"


def test_closed_registration_says_so(client):
    make_event(slug="pic-2027", registration_closes=utcnow() - timedelta(hours=1))
    login(client, make_user())
    page = client.get("/events/pic-2027/register").get_data(as_text=True)
    assert "Registration for this meeting is closed." in page
    response = client.post("/events/pic-2027/register", data={"consent": "y"})
    assert "closed" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 0


def test_not_yet_open_says_when(client):
    make_event(slug="pic-2027", registration_opens=utcnow() + timedelta(days=3))
    login(client, make_user())
    page = client.get("/events/pic-2027/register").get_data(as_text=True)
    assert "Registration opens on" in page


def test_already_registered_goes_to_my_registration(client):
    event = make_event(slug="pic-2027")
    user = make_user()
    make_registration(event, user)
    login(client, user)
    response = client.get("/events/pic-2027/register", follow_redirects=True)
    assert "You are already registered for this meeting." in response.get_data(as_text=True)


def test_changing_answers_and_cancelling_with_confirmation(client):
    event = make_event(slug="pic-2027", capacity=1)
    diet = make_question(event, "Dietary needs")
    user, waiting_user = make_user(), make_user()
    services.register(event, user, RegistrationInput(consent=True, answers={diet.key: "none"}))
    services.register(event, waiting_user, RegistrationInput(consent=True))
    login(client, user)
    edit_page = client.get("/events/pic-2027/registration/edit").get_data(as_text=True)
    assert 'value="none"' in edit_page
    client.post("/events/pic-2027/registration/edit", data={f"q_{diet.id}": "vegan", "listed": "y"})
    assert _registration_of(user).answers == {diet.key: "vegan"}
    confirm = client.get("/events/pic-2027/registration/cancel").get_data(as_text=True)
    assert "Yes, cancel my registration" in confirm
    assert _registration_of(user).status == "confirmed"  # a GET changes nothing
    client.post("/events/pic-2027/registration/cancel")
    assert _registration_of(user).status == "cancelled"
    assert _registration_of(waiting_user).status == "confirmed"
    subjects = db.session.scalars(
        sa.select(OutboxMessage.subject).where(OutboxMessage.recipient == waiting_user.email)
    ).all()
    assert subjects[-1].startswith("A place is yours")


def test_changes_stop_when_registration_closes(client):
    event = make_event(slug="pic-2027")
    user = make_user()
    make_registration(event, user)
    event.registration_closes = utcnow() - timedelta(minutes=1)
    db.session.commit()
    login(client, user)
    response = client.get("/events/pic-2027/registration/edit", follow_redirects=True)
    assert "Registration is closed" in response.get_data(as_text=True)


def test_event_page_box_shows_register_or_my_status(client):
    event = make_event(slug="pic-2027", capacity=10)
    user = make_user()
    login(client, user)
    page = client.get("/events/pic-2027").get_data(as_text=True)
    assert "/events/pic-2027/register" in page and "10 places left" in page
    make_registration(event, user, status="waitlisted")
    page = client.get("/events/pic-2027").get_data(as_text=True)
    assert "On the waiting list" in page and "position 1" in page


def test_anonymous_visitors_are_sent_to_log_in(client):
    make_event(slug="pic-2027")
    response = client.get("/events/pic-2027/register")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_member_cannot_see_or_change_another_members_registration(client):
    event = make_event(slug="pic-2027")
    owner, other = make_user(), make_user()
    registration = make_registration(event, owner, answers={"1": "secret"})
    login(client, other)
    # "My registration" is always the visitor's own: another's is unreachable.
    assert client.get("/events/pic-2027/registration/edit").status_code == 404
    assert client.post("/events/pic-2027/registration/cancel").status_code == 404
    assert client.get(f"/organiser/registrations/{registration.id}").status_code == 403
    assert client.post(f"/organiser/registrations/{registration.id}/cancel").status_code == 403
    assert client.get("/organiser/events/pic-2027/registrations.csv").status_code == 403
    assert client.get("/organiser/events/pic-2027/registrations.xlsx").status_code == 403
    assert db.session.get(Registration, registration.id).status == "confirmed"


def test_my_registrations_and_privacy_pages_render(client):
    event = make_event(slug="pic-2027", title="PIC 2027")
    user = make_user()
    make_registration(event, user)
    login(client, user)
    assert "PIC 2027" in client.get("/my/registrations").get_data(as_text=True)
    page = client.get("/account/privacy").get_data(as_text=True)
    assert "Download my data" in page and "Delete my account" in page


def test_the_form_shows_places_left_in_limited_choices(client):
    event = make_event(slug="pic-2027")
    visit = make_question(event, "Site visit", "single_choice", options=[("Visit A", 1), "Visit B"])
    services.register(
        event,
        make_user(),
        RegistrationInput(consent=True, answers={visit.key: visit.options[0].id}),
    )
    login(client, make_user())
    page = client.get("/events/pic-2027/register").get_data(as_text=True)
    assert "Visit A (full)" in page and "Visit B" in page
