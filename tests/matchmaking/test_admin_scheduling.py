"""scheduling.py and `flask schedule-meetings`: accepted requests in organiser style ->
dry run -> publish -> meetings, no double booking, later runs keep them fixed."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import sqlalchemy as sa

from pic_events.core.types import utcnow
from pic_events.core.validation import Conflict
from pic_events.extensions import db
from pic_events.matchmaking import booking, scheduling
from pic_events.matchmaking.models import (
    Meeting,
    MeetingSeat,
    RequestStatus,
    Unavailability,
)
from pic_events.matchmaking.scheduling_models import ScheduleRun
from pic_events.matchmaking.settings import settings_of
from pic_events.notifications.models import OutboxMessage
from tests.factories import b2b_slots, make_b2b_event
from tests.matchmaking.admin_helpers import accepted, people


def _live_meetings():
    return db.session.scalars(
        sa.select(Meeting).where(Meeting.status == "confirmed").order_by(Meeting.id)
    ).all()


def _no_double_booking():
    per_person = db.session.execute(
        sa.select(MeetingSeat.slot_id, MeetingSeat.registration_id, sa.func.count())
        .where(MeetingSeat.live.is_(True))
        .group_by(MeetingSeat.slot_id, MeetingSeat.registration_id)
        .having(sa.func.count() > 1)
    ).all()
    per_table = db.session.execute(
        sa.select(Meeting.slot_id, Meeting.table_id, sa.func.count())
        .where(Meeting.status == "confirmed")
        .group_by(Meeting.slot_id, Meeting.table_id)
        .having(sa.func.count() > 1)
    ).all()
    return not per_person and not per_table


def test_preview_publish_and_a_second_run_that_keeps_published_meetings(app):
    event = make_b2b_event(slots=3, tables=1, booking_style="organiser")
    a, b, c, d = people(event, 4)
    # a meets b, c and d; b meets c: five requests, three slots, one table
    requests = [accepted(event, a, x) for x in (b, c, d)] + [accepted(event, b, c)]
    db.session.add(Unavailability(registration_id=d.id, slot_id=b2b_slots(event)[0].id))
    db.session.commit()

    preview = scheduling.plan(event, time_limit=2)
    assert preview["requested"] == 4
    assert preview["scheduled"] == 3  # one table, three slots
    assert preview["upper_bound"] == 3
    assert len(preview["unplaced"]) == 1 and preview["unplaced"][0]["reason"]
    assert "Person" not in json.dumps(preview)  # ids and codes only: no personal data kept
    assert _live_meetings() == []  # a preview books nothing

    meetings = scheduling.publish_plan(event, preview)
    assert len(meetings) == 3 and all(m.origin == "scheduler" for m in meetings)
    assert {m.request_id for m in meetings} <= {r.id for r in requests}
    assert _no_double_booking()
    subjects = db.session.scalars(sa.select(OutboxMessage.subject)).all()
    assert sum("confirmed" in s for s in subjects) == 6

    placed = {(m.id, m.slot_id, m.table_id) for m in _live_meetings()}
    # a new accepted request and a new table: the second run keeps the first one's meetings
    from pic_events.matchmaking.setup import add_table

    add_table(event, "T9")
    (e,) = people(event, 1, prefix="Late")
    late = accepted(event, e, d)
    again = scheduling.plan(event, time_limit=2)
    assert again["requested"] == 2  # the one left out, and the new one
    assert late.id in {a["request"] for a in again["assignments"]}
    scheduling.publish_plan(event, again)
    after = {(m.id, m.slot_id, m.table_id) for m in _live_meetings()}
    assert placed <= after and len(after) == 3 + again["scheduled"]
    assert _no_double_booking()


def test_reasons_in_words_and_the_maximum_per_person(app):
    event = make_b2b_event(slots=2, tables=3, booking_style="organiser", max_meetings=1)
    a, b, c = people(event, 3)
    accepted(event, a, b)
    accepted(event, a, c)
    x, y = people(event, 2, prefix="Busy")
    for slot in b2b_slots(event):
        db.session.add(Unavailability(registration_id=x.id, slot_id=slot.id))
    db.session.commit()
    accepted(event, x, y)
    preview = scheduling.plan(event, time_limit=1)
    words = sorted(u["words"] for u in scheduling.describe(event, preview)["unplaced"])
    assert preview["scheduled"] == 1
    assert words == ["Person 0 has the most meetings allowed", "no common free slot"]


def test_publishing_a_stale_preview_books_nothing(app):
    event = make_b2b_event(slots=1, tables=1, booking_style="organiser")
    a, b, c, d = people(event, 4)
    accepted(event, a, b)
    preview = scheduling.plan(event, time_limit=1)
    booking.book(event, [c.id, d.id], b2b_slots(event)[0].id, by_organiser=True)
    try:
        scheduling.publish_plan(event, preview)
    except scheduling.StalePreview as error:
        assert "run the scheduler again" in str(error)
    else:
        raise AssertionError("a stale preview was published")
    assert len(_live_meetings()) == 1


def test_both_style_opens_self_booking_when_published(app):
    event = make_b2b_event(slots=2, tables=1, booking_style="both", self_booking_open=False)
    a, b = people(event, 2)
    accepted(event, a, b)
    scheduling.publish_plan(event, scheduling.plan(event, time_limit=1))
    assert settings_of(event).self_booking_open is True


def test_cli_dry_run_then_publish(app):
    event = make_b2b_event(slots=2, tables=1, booking_style="organiser")
    a, b, c = people(event, 3)
    accepted(event, a, b)
    accepted(event, a, c)
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["schedule-meetings", event.slug, "--time-limit", "1", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    summary = json.loads(dry.output)
    assert set(summary) == {"requested", "scheduled", "upper_bound", "seconds"}
    assert summary["requested"] == 2 and summary["scheduled"] == 2 and summary["upper_bound"] == 2
    assert _live_meetings() == []
    done = runner.invoke(args=["schedule-meetings", event.slug, "--time-limit", "1"])
    assert done.exit_code == 0, done.output
    assert json.loads(done.output)["scheduled"] == 2
    db.session.expire_all()
    assert len(_live_meetings()) == 2
    missing = runner.invoke(args=["schedule-meetings", "nope"])
    assert missing.exit_code != 0 and "No event" in missing.output


def test_a_run_without_redis_solves_inline(app):
    event = make_b2b_event(slots=2, tables=1, booking_style="organiser")
    a, b = people(event, 2)
    accepted(event, a, b)
    run = scheduling.start_run(event, time_limit=1)
    assert run.status == "done" and run.result["scheduled"] == 1
    scheduling.publish_run(run)
    assert run.status == "published" and len(_live_meetings()) == 1


def test_a_second_run_waits_for_the_one_in_progress_unless_it_is_stuck(app):
    event = make_b2b_event(slots=2, tables=1, booking_style="organiser")
    a, b = people(event, 2)
    accepted(event, a, b)
    running = ScheduleRun(event_id=event.id, status="running", time_limit=5, started_at=utcnow())
    db.session.add(running)
    db.session.commit()
    with pytest.raises(Conflict):
        scheduling.start_run(event, time_limit=1)
    running.started_at = utcnow() - timedelta(hours=1)  # its worker died long ago
    db.session.commit()
    assert scheduling.start_run(event, time_limit=1).status == "done"


def test_with_redis_the_run_is_a_job_the_worker_runs_and_the_page_shows_progress(app, client):
    import uuid

    import pytest
    from redis import Redis
    from redis.exceptions import RedisError
    from rq import SimpleWorker

    from pic_events.notifications.jobs import mail_queue
    from tests.factories import login, make_organiser
    from tests.notifications.test_workers import REDIS_URL, _delete_queue_keys

    try:
        Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except RedisError as error:
        pytest.skip(f"Redis at {REDIS_URL} is not answering: {error}")
    app.config.update(REDIS_URL=REDIS_URL, MAIL_QUEUE=f"test-b2b-{uuid.uuid4().hex}")
    queue = mail_queue(app)
    try:
        event = make_b2b_event(slots=2, tables=1, booking_style="organiser")
        a, b = people(event, 2)
        accepted(event, a, b)
        login(client, make_organiser())
        client.post(f"/organiser/events/{event.slug}/b2b/scheduling", data={"time_limit": "1"})
        run = scheduling.latest_run(event)
        assert run.status == "queued" and run.job_id
        page = client.get(f"/organiser/events/{event.slug}/b2b/scheduling")
        assert "Waiting for a worker" in page.text and 'http-equiv="refresh"' in page.text
        assert "<progress" in page.text
        SimpleWorker([queue], connection=queue.connection).work(burst=True)
        db.session.expire_all()
        run = scheduling.latest_run(event)
        assert run.status == "done" and run.result["scheduled"] == 1
        page = client.get(f"/organiser/events/{event.slug}/b2b/scheduling")
        assert "Publish 1 meeting" in page.text and 'http-equiv="refresh"' not in page.text
    finally:
        _delete_queue_keys(queue)


def test_no_slots_or_tables_yet_places_nothing_and_says_why(app):
    event = make_b2b_event(slots=0, tables=0, booking_style="organiser")
    a, b = people(event, 2)
    accepted(event, a, b)
    preview = scheduling.plan(event, time_limit=1)
    assert preview["requested"] == 1 and preview["scheduled"] == 0
    assert preview["upper_bound"] == 0
    assert scheduling.describe(event, preview)["unplaced"][0]["words"] == "no common free slot"


def test_a_preview_whose_slot_was_deleted_is_stale(app):
    from pic_events.matchmaking import setup

    event = make_b2b_event(slots=1, tables=1, booking_style="organiser")
    a, b = people(event, 2)
    accepted(event, a, b)
    preview = scheduling.plan(event, time_limit=1)
    setup.delete_slot(b2b_slots(event)[0], confirmed=True)
    try:
        scheduling.publish_plan(event, preview)
    except scheduling.StalePreview:
        pass
    else:
        raise AssertionError("published into a deleted slot")
    assert _live_meetings() == []


def test_without_redis_a_run_stays_under_the_web_servers_timeout(app):
    event = make_b2b_event(slots=1, tables=1, booking_style="organiser")
    app.config["B2B_INLINE_TIME_LIMIT"] = 2
    run = scheduling.start_run(event, time_limit=200)
    assert run.time_limit == 2 and run.status == "done"


def test_the_maximum_per_person_holds_after_publication(app):
    event = make_b2b_event(slots=4, tables=2, booking_style="organiser", max_meetings=2)
    everyone = people(event, 6)
    for i, a in enumerate(everyone):
        for b in everyone[i + 1 :]:
            accepted(event, a, b)
    preview = scheduling.plan(event, time_limit=1)
    scheduling.publish_plan(event, preview)
    counts = db.session.execute(
        sa.select(MeetingSeat.registration_id, sa.func.count())
        .where(MeetingSeat.live.is_(True))
        .group_by(MeetingSeat.registration_id)
    ).all()
    assert counts and max(n for _r, n in counts) <= 2
    assert 5 <= preview["scheduled"] <= 6  # at most 6 people x 2 meetings / 2 per meeting
    assert _no_double_booking()


def test_placing_a_request_twice_books_one_meeting(app):
    """The organiser's "place" form sent again (back button, second tab) is refused."""
    event = make_b2b_event(slots=2, tables=1, booking_style="organiser")
    a, b = people(event, 2)
    request = accepted(event, a, b)
    first, second = b2b_slots(event)
    meeting = scheduling.place_request(event, request.id, first.id)
    assert meeting.origin == "organiser" and meeting.request_id == request.id
    with pytest.raises(scheduling.RequestNotOpen):
        scheduling.place_request(event, request.id, second.id)
    assert len(_live_meetings()) == 1
    booking.cancel(meeting, by_organiser=True)
    request.status = RequestStatus.CANCELLED.value
    db.session.commit()
    with pytest.raises(scheduling.RequestNotOpen):
        scheduling.place_request(event, request.id, second.id)
    assert _live_meetings() == []


def test_runs_started_at_once_make_one_run(app):
    """Threads on their own connections, on an SQLite file and on PostgreSQL: the event's row
    is locked while a run is started, so the others see it in progress."""
    import threading

    event = make_b2b_event(slots=2, tables=1, booking_style="organiser")
    a, b = people(event, 2)
    accepted(event, a, b)
    event_id = event.id
    start = threading.Barrier(3)
    started, refused, errors = [], [], []

    def run() -> None:
        from pic_events.events.models import Event

        with app.app_context(), app.test_request_context():
            try:
                mine = db.session.get(Event, event_id)
                start.wait()
                started.append(scheduling.start_run(mine, time_limit=1).id)
            except Conflict:
                refused.append(1)
            except Exception as error:  # pragma: no cover - reported below
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert (len(started), len(refused)) == (1, 2)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ScheduleRun)) == 1
