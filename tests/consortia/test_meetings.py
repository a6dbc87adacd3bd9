"""A consortium meeting: the lead and partners, three to eight, at a table that seats them,
booked by matchmaking's booking service and on everyone's agenda."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from pic_events.agenda.services import agenda_entries
from pic_events.consortia import services
from pic_events.consortia.models import ConsortiumMeeting
from pic_events.consortia.services import ConsortiumConflict
from pic_events.core.validation import PermissionDenied, ServiceValidationError
from pic_events.extensions import db
from pic_events.matchmaking import booking
from pic_events.matchmaking.models import Meeting
from pic_events.notifications.models import OutboxMessage
from tests.consortia.helpers import idea, join, mails_to, person
from tests.factories import b2b_slots, make_b2b_event, make_organiser


def _consortium(event, partners=2, pending=1):
    lead = person(event, "Lead")
    roles = [("sme", "", [])] * (partners + pending)
    posted = idea(event, lead, title="Digital twin", roles=roles)
    people = [person(event, f"Partner {i}") for i in range(partners)]
    for role, partner in zip(posted.roles, people, strict=False):
        join(role, partner)
    candidates = [person(event, f"Candidate {i}") for i in range(pending)]
    for role, candidate in zip(posted.roles[partners:], candidates, strict=False):
        services.express_interest(role, candidate.user, "")
    db.session.refresh(posted)
    return posted, lead, people, candidates


def test_the_lead_books_four_at_a_table_for_four_and_all_see_it(app):
    event = make_b2b_event(tables=2, seats=2)
    from pic_events.matchmaking.models import B2BTable

    db.session.add(B2BTable(event_id=event.id, label="Big", seats=4, position=9))
    db.session.commit()
    posted, lead, partners, candidates = _consortium(event)
    slot = b2b_slots(event)[1]
    ids = [p.id for p in [*partners, *candidates]]
    meeting = services.book_meeting(posted, lead.user, ids, slot.id)
    assert meeting.table.label == "Big" and meeting.origin == "consortium"
    assert len(meeting.seats) == 4
    assert db.session.get(ConsortiumMeeting, meeting.id).idea_id == posted.id
    assert services.meetings_of_idea(posted) == [meeting]
    for person_ in [lead, *partners, *candidates]:
        entries = agenda_entries(event, person_)
        assert [e.meeting.id for e in entries if e.meeting] == [meeting.id]
        assert mails_to(person_.user.email)[-1].startswith("Consortium meeting confirmed")
    body = db.session.scalars(
        sa.select(OutboxMessage.body_text).where(OutboxMessage.recipient == lead.user.email)
    ).all()[-1]
    assert f"Consortium meeting: {posted.title}" in body


def test_without_a_slot_the_first_that_suits_everyone_is_taken(app):
    event = make_b2b_event(tables=1, seats=4)
    posted, lead, partners, _ = _consortium(event, partners=2, pending=0)
    first = b2b_slots(event)[0]
    other = person(event, "Busy elsewhere")
    booking.book(event, [partners[0].id, other.id], first.id)
    meeting = services.book_meeting(posted, lead.user, [p.id for p in partners])
    assert meeting.slot_id == b2b_slots(event)[1].id


def test_too_few_too_many_and_strangers_are_refused(app):
    event = make_b2b_event(tables=1, seats=8)
    posted, lead, partners, _ = _consortium(event, partners=1, pending=0)
    stranger = person(event, "Stranger")
    slot = b2b_slots(event)[0]
    with pytest.raises(ServiceValidationError):
        services.book_meeting(posted, lead.user, [partners[0].id], slot.id)
    with pytest.raises(ServiceValidationError):
        services.book_meeting(posted, lead.user, [partners[0].id, stranger.id], slot.id)
    with pytest.raises(PermissionDenied):
        services.book_meeting(posted, partners[0].user, [partners[0].id], slot.id)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Meeting)) == 0


def test_no_table_big_enough_is_a_conflict_naming_it(app):
    event = make_b2b_event(tables=3, seats=2)
    posted, lead, partners, candidates = _consortium(event)
    slot = b2b_slots(event)[0]
    with pytest.raises(booking.BookingConflict) as refused:
        services.book_meeting(posted, lead.user, [p.id for p in partners], slot.id)
    assert refused.value.code == "no_table" and "No table is free at 09:00" in str(refused.value)
    with pytest.raises(ConsortiumConflict) as refused:
        services.book_meeting(posted, lead.user, [p.id for p in partners])
    assert refused.value.code == "no_common_slot"


def test_an_organiser_books_too(app):
    event = make_b2b_event(tables=1, seats=3)
    posted, lead, partners, _ = _consortium(event, partners=2, pending=0)
    meeting = services.book_meeting(
        posted, make_organiser(), [p.id for p in partners], b2b_slots(event)[2].id
    )
    assert sorted(meeting.registration_ids) == sorted([lead.id, *(p.id for p in partners)])


def test_statistics_count_consortium_meetings_and_their_outcomes(app):
    from pic_events.matchmaking.models import MeetingOutcome

    event = make_b2b_event(tables=1, seats=4)
    posted, lead, partners, _ = _consortium(event, partners=2, pending=0)
    meeting = services.book_meeting(posted, lead.user, [p.id for p in partners])
    db.session.add(
        MeetingOutcome(
            meeting_id=meeting.id, registration_id=lead.id, took_place=True, rating="cooperation"
        )
    )
    db.session.commit()
    stats = services.statistics(event)
    assert (stats.meetings, stats.outcomes, stats.cooperation) == (1, 1, 1)
    booking.cancel(meeting, by=lead)
    assert services.statistics(event).meetings == 0
