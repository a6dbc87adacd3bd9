"""A consortium meeting says what it is about on My agenda and in the calendar feed:
"Consortium meeting: <idea title>" (consortia gives matchmaking.meetings the title through
its hook; matchmaking never imports consortia); other meetings keep "B2B meeting: names"."""

from __future__ import annotations

import sqlalchemy as sa

from pic_events.consortia import services
from pic_events.consortia.models import ConsortiumMeeting, Idea
from pic_events.consortia.services import IdeaInput
from pic_events.extensions import db
from pic_events.matchmaking import booking
from pic_events.matchmaking.models import B2BTable
from tests.calendar.ics import check_ics, events_by_uid
from tests.consortia.helpers import idea, join, person
from tests.factories import b2b_slots, login, make_b2b_event, make_organiser


def _world():
    event = make_b2b_event(slots=3, tables=2, seats=2)
    event.programme_published = True  # My agenda shows once the programme is out
    db.session.add(B2BTable(event_id=event.id, label="Big", seats=6, position=9))
    db.session.commit()
    lead = person(event, "Lena Lead")
    posted = idea(event, lead, roles=[("sme", "", [])] * 2, title="Drip irrigation for olives")
    partners = [person(event, f"Partner {i}") for i in range(2)]
    for role, partner in zip(posted.roles, partners, strict=True):
        join(role, partner)
    slots = b2b_slots(event)
    group = services.book_meeting(posted, make_organiser(), [p.id for p in partners], slots[0].id)
    other = person(event, "Olga Other")
    pair = booking.book(event, [lead.id, other.id], slots[1].id)
    return event, lead, partners, group, pair


def test_the_feed_names_the_consortium_meeting_by_its_idea(app, client):
    event, lead, partners, group, pair = _world()
    assert group.origin == "consortium"
    for registration in (lead, partners[0]):
        feed = client.get(f"/calendar/{registration.user.calendar_token}.ics")
        assert feed.status_code == 200
        events = events_by_uid(check_ics(feed.data))
        summary = str(events[f"meeting-{group.id}@localhost"]["SUMMARY"])
        assert summary == "Consortium meeting: Drip irrigation for olives"
    mine = events_by_uid(check_ics(client.get(f"/calendar/{lead.user.calendar_token}.ics").data))
    assert str(mine[f"meeting-{pair.id}@localhost"]["SUMMARY"]).startswith(
        "B2B meeting: Olga Other"
    )


def test_my_agenda_says_consortium_meeting_and_the_idea(app, client):
    event, lead, partners, group, pair = _world()
    login(client, partners[1].user)
    page = client.get(f"/events/{event.slug}/my-agenda").get_data(as_text=True)
    assert "Consortium meeting: Drip irrigation for olives" in page
    assert "B2B meeting: Lena Lead" not in page


def test_a_renamed_idea_shows_in_the_cached_feed(app, client):
    _event, lead, partners, group, _pair = _world()
    url = f"/calendar/{partners[0].user.calendar_token}.ics"
    first = client.get(url)
    assert client.get(url).data == first.data  # from the cache now
    posted = db.session.scalar(sa.select(Idea).where(Idea.lead_id == lead.id))
    renamed = IdeaInput(
        title="Drip irrigation for olives and vines", call=posted.call, sectors=posted.sectors
    )
    services.update_idea(posted, lead.user, renamed)
    changed = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200
    summary = str(
        events_by_uid(check_ics(changed.data))[f"meeting-{group.id}@localhost"]["SUMMARY"]
    )
    assert summary == "Consortium meeting: Drip irrigation for olives and vines"


def test_my_agenda_shows_the_ideas_new_title_at_once(app, client):
    """My agenda is cached (programme.agenda_page): the idea's title moves its b2b version."""
    event, lead, partners, group, pair = _world()
    login(client, partners[1].user)
    url = f"/events/{event.slug}/my-agenda"
    for _ in range(2):  # the second from the cache
        assert "Consortium meeting: Drip irrigation for olives" in client.get(url).get_data(
            as_text=True
        )
    group_idea = db.session.get(Idea, db.session.scalar(sa.select(ConsortiumMeeting.idea_id)))
    group_idea.title = "Drip irrigation for olives and vines"
    db.session.commit()
    page = client.get(url).get_data(as_text=True)
    assert "Consortium meeting: Drip irrigation for olives and vines" in page
