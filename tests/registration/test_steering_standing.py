"""Steering-committee standing is granted by an organiser, never claimed by a member.

Tried as the issue's "self-made steering member" would: an organisation of a steering
cluster picked (or created at sign-up), the self-service category "steering", the closed
session chosen through the form, the API and the programme.
"""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from pic_events.accounts import services as accounts
from pic_events.accounts import standing
from pic_events.accounts.models import User
from pic_events.accounts.standing import has_steering_standing, may_attend_restricted
from pic_events.extensions import db
from pic_events.registration import services
from pic_events.registration.models import AuditLog, Registration, SessionChoice
from pic_events.registration.services import RegistrationChanges, RegistrationInput
from tests.factories import (
    PASSWORD,
    api_auth,
    login,
    make_cluster,
    make_event,
    make_organisation,
    make_organiser,
    make_programme_session,
    make_registration,
    make_user,
)
from tests.programme.helpers import paris

DAY = date(2027, 6, 15)
SELF_SERVICE = ["participant", "speaker", "steering"]


def _steering_org():
    return make_organisation(cluster=make_cluster(steering=True))


def _event(**kw):
    kw.setdefault("self_service_categories", SELF_SERVICE)
    return make_event(
        slug="pic-2027", starts_on=DAY, ends_on=date(2027, 6, 17), programme_published=True, **kw
    )


def _closed_session(event, **kw):
    return make_programme_session(
        event,
        paris(DAY, 14),
        paris(DAY, 15),
        title="Steering budget 2028",
        kind="steering",
        must_choose=True,
        restricted=True,
        **kw,
    )


def _open_session(event):
    return make_programme_session(
        event, paris(DAY, 9), paris(DAY, 10), title="Cider workshop", must_choose=True
    )


def _user(user_id: int) -> User:
    db.session.expire_all()
    return db.session.get(User, user_id)


# The one rule -----------------------------------------------------------------------------


def test_picking_a_steering_organisation_grants_nothing_an_organiser_does(app):
    member = make_user(organisation=_steering_org())
    organiser = make_organiser()
    assert not has_steering_standing(member) and not may_attend_restricted(member)
    standing.confirm_organisation(member, actor=organiser)
    assert has_steering_standing(_user(member.id))
    # Another organisation on the profile: the confirmation was for the old one.
    member = _user(member.id)
    accounts.update_profile(
        member, name=member.name, organisation_id=_steering_org().id, country=None, locale="en"
    )
    assert not has_steering_standing(_user(member.id))
    standing.mark_steering_member(_user(member.id), actor=organiser)
    assert has_steering_standing(_user(member.id))
    standing.unmark_steering_member(_user(member.id), actor=organiser)
    assert not has_steering_standing(_user(member.id))


def test_a_confirmed_organisation_outside_steering_clusters_grants_nothing(app):
    member = make_user(organisation=make_organisation(cluster=make_cluster(steering=False)))
    standing.confirm_organisation(member, actor=make_organiser())
    assert _user(member.id).organisation_confirmed_at is not None
    assert not has_steering_standing(_user(member.id))


def test_organisers_attend_restricted_sessions_without_standing(app):
    organiser = make_organiser()
    assert may_attend_restricted(organiser) and not has_steering_standing(organiser)


def test_an_organisation_created_at_sign_up_in_a_steering_cluster_grants_nothing(app):
    cluster = make_cluster(steering=True)
    with app.test_request_context():
        user = accounts.register_user(
            email="self.made@example.org",
            name="Self Made",
            password=PASSWORD,
            new_organisation={
                "name": "My own steering org",
                "country": "FR",
                "cluster_id": cluster.id,
            },
        )
    assert user.cluster.id == cluster.id
    assert not has_steering_standing(user) and not may_attend_restricted(user)


# The steering category goes to approval ---------------------------------------------------


