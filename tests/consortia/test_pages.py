"""The idea pages as a member and an organiser use them."""

from __future__ import annotations

import io
import re

import sqlalchemy as sa
from pypdf import PdfReader

from pic_events.consortia.models import Idea, Interest, Role
from pic_events.extensions import db
from pic_events.matchmaking.models import B2BTable
from tests.consortia.helpers import idea, join, person
from tests.factories import b2b_slots, login, make_b2b_event, make_event, make_organiser


def _csrf(client, url: str) -> str:
    page = client.get(url).get_data(as_text=True)
    match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page)
    assert match, page[:500]
    return match.group(1)


def test_a_member_posts_an_idea_with_roles_through_the_form(app):
    app.config["WTF_CSRF_ENABLED"] = False
    event = make_event()
    ana = person(event, "Ana", "FR")
    client = app.test_client()
    login(client, ana.user)
    page = client.get(f"/events/{event.slug}")
    assert f"/events/{event.slug}/ideas" in page.get_data(as_text=True)
    response = client.post(
        f"/events/{event.slug}/ideas/new",
        data={
            "title": "Cider-waste biorefinery",
            "summary": "Pomace into pectin and fibres",
            "call": "HORIZON-CL6-2027-CIRCBIO-01",
            "call_deadline": "2027-09-16",
            "sectors": ["cider"],
            "keywords": "pomace, pectin",
            "roles-0-kind": "research",
            "roles-0-description": "a food-science lab",
            "roles-0-countries": ["ES", "IT"],
            "roles-1-kind": "sme",
            "roles-2-kind": "",
        },
    )
    assert response.status_code == 302
    posted = db.session.scalar(sa.select(Idea))
    assert posted.keywords == ["pomace", "pectin"] and posted.sectors == ["cider"]
    assert [(r.kind, r.countries) for r in posted.roles] == [
        ("research", ["ES", "IT"]),
        ("sme", []),
    ]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Cider-waste biorefinery" in page and "a food-science lab" in page
    assert "Spain, Italy" in page  # the role wants them
    assert "Countries covered" in page and "France" in page


def test_a_bad_form_keeps_what_was_typed_and_writes_nothing(app):
    app.config["WTF_CSRF_ENABLED"] = False
    event = make_event()
    client = app.test_client()
    login(client, person(event, "Ana").user)
    response = client.post(
        f"/events/{event.slug}/ideas/new",
        data={"title": "", "summary": "kept text", "roles-0-kind": "sme"},
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "kept text" in page and "is-invalid" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Idea)) == 0


def test_outsiders_do_not_see_ideas(app):
    event = make_event()
    posted = idea(event, person(event, "Ana"))
    client = app.test_client()
    assert client.get(f"/events/{event.slug}/ideas").status_code == 302  # log in first
    login(client, person(make_event(), "Olga").user)
    assert client.get(f"/events/{event.slug}/ideas").status_code == 403
    assert client.get(f"/events/{event.slug}/ideas/{posted.id}").status_code == 404
    assert client.get(f"/events/{event.slug}/ideas/new").status_code == 403


def test_interest_accept_and_the_partner_shows_on_the_page(app):
    event = make_event()
    ana, ben = person(event, "Ana", "FR"), person(event, "Ben", "ES", kind="research")
    posted = idea(event, ana, title="Apple trials", roles=[("research", "orchard trials", [])])
    url = f"/events/{event.slug}/ideas/{posted.id}"
    ben_client = app.test_client()
    login(ben_client, ben.user)
    listing = ben_client.get(f"/events/{event.slug}/ideas").get_data(as_text=True)
    assert "Ideas that need someone like you" in listing and "Apple trials" in listing
    token = _csrf(ben_client, url)
    role = posted.roles[0]
    response = ben_client.post(
        f"{url}/roles/{role.id}/interest", data={"csrf_token": token, "message": "We run orchards"}
    )
    assert response.status_code == 302
    interest = db.session.scalar(sa.select(Interest))
    assert interest.message == "We run orchards"
    again = ben_client.post(f"{url}/roles/{role.id}/interest", data={"csrf_token": token})
    assert "already asked" in ben_client.get(again.headers["Location"]).get_data(as_text=True)

    ana_client = app.test_client()
    login(ana_client, ana.user)
    page = ana_client.get(url).get_data(as_text=True)
    assert "We run orchards" in page and "Accept" in page
    token = _csrf(ana_client, url)
    response = ana_client.post(f"{url}/interests/{interest.id}/accept", data={"csrf_token": token})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Role, role.id).filled_by_id == ben.id
    page = ana_client.get(url).get_data(as_text=True)
    assert "2</span>" in page and "Spain" in page  # two countries covered


