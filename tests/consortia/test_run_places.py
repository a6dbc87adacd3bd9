"""The organiser's scheduling run places consortium meetings too (issue 14): the lead asks,
the organiser weighs, the run (matchmaking.scheduling, which never imports consortia) gets
them through the schedule_collecting signal, deals them a table that seats them all,
publishes them with origin consortium, and keeps them fixed on the next run."""

from __future__ import annotations

import json

import sqlalchemy as sa

from pic_events.consortia import services
from pic_events.consortia.models import ConsortiumMeeting, ConsortiumScheduleRequest
from pic_events.extensions import db
from pic_events.matchmaking import scheduling
from pic_events.matchmaking.models import B2BTable, Meeting
from tests.consortia.helpers import idea, join, person
from tests.factories import b2b_slots, login, make_b2b_event, make_organiser
from tests.matchmaking.admin_helpers import accepted


def _setup(big_table=True, slots=3, priority=3):
    event = make_b2b_event(slots=slots, tables=2, seats=2, booking_style="organiser")
    if big_table:
        db.session.add(B2BTable(event_id=event.id, label="Big", seats=6, position=9))
        db.session.commit()
    lead = person(event, "Lead")
    posted = idea(event, lead, roles=[("sme", "", [])] * 3)
    partners = [person(event, f"P{i}") for i in range(3)]
    for role, partner in zip(posted.roles, partners, strict=True):
        join(role, partner)
    request = services.request_scheduling(posted, lead.user, [p.id for p in partners])
    services.set_schedule_priority(request, make_organiser(), priority)
    return event, lead, posted, partners, request


def _live():
    return db.session.scalars(
        sa.select(Meeting).where(Meeting.status == "confirmed").order_by(Meeting.id)
    ).all()


def test_a_run_places_the_consortium_meeting_at_a_table_that_seats_them_and_keeps_it(app):
    event, lead, posted, partners, request = _setup()
    # a one-to-one of the lead competes for the lead's time, with a lower priority
    other = person(event, "Other")
    accepted(event, lead, other)
    preview = scheduling.plan(event, time_limit=2)
    assert preview["requested"] == 2 and preview["scheduled"] == 2
    (group,) = preview["group_assignments"]
    assert group["group"] == f"consortium:{request.id}"
    assert group["title"] == f"Consortium meeting: {posted.title}"
    big = db.session.scalar(sa.select(B2BTable.id).where(B2BTable.label == "Big"))
    assert group["table"] == big
    (pair,) = preview["assignments"]
    assert pair["slot"] != group["slot"]  # the lead is in both
    assert "Lead" not in json.dumps(preview) and "P0" not in json.dumps(preview)

    published = scheduling.publish_plan(event, preview)
    assert len(published) == 2
    meeting = db.session.get(
        Meeting, db.session.get(ConsortiumScheduleRequest, request.id).meeting_id
    )
    assert meeting.origin == "consortium" and meeting.table.label == "Big"
    assert meeting.slot_id == group["slot"]
    assert sorted(meeting.registration_ids) == sorted([lead.id, *(p.id for p in partners)])
    assert db.session.get(ConsortiumMeeting, meeting.id).idea_id == posted.id
    assert db.session.get(ConsortiumScheduleRequest, request.id).status == "scheduled"

    # second run: nothing left to place; a new request of a partner goes around the fixed one
    accepted(event, partners[0], other)
    again = scheduling.plan(event, time_limit=2)
    assert again["group_assignments"] == [] and again["requested"] == 1
    (new,) = again["assignments"]
    assert new["slot"] not in (meeting.slot_id, pair["slot"])
    scheduling.publish_plan(event, again)
    db.session.expire_all()
    kept = db.session.get(Meeting, meeting.id)
    assert (kept.status, kept.slot_id, kept.table_id, kept.sequence) == (
        "confirmed",
        group["slot"],
        big,
        0,
    )
    assert len(_live()) == 3


def test_without_a_table_that_seats_them_the_meeting_is_unplaced_no_table(app, client):
    event, lead, posted, partners, request = _setup(big_table=False)
    a, b = person(event, "A"), person(event, "B")
    accepted(event, a, b)
    preview = scheduling.plan(event, time_limit=2)
    assert preview["group_assignments"] == [] and preview["scheduled"] == 1
    (left,) = preview["group_unplaced"]
    assert (left["group"], left["reason"]) == (f"consortium:{request.id}", "no_table")
    scheduling.publish_plan(event, preview)
    assert [m.origin for m in _live()] == ["scheduler"]
    assert db.session.get(ConsortiumScheduleRequest, request.id).status == "pending"
    # the organiser's page names it and says why
    login(client, make_organiser())
    client.post(f"/organiser/events/{event.slug}/b2b/scheduling", data={"time_limit": "1"})
    page = client.get(f"/organiser/events/{event.slug}/b2b/scheduling").text
    assert f"Consortium meeting: {posted.title}" in page
    assert "no table left in their common free slots" in page


def test_the_organisers_page_publishes_the_consortium_meeting(app, client):
    event, lead, posted, partners, request = _setup()
    login(client, make_organiser())
    base = f"/organiser/events/{event.slug}/b2b/scheduling"
    assert client.post(base, data={"time_limit": "1"}).status_code == 302
    page = client.get(base).text
    assert "Publish 1 meeting" in page and f"Consortium meeting: {posted.title}" in page
    run = scheduling.latest_run(event)
    assert client.post(f"{base}/{run.id}/publish").status_code == 302
    db.session.expire_all()
    (meeting,) = _live()
    assert meeting.origin == "consortium" and meeting.table.label == "Big"
    assert meeting.slot_id in {s.id for s in b2b_slots(event)}


def test_the_command_publishes_a_run_with_only_a_consortium_meeting(app):
    event, lead, posted, partners, request = _setup(priority=1)
    runner = app.test_cli_runner()
    done = runner.invoke(args=["schedule-meetings", event.slug, "--time-limit", "1"])
    assert done.exit_code == 0, done.output
    summary = json.loads(done.output)
    assert (summary["requested"], summary["scheduled"], summary["upper_bound"]) == (1, 1, 1)
    db.session.expire_all()
    assert [m.origin for m in _live()] == ["consortium"]
