"""The app in a real browser (headless Chromium, see conftest.py), as people use it: an
organiser sets up a meeting and handles a registration; a new member signs up, registers for
the demo meeting and builds an agenda, on a desktop in English and on a phone in French; and
no serious or critical axe-core violation on the main pages.

One module, so that `make test` (xdist --dist loadfile) runs one Chromium at a time.
"""

from __future__ import annotations

import io
import itertools
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from tests.browser.conftest import MEMBER_PASSWORD, ORGANISER, skip_reason
from tests.browser.helpers import (
    assert_accessible,
    assert_fits_the_screen,
    first_link,
    last_mail_to,
    log_in,
)

if skip_reason():
    pytest.skip(skip_reason(), allow_module_level=True)

from playwright.sync_api import expect  # noqa: E402

DEMO = "pic-2027"
_numbers = itertools.count(1)


def test_an_organiser_sets_up_a_meeting_and_approves_a_registration(new_page, base_url, live_app):
    slug = f"pic-test-{next(_numbers)}"
    organiser = new_page()
    log_in(organiser, base_url, *ORGANISER)

    # The event, with approval required.
    organiser.goto("/organiser/events/new")
    organiser.get_by_label("Title", exact=True).fill("PIC Autumn Workshop")
    organiser.get_by_label("Address (slug)", exact=True).fill(slug)
    organiser.get_by_label("City", exact=True).fill("Angers")
    organiser.get_by_label("First day", exact=True).fill("2027-09-14")
    organiser.get_by_label("Last day", exact=True).fill("2027-09-15")
    organiser.get_by_label("Registration opens", exact=True).fill("2026-11-01T09:00")
    organiser.get_by_label("Registration closes", exact=True).fill("2027-09-01T18:00")
    organiser.get_by_label("Capacity", exact=True).fill("40")
    organiser.get_by_label("Registrations need an organiser's approval", exact=True).check()
    organiser.locator("main form button[type=submit]").last.click()
    expect(organiser.locator(".alert-success")).to_contain_text("created as a draft")

    # A registration question.
    organiser.goto(f"/organiser/events/{slug}/questions/new")
    organiser.get_by_label("Question", exact=True).fill("Which sector do you work in?")
    organiser.get_by_label("An answer is required", exact=True).check()
    organiser.locator("main form button[type=submit]").last.click()
    expect(organiser.locator(".alert-success")).to_contain_text("Question saved")

    # A workshop, then the programme and the event published.
    organiser.goto(f"/organiser/events/{slug}/sessions/new")
    organiser.get_by_label("Kind", exact=True).select_option(label="Workshop")
    organiser.get_by_label("Title", exact=True).fill("Biocontrol partners")
    organiser.get_by_label("Starts", exact=True).fill("14:00")
    organiser.get_by_label("Ends", exact=True).fill("15:30")
    organiser.get_by_label("Places", exact=True).fill("20")
    organiser.get_by_label("Attendees choose it (workshops, visits)", exact=True).check()
    organiser.locator("main form button[type=submit]").last.click()
    expect(organiser.locator(".alert-success")).to_contain_text("Biocontrol partners")
    organiser.get_by_role("button", name="Publish the programme").click()
    expect(organiser.locator(".alert-success")).to_contain_text("programme is published")
    organiser.goto(f"/events/{slug}")
    organiser.get_by_role("button", name="Publish", exact=True).click()
    expect(organiser.locator(".alert-success")).to_contain_text("The event is published")

    # A member registers.
    member = new_page()
    log_in(member, base_url, "member42@pic.example", MEMBER_PASSWORD)
    member.goto(f"/events/{slug}/register")
    member.get_by_label("Which sector do you work in?").fill("Seeds")
    member.get_by_label("Biocontrol partners").check()
    member.get_by_label("I agree to the privacy notice above").check()
    member.locator("main form button[type=submit]").first.click()
    expect(member.locator(".alert").first).to_contain_text("The organisers will confirm it")

    # The organiser sees it arrive, approves it, exports the list.
    organiser.goto(f"/organiser/events/{slug}/registrations")
    assert_accessible(organiser)
    rows = organiser.locator("table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Pending approval")
    rows.first.locator("a").first.click()
    organiser.get_by_role("button", name="Approve").click()
    expect(organiser.locator(".alert-success")).to_contain_text("Confirmed")
    assert last_mail_to(live_app, "member42@pic.example").subject.startswith(
        "Registration approved"
    )
    organiser.goto(f"/organiser/events/{slug}/registrations")
    with organiser.expect_download() as download:
        organiser.get_by_role("link", name="Export Excel").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
    rows = [[str(cell or "") for cell in row] for row in sheet.iter_rows(values_only=True)]
    assert len(rows) == 2 and "Seeds" in rows[1]
    assert rows[1][rows[0].index("Status")] == "Confirmed"

    # The badges: one A6 page for the one confirmed participant, with their name.
    organiser.goto(f"/events/{slug}")
    organiser.get_by_role("link", name="Badges", exact=True).click()
    assert_accessible(organiser)
    organiser.get_by_label("A6, one badge per page").check()
    # A badge job (made in the request without Redis), which answers with its file.
    with organiser.expect_response(re.compile(r"/badges/jobs/\d+/file")) as badges:
        organiser.get_by_role("button", name="Print badges (PDF)").click()
    assert badges.value.headers["content-type"] == "application/pdf"
    assert "badges-a6" in badges.value.headers["content-disposition"]
    # Chromium shows it in its viewer: fetch the same address for the file itself.
    pdf = organiser.request.get(badges.value.url).body()
    assert pdf[:4] == b"%PDF"
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    assert "PIC Autumn Workshop" in reader.pages[0].extract_text()
    assert "Kowalczyk" in reader.pages[0].extract_text()  # member42, Mette Kowalczyk
    organiser.goto(f"/organiser/events/{slug}/badges")
    expect(organiser.locator("main")).to_contain_text("1 of 1")  # now counted as printed


