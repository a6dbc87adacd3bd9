"""Where organisers schedule: the lead asks, the organiser weighs, the run places it through
consortia.scheduling (the hook matchmaking's scheduling calls)."""

from __future__ import annotations

import pytest

from pic_events.consortia import scheduling, services
from pic_events.consortia.models import ConsortiumMeeting, ConsortiumScheduleRequest
from pic_events.consortia.services import ConsortiumConflict
from pic_events.core.validation import PermissionDenied
from pic_events.extensions import db
from pic_events.matchmaking import booking
from pic_events.matchmaking.models import B2BTable
from pic_events.registration import privacy
from tests.consortia.helpers import idea, join, mails_to, person
from tests.factories import api_auth, b2b_slots, make_b2b_event, make_organiser


def _setup(n_partners=3):
    event = make_b2b_event(tables=2, seats=2, booking_style="organiser")
    db.session.add(B2BTable(event_id=event.id, label="Big", seats=6, position=9))
    db.session.commit()
    lead = person(event, "Lead")
    posted = idea(event, lead, roles=[("sme", "", [])] * n_partners)
    partners = [person(event, f"P{i}") for i in range(n_partners)]
    for role, partner in zip(posted.roles, partners, strict=True):
        join(role, partner)
    return event, lead, posted, partners


def test_the_lead_asks_and_the_run_places_it_at_a_table_that_seats_them(app):
    event, lead, posted, partners = _setup()
    slot = b2b_slots(event)[1]
    with pytest.raises(ConsortiumConflict) as refused:
        services.book_meeting(posted, lead.user, [p.id for p in partners], slot.id)
    assert refused.value.code == "organiser_schedules"
    request = services.request_scheduling(posted, lead.user, [p.id for p in partners[:2]])
    again = services.request_scheduling(posted, lead.user, [p.id for p in partners])
    assert again.id == request.id and again.registration_ids[0] == lead.id
    with pytest.raises(PermissionDenied):
        services.set_schedule_priority(request, lead.user, 5)
    services.set_schedule_priority(request, make_organiser(), 3)
    (wish,) = scheduling.group_meeting_wishes(event)
    assert (wish.key, wish.priority, wish.seats) == (f"consortium:{request.id}", 3, 4)
    with booking.transaction():
        meeting = scheduling.place_in_transaction(event, wish.request_id, slot.id)
    assert meeting.table.label == "Big" and meeting.origin == "consortium"
    assert db.session.get(ConsortiumMeeting, meeting.id).idea_id == posted.id
    assert db.session.get(ConsortiumScheduleRequest, request.id).status == "scheduled"
    assert scheduling.group_meeting_wishes(event) == []
    assert mails_to(lead.user.email)[-1].startswith("Consortium meeting confirmed")


def test_an_organiser_books_a_requested_meeting_by_hand(app):
    event, lead, posted, partners = _setup(2)
    request = services.request_scheduling(posted, lead.user, [p.id for p in partners])
    meeting = services.book_meeting(posted, make_organiser(), [p.id for p in partners])
    db.session.refresh(request)
    assert request.status == "scheduled" and request.meeting_id == meeting.id


def test_a_deleted_person_leaves_the_request_and_too_few_cancel_it(app):
    event, lead, posted, partners = _setup(2)
    request = services.request_scheduling(posted, lead.user, [p.id for p in partners])
    privacy.delete_account(partners[0].user)
    db.session.refresh(request)
    assert request.status == "cancelled" and partners[0].id not in request.registration_ids


def test_the_api_asks_the_organisers(app, client):
    event, lead, posted, partners = _setup(2)
    response = client.post(
        f"/api/v1/ideas/{posted.id}/meeting-requests",
        json={"registration_ids": [p.id for p in partners]},
        headers=api_auth(lead.user),
    )
    assert response.status_code == 201 and response.json["status"] == "pending"
    assert response.json["registration_ids"] == [lead.id, *(p.id for p in partners)]


def test_the_meeting_page_asks_the_organisers(app):
    app.config["WTF_CSRF_ENABLED"] = False
    from tests.factories import login

    event, lead, posted, partners = _setup(2)
    client = app.test_client()
    login(client, lead.user)
    url = f"/events/{event.slug}/ideas/{posted.id}/meeting"
    assert "Ask the organisers" in client.get(url).get_data(as_text=True)
    response = client.post(url, data={"people": [p.id for p in partners]})
    assert response.status_code == 302
    assert services.pending_schedule_request(posted) is not None
    organiser = app.test_client()
    login(organiser, make_organiser())
    page = organiser.get(f"/organiser/events/{event.slug}/ideas").get_data(as_text=True)
    assert "Consortium meetings to schedule" in page and posted.title in page


def test_the_export_of_each_person_named_holds_the_meeting_request(app):
    event, lead, posted, partners = _setup(2)
    services.request_scheduling(posted, lead.user, [p.id for p in partners])
    outsider = person(event, "Outsider")
    for someone in (lead, partners[0]):
        (asked,) = privacy.export_user_data(someone.user)["project_ideas"][
            "consortium_meeting_requests"
        ]
        assert (asked["idea"], asked["status"], asked["people"]) == (posted.title, "pending", 3)
    assert (
        privacy.export_user_data(outsider.user)["project_ideas"]["consortium_meeting_requests"]
        == []
    )
