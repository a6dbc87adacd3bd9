"""Accounts made by an organiser, the CLI or the demo seed count as verified; the on-behalf
registration goes through the account rules (one account per address, whatever its case)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from pic_events.accounts import services
from pic_events.accounts.models import User
from pic_events.core.validation import ServiceValidationError
from pic_events.demo import seed_demo
from pic_events.extensions import db
from pic_events.registration.models import Registration
from tests.factories import login, make_event, make_organisation, make_organiser, make_user


def _users() -> list[User]:
    return list(db.session.scalars(sa.select(User).order_by(User.id)))


def test_create_user_makes_a_verified_account(app):
    result = app.test_cli_runner().invoke(
        args=["create-user", "Zoe@Example.org", "--name", "Zoé"], input="a strong password\n"
    )
    assert result.exit_code == 0, result.output
    assert db.session.scalar(sa.select(User)).is_verified


def test_the_demo_accounts_are_verified(app):
    seed_demo()
    assert all(user.is_verified for user in _users())


def test_account_for_person_makes_a_verified_account_without_password(app):
    organisation = make_organisation()
    user = services.account_for_person(" Zoe.Durand@Example.org ", " Zoé ", str(organisation.id))
    db.session.commit()
    assert (user.email, user.name, user.organisation_id) == (
        "zoe.durand@example.org",
        "Zoé",
        organisation.id,
    )
    assert user.is_verified
    assert user.password_hash == "" and services.authenticate(user.email, "") is None


def test_account_for_person_finds_the_account_whatever_the_case(app):
    existing = make_user("zoe@example.org", verified=False)
    assert services.account_for_person("ZOE@example.org", "Someone Else", None) == existing
    assert not existing.is_verified  # an organiser finding it does not confirm the address
    assert len(_users()) == 1


@pytest.mark.parametrize(
    ("email", "name", "field"),
    [
        ("not an address", "Zoé", "email"),
        ("", "Zoé", "email"),
        ("zoe@example.org", "", "name"),
        ("zoe@example.org", "x" * 201, "name"),
    ],
)
def test_account_for_person_refuses_what_sign_up_refuses(app, email, name, field):
    with pytest.raises(ServiceValidationError) as error:
        services.account_for_person(email, name, None)
    assert field in error.value.errors
    assert _users() == []


def test_the_on_behalf_page_makes_a_verified_account_and_reuses_it_whatever_the_case(client):
    make_event(slug="pic-2027")
    make_event(slug="pic-2028")
    login(client, make_organiser())
    for slug, email in (
        ("pic-2027", "Zoe.Durand@example.org"),
        ("pic-2028", "ZOE.DURAND@EXAMPLE.ORG"),
    ):
        response = client.post(
            f"/organiser/events/{slug}/registrations/new",
            data={"email": email, "name": "Zoé Durand", "consent": "y"},
        )
        assert response.status_code == 302, response.text
    zoe = db.session.scalar(sa.select(User).where(User.email == "zoe.durand@example.org"))
    assert zoe.is_verified and zoe.password_hash == ""
    registrations = db.session.scalars(sa.select(Registration)).all()
    assert [r.user_id for r in registrations] == [zoe.id, zoe.id]


def test_the_on_behalf_page_shows_a_bad_address_next_to_the_field(client):
    make_event(slug="pic-2027")
    login(client, make_organiser())
    response = client.post(
        "/organiser/events/pic-2027/registrations/new",
        data={"email": "zoe@", "name": "Zoé Durand", "consent": "y"},
    )
    assert response.status_code == 200
    assert "is-invalid" in response.text and 'value="Zoé Durand"' in response.text
    assert len(_users()) == 1  # the organiser only