def _member_journey(page, live_app, *, french: bool) -> None:
    """Sign up, confirm the address from the mail, register for the demo meeting with a
    workshop, pick a site visit on the programme, see both on My agenda."""
    t = FRENCH if french else ENGLISH
    email = f"journey{next(_numbers)}.{'fr' if french else 'en'}@example.org"
    page.goto("/signup")
    expect(page.locator("h1")).to_have_text(t["signup"])
    assert_accessible(page)
    assert_fits_the_screen(page)
    page.locator("input[name=name]").fill("Ana Ribeiro")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill("a long enough password")
    page.locator("input[name=confirm]").fill("a long enough password")
    page.locator("select[name=country]").select_option("PT")
    page.locator("select[name=organisation]").select_option("new")
    page.locator("input[name=organisation_name]").fill(f"Quinta {email}")
    page.locator("select[name=organisation_kind]").select_option(index=1)
    page.locator("select[name=organisation_country]").select_option("PT")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("h1")).to_have_text(t["check_mail"])

    mail = last_mail_to(live_app, email)
    assert mail.subject == t["mail_subject"]  # the mail speaks the language chosen
    page.goto(first_link(mail.body_text))
    expect(page.locator(".alert-success")).to_contain_text(t["confirmed"])

    page.goto(f"/events/{DEMO}/register")
    assert_accessible(page)
    assert_fits_the_screen(page)
    page.get_by_role("group", name=t["dinner"]).get_by_label(t["yes"], exact=True).check()
    page.get_by_label("Horizon Europe: building a winning consortium").check()
    page.get_by_label(t["consent"]).check()
    page.locator("main form button[type=submit]").first.click()
    expect(page.locator(".alert").first).to_contain_text(t["registered"])

    page.goto(f"/events/{DEMO}/programme")
    assert_accessible(page)
    assert_fits_the_screen(page)
    visit = "Site visit: Terre des Sciences"
    page.get_by_role("button", name=re.compile(f"^{t['choose']} {re.escape(visit)}$")).filter(
        visible=True
    ).first.click()
    expect(page.locator(".alert").first).to_contain_text(visit)

    page.goto(f"/events/{DEMO}/my-agenda")
    expect(page.locator("h1")).to_contain_text(t["my_agenda"])
    agenda = page.locator("main")
    expect(agenda).to_contain_text("Horizon Europe: building a winning consortium")
    expect(agenda).to_contain_text(visit)
    expect(agenda).to_contain_text("Europe/Paris")
    assert_accessible(page)
    assert_fits_the_screen(page)


