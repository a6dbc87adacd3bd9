"""Badges: layouts and page counts, names with their letters, QR codes that check people in,
selection and order, who may print them."""

from __future__ import annotations

import gc

import pytest

from pic_events.extensions import db
from pic_events.registration.models import Registration
from tests.documents import pdf
from tests.factories import (
    api_auth,
    login,
    make_cluster,
    make_event,
    make_organisation,
    make_organiser,
    make_registration,
    make_user,
)

NAMES = [
    "Łukasz Wiśniewski",
    "Øyvind Ødegård",
    "Ștefan Țăranu",
    "Gökçe Yıldız",
    "Franziska Weiß",
    "Zoë Brontë",
    "Jan van der Berg",
]


def _people(event, names=NAMES, **kw):
    cluster = make_cluster("Vlaams Sierteeltcluster")
    organisation = make_organisation("Proefcentrum Sierteelt", cluster=cluster, country="BE")
    return [
        make_registration(event, make_user(name=name, organisation=organisation), **kw)
        for name in names
    ]


def _badges(client, event, **args):
    """Print, as the pages' buttons do (a POST: the badges are marked as printed)."""
    args.setdefault("layout", "a6")
    return client.post(f"/organiser/events/{event.slug}/badges.pdf", query_string=args)


@pytest.mark.parametrize(
    ("layout", "pages", "size"),
    [("a6", 7, pdf.A6_PT), ("a4-2x2", 2, pdf.A4_PT), ("label-4x3", 7, pdf.LABEL_PT)],
)
def test_each_layout_has_its_page_count_and_size(client, layout, pages, size):
    event = make_event()
    _people(event)
    login(client, make_organiser())
    response = _badges(client, event, layout=layout)
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert pdf.page_count(response.data) == pages
    assert pdf.page_size(response.data) == size


def test_nine_badges_on_a4_take_three_sheets(client):
    event = make_event()
    _people(event, [f"Person Number{i}" for i in range(9)])
    login(client, make_organiser())
    assert pdf.page_count(_badges(client, event, layout="a4-2x2").data) == 3


def test_names_print_with_their_letters(client):
    event = make_event(title="PIC Annual Meeting 2027", city="Angers")
    _people(event)
    login(client, make_organiser())
    text = pdf.text(_badges(client, event, layout="a4-2x2").data)
    for word in ("Łukasz", "Wiśniewski", "Ødegård", "Ștefan", "Țăranu", "Gökçe", "Weiß", "Zoë"):
        assert word in text
    assert "van der Berg" in text
    assert "PIC Annual Meeting 2027" in text and "Angers" in text
    assert "Proefcentrum Sierteelt" in text and "Vlaams Sierteeltcluster" in text
    assert "Belgium" in text
    assert "PARTICIPANT" in text  # the band's colour is backed by its word


def test_category_band_prints_the_category(client):
    event = make_event()
    make_registration(event, make_user(name="Ana Steer"), category="steering")
    make_registration(event, make_user(name="Pia Press"), category="press")
    login(client, make_organiser())
    pages = pdf.page_texts(_badges(client, event).data)
    assert any("Ana" in p and "STEERING COMMITTEE" in p for p in pages)
    assert any("Pia" in p and "PRESS" in p for p in pages)


def test_badges_rendered_in_parts_come_out_as_one_pdf_in_order(client, monkeypatch):
    from pic_events.documents import badges

    monkeypatch.setattr(badges, "SHEETS_PER_PART", 2)
    event = make_event()
    names = ["Ana Alpha", "Ben Beta", "Cem Gamma", "Dan Delta", "Eva Epsilon-Wiśniewska"]
    registrations = _people(event, names)
    login(client, make_organiser())
    data = _badges(client, event, layout="a6").data
    pages = pdf.page_texts(data)
    assert len(pages) == 5
    by_family = sorted(names, key=lambda name: name.split()[1])  # the default order
    assert [next(n for n in names if n.split()[1] in page) for page in pages] == by_family
    assert "Wiśniewska" in pages[3]
    assert pdf.qr_codes(data, page=5) == [registrations[2].checkin_code]  # Cem Gamma
    sheets = pdf.page_texts(_badges(client, event, layout="a4-2x2").data)
    assert len(sheets) == 2 and "Gamma" in sheets[1]
    assert gc.isenabled()  # the collector paused for the rendering runs again