def test_self_service_steering_category_without_standing_waits_for_approval(app):
    event = _event()  # no approval asked for anyone else
    claimer = make_user(organisation=_steering_org())
    data = RegistrationInput(consent=True, category="steering")
    assert services.register(event, claimer, data).status == "pending"
    participant = make_user(organisation=_steering_org())
    assert services.register(event, participant, RegistrationInput(consent=True)).status == (
        "confirmed"
    )
    marked = make_user(steering_member=True)
    assert services.register(event, marked, data).status == "confirmed"
    on_behalf = make_user(organisation=_steering_org())
    registration = services.register(event, on_behalf, data, actor=make_organiser())
    assert registration.status == "confirmed"


def test_a_member_cannot_switch_to_the_steering_category_by_themselves(app):
    event = _event()
    member = make_user(organisation=_steering_org())
    registration = services.register(event, member, RegistrationInput(consent=True))
    with pytest.raises(services.ServiceValidationError) as error:
        services.update_registration(
            registration, RegistrationChanges(category="steering"), actor=member
        )
    assert "organisers" in error.value.errors["category"][0]
    db.session.expire_all()
    assert db.session.get(Registration, registration.id).category == "participant"


def test_the_approval_page_says_why_and_grants_from_there(client):
    event = _event()
    claimer = make_user(name="Ana Claimer", organisation=_steering_org())
    registration = services.register(
        event, claimer, RegistrationInput(consent=True, category="steering")
    )
    organiser = make_organiser(name="Olga Organiser")
    login(client, organiser)
    url = f"/organiser/registrations/{registration.id}"
    page = client.get(url).get_data(as_text=True)
    assert 'id="approval-reason"' in page and "no organiser has confirmed it" in page
    assert f"{url}/standing/mark" in page and f"{url}/standing/confirm" in page

    response = client.post(f"{url}/standing/mark", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert has_steering_standing(_user(claimer.id))
    assert 'id="approval-reason"' not in page
    assert f"{url}/standing/unmark" in page
    entry = db.session.scalars(
        sa.select(AuditLog).where(
            AuditLog.registration_id == registration.id, AuditLog.action == "standing"
        )
    ).one()
    assert entry.actor_name == "Olga Organiser"
    assert entry.changes == {"steering_member": [False, True]}
    assert "Steering-committee standing" in page  # the history row

    client.post(f"{url}/standing/confirm")
    assert _user(claimer.id).organisation_confirmed_at is not None
    assert client.post(f"{url}/standing/promote").status_code == 404


def test_members_cannot_grant_standing(client):
    event = _event()
    member = make_user(organisation=_steering_org())
    registration = make_registration(event, member)
    login(client, member)
    url = f"/organiser/registrations/{registration.id}/standing/mark"
    assert client.post(url).status_code == 403
    url = f"/organiser/organisations/{member.organisation_id}/people/{member.id}/confirm"
    assert client.post(url).status_code == 403
    assert not has_steering_standing(_user(member.id))


def test_the_organisation_page_lists_its_people_with_a_confirm_button(client):
    organisation = _steering_org()
    member = make_user(name="Bea Member", organisation=organisation)
    stranger = make_user(name="Carl Elsewhere", organisation=make_organisation())
    event = _event()
    registration = make_registration(event, member)
    login(client, make_organiser())
    page_url = f"/organiser/organisations/{organisation.id}/edit"
    page = client.get(page_url).get_data(as_text=True)
    confirm = f"/organiser/organisations/{organisation.id}/people/{member.id}/confirm"
    assert f'id="person-{member.id}"' in page and confirm in page
    assert f'id="person-{stranger.id}"' not in page

    response = client.post(confirm)
    assert response.status_code == 302 and response.headers["Location"].endswith("#people")
    assert has_steering_standing(_user(member.id))
    page = client.get(page_url).get_data(as_text=True)
    assert confirm not in page
    assert f"/people/{member.id}/unconfirm" in page
    actions = db.session.scalars(
        sa.select(AuditLog.action).where(AuditLog.registration_id == registration.id)
    ).all()
    assert actions == ["standing"]
    # Someone of another organisation cannot be confirmed through this one.
    wrong = f"/organiser/organisations/{organisation.id}/people/{stranger.id}/confirm"
    assert client.post(wrong).status_code == 404
    assert _user(stranger.id).organisation_confirmed_at is None


def test_the_data_export_shows_the_standing(client):
    member = make_user(steering_member=True)
    login(client, member)
    account = client.get("/account/my-data.json").json["account"]
    assert account["steering_member_since"] and account["organisation_confirmed_at"] is None


# Restricted sessions: HTML form, API and programme alike ----------------------------------


def test_the_registration_form_hides_restricted_sessions_from_claimers(client):
    event = _event()
    closed, open_ = _closed_session(event), _open_session(event)
    claimer = make_user(organisation=_steering_org())  # several self-service categories
    login(client, claimer)
    page = client.get("/events/pic-2027/register").get_data(as_text=True)
    assert 'name="category"' in page and 'value="steering"' in page
    assert f'value="{open_.id}"' in page
    assert f'value="{closed.id}"' not in page and "Steering budget 2028" not in page
    response = client.post(
        "/events/pic-2027/register",
        data={"category": "steering", "session_ids": [str(closed.id)], "consent": "y"},
    )
    assert response.status_code == 200  # the form again, with the error
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 0

    marked = make_user(steering_member=True, organisation=_steering_org())
    login(client, marked)
    page = client.get("/events/pic-2027/register").get_data(as_text=True)
    assert f'value="{closed.id}"' in page


@pytest.mark.parametrize("hidden", [True, False])
def test_a_patch_with_a_restricted_session(client, hidden):
    event = _event(hide_restricted_sessions=hidden)
    closed = _closed_session(event)
    claimer = make_user(organisation=_steering_org())
    registration = make_registration(event, claimer, category="steering")
    api_auth(claimer, client)
    url = f"/api/v1/registrations/{registration.id}"
    restricted = client.patch(url, json={"session_ids": [closed.id]})
    unknown = client.patch(url, json={"session_ids": [closed.id + 1000]})
    if hidden:  # hidden and unknown look the same: status and message
        assert restricted.status_code == unknown.status_code == 422
        assert "Steering budget" not in restricted.get_data(as_text=True)
        assert restricted.json["errors"] == {
            "session_ids": [
                unknown.json["errors"]["session_ids"][0].replace(
                    str(closed.id + 1000), str(closed.id)
                )
            ]
        }
    else:  # shown to everyone as closed: it may say so (403, as choosing it answers)
        assert restricted.status_code == 403
        assert "reserved for the steering committee" in restricted.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SessionChoice)) == 0