def test_only_the_lead_edits(app):
    app.config["WTF_CSRF_ENABLED"] = False
    event = make_event()
    ana, ben = person(event, "Ana"), person(event, "Ben")
    posted = idea(event, ana)
    client = app.test_client()
    login(client, ben.user)
    assert client.get(f"/events/{event.slug}/ideas/{posted.id}/edit").status_code == 403
    login(client, ana.user)
    response = client.post(
        f"/events/{event.slug}/ideas/{posted.id}/edit",
        data={"title": "Renamed", "status": "submitted"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Idea, posted.id).status == "submitted"


def test_the_lead_books_a_group_meeting_from_the_page(app):
    app.config["WTF_CSRF_ENABLED"] = False
    event = make_b2b_event(tables=1, seats=4)
    event.programme_published = True
    db.session.commit()
    ana = person(event, "Ana")
    posted = idea(event, ana, roles=[("sme", "", []), ("research", "", []), ("cluster", "", [])])
    partners = [person(event, f"P{i}") for i in range(3)]
    for role, partner in zip(posted.roles, partners, strict=True):
        join(role, partner)
    client = app.test_client()
    login(client, ana.user)
    url = f"/events/{event.slug}/ideas/{posted.id}/meeting"
    assert "P0" in client.get(url).get_data(as_text=True)
    slot = b2b_slots(event)[1]
    response = client.post(url, data={"people": [p.id for p in partners], "slot_id": slot.id})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    agenda = client.get(f"/events/{event.slug}/my-agenda").get_data(as_text=True)
    assert f"Consortium meeting: {posted.title}" in agenda  # named by its idea
    # A second one in the same slot: the table is taken, said plainly.
    response = client.post(url, data={"people": [p.id for p in partners], "slot_id": slot.id})
    assert response.status_code == 200
    assert "already has a meeting" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(B2BTable)) == 1


def test_the_organiser_sees_statistics_and_orders_pitches(app):
    app.config["WTF_CSRF_ENABLED"] = False
    event = make_event()
    first = idea(event, person(event, "Ana"), title="First idea")
    second = idea(event, person(event, "Ben"), title="Second idea")
    client = app.test_client()
    login(client, make_organiser())
    url = f"/organiser/events/{event.slug}/ideas"
    assert "ideas posted" in client.get(url).get_data(as_text=True)
    client.post(url, data={"idea_id": second.id, "position": 1, "minutes": 4})
    client.post(url, data={"idea_id": first.id, "position": 2})
    page = client.get(url).get_data(as_text=True)
    assert page.index("Second idea") < page.index("First idea")
    assert "+4 min, 5 min" in page
    listing = client.get(f"/events/{event.slug}/ideas").get_data(as_text=True)
    assert "Pitch session: the running order" in listing
    assert listing.index("Second idea") < listing.index("First idea")
    member = app.test_client()
    login(member, person(event, "Cleo").user)
    assert member.get(url).status_code == 403


def test_the_one_page_summary_is_a_pdf_of_one_page(app):
    event = make_event()
    ana, ben = person(event, "Łukasz", "PL"), person(event, "Zoé", "FR")
    posted = idea(event, ana, title="Apple trials", summary="A long summary. " * 300)
    join(posted.roles[0], ben)
    client = app.test_client()
    login(client, ben.user)
    response = client.get(f"/events/{event.slug}/ideas/{posted.id}/summary.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    pages = PdfReader(io.BytesIO(response.data)).pages
    assert len(pages) == 1 and "Łukasz" in pages[0].extract_text()
    login(client, person(make_event(), "Olga").user)
    assert client.get(f"/events/{event.slug}/ideas/{posted.id}/summary.pdf").status_code == 404