def test_a_very_long_name_stays_on_its_badge(client):
    event = make_event()
    long_name = "Maximiliana-Alexandrina-Konstantina Wolfeschlegelsteinhausenbergerdorff-Hohenlohe"
    _people(event, [long_name, "Short Name"])
    login(client, make_organiser())
    for layout in ("a6", "label-4x3"):
        data = _badges(client, event, layout=layout).data
        assert pdf.page_count(data) == 2  # nothing spilled onto a page of its own


def test_the_qr_code_on_the_page_checks_that_person_in(client):
    event = make_event()
    (registration,) = _people(event, ["Zoë Ødegård"])
    organiser = make_organiser()
    login(client, organiser)
    auth = api_auth(organiser)
    data = _badges(client, event, layout="a6").data
    codes = pdf.qr_codes(data, page=1)
    assert codes == [registration.checkin_code]
    assert codes[0] != str(registration.id)

    url = f"/api/v1/events/{event.slug}/check-ins"
    desk = client.application.test_client()  # a scanner app with a token, no session
    first = desk.post(url, json={"code": codes[0]}, headers=auth)
    assert first.status_code == 200, first.json
    assert first.json["first_scan"] is True
    assert first.json["registration"]["name"] == "Zoë Ødegård"
    again = desk.post(url, json={"code": codes[0]}, headers=auth)
    assert again.status_code == 200
    assert again.json["first_scan"] is False
    assert (
        again.json["registration"]["checked_in_at"] == first.json["registration"]["checked_in_at"]
    )


def test_four_qr_codes_on_an_a4_sheet(client):
    event = make_event()
    registrations = _people(event, NAMES[:4])
    login(client, make_organiser())
    data = _badges(client, event, layout="a4-2x2").data
    assert pdf.qr_codes(data, page=1) == sorted(r.checkin_code for r in registrations)


def test_select_one_category_chosen_people_and_only_unprinted(client):
    event = make_event()
    people = _people(event, ["Ann Alpha", "Bob Beta", "Cem Gamma"])
    make_registration(event, make_user(name="Sam Speaker"), category="speaker")
    make_registration(event, make_user(name="Will Waiting"), status="waitlisted")
    login(client, make_organiser())

    everyone = pdf.text(_badges(client, event).data)
    assert "Sam" in everyone and "Will" not in everyone
    speakers = _badges(client, event, category="speaker").data
    assert pdf.page_count(speakers) == 1 and "Sam" in pdf.text(speakers)

    two = _badges(client, event, id=f"{people[0].id}, {people[2].id}").data
    assert pdf.page_count(two) == 2 and "Bob" not in pdf.text(two)

    # Everything has been printed now: a new registration is the only one left.
    make_registration(event, make_user(name="Nora Newcomer"))
    fresh = _badges(client, event, not_printed="1").data
    assert pdf.page_count(fresh) == 1 and "Nora" in pdf.text(fresh)
    nothing = _badges(client, event, not_printed="1")
    assert nothing.status_code == 302
    page = client.get(nothing.headers["Location"]).get_data(as_text=True)
    assert "no badge to print" in page


def test_sorted_by_family_name_or_by_organisation(client):
    event = make_event()
    zeta = make_organisation("Zeta Growers")
    alpha = make_organisation("Alpha Seeds")
    make_registration(event, make_user(name="Anna Zimmer", organisation=alpha))
    make_registration(event, make_user(name="Zora Adler", organisation=zeta))
    make_registration(event, make_user(name="Karl Müller", organisation=zeta))
    login(client, make_organiser())
    by_family = [p.split("\n") for p in pdf.page_texts(_badges(client, event).data)]
    assert [_first_name(p) for p in by_family] == ["Zora", "Karl", "Anna"]
    by_org = pdf.page_texts(_badges(client, event, sort="organisation").data)
    assert [_first_name(p.split("\n")) for p in by_org] == ["Anna", "Zora", "Karl"]