def _b2b_journey(page, new_page, base_url, *, other: tuple[str, str, str]) -> None:
    """The member of _member_journey writes a matchmaking profile, finds `other` (e-mail,
    name, the name typed without accents) in the catalogue, asks them for a meeting at a
    proposed time; they accept it in their own browser; both have it on My agenda at the
    same table; the member downloads its .ics and the agenda PDF."""
    other_email, other_name, typed = other
    page.goto(f"/events/{DEMO}/b2b/profile")
    assert_accessible(page)
    assert_fits_the_screen(page)
    page.locator("textarea[name=summary]").fill("A family pear orchard in the Oeste region.")
    page.locator("textarea[name=offers]").fill("Rocha pear orchards for field trials.")
    page.locator("textarea[name=seeks]").fill("Biocontrol partners for a Horizon Europe project.")
    page.locator("textarea[name=keywords]").fill("pear, biocontrol, orchards")
    page.locator("input[name=sectors]").first.check()
    page.locator("input[name=listed]").check()
    page.locator("main form button[type=submit]").last.click()
    expect(page.locator(".alert-success")).to_be_visible()

    # The catalogue finds "Zsófia Sæther" from "zsofia saether".
    page.goto(f"/events/{DEMO}/b2b/participants")
    assert_accessible(page)
    assert_fits_the_screen(page)
    page.locator("input#q").fill(typed)
    page.locator("form[role=search] button[type=submit]").click()
    cards = page.locator("main article.card")
    expect(cards).to_have_count(1)
    cards.first.get_by_role("link", name=other_name).click()
    page.locator("main a[href*='/b2b/request/']").filter(visible=True).first.click()

    # The request, with the first time both have free.
    assert_accessible(page)
    assert_fits_the_screen(page)
    slot = page.locator("select[name=slot_id]")
    slot.select_option(index=1)
    proposed = slot.locator("option:checked").inner_text().strip()
    proposed_id = slot.input_value()
    page.locator("textarea[name=message]").fill("Shall we talk about biocontrol trials?")
    page.locator("main form button[type=submit]").first.click()
    expect(page.locator(".alert-success")).to_contain_text(other_name)

    # The other member accepts it, in a browser of their own.
    them = new_page()
    log_in(them, base_url, other_email, MEMBER_PASSWORD)
    them.goto(f"/events/{DEMO}/b2b/meetings")
    request = them.locator("[id^=request-]").filter(has_text="Ana Ribeiro")
    expect(request).to_have_count(1)
    expect(request.locator("select[name=slot_id]")).to_have_value(proposed_id)  # chosen for them
    assert_accessible(them)
    request.locator("button[type=submit]").first.click()
    booked = them.locator(".alert-success")
    expect(booked).to_contain_text("Ana Ribeiro")
    table = re.search(r"T\d+", booked.inner_text()).group(0)

    # Both have it on My agenda, at the same table.
    for who in (them, page):
        who.goto(f"/events/{DEMO}/my-agenda")
        entry = who.locator(".agenda-b2b_meeting")
        expect(entry).to_have_count(1)
        expect(entry).to_contain_text(re.compile(rf"\b{table}\b"))
    expect(them.locator(".agenda-b2b_meeting")).to_contain_text("Ana Ribeiro")
    expect(page.locator(".agenda-b2b_meeting")).to_contain_text(other_name)
    assert_accessible(page)
    assert_fits_the_screen(page)

    # The meeting's .ics from My meetings, and the agenda as a PDF.
    page.goto(f"/events/{DEMO}/b2b/meetings")
    assert_accessible(page)
    assert_fits_the_screen(page)
    with page.expect_download() as download:
        page.locator("[id^=meeting-] a[href$='.ics']").first.click()
    calendar = icalendar.Calendar.from_ical(Path(download.value.path()).read_bytes())
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 1
    assert table in str(events[0].get("LOCATION", "")) + str(events[0].get("DESCRIPTION", ""))
    assert other_name in str(events[0]["SUMMARY"]) + str(events[0].get("DESCRIPTION", ""))
    starts = events[0].decoded("DTSTART")
    assert starts.astimezone(ZoneInfo("Europe/Paris")).strftime("%H:%M") in proposed
    response = page.request.get(f"/events/{DEMO}/my-agenda.pdf")
    assert response.ok and response.headers["content-type"] == "application/pdf"
    assert response.body()[:4] == b"%PDF"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.body())).pages)
    assert table in text and "Horizon Europe: building a winning consortium" in text


ENGLISH = {
    "signup": "Create your account",
    "check_mail": "Check your mail",
    "mail_subject": "Confirm your e-mail address for PIC Meetings",
    "confirmed": "Your e-mail address is confirmed",
    "dinner": "Will you attend the dinner?",
    "yes": "Yes",
    "consent": "I agree to the privacy notice above",
    "registered": "You are registered",
    "choose": "Choose",
    "my_agenda": "My agenda",
}
FRENCH = {
    "signup": "Créez votre compte",
    "check_mail": "Consultez vos courriels",
    "mail_subject": "Confirmez votre adresse e-mail pour PIC Meetings",
    "confirmed": "Votre adresse e-mail est confirmée",
    "dinner": "Will you attend the dinner?",  # the organisers' own words, not translated
    "yes": "Oui",
    "consent": "J'accepte la politique de confidentialité ci-dessus",
    "registered": "Vous êtes inscrit",
    "choose": "Choisir",
    "my_agenda": "Mon agenda",
}


def test_a_new_member_signs_up_registers_builds_an_agenda_and_books_a_meeting(
    new_page, live_app, base_url
):
    page = new_page()
    _member_journey(page, live_app, french=False)
    _b2b_journey(
        page, new_page, base_url, other=("member02@pic.example", "Zsófia Sæther", "zsofia saether")
    )


