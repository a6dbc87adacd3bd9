"""Member B2B pages: My meetings, the request form, my availability, the event page link."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from pic_events.core.types import utcnow
from pic_events.extensions import db
from pic_events.matchmaking import booking, requests
from pic_events.matchmaking.models import (
    Meeting,
    MeetingOutcome,
    MeetingRequest,
    Slot,
    Unavailability,
)
from tests.factories import (
    b2b_slots,
    login,
    make_b2b_event,
    make_event,
    make_organisation,
    make_registration,
    make_user,
)


def person(event, name, **kw):
    user = make_user(name=name, organisation=make_organisation(name=f"{name} Org"))
    return make_registration(event, user, **kw)


def test_event_page_links_only_for_confirmed_participants(client):
    event = make_b2b_event()
    ana = person(event, "Ana")
    waiting = person(event, "Wes", status="waitlisted")
    login(client, waiting.user)
    assert "My meetings" not in client.get(f"/events/{event.slug}").get_data(as_text=True)
    login(client, ana.user)
    page = client.get(f"/events/{event.slug}").get_data(as_text=True)
    assert f"/events/{event.slug}/b2b/meetings" in page
    assert f"/events/{event.slug}/b2b/participants" in page
    other = make_event()
    make_registration(other, ana.user)
    assert "My meetings" not in client.get(f"/events/{other.slug}").get_data(as_text=True)
    assert client.get(f"/events/{other.slug}/b2b/meetings").status_code == 404
    login(client, waiting.user)
    assert client.get(f"/events/{event.slug}/b2b/meetings").status_code == 404


def test_empty_my_meetings(client):
    event = make_b2b_event()
    ana = person(event, "Ana")
    login(client, ana.user)
    page = client.get(f"/events/{event.slug}/b2b/meetings").get_data(as_text=True)
    assert "No meeting booked yet." in page
    assert "No request waiting for an answer." in page
    assert "Times in Europe/Paris" in page


def test_request_accept_and_see_the_meeting_on_both_pages(client):
    event = make_b2b_event()
    ana, ben = person(event, "Ana"), person(event, "Ben")
    second = b2b_slots(event)[1]
    login(client, ana.user)
    form_url = f"/events/{event.slug}/b2b/request/{ben.id}"
    page = client.get(form_url).get_data(as_text=True)
    assert "Ask Ben for a meeting" in page and "09:25" in page
    response = client.post(form_url, data={"message": "About seeds", "slot_id": second.id})
    assert response.status_code == 302
    page = client.get(f"/events/{event.slug}/b2b/meetings").get_data(as_text=True)
    assert "Request sent to Ben" in page and "Sent, waiting for their answer" in page
    # Asking again says so.
    again = client.get(form_url).get_data(as_text=True)
    assert "You already have a meeting request with Ben" in again

    login(client, ben.user)
    page = client.get(f"/events/{event.slug}/b2b/meetings").get_data(as_text=True)
    assert "Waiting for your answer" in page and "About seeds" in page and "Ana Org" in page
    request_id = db.session.scalar(sa.select(MeetingRequest.id))
    response = client.post(
        f"/events/{event.slug}/b2b/requests/{request_id}/accept", data={"slot_id": second.id}
    )
    assert response.status_code == 302
    page = client.get(f"/events/{event.slug}/b2b/meetings").get_data(as_text=True)
    assert "Meeting booked with Ana at 09:25, table T1" in page
    assert "Table T1" in page and "09:25–09:45" in page and "Their message:" in page
    login(client, ana.user)
    page = client.get(f"/events/{event.slug}/b2b/meetings").get_data(as_text=True)
    assert "Table T1" in page and "Ben Org" in page and "Your message:" in page


def test_request_form_keeps_the_message_when_refused(client):
    event = make_b2b_event()
    ana, ben = person(event, "Ana"), person(event, "Ben")
    login(client, ana.user)
    url = f"/events/{event.slug}/b2b/request/{ben.id}"
    response = client.post(url, data={"message": "Keep me", "slot_id": ""})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Choose a time for the meeting." in page and "Keep me" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MeetingRequest)) == 0
    # A slot that is no longer common: a plain conflict, the message kept.
    slot = b2b_slots(event)[0]
    db.session.add(Unavailability(registration_id=ben.id, slot_id=slot.id))
    db.session.commit()
    response = client.post(url, data={"message": "Still here", "slot_id": slot.id})
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "This time is not free for both of you" in page and "Still here" in page


def test_unlisted_people_cannot_be_asked(client):
    event = make_b2b_event()
    ana = person(event, "Ana")
    hidden = person(event, "Hid", listed=False)
    login(client, ana.user)
    assert client.get(f"/events/{event.slug}/b2b/request/{hidden.id}").status_code == 404


def test_accept_conflict_is_shown_plainly_and_keeps_the_choice(client):
    event = make_b2b_event(tables=1)
    ana, ben, cleo, dan = (person(event, n) for n in ("Ana", "Ben", "Cleo", "Dan"))
    first, second = b2b_slots(event)[:2]
    request = requests.send_request(event, ana, ben.id, slot_id=first.id)
    booking.book(event, [cleo.id, dan.id], first.id)  # the last table, meanwhile
    login(client, ben.user)
    page = client.get(f"/events/{event.slug}/b2b/meetings").get_data(as_text=True)
    assert "(no longer free)" in page
    response = client.post(
        f"/events/{event.slug}/b2b/requests/{request.id}/accept", data={"slot_id": first.id}
    )
    assert response.status_code == 409
    assert "No table is free at 09:00." in response.get_data(as_text=True)
    response = client.post(
        f"/events/{event.slug}/b2b/requests/{request.id}/accept", data={"slot_id": second.id}
    )
    assert response.status_code == 302


def test_decline_with_reason_and_withdraw(client):
    event = make_b2b_event()
    ana, ben, cleo = person(event, "Ana"), person(event, "Ben"), person(event, "Cleo")
    slot = b2b_slots(event)[0]
    first = requests.send_request(event, ana, ben.id, slot_id=slot.id)
    second = requests.send_request(event, ana, cleo.id, slot_id=slot.id)
    login(client, ben.user)
    response = client.post(
        f"/events/{event.slug}/b2b/requests/{first.id}/decline", data={"reason": "x" * 1001}
    )
    assert response.status_code == 422 and "x" * 1001 in response.get_data(as_text=True)
    client.post(f"/events/{event.slug}/b2b/requests/{first.id}/decline", data={"reason": "No"})
    assert db.session.get(MeetingRequest, first.id).status == "declined"
    login(client, ana.user)
    response = client.post(f"/events/{event.slug}/b2b/requests/{second.id}/cancel")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(MeetingRequest, second.id).status == "cancelled"
    login(client, cleo.user)  # not theirs to withdraw: a plain message
    response = client.post(f"/events/{event.slug}/b2b/requests/{first.id}/cancel")
    assert response.status_code == 404


def test_cancel_a_meeting_and_report_the_outcome(client):
    event = make_b2b_event()
    ana, ben = person(event, "Ana"), person(event, "Ben")
    first, second = b2b_slots(event)[:2]
    meeting = booking.book(event, [ana.id, ben.id], first.id)
    login(client, ana.user)
    response = client.post(
        f"/events/{event.slug}/b2b/meetings/{meeting.id}/outcome", data={"took_place": "yes"}
    )
    assert response.status_code in (409, 422)  # not begun yet
    # The meeting "began" an hour ago:
    slot = db.session.get(Slot, first.id)
    slot.starts_at = utcnow() - timedelta(hours=1)
    slot.ends_at = utcnow() - timedelta(minutes=40)
    db.session.commit()
    response = client.post(
        f"/events/{event.slug}/b2b/meetings/{meeting.id}/outcome", data={"took_place": "yes"}
    )
    assert response.status_code == 422
    assert "Say how the meeting went." in response.get_data(as_text=True)
    client.post(
        f"/events/{event.slug}/b2b/meetings/{meeting.id}/outcome",
        data={"took_place": "yes", "rating": "cooperation"},
    )
    outcome = db.session.scalar(sa.select(MeetingOutcome))
    assert outcome.took_place and outcome.rating == "cooperation"
    other = booking.book(event, [ana.id, ben.id], second.id)
    response = client.post(
        f"/events/{event.slug}/b2b/meetings/{other.id}/cancel", data={"reason": "Sick"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Meeting, other.id).status == "cancelled"
    stranger = person(event, "Stranger")
    login(client, stranger.user)
    response = client.post(f"/events/{event.slug}/b2b/meetings/{meeting.id}/cancel")
    assert response.status_code == 404


def test_availability_page(client):
    from tests.factories import make_programme_session

    event = make_b2b_event()
    ana, ben = person(event, "Ana"), person(event, "Ben")
    first, second, third, _ = b2b_slots(event)
    workshop = make_programme_session(event, third.starts_at, third.ends_at, kind="workshop")
    from pic_events.registration.models import SessionChoice

    db.session.add(SessionChoice(registration_id=ana.id, session_id=workshop.id))
    db.session.commit()
    booking.book(event, [ana.id, ben.id], first.id)
    login(client, ana.user)
    url = f"/events/{event.slug}/b2b/availability"
    page = client.get(url).get_data(as_text=True)
    assert "Taken by a session you chose" in page and "Meeting booked" in page
    response = client.post(url, data={"unavailable": [str(second.id)]})
    assert response.status_code == 302
    assert {u.slot_id for u in db.session.scalars(sa.select(Unavailability))} == {second.id}
    response = client.post(url, data={"unavailable": [str(first.id), str(second.id)]})
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "You have a meeting at 09:00 with Ben" in page
