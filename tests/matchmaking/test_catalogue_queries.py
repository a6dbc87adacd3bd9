"""The catalogue, a participant page and the recommendations take as many SQL queries with
50 participants as with 5."""

from __future__ import annotations

from pic_events.accounts.models import User
from pic_events.extensions import db
from pic_events.matchmaking import booking
from tests.factories import api_auth, b2b_slots, login, make_b2b_event
from tests.matchmaking.profile_helpers import person
from tests.queries import count_queries

SECTORS = ["seeds", "cereals", "cider", "ornamental"]


def _event_with(n: int, tag: str):
    event = make_b2b_event(slots=4, tables=40)
    people = [
        person(
            event,
            f"Person {tag}{i}",
            organisation=f"Organisation {tag}{i}",
            cluster=f"Cluster {tag}{i}",
            country=["FR", "DE", "PL", "ES"][i % 4],
            profile={
                "offers": f"seed phenotyping {i}",
                "seeks": "cereal breeding and field trials",
                "sectors": [SECTORS[i % 4]],
                "calls": ["HORIZON-CL6-2027-01"],
            },
        )
        for i in range(n)
    ]
    slots = b2b_slots(event)
    for i in range(1, n - 1, 2):  # half of them already meet someone
        booking.book(event, [people[i].id, people[i + 1].id], slots[i % 4].id)
    return event.slug, people[0].id, people[0].user_id


def _counts(client, slug: str, me_id: int, user_id: int) -> dict[str, int]:
    other = me_id + 1
    user = db.session.get(User, user_id)
    login(client, user)
    auth = api_auth(user)
    pages = {
        "catalogue": f"/events/{slug}/b2b/participants?per_page=100",
        "filtered": f"/events/{slug}/b2b/participants?q=seed&sector=seeds&common_free=1",
        "participant": f"/events/{slug}/b2b/participants/{other}",
        "recommendations": f"/events/{slug}/b2b/recommendations",
    }
    counts = {}
    for name, url in pages.items():
        db.session.expunge_all()  # nothing cached from the set-up hides a query
        with count_queries() as statements:
            response = client.get(url)
        assert response.status_code == 200, (name, response.status_code)
        counts[name] = len(statements)
    db.session.expunge_all()
    with count_queries() as statements:
        response = client.get(
            f"/api/v1/events/{slug}/participants?common_free=true&per_page=100",
            headers=auth,
        )
    assert response.status_code == 200
    counts["api"] = len(statements)
    return counts


def test_fixed_number_of_queries(client):
    small = _event_with(5, "a")
    large = _event_with(50, "b")
    few = _counts(client, *small)
    many = _counts(client, *large)
    print("queries per page", few)
    assert few == many
    assert max(many.values()) <= 20, many
