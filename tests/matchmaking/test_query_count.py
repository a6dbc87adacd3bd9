"""My meetings takes a fixed number of queries whatever the number of meetings and requests."""

from __future__ import annotations

from pic_events.extensions import db
from pic_events.matchmaking import requests
from pic_events.matchmaking.models import MatchProfile
from tests.factories import (
    api_auth,
    b2b_slots,
    login,
    make_b2b_event,
    make_organisation,
    make_registration,
    make_user,
)
from tests.queries import count_queries


def _page_with(client, n: int, path: str = "/events/{slug}/b2b/meetings") -> tuple[int, str]:
    """Ana has n meetings (each from an accepted request), n // 5 requests to answer and
    n // 5 sent; the queries of her My meetings page."""
    event = make_b2b_event(slots=n + 2, tables=2)
    organisation = make_organisation()
    ana = make_registration(event, make_user(name="Ana", organisation=organisation))
    slots = b2b_slots(event)
    others = [
        make_registration(event, make_user(name=f"P{i}", organisation=organisation))
        for i in range(n + 2 * (n // 5))
    ]
    for person in others:
        db.session.add(MatchProfile(registration_id=person.id, summary="We grow seeds."))
    db.session.commit()
    for person, slot in zip(others[:n], slots, strict=False):
        request = requests.send_request(event, person, ana.id, message="Hi", slot_id=slot.id)
        requests.accept(request.id, ana)
    spare = slots[-1].id
    for person in others[n : n + n // 5]:
        requests.send_request(event, person, ana.id, message="Meet?", slot_id=spare)
    for person in others[n + n // 5 :]:
        requests.send_request(event, ana, person.id, message="Meet?", slot_id=spare)
    headers = api_auth(ana.user) if path.startswith("/api/") else {}
    if not headers:
        login(client, ana.user)
    url = path.format(slug=event.slug)
    db.session.expunge_all()
    with count_queries() as statements:
        response = client.get(url, headers=headers)
    assert response.status_code == 200
    return len(statements), response.get_data(as_text=True)


def test_my_meetings_in_a_fixed_number_of_queries(client):
    counts = {}
    for n in (5, 50):
        counts[n], page = _page_with(client, n)
        assert page.count('id="meeting-') == n
        assert page.count("Accept and book") == n // 5
        assert page.count("Withdraw</button>") == n // 5
    assert counts[5] == counts[50], counts
    assert counts[50] <= 30, counts


def test_my_requests_meetings_and_slots_api_in_a_fixed_number_of_queries(client):
    for path in (
        "/api/v1/events/{slug}/meeting-requests",
        "/api/v1/events/{slug}/meetings",
        "/api/v1/events/{slug}/slots",
    ):
        counts = {n: _page_with(client, n, path)[0] for n in (5, 20)}
        assert counts[5] == counts[20], (path, counts)