def test_the_same_journey_on_a_phone_in_french(new_page, live_app, base_url):
    """A Portuguese browser (a language the site does not offer: English), switched to French
    in the phone's collapsed menu before signing up."""
    page = new_page(width=360, height=740, locale="pt-PT")
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("button", name="Menu").click()
    page.get_by_role("button", name=re.compile("Français")).click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    _member_journey(page, live_app, french=True)
    _b2b_journey(
        page, new_page, base_url, other=("member05@pic.example", "Gökhan Horváth", "gokhan horvath")
    )
    # Phone-first: nothing wider than the screen, tap targets about 44 px high.
    page.goto(f"/events/{DEMO}/programme")
    assert_fits_the_screen(page)
    button = page.get_by_role("button", name=re.compile("^Choisir ")).filter(visible=True).first
    assert button.bounding_box()["height"] >= 40


# The journeys above scan the sign-up, registration, programme, My agenda, matchmaking and
# organiser dashboard pages on their way (desktop in English, phone in French); these scan
# the rest, one line each.


@pytest.mark.parametrize("width", [pytest.param(1200, id="desktop"), pytest.param(360, id="phone")])
def test_public_pages_are_accessible(new_page, width):
    page = new_page(width=width, height=740)
    for path in ["/", f"/events/{DEMO}", f"/events/{DEMO}/programme", "/login"]:
        page.goto(path)
        assert_accessible(page)
        assert_fits_the_screen(page)


def test_member_pages_are_accessible(new_page, base_url):
    page = new_page(width=360, height=740)
    log_in(page, base_url, "member07@pic.example", MEMBER_PASSWORD)
    for path in [
        f"/events/{DEMO}/programme",
        f"/events/{DEMO}/registration",
        f"/events/{DEMO}/registration/edit",
        f"/events/{DEMO}/my-agenda",
        "/my/registrations",
        "/profile",
        f"/events/{DEMO}/b2b/participants",
        f"/events/{DEMO}/b2b/recommendations",
        f"/events/{DEMO}/b2b/profile",
        f"/events/{DEMO}/b2b/meetings",
        f"/events/{DEMO}/b2b/availability",
        f"/events/{DEMO}/ideas",
    ]:
        page.goto(path)
        assert_accessible(page)
        assert_fits_the_screen(page)
    # A participant's page and the request form, from the catalogue.
    page.goto(f"/events/{DEMO}/b2b/participants")
    page.locator("main article.card h2 a").last.click()
    assert_accessible(page)
    assert_fits_the_screen(page)
    page.locator("main a[href*='/b2b/request/']").filter(visible=True).first.click()
    expect(page.locator("form select[name=slot_id]")).to_be_visible()
    assert_accessible(page)
    assert_fits_the_screen(page)
    page.locator("main form button[type=submit]").first.click()  # no time chosen: errors
    assert_accessible(page)
    # A project idea.
    page.goto(f"/events/{DEMO}/ideas")
    page.locator("main a[href*='/ideas/']").filter(visible=True).first.click()
    assert_accessible(page)
    assert_fits_the_screen(page)


def test_organiser_pages_are_accessible(new_page, base_url):
    page = new_page()
    log_in(page, base_url, *ORGANISER)
    for path in [
        "/organiser/events",
        f"/organiser/events/{DEMO}/programme",
        f"/organiser/events/{DEMO}/questions",
        f"/organiser/events/{DEMO}/registration-settings",
        "/organiser/events/new",
        f"/organiser/events/{DEMO}/badges",
        f"/organiser/events/{DEMO}/check-in",
        f"/organiser/events/{DEMO}/b2b",
        f"/organiser/events/{DEMO}/b2b/slots",
        f"/organiser/events/{DEMO}/b2b/tables",
        f"/organiser/events/{DEMO}/b2b/scheduling",
        f"/organiser/events/{DEMO}/b2b/grid",
        f"/organiser/events/{DEMO}/b2b/participants",
        f"/organiser/events/{DEMO}/b2b/statistics",
        f"/organiser/events/{DEMO}/ideas",
        f"/organiser/events/{DEMO}/reminder",
    ]:
        page.goto(path)
        assert_accessible(page)


def test_the_check_in_desk_the_b2b_grid_and_ideas_on_a_phone(new_page, base_url):
    """The desk works on a phone at the door; the grid and tables scroll inside their box."""
    page = new_page(width=360, height=740)
    log_in(page, base_url, *ORGANISER)
    for path in [
        f"/organiser/events/{DEMO}/check-in",
        f"/organiser/events/{DEMO}/b2b/grid",
        f"/organiser/events/{DEMO}/ideas",
    ]:
        page.goto(path)
        assert_accessible(page)
        assert_fits_the_screen(page)


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
