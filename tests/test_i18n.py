"""Languages: the profile's, else the one chosen in the navigation, else the browser's; mails
in the recipient's language; dates, times and API error titles in the reader's language."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from pic_events.accounts.models import User
from pic_events.extensions import db
from pic_events.notifications.models import OutboxMessage
from tests.accounts.test_signup import signup_data
from tests.factories import login, make_event, make_programme_session, make_user

FRENCH = {"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"}
ENGLISH = {"Accept-Language": "en-GB,en;q=0.9"}


def _page(client, path="/", **kw) -> str:
    response = client.get(path, **kw)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_browser_language_is_used_for_visitors(client):
    french = _page(client, headers=FRENCH)
    assert '<html lang="fr">' in french and "Rencontres à venir" in french
    english = _page(client, headers=ENGLISH)
    assert '<html lang="en">' in english and "Upcoming meetings" in english
    # Unknown languages fall back to English.
    assert "Upcoming meetings" in _page(client, headers={"Accept-Language": "de"})


def test_a_visitor_switches_language_in_the_navigation(client):
    page = _page(client, "/", headers=ENGLISH)
    assert 'name="locale" value="fr"' in page and 'lang="fr">Français' in page
    response = client.post("/language", data={"locale": "fr", "next": "/?page=1"})
    assert response.status_code == 302 and response.headers["Location"] == "/?page=1"
    page = _page(client, "/", headers=ENGLISH)  # the choice beats the browser's language
    assert "Rencontres à venir" in page and 'name="locale" value="en"' in page
    client.post("/language", data={"locale": "en"})
    assert "Upcoming meetings" in _page(client, "/", headers=FRENCH)


def test_the_switch_refuses_unknown_languages_and_foreign_next_addresses(client):
    response = client.post("/language", data={"locale": "xx", "next": "//evil.example/"})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "Upcoming meetings" in _page(client, "/", headers=ENGLISH)


def test_a_member_switch_is_kept_in_the_profile(app, client):
    user = make_user()
    login(client, user)
    assert "Upcoming meetings" in _page(client, "/", headers=ENGLISH)
    client.post("/language", data={"locale": "fr", "next": "/"})
    assert db.session.get(User, user.id).locale == "fr"
    fresh = app.test_client()  # another device: the profile speaks, not the browser
    login(fresh, user)
    assert "Rencontres à venir" in _page(fresh, "/", headers=ENGLISH)


def test_signup_keeps_the_language_chosen_before(client):
    client.post("/language", data={"locale": "fr"})
    response = client.post("/signup", data=signup_data(email="zoe@example.org"), headers=ENGLISH)
    assert response.status_code == 302
    user = db.session.scalar(sa.select(User).where(User.email == "zoe@example.org"))
    assert user.locale == "fr"
    mail = db.session.scalars(sa.select(OutboxMessage)).one()
    assert mail.subject == "Confirmez votre adresse e-mail pour PIC Meetings"


def test_mails_speak_the_recipients_language_not_the_requesters(client):
    make_user("marie@example.org", name="Marie").locale = "fr"
    db.session.commit()
    client.post("/forgot-password", data={"email": "marie@example.org"}, headers=ENGLISH)
    mail = db.session.scalars(sa.select(OutboxMessage)).one()
    assert mail.subject == "Réinitialisez votre mot de passe PIC Meetings"
    assert mail.body_text.startswith("Bonjour Marie,")


def test_dates_and_times_follow_the_language_and_name_the_zone(client):
    event = make_event(timezone="Europe/Paris", programme_published=True)
    start = datetime(2027, 10, 5, 9, 30, tzinfo=ZoneInfo("Europe/Paris"))
    make_programme_session(event, start, start.replace(hour=11), title="Opening")
    english = _page(client, f"/events/{event.slug}/programme", headers=ENGLISH)
    french = _page(client, f"/events/{event.slug}/programme", headers=FRENCH)
    assert "09:30" in english and "09:30" in french
    assert "Tuesday" in english and "mardi" in french
    assert "Europe/Paris (CEST)" in english and "Europe/Paris (CEST)" in french


def test_api_error_titles_are_translated(client):
    english = client.get("/api/v1/events/nope", headers=ENGLISH)
    french = client.get("/api/v1/events/nope", headers=FRENCH)
    assert english.status_code == french.status_code == 404
    assert english.json["title"] == "Not Found"
    assert french.json["title"] == "Introuvable"
    assert french.json["detail"] == "Aucun événement n'a cette adresse."


def test_a_members_switch_needs_the_csrf_token_a_visitors_does_not(app, client):
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post("/language", data={"locale": "fr"}).status_code == 302  # visitor
    user = make_user()
    login(client, user)
    assert client.post("/language", data={"locale": "en"}).status_code == 400
    assert db.session.get(User, user.id).locale == "en"
    page = _page(client, "/", headers=ENGLISH)
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    client.post("/language", data={"locale": "fr", "csrf_token": token})
    assert db.session.get(User, user.id).locale == "fr"


def test_numbers_follow_the_language(app):
    from flask_babel import force_locale

    from pic_events.core.templating import number

    with app.test_request_context():
        with force_locale("en"):
            assert number(1250.5) == "1,250.5"
        with force_locale("fr"):
            assert number(1250.5) == "1\u202f250,5"


def test_registration_mails_speak_the_members_language(client):
    from tests.factories import api_auth

    event = make_event(title="PIC 2027")
    member = make_user(name="Luc")
    member.locale = "fr"
    db.session.commit()
    response = client.post(
        f"/api/v1/events/{event.slug}/registrations",
        json={"answers": {}, "consent": True},
        headers={**api_auth(member), **ENGLISH},
    )
    assert response.status_code == 201, response.json
    mail = db.session.scalars(sa.select(OutboxMessage)).one()
    assert mail.subject == "Inscription confirmée\u00a0: PIC 2027"
