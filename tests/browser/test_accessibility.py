"""No serious or critical axe-core violation on the main pages, at desktop and phone widths.

The B2B catalogue, my meetings and the check-in desk join with one line each when they land:
    page.goto(f"/events/{DEMO}/..."); assert_accessible(page)
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import MEMBER_PASSWORD, ORGANISER
from tests.browser.helpers import assert_accessible, log_in

DEMO = "pic-2027"
WIDTHS = [pytest.param(1200, id="desktop"), pytest.param(360, id="phone")]


@pytest.mark.parametrize("width", WIDTHS)
def test_public_pages(new_page, base_url, width):
    page = new_page(width=width, height=740)
    for path in ["/", f"/events/{DEMO}", f"/events/{DEMO}/programme", "/login", "/signup"]:
        page.goto(path)
        assert_accessible(page)


@pytest.mark.parametrize("width", WIDTHS)
def test_member_pages(new_page, base_url, width):
    page = new_page(width=width, height=740)
    log_in(page, base_url, "member07@pic.example", MEMBER_PASSWORD)
    for path in [
        f"/events/{DEMO}/programme",
        f"/events/{DEMO}/registration",
        f"/events/{DEMO}/registration/edit",
        f"/events/{DEMO}/my-agenda",
        "/my/registrations",
        "/profile",
    ]:
        page.goto(path)
        assert_accessible(page)


def test_organiser_pages(new_page, base_url):
    page = new_page()
    log_in(page, base_url, *ORGANISER)
    for path in [
        "/organiser/events",
        f"/organiser/events/{DEMO}/registrations",
        f"/organiser/events/{DEMO}/programme",
        f"/organiser/events/{DEMO}/questions",
        f"/organiser/events/{DEMO}/registration-settings",
        "/organiser/events/new",
    ]:
        page.goto(path)
        assert_accessible(page)


def test_a_form_with_errors_ties_them_to_their_fields(page, base_url):
    page.goto("/signup")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    invalid = page.locator("input.is-invalid, select.is-invalid, textarea.is-invalid")
    assert invalid.count() > 0
    for i in range(invalid.count()):
        field = invalid.nth(i)
        assert field.get_attribute("aria-invalid") == "true"
        described = (field.get_attribute("aria-describedby") or "").split()
        texts = [page.locator(f"#{ident}").inner_text() for ident in described]
        assert any(text.strip() for text in texts), f"{field.get_attribute('name')}: no error tied"
    assert_accessible(page)
