import pytest

from pic_events.accounts import services
from pic_events.accounts.views import safe_next
from tests.factories import PASSWORD, make_user


def test_login_page_links_to_signup_and_forgot_password(client):
    page = client.get("/login").get_data(as_text=True)
    assert 'href="/signup"' in page
    assert 'href="/forgot-password"' in page


def test_login_and_logout(client):
    make_user("eva@example.org", name="Eva")
    response = client.post(
        "/login?next=/profile", data={"email": " EVA@example.org ", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/profile"
    assert client.get("/profile").status_code == 200
    response = client.post("/logout", follow_redirects=True)
    assert "You are logged out" in response.get_data(as_text=True)
    assert client.get("/profile").status_code == 302


def test_logout_needs_post(client):
    assert client.get("/logout").status_code == 405


@pytest.mark.parametrize("email", ["eva@example.org", "nobody@example.org"])
def test_wrong_password_or_unknown_email_same_message(client, email):
    make_user("eva@example.org")
    response = client.post("/login", data={"email": email, "password": "wrong password"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Wrong e-mail or password" in page
    assert f'value="{email}"' in page  # the e-mail typed stays
    assert client.get("/profile").status_code == 302


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/x",
        "/\\evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
        "http:/evil.example",
        "",
        None,
    ],
)
def test_next_refuses_other_sites(target):
    assert safe_next(target) is None


def test_next_keeps_local_paths():
    assert safe_next("/events/pic-2027?tab=b2b") == "/events/pic-2027?tab=b2b"


def test_open_redirect_refused_on_login(client):
    make_user("eva@example.org")
    response = client.post(
        "/login?next=//evil.example/", data={"email": "eva@example.org", "password": PASSWORD}
    )
    assert response.headers["Location"] == "/"


def test_authenticate_service(app):
    user = make_user("Mixed@Example.org".lower())
    assert services.authenticate("MIXED@example.org", PASSWORD) == user
    assert services.authenticate("mixed@example.org", "nope") is None
    assert services.authenticate("ghost@example.org", PASSWORD) is None
