"""GDPR: my data as JSON, deleting my account, anonymising after the retention date."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from pic_events.accounts.models import User
from pic_events.accounts.services import (
    create_api_token,
    request_password_reset,
    revoke_api_token,
)
from pic_events.core import signals
from pic_events.extensions import db
from pic_events.notifications.models import OutboxMessage
from pic_events.registration import privacy, services
from pic_events.registration.models import AuditLog, Registration
from pic_events.registration.services import RegistrationChanges, RegistrationInput
from tests.factories import (
    login,
    make_event,
    make_organisation,
    make_organiser,
    make_question,
    make_registration,
    make_user,
)

TEXT_TYPES = (sa.String, sa.Text, sa.JSON)


def traces_of(user_id: int, name: str, email: str, *, keep_account: bool) -> list[str]:
    """Every table.column, in the whole database, that holds the person's name or e-mail
    (any case) or points at their account; their own account row is skipped when it stays."""
    found = []
    needles = (name.lower(), email.lower())
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(sa.select(table)).mappings():
            if keep_account and table.name == "user_account" and row["id"] == user_id:
                continue
            for column in table.columns:
                value = row[column.key]
                if value is None:
                    continue
                points_at_user = any(
                    fk.column.table.name == "user_account" for fk in column.foreign_keys
                )
                if points_at_user and value == user_id:
                    found.append(f"{table.name}.{column.key} = {user_id}")
                if isinstance(column.type, TEXT_TYPES):
                    text = (
                        value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
                    )
                    if any(needle in text.lower() for needle in needles):
                        found.append(f"{table.name}.{column.key}: {text[:80]}")
    return found


def _full_history(event, user, organiser, *, note: str) -> Registration:
    """A registration with the person everywhere: answers, an update of their own, a
    decline whose message names them, and the mails each step sent."""
    contact = make_question(event, "How to reach you")
    registration = services.register(
        event, user, RegistrationInput(consent=True, answers={contact.key: user.email})
    )
    services.update_registration(
        registration,
        RegistrationChanges(answers={contact.key: f"{user.name}, {user.email}"}),
        actor=user,
    )
    services.decline(registration, actor=organiser, message=note)
    db.session.commit()
    return registration


def _end_event(event, *, retention_until: date | None) -> None:
    event.starts_on = date.today() - timedelta(days=400)
    event.ends_on = date.today() - timedelta(days=399)
    event.registration_opens = event.registration_closes = None
    event.retention_until = retention_until
    db.session.commit()


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
    assert mine["checked_in_at"] is None and mine["badge_printed_at"] is None


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


def test_my_data_lists_my_mails_my_tokens_and_answers_to_deleted_questions(client):
    event = make_event(slug="pic-2027", title="PIC 2027")
    kept = make_question(event, "Dietary needs")
    dropped = make_question(event, "T-shirt size")
    user = make_user(name="Zoé Durand", email="zoe@example.org")
    services.register(
        event,
        user,
        RegistrationInput(consent=True, answers={kept.key: "vegan", dropped.key: "M"}),
    )
    db.session.delete(dropped)
    db.session.commit()
    laptop, laptop_secret = create_api_token(user, "laptop")
    _, phone_secret = create_api_token(user, "phone")
    revoke_api_token(user, laptop.id)
    request_password_reset("zoe@example.org")
    make_user(email="other@example.org")
    request_password_reset("other@example.org")
    login(client, user)
    response = client.get("/account/my-data.json")
    data = json.loads(response.data)

    [mine] = data["registrations"]
    assert {"question": "Dietary needs", "answer": "vegan", "value": "vegan"} in mine["answers"]
    assert {
        "question": None,
        "question_key": dropped.key,
        "answer": None,
        "value": "M",
    } in mine["answers"]
    subjects = [mail["subject"] for mail in data["mails"]]
    assert subjects == ["Registration confirmed: PIC 2027", "Reset your PIC Meetings password"]
    assert all(mail["to"] == "zoe@example.org" and mail["status"] for mail in data["mails"])
    assert "Hello Zoé Durand" in data["mails"][0]["body"] and data["mails"][0]["created_at"]
    tokens = {token["name"]: token for token in data["api_tokens"]}
    assert set(tokens) == {"laptop", "phone"}
    assert tokens["laptop"]["revoked_at"] and tokens["phone"]["revoked_at"] is None
    assert tokens["laptop"]["prefix"] == laptop_secret[:10] and tokens["laptop"]["created_at"]
    text = response.get_data(as_text=True)
    assert laptop_secret not in text and phone_secret not in text
    assert laptop.token_hash not in text and "token_hash" not in text


def test_an_export_receiver_that_fails_fails_the_export(app):
    user = make_user()

    def broken(sender, **kw):
        raise RuntimeError("module broken")

    with signals.personal_data_exported.connected_to(broken), pytest.raises(RuntimeError):
        privacy.export_user_data(user)


def test_a_deleted_account_leaves_no_trace_anywhere(client):
    organiser = make_organiser(name="Olivier Organiser")
    event = make_event(requires_approval=True)
    user = make_user(name="Zoé Durand", email="zoe.durand@example.org")
    registration = _full_history(
        event, user, organiser, note="Zoé Durand (zoe.durand@example.org) wrote to us."
    )
    create_api_token(user, "laptop")
    request_password_reset(user.email)
    user_id, name, email = user.id, user.name, user.email
    assert traces_of(user_id, name, email, keep_account=False)  # the scan does see her

    login(client, user)
    assert client.post("/account/delete", data={"email": email}).status_code == 302
    db.session.expire_all()
    assert traces_of(user_id, name, email, keep_account=False) == []
    assert db.session.get(Registration, registration.id).status == "declined"
    actions = db.session.scalars(
        sa.select(AuditLog.action).where(AuditLog.registration_id == registration.id)
    ).all()
    assert "declined" in actions and "anonymised" in actions  # what happened stays


def test_a_deletion_receiver_that_fails_deletes_nothing(app):
    user = make_user(email="zoe@example.org")
    registration = make_registration(make_event(), user)

    def broken(sender, **kw):
        raise RuntimeError("module broken")

    with signals.account_deleting.connected_to(broken), pytest.raises(RuntimeError):
        privacy.delete_account(user)
    db.session.expire_all()
    assert db.session.get(User, user.id) is not None
    assert db.session.get(Registration, registration.id).user_id == user.id


def test_purge_leaves_nothing_that_leads_back_to_the_person(app):
    organiser = make_organiser(name="Olivier Organiser")
    event = make_event(requires_approval=True)
    user = make_user(name="Zoé Durand", email="zoe.durand@example.org")
    registration = _full_history(
        event, user, organiser, note="Zoé Durand (zoe.durand@example.org) wrote to us."
    )
    _end_event(event, retention_until=date.today() - timedelta(days=1))
    user_id, name, email = user.id, user.name, user.email
    assert traces_of(user_id, name, email, keep_account=True)

    assert privacy.purge_expired() == 1
    db.session.expire_all()
    assert traces_of(user_id, name, email, keep_account=True) == []
    assert db.session.get(User, user_id) is not None  # the account itself is not purged
    authors = db.session.scalars(
        sa.select(AuditLog.actor_name).where(AuditLog.registration_id == registration.id)
    ).all()
    assert "Olivier Organiser" in authors  # organisers acted in their role: still named


def test_purge_keeps_the_mail_the_account_still_needs(app):
    event = make_event()
    user = make_user(email="zoe@example.org")
    services.register(event, user, RegistrationInput(consent=True))
    request_password_reset("zoe@example.org")
    _end_event(event, retention_until=date.today() - timedelta(days=1))
    privacy.purge_expired()
    subjects = db.session.scalars(sa.select(OutboxMessage.subject)).all()
    assert subjects == ["Reset your PIC Meetings password"]


def test_an_anonymising_receiver_that_fails_stops_the_purge(app):
    event = make_event()
    registration = make_registration(event)
    _end_event(event, retention_until=date.today() - timedelta(days=1))

    def broken(sender, **kw):
        raise RuntimeError("module broken")

    with signals.registration_anonymising.connected_to(broken), pytest.raises(RuntimeError):
        privacy.purge_expired()
    db.session.expire_all()
    assert db.session.get(Registration, registration.id).anonymised_at is None


def test_purge_expired_anonymises_registrations_of_ended_events_after_the_retention_date(app):
    yesterday = date.today() - timedelta(days=1)
    expired = make_event()
    question = make_question(expired, "Dietary needs")
    gone = make_registration(expired, answers={question.key: "vegan"})
    _end_event(expired, retention_until=yesterday)
    kept = make_event()
    stays = make_registration(kept)
    _end_event(kept, retention_until=date.today() + timedelta(days=30))
    # A retention date already passed, but the meeting is still to come (or under way).
    running = make_event(starts_on=yesterday, ends_on=date.today(), retention_until=yesterday)
    still_running = make_registration(running)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["purge-expired"])
    assert result.exit_code == 0, result.output
    assert "1 registration(s) anonymised." in result.output
    db.session.expire_all()
    gone = db.session.get(Registration, gone.id)
    assert gone.user_id is None and gone.answers == {} and gone.anonymised_at
    assert db.session.get(Registration, stays.id).user_id is not None
    assert db.session.get(Registration, still_running.id).user_id is not None
    assert "0 registration(s) anonymised." in runner.invoke(args=["purge-expired"]).output
