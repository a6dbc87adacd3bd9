"""The project ideas API as CONTRACT.md describes it: the new-user walk-through by HTTP."""

from __future__ import annotations

import sqlalchemy as sa

from pic_events.consortia.models import Idea
from pic_events.extensions import db
from pic_events.matchmaking.models import B2BTable
from tests.api.test_openapi_and_problems import assert_problem
from tests.consortia.helpers import person
from tests.factories import api_auth, b2b_slots, make_b2b_event, make_event

API = "/api/v1"


def test_post_find_join_accept_and_meet_as_four(app, client):
    event = make_b2b_event(tables=2, seats=2)
    db.session.add(B2BTable(event_id=event.id, label="Round", seats=4, position=5))
    db.session.commit()
    lead = person(event, "Ana", "FR", kind="sme")
    ben = person(
        event,
        "Ben",
        "ES",
        kind="research",
        offers="greenhouse sensors and climate models",
        sectors=["ornamental"],
    )
    cleo, dan = person(event, "Cleo", "IT", kind="cluster"), person(event, "Dan", "DE")
    auth = {p.id: api_auth(p.user) for p in (lead, ben, cleo, dan)}

    response = client.post(
        f"{API}/events/{event.slug}/ideas",
        json={
            "title": "A digital twin for greenhouses",
            "summary": "Sensors, models, growers",
            "call": "HORIZON-CL6-2027-GOVERNANCE-01",
            "call_deadline": "2027-09-16",
            "sectors": ["ornamental"],
            "keywords": ["greenhouse", "digital twin"],
            "roles": [{"kind": "research", "description": "climate models for greenhouses"}],
        },
        headers=auth[lead.id],
    )
    assert response.status_code == 201, response.json
    idea = response.json
    assert idea["lead"]["name"] == "Ana" and idea["countries"] == ["FR"]
    assert idea["call_deadline"] == "2027-09-16"
    role = client.post(
        f"{API}/ideas/{idea['id']}/roles",
        json={"kind": "cluster", "countries": ["IT"]},
        headers=auth[lead.id],
    )
    assert role.status_code == 201 and role.json["countries"] == ["IT"]
    assert_problem(
        client.post(f"{API}/ideas/{idea['id']}/roles", json={"kind": "sme"}, headers=auth[ben.id]),
        403,
    )

    # Ben finds it among the ideas that need someone like him.
    listing = client.get(f"{API}/events/{event.slug}/ideas", headers=auth[ben.id]).json
    assert listing["total"] == 1
    found = listing["items"][0]
    assert found["score"] > 0 and "Research or university" in found["reason"]
    research_role = found["roles"][0]["id"]

    asked = client.post(
        f"{API}/roles/{research_role}/interests",
        json={"message": "Our models"},
        headers=auth[ben.id],
    )
    assert asked.status_code == 201 and asked.json["status"] == "pending"
    again = client.post(f"{API}/roles/{research_role}/interests", json={}, headers=auth[ben.id])
    assert assert_problem(again, 409)["code"] == "already_asked"
    assert_problem(
        client.post(f"{API}/interests/{asked.json['id']}/accept", headers=auth[ben.id]), 403
    )
    accepted = client.post(f"{API}/interests/{asked.json['id']}/accept", headers=auth[lead.id])
    assert accepted.status_code == 200 and accepted.json["status"] == "accepted"
    late = client.post(f"{API}/roles/{research_role}/interests", json={}, headers=auth[dan.id])
    assert assert_problem(late, 409)["code"] == "role_filled"

    # Cleo asks for the cluster role (Italy wanted); Dan is invited to nothing yet.
    cleo_asks = client.post(
        f"{API}/roles/{role.json['id']}/interests", json={"message": ""}, headers=auth[cleo.id]
    )
    assert cleo_asks.status_code == 201
    wrong_country = client.post(
        f"{API}/roles/{role.json['id']}/interests", json={}, headers=auth[dan.id]
    )
    assert assert_problem(wrong_country, 409)["code"] == "wrong_country"
    sme = client.post(
        f"{API}/ideas/{idea['id']}/roles", json={"kind": "sme"}, headers=auth[lead.id]
    )
    invited = client.post(
        f"{API}/ideas/{idea['id']}/invitations",
        json={"role_id": sme.json["id"], "registration_id": dan.id, "message": "Join?"},
        headers=auth[lead.id],
    )
    assert invited.status_code == 201 and invited.json["invited"]
    dan_accepts = client.post(f"{API}/interests/{invited.json['id']}/accept", headers=auth[dan.id])
    assert dan_accepts.status_code == 200

    page = client.get(f"{API}/ideas/{idea['id']}", headers=auth[cleo.id]).json
    assert page["countries"] == ["DE", "ES", "FR"]
    assert sorted(p["name"] for p in page["partners"]) == ["Ben", "Dan"]

    # The lead books a meeting for four at the table that seats them.
    slot = b2b_slots(event)[2]
    booked = client.post(
        f"{API}/ideas/{idea['id']}/meetings",
        json={"registration_ids": [ben.id, cleo.id, dan.id], "slot_id": slot.id},
        headers=auth[lead.id],
    )
    assert booked.status_code == 201, booked.json
    assert booked.json["table"] == "Round" and len(booked.json["with"]) == 3
    assert booked.json["request_id"] is None and booked.json["idea_id"] == idea["id"]
    clash = client.post(
        f"{API}/ideas/{idea['id']}/meetings",
        json={"registration_ids": [ben.id, cleo.id], "slot_id": slot.id},
        headers=auth[lead.id],
    )
    body = assert_problem(clash, 409)
    assert body["code"] == "participant_busy" and "Ana already has a meeting" in body["detail"]
    too_few = client.post(
        f"{API}/ideas/{idea['id']}/meetings",
        json={"registration_ids": [ben.id]},
        headers=auth[lead.id],
    )
    assert_problem(too_few, 422)
    for person_ in (lead, ben, cleo, dan):
        agenda = client.get(f"/events/{event.slug}/my-agenda", headers=auth[person_.id])
        assert agenda.status_code == 200