def _first_name(lines: list[str]) -> str:
    return next(w for w in ("Anna", "Zora", "Karl") if any(line.startswith(w) for line in lines))


def test_printing_marks_badges_and_the_registration_page_reprints_one(client):
    event = make_event()
    registration, other = _people(event, ["Ann Alpha", "Bob Beta"])
    login(client, make_organiser())
    page = client.get(f"/organiser/registrations/{registration.id}").get_data(as_text=True)
    assert "Badge not printed yet." in page
    assert f'action="/organiser/events/{event.slug}/badges.pdf?id={registration.id}"' in page
    assert 'name="layout" value="a6"' in page
    one = _badges(client, event, id=str(registration.id))
    assert pdf.page_count(one.data) == 1 and "Ann" in pdf.text(one.data)
    db.session.expire_all()
    assert db.session.get(Registration, registration.id).badge_printed_at is not None
    assert db.session.get(Registration, other.id).badge_printed_at is None
    page = client.get(f"/organiser/registrations/{registration.id}").get_data(as_text=True)
    assert "Badge printed" in page


def test_a_get_gives_the_badges_and_marks_nothing(client):
    event = make_event()
    (registration,) = _people(event, ["Ann Alpha"])
    login(client, make_organiser())
    response = client.get(f"/organiser/events/{event.slug}/badges.pdf?layout=a6")
    assert response.status_code == 200 and "Ann" in pdf.text(response.data)
    db.session.expire_all()
    assert db.session.get(Registration, registration.id).badge_printed_at is None


def test_the_badge_page_offers_layouts_and_counts(client):
    event = make_event()
    _people(event, ["Ann Alpha", "Bob Beta"])
    login(client, make_organiser())
    page = client.get(f"/organiser/events/{event.slug}/badges").get_data(as_text=True)
    assert "0 of 2 confirmed participants have a printed badge" in page
    for code in ("a6", "a4-2x2", "label-4x3"):
        assert f'value="{code}"' in page


def test_an_unknown_layout_is_refused_with_a_message(client):
    event = make_event()
    _people(event, ["Ann Alpha"])
    login(client, make_organiser())
    response = _badges(client, event, layout="a3-poster")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Unknown badge layout" in page
    assert all(r.badge_printed_at is None for r in db.session.query(Registration))


def test_members_and_visitors_get_no_badges(client):
    event = make_event()
    member = make_user()
    make_registration(event, member)
    assert _badges(client, event).status_code == 302  # to the log-in page
    login(client, member)
    assert _badges(client, event).status_code == 403
    assert client.get(f"/organiser/events/{event.slug}/badges").status_code == 403
    assert client.get(f"/organiser/events/{event.slug}/participants.pdf").status_code == 403


def test_cli_writes_the_badges_of_all_confirmed(app, tmp_path):
    event = make_event(slug="pic-cli")
    _people(event, NAMES[:5])
    make_registration(event, make_user(name="Will Waiting"), status="waitlisted")
    target = tmp_path / "badges.pdf"
    runner = app.test_cli_runner()
    result = runner.invoke(args=["badges", "pic-cli", "--layout", "a4-2x2", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert "5 badge(s)" in result.output
    data = target.read_bytes()
    assert pdf.page_count(data) == 2 and "Will" not in pdf.text(data)
    db.session.expire_all()
    assert all(
        r.badge_printed_at is not None
        for r in db.session.query(Registration).filter_by(status="confirmed")
    )
    bad = runner.invoke(args=["badges", "nope", "-o", str(target)])
    assert bad.exit_code != 0 and "No event" in bad.output
