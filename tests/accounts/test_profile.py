from pic_events.accounts import services
from pic_events.extensions import db
from tests.factories import PASSWORD, login, make_organisation, make_user


def test_profile_needs_login(client):
    response = client.get("/profile")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_profile_shows_details_and_links_to_privacy(client):
    user = make_user("eva@example.org", name="Eva Green")
    login(client, user)
    page = client.get("/profile").get_data(as_text=True)
    assert 'value="Eva Green"' in page  # in the form: the navigation bar names everyone
    assert 'href="/account/privacy"' in page


def test_profile_update(client):
    organisation = make_organisation("Vivescia")
    user = make_user("eva@example.org", name="Eva")
    login(client, user)
    response = client.post(
        "/profile",
        data={
            "profile-name": "Eva Martin",
            "profile-organisation_id": str(organisation.id),
            "profile-country": "BE",
            "profile-locale": "fr",
        },
    )
    assert response.status_code == 302
    db.session.refresh(user)
    assert (user.name, user.organisation_id, user.country, user.locale) == (
        "Eva Martin",
        organisation.id,
        "BE",
        "fr",
    )
    # The preferred language is the one the pages speak now.
    assert '<html lang="fr">' in client.get("/profile").get_data(as_text=True)


def test_profile_update_rejects_bad_input(client):
    user = make_user("eva@example.org", name="Eva")
    login(client, user)
    response = client.post(
        "/profile",
        data={"profile-name": "", "profile-country": "FR", "profile-locale": "xx"},
    )
    page = response.get_data(as_text=True)
    assert "is-invalid" in page
    db.session.refresh(user)
    assert user.name == "Eva" and user.locale == "en"


def test_change_password(client):
    user = make_user("eva@example.org")
    login(client, user)
    wrong = client.post(
        "/profile/password",
        data={
            "password-current_password": "not it",
            "password-new_password": "a new password",
            "password-confirm": "a new password",
        },
    )
    assert wrong.status_code == 400
    assert "not your current password" in wrong.get_data(as_text=True)
    ok = client.post(
        "/profile/password",
        data={
            "password-current_password": PASSWORD,
            "password-new_password": "a new password",
            "password-confirm": "a new password",
        },
    )
    assert ok.status_code == 302
    assert services.authenticate("eva@example.org", "a new password") == user
    assert services.authenticate("eva@example.org", PASSWORD) is None


def test_change_password_too_short(client):
    user = make_user("eva@example.org")
    login(client, user)
    response = client.post(
        "/profile/password",
        data={
            "password-current_password": PASSWORD,
            "password-new_password": "short",
            "password-confirm": "short",
        },
    )
    assert "at least 10 characters" in response.get_data(as_text=True)
    assert services.authenticate("eva@example.org", PASSWORD) == user


def test_changing_the_password_ends_the_other_sessions_only(app):
    user = make_user("eva@example.org")
    here, elsewhere = app.test_client(), app.test_client()
    login(here, user)
    login(elsewhere, user)
    changed = here.post(
        "/profile/password",
        data={
            "password-current_password": PASSWORD,
            "password-new_password": "a new password",
            "password-confirm": "a new password",
        },
    )
    assert changed.status_code == 302
    assert here.get("/profile").status_code == 200
    assert "/login" in elsewhere.get("/profile").headers["Location"]


def test_a_password_reset_ends_every_session(app):
    user = make_user("eva@example.org")
    browser = app.test_client()
    login(browser, user)
    services.reset_password(services.make_password_reset_token(user), "a brand new password")
    assert "/login" in browser.get("/profile").headers["Location"]
