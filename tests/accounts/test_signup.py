import pytest
from sqlalchemy import func, select

from pic_events.accounts.models import User
from pic_events.directory.models import Organisation
from pic_events.extensions import db
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


def test_signup_with_new_organisation_logs_in(client):
    cluster = make_cluster("Portugal Fresh", country="PT")
    response = client.post("/signup", data=signup_data(organisation_cluster_id=str(cluster.id)))
    assert response.status_code == 302
    user = db.session.scalar(select(User))
    assert user.email == "ana.silva@example.org"  # stored lower-cased
    assert user.country == "PT" and user.role == "member"
    assert user.password_hash.startswith("scrypt:")
    assert user.organisation.name == "Quinta Verde"
    assert user.organisation.cluster_id == cluster.id
    assert user.organisation.kind == "sme"
    me = client.get("/api/v1/me")
    assert me.json["email"] == "ana.silva@example.org"


def test_signup_with_existing_organisation(client):
    organisation = make_organisation("INRAE")
    response = client.post(
        "/signup", data=signup_data(organisation=str(organisation.id), organisation_name="")
    )
    assert response.status_code == 302
    assert db.session.scalar(select(User)).organisation_id == organisation.id
    assert count(Organisation) == 1


def test_signup_follows_safe_next_only(client):
    response = client.post("/signup?next=/profile", data=signup_data())
    assert response.headers["Location"] == "/profile"


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


def test_signup_duplicate_email_is_case_insensitive(client):
    make_user("ana.silva@example.org")
    response = client.post("/signup", data=signup_data(email="ANA.SILVA@example.org"))
    assert "already uses this e-mail address" in response.get_data(as_text=True)
    assert count(User) == 1
    assert count(Organisation) == 0


def test_signup_new_organisation_already_listed(client):
    make_organisation("Quinta Verde")
    response = client.post("/signup", data=signup_data(organisation_name="quinta verde"))
    assert "already in the list" in response.get_data(as_text=True)
    assert count(User) == 0
    assert count(Organisation) == 1


def test_logged_in_user_is_sent_to_profile(client):
    client.post("/signup", data=signup_data())
    assert client.get("/signup").headers["Location"] == "/profile"
