"""GDPR: my data as JSON, deleting my account, anonymising after the retention date."""

from __future__ import annotations

import json
from datetime import date, timedelta

import sqlalchemy as sa

from pic_events.accounts.models import User
from pic_events.extensions import db
from pic_events.registration import services
from pic_events.registration.models import AuditLog, Registration
from pic_events.registration.services import RegistrationChanges, RegistrationInput
from tests.factories import (
    login,
    make_event,
    make_organisation,
    make_question,
    make_registration,
    make_user,
)


def test_my_data_download_holds_account_registrations_answers_and_history(client):
    event = make_event(slug="pic-2027", title="PIC 2027")
    diet = make_question(event, "Dietary needs")
    user = make_user(name="Zoé Durand", organisation=make_organisation("Végépolys Valley"))
    registration = services.register(
        event, user, RegistrationInput(consent=True, answers={diet.key: "végétarien"})
    )
    services.update_registration(
        registration, RegistrationChanges(answers={diet.key: "vegan"}), actor=user
    )
    login(client, user)
    response = client.get("/account/my-data.json")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.data)
    assert data["account"]["name"] == "Zoé Durand"
    assert data["account"]["organisation"] == "Végépolys Valley"
    [mine] = data["registrations"]
    assert mine["event"] == "pic-2027" and mine["status"] == "confirmed"
    assert mine["answers"] == [{"question": "Dietary needs", "answer": "vegan", "value": "vegan"}]
    assert [h["action"] for h in mine["history"]] == ["created", "updated"]
    assert mine["consent_at"]


def test_my_data_holds_nothing_of_other_people(client):
    event = make_event()
    make_registration(event, make_user(name="Somebody Else"))
    user = make_user()
    login(client, user)
    data = client.get("/account/my-data.json").get_data(as_text=True)
    assert "Somebody Else" not in data


def test_deleting_my_account_cancels_future_and_anonymises_past_registrations(client):
    past = make_event(
        slug="pic-2025",
        starts_on=date.today() - timedelta(days=400),
        ends_on=date.today() - timedelta(days=399),
    )
    future = make_event(slug="pic-2027", capacity=1)
    diet = make_question(past, "Dietary needs")
    user = make_user(email="zoe@example.org")
    waiting = make_user()
    old = make_registration(past, user, answers={diet.key: "vegan"})
    seat = services.register(future, user, RegistrationInput(consent=True))
    waiting_registration = services.register(future, waiting, RegistrationInput(consent=True))
    login(client, user)
    refused = client.post("/account/delete", data={"email": "wrong@example.org"})
    assert refused.status_code == 302 and db.session.get(User, user.id) is not None
    response = client.post("/account/delete", data={"email": "ZOE@example.org"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.scalar(sa.select(User).where(User.email == "zoe@example.org")) is None
    old = db.session.get(Registration, old.id)
    assert old.user_id is None and old.answers == {} and old.anonymised_at is not None
    assert old.status == "confirmed"  # the past meeting's numbers stay right
    seat = db.session.get(Registration, seat.id)
    assert seat.status == "cancelled" and seat.user_id is None
    assert db.session.get(Registration, waiting_registration.id).status == "confirmed"
    # The history keeps what happened, not what was answered.
    changes = db.session.scalars(
        sa.select(AuditLog.changes).where(AuditLog.registration_id == old.id)
    ).all()
    assert all(not key.startswith("answers.") for entry in changes for key in entry)
    assert client.get("/my/registrations").status_code == 302  # logged out


def test_purge_expired_anonymises_registrations_after_the_retention_date(app):
    expired = make_event(retention_until=date.today() - timedelta(days=1))
    kept = make_event(retention_until=date.today() + timedelta(days=30))
    question = make_question(expired, "Dietary needs")
    gone = make_registration(expired, answers={question.key: "vegan"})
    stays = make_registration(kept)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["purge-expired"])
    assert result.exit_code == 0, result.output
    assert "1 registration(s) anonymised." in result.output
    db.session.expire_all()
    gone = db.session.get(Registration, gone.id)
    assert gone.user_id is None and gone.answers == {} and gone.anonymised_at
    assert db.session.get(Registration, stays.id).user_id is not None
    assert "0 registration(s) anonymised." in runner.invoke(args=["purge-expired"]).output