def test_bad_input_is_422_and_outsiders_are_403_or_404(app, client):
    event = make_event()
    ana = person(event, "Ana")
    outsider = api_auth(person(make_event(), "Olga").user)
    auth = api_auth(ana.user)
    bad = client.post(
        f"{API}/events/{event.slug}/ideas",
        json={"title": "", "sectors": ["bananas"], "roles": [{"kind": "astronaut"}]},
        headers=auth,
    )
    assert set(assert_problem(bad, 422)["errors"]) >= {"title", "sectors", "roles"}
    bad_country = client.post(
        f"{API}/events/{event.slug}/ideas",
        json={"title": "T", "roles": [{"kind": "sme", "countries": ["XX"]}]},
        headers=auth,
    )
    assert_problem(bad_country, 422)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Idea)) == 0
    made = client.post(f"{API}/events/{event.slug}/ideas", json={"title": "T"}, headers=auth)
    assert made.status_code == 201
    assert_problem(client.get(f"{API}/events/{event.slug}/ideas", headers=outsider), 403)
    assert_problem(client.get(f"{API}/ideas/{made.json['id']}", headers=outsider), 404)
    assert_problem(
        client.post(f"{API}/events/{event.slug}/ideas", json={"title": "T"}, headers=outsider), 403
    )
    assert_problem(client.get(f"{API}/events/{event.slug}/ideas"), 401)
    patched = client.patch(
        f"{API}/ideas/{made.json['id']}", json={"status": "funded"}, headers=auth
    )
    assert_problem(patched, 422)
    patched = client.patch(
        f"{API}/ideas/{made.json['id']}",
        json={"status": "submitted", "call": "COSME"},
        headers=auth,
    )
    assert patched.json["status"] == "submitted" and patched.json["title"] == "T"


def test_confidential_details_are_left_out_for_others(app, client):
    event = make_event()
    ana, ben = person(event, "Ana"), person(event, "Ben")
    made = client.post(
        f"{API}/events/{event.slug}/ideas",
        json={"title": "Secret", "summary": "the sauce", "confidential": True, "call": "EIC"},
        headers=api_auth(ana.user),
    ).json
    seen = client.get(f"{API}/ideas/{made['id']}", headers=api_auth(ben.user)).json
    assert seen["details_hidden"] and seen["summary"] == "" and seen["call"] == "EIC"


def test_the_openapi_document_lists_the_idea_endpoints(client):
    paths = client.get(f"{API}/openapi.json").json["paths"]
    for path in (
        "/api/v1/events/{slug}/ideas",
        "/api/v1/ideas/{idea_id}",
        "/api/v1/ideas/{idea_id}/roles",
        "/api/v1/roles/{role_id}/interests",
        "/api/v1/interests/{interest_id}/accept",
        "/api/v1/interests/{interest_id}/decline",
        "/api/v1/ideas/{idea_id}/meetings",
    ):
        assert path in paths, path


def test_the_listing_reads_the_profiles_of_all_its_ideas_in_one_query(app, client):
    from tests.queries import count_queries

    event = make_event()
    lead, reader = person(event, "Ana", "FR"), person(event, "Ben", "ES")
    auth = api_auth(lead.user)
    for n in range(4):
        made = client.post(
            f"{API}/events/{event.slug}/ideas", json={"title": f"Idea {n}"}, headers=auth
        )
        assert made.status_code == 201, made.json
    reader_auth = api_auth(reader.user)
    with count_queries() as statements:
        listing = client.get(f"{API}/events/{event.slug}/ideas", headers=reader_auth)
    assert listing.status_code == 200 and listing.json["total"] == 4
    profile_reads = [
        s for s in statements if "FROM match_profile" in s and "registration_id IN" in s
    ]
    assert len(profile_reads) == 1, profile_reads