def test_the_programme_choose_checks_standing_not_category(client):
    event = _event()
    closed = _closed_session(event)
    base = f"/api/v1/events/pic-2027/sessions/{closed.id}/choose"
    claimer = make_user(organisation=_steering_org())
    make_registration(event, claimer, category="steering")
    api_auth(claimer, client)
    refused = client.post(base)
    assert refused.status_code == 403
    marked = make_user(steering_member=True)
    make_registration(event, marked)
    api_auth(marked, client)
    assert client.post(base).status_code == 200
    organiser = make_organiser()
    make_registration(event, organiser)
    api_auth(organiser, client)
    assert client.post(base).status_code == 200
    chosen = db.session.scalars(
        sa.select(Registration.user_id)
        .join(SessionChoice, SessionChoice.registration_id == Registration.id)
        .where(SessionChoice.session_id == closed.id)
    ).all()
    assert sorted(chosen) == sorted([marked.id, organiser.id])


def test_the_programme_offers_choose_on_a_restricted_session_only_with_standing(client):
    event = _event(hide_restricted_sessions=False)
    closed = _closed_session(event)
    opened = _open_session(event)
    claimer = make_user(organisation=_steering_org())
    make_registration(event, claimer, category="steering")
    marked = make_user(steering_member=True)
    make_registration(event, marked)

    def choose_buttons(user) -> set[int]:
        login(client, user)
        page = client.get("/events/pic-2027/programme").get_data(as_text=True)
        return {s.id for s in (closed, opened) if f"/sessions/{s.id}/choose" in page}

    assert choose_buttons(claimer) == {opened.id}  # the closed session shown, not offered
    assert choose_buttons(marked) == {opened.id, closed.id}
