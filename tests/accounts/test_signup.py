import itertools
import re

import pytest
from sqlalchemy import func, select

from pic_events.accounts.models import User
from pic_events.directory.models import Organisation
from pic_events.extensions import db
from pic_events.notifications.models import OutboxMessage
from tests.accounts.timing import assert_alike, fastest_of_each
from tests.factories import make_cluster, make_organisation, make_user


def signup_data(**overrides):
    data = {
        "email": "Ana.Silva@Example.org",
        "name": "Ana Silva",
        "password": "a long password",
        "confirm": "a long password",
        "country": "PT",
        "organisation": "new",
        "organisation_name": "Quinta Verde",
        "organisation_country": "PT",
        "organisation_kind": "sme",
        "organisation_cluster_id": "",
    }
    data.update(overrides)
    return data


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def outbox() -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def verify_path(message: OutboxMessage) -> str:
    match = re.search(r"http://localhost(/verify-email/\S+)", message.body_text)
    assert match, message.body_text
    return match.group(1)


def test_signup_makes_an_unverified_account_and_mails_the_link(client):
    cluster = make_cluster("Portugal Fresh", country="PT")
    response = client.post("/signup", data=signup_data(organisation_cluster_id=str(cluster.id)))
    assert response.status_code == 302
    assert response.headers["Location"] == "/signup/check-your-mail"
    user = db.session.scalar(select(User))
    assert user.email == "ana.silva@example.org"  # stored lower-cased
    assert user.country == "PT" and user.role == "member"
    assert user.password_hash.startswith("scrypt:")
    assert user.organisation.name == "Quinta Verde"
    assert user.organisation.cluster_id == cluster.id
    assert user.organisation.kind == "sme"
    assert not user.is_verified
    assert client.get("/api/v1/me").status_code == 401  # not logged in before confirming
    page = client.get("/signup/check-your-mail").get_data(as_text=True)
    assert "Check your mail" in page and 'value="ana.silva@example.org"' in page
    [mail] = outbox()
    assert mail.recipient == "ana.silva@example.org"
    assert "Confirm your e-mail address" in mail.subject

    confirmed = client.get(verify_path(mail))
    assert confirmed.status_code == 302 and confirmed.headers["Location"] == "/"
    db.session.refresh(user)
    assert user.is_verified
    assert client.get("/api/v1/me").json["email"] == "ana.silva@example.org"


def test_signup_with_existing_organisation(client):
    organisation = make_organisation("INRAE")
    response = client.post(
        "/signup", data=signup_data(organisation=str(organisation.id), organisation_name="")
    )
    assert response.status_code == 302
    assert db.session.scalar(select(User)).organisation_id == organisation.id
    assert count(Organisation) == 1


@pytest.mark.parametrize(("target", "landing"), [("/profile", "/profile"), ("//evil.io", "/")])
def test_the_link_follows_a_safe_next_only(client, target, landing):
    client.post(f"/signup?next={target}", data=signup_data())
    assert client.get(verify_path(outbox()[0])).headers["Location"] == landing


@pytest.mark.parametrize(
    ("overrides", "field_message"),
    [
        ({"email": "not-an-address"}, "does not look like an e-mail"),
        ({"email": ""}, "This field is required"),
        ({"name": "  "}, "required"),
        ({"password": "short", "confirm": "short"}, "at least 10 characters"),
        ({"confirm": "something else"}, "The passwords differ"),
        ({"country": ""}, "Choose your country"),
        ({"country": "XX"}, "Not a valid choice"),
        ({"organisation": ""}, "Choose your organisation"),
        ({"organisation_name": ""}, "Type the name of your organisation"),
        ({"organisation_country": "XX"}, "Choose a country from the list"),
        ({"organisation_kind": "alien"}, "Choose a kind of organisation"),
        ({"organisation_cluster_id": "999"}, "This cluster does not exist"),
    ],
)
def test_signup_validation_errors_write_nothing(client, overrides, field_message):
    response = client.post("/signup", data=signup_data(**overrides))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert field_message in page
    assert "is-invalid" in page
    assert 'value="Ana Silva"' in page or overrides.get("name")  # what was typed stays
    assert count(User) == 0
    assert count(Organisation) == 0


def _signup_answer(client, email: str) -> tuple:
    response = client.post("/signup", data=signup_data(email=email))
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    page = page.replace(email.lower(), "ADDRESS")  # the page repeats the address typed
    return response.status_code, response.headers["Location"], page


def test_signup_with_a_known_address_answers_as_for_a_new_one(app):
    make_user("ana.silva@example.org", name="Ana")
    known = _signup_answer(app.test_client(), "ANA.SILVA@example.org")
    unknown = _signup_answer(app.test_client(), "new.person@example.org")
    assert known == unknown
    assert count(User) == 2  # the known address made nothing new
    assert count(Organisation) == 1  # only the new person's organisation
    note, link = outbox()
    assert note.recipient == "ana.silva@example.org"
    assert note.subject == "Someone tried to sign up with your address"
    assert "http://localhost/login" in note.body_text
    assert "http://localhost/forgot-password" in note.body_text
    assert "/verify-email/" not in note.body_text
    assert link.recipient == "new.person@example.org"


def test_signup_with_a_known_address_takes_as_long_as_with_a_new_one(app):
    """Both answers hash the password: the slow step must not tell them apart."""
    make_user("ana.silva@example.org")
    app.config["MAIL_DELIVER_INLINE"] = False
    runs = itertools.count()

    def sign_up(email: str) -> None:
        n = next(runs)
        data = signup_data(email=email.format(n=n), organisation_name=f"Farm {n}")
        assert app.test_client().post("/signup", data=data).status_code == 302

    known, unknown = fastest_of_each(
        lambda n: sign_up("ana.silva@example.org"), lambda n: sign_up("new{n}@example.org")
    )
    assert_alike(known, unknown)


def test_signup_with_a_known_address_and_bad_fields_shows_the_same_errors(client):
    make_user("ana.silva@example.org")
    known = client.post("/signup", data=signup_data(password="short", confirm="short"))
    unknown = client.post(
        "/signup", data=signup_data(email="new@example.org", password="short", confirm="short")
    )
    assert known.status_code == unknown.status_code == 200
    assert "at least 10 characters" in known.get_data(as_text=True)
    assert "already" not in known.get_data(as_text=True)
    assert outbox() == []


def test_signup_new_organisation_already_listed(client):
    make_organisation("Quinta Verde")
    response = client.post("/signup", data=signup_data(organisation_name="quinta verde"))
    assert "already in the list" in response.get_data(as_text=True)
    assert count(User) == 0
    assert count(Organisation) == 1


def test_logged_in_user_is_sent_to_profile(client):
    client.post("/signup", data=signup_data())
    client.get(verify_path(outbox()[0]))
    assert client.get("/signup").headers["Location"] == "/profile"
