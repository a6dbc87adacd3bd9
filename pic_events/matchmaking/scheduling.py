"""Organiser scheduling: rows -> the scheduler's instance -> a preview -> publication.

The instance: the event's slots in time order (a block per day and half-day, so a lunch
break is not an idle gap), its tables, the confirmed registrations involved (with the slots
they cannot meet in: availability.unavailable_slot_ids), the accepted requests without a live
meeting (priority = the request's), and every live meeting as `fixed`: published meetings
never move, a later run places only the new requests. The preview says how many fit against
the proven bound, and why each other one does not, in words. Publication books every
placement through booking.book_in_transaction (origin SCHEDULER) in one transaction: one
conflict and nothing is booked. With REDIS_URL the solve is an RQ job (the mail worker runs
it); without, it runs in the request, within its time limit.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import current_app, has_app_context
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from pic_events.accounts.models import User
from pic_events.core.templating import local_time
from pic_events.core.timezones import to_zone
from pic_events.core.types import utcnow
from pic_events.core.validation import Conflict, NotFoundError
from pic_events.events.models import Event
from pic_events.extensions import db
from pic_events.matchmaking import booking
from pic_events.matchmaking.availability import unavailable_slot_ids
from pic_events.matchmaking.models import (
    B2BTable,
    BookingStyle,
    Meeting,
    MeetingOrigin,
    MeetingRequest,
    MeetingSeat,
    MeetingStatus,
    RequestStatus,
    Slot,
)
from pic_events.matchmaking.scheduler import Assignment, parse_instance, solve
from pic_events.matchmaking.scheduling_models import RunStatus, ScheduleRun
from pic_events.matchmaking.settings import saved_settings_of, settings_of
from pic_events.registration.models import Registration, RegistrationStatus

logger = logging.getLogger(__name__)

DEFAULT_TIME_LIMIT = 10.0
MAX_TIME_LIMIT = 300.0
INLINE_TIME_LIMIT = 20.0
MAX_MEETINGS_REASON = "max_meetings"
NOT_REGISTERED_REASON = "not_registered"


def reason_words(code: str, names: str = "") -> str:
    """A reason code (CONTRACT.md, and two of ours) in words."""
    words = {
        "no_common_slot": _("no common free slot"),
        "no_table": _("no table left in their common free slots"),
        "participant_full": _("%(names)s has more accepted requests than free slots", names=names),
        "displaced": _(
            "their common free slots are taken by meetings of the same or higher priority"
        ),
        MAX_MEETINGS_REASON: _("%(names)s has the most meetings allowed", names=names),
        NOT_REGISTERED_REASON: _("%(names)s is no longer registered", names=names),
    }
    return str(words.get(code, code))


# Rows -> instance ----------------------------------------------------------------------------


@dataclass
class Rows:
    event: Event
    slots: list[Slot]
    tables: list[B2BTable]
    requests: list[MeetingRequest]  # accepted, without a live meeting, both sides confirmed
    stale: list[MeetingRequest]  # accepted, but a side is no longer confirmed
    live: list[tuple[int, int, int, list[int]]]  # meeting id, slot id, table id, people
    people: dict[int, Registration]


def accepted_unscheduled(event: Event) -> list[MeetingRequest]:
    """Accepted requests that have no live meeting, oldest first, with both people loaded."""
    live = sa.select(Meeting.request_id).where(
        Meeting.event_id == event.id,
        Meeting.status == MeetingStatus.CONFIRMED,
        Meeting.request_id.is_not(None),
    )
    return list(
        db.session.scalars(
            sa.select(MeetingRequest)
            .where(
                MeetingRequest.event_id == event.id,
                MeetingRequest.status == RequestStatus.ACCEPTED,
                MeetingRequest.id.not_in(live),
            )
            .options(
                joinedload(MeetingRequest.sender).joinedload(Registration.user),
                joinedload(MeetingRequest.recipient).joinedload(Registration.user),
            )
            .order_by(MeetingRequest.id)
        )
    )


def load_rows(event: Event) -> Rows:
    """Everything the instance needs, in a fixed number of queries."""
    slots = list(
        db.session.scalars(
            sa.select(Slot).where(Slot.event_id == event.id).order_by(Slot.starts_at, Slot.id)
        )
    )
    tables = list(
        db.session.scalars(
            sa.select(B2BTable)
            .where(B2BTable.event_id == event.id)
            .order_by(B2BTable.position, B2BTable.id)
        )
    )
    accepted = accepted_unscheduled(event)
    live_rows = db.session.execute(
        sa.select(Meeting.id, Meeting.slot_id, Meeting.table_id, MeetingSeat.registration_id)
        .join(MeetingSeat, MeetingSeat.meeting_id == Meeting.id)
        .where(Meeting.event_id == event.id, Meeting.status == MeetingStatus.CONFIRMED)
        .order_by(Meeting.id, MeetingSeat.id)
    ).all()
    grouped: dict[int, tuple[int, int, list[int]]] = {}
    for meeting_id, slot_id, table_id, registration_id in live_rows:
        grouped.setdefault(meeting_id, (slot_id, table_id, []))[2].append(registration_id)
    live = [(m, s, t, people) for m, (s, t, people) in grouped.items()]
    people: dict[int, Registration] = {}
    for request in accepted:
        people[request.sender_id] = request.sender
        people[request.recipient_id] = request.recipient
    missing = {p for *_x, ids in live for p in ids} - set(people)
    if missing:
        for registration in db.session.scalars(
            sa.select(Registration)
            .where(Registration.id.in_(missing))
            .options(joinedload(Registration.user))
        ):
            people[registration.id] = registration
    requests, stale = [], []
    for request in accepted:
        confirmed = all(
            p.status == RegistrationStatus.CONFIRMED for p in (request.sender, request.recipient)
        )
        (requests if confirmed else stale).append(request)
    return Rows(event, slots, tables, requests, stale, live, people)


def slot_block(slot: Slot, event: Event) -> str:
    """ "2027-06-02-am": meetings of one half-day; the break between two is no idle gap."""
    local = to_zone(slot.starts_at, event.timezone)
    return f"{local.date().isoformat()}-{'am' if local.hour < 12 else 'pm'}"


def request_key(request_id: int) -> str:
    return f"r{request_id}"


def build_instance(rows: Rows) -> dict[str, Any]:
    """The scheduler's instance (CONTRACT.md's JSON format) from the rows."""
    event = rows.event
    slot_ids = [s.id for s in rows.slots]
    people = sorted(
        {p for r in rows.requests for p in (r.sender_id, r.recipient_id)}
        | {p for *_x, ids in rows.live for p in ids}
    )
    unavailable = unavailable_slot_ids(event.id, people, slot_ids)
    for _meeting, slot_id, _table, ids in rows.live:  # a fixed meeting's slot stays theirs
        for person in ids:
            unavailable.get(person, set()).discard(slot_id)
    return {
        "slots": [{"id": s.id, "block": slot_block(s, event)} for s in rows.slots],
        "tables": [{"id": t.id} for t in rows.tables],
        "participants": [{"id": p, "unavailable": sorted(unavailable.get(p, ()))} for p in people],
        "meetings": [
            {
                "id": request_key(r.id),
                "participants": [r.sender_id, r.recipient_id],
                "priority": r.priority,
            }
            for r in rows.requests
        ]
        + [{"id": f"m{m}", "participants": ids, "priority": 1} for m, _s, _t, ids in rows.live],
        "fixed": [{"meeting": f"m{m}", "slot": s, "table": t} for m, s, t, _ids in rows.live],
    }


# Preview ---------------------------------------------------------------------------------------


def plan(event: Event, time_limit: float = DEFAULT_TIME_LIMIT) -> dict[str, Any]:
    """Solve and summarise: {"requested", "scheduled", "upper_bound", "seconds", "idle_gaps",
    "weight", "assignments": [{"request", "slot", "table"}], "unplaced": [{"request",
    "reason", "who"}]}. Plain JSON kept in the run: ids and codes only, no names (personal
    data stays in its own rows; `describe` puts the words and names together for a page)."""
    started = time.perf_counter()
    rows = load_rows(event)
    data = build_instance(rows)
    requested = len(rows.requests) + len(rows.stale)
    if not rows.requests:
        unplaced = [_stale_entry(r) for r in rows.stale]
        return _summary(requested, [], unplaced, 0, 0, started)
    instance = parse_instance(data)
    schedule = solve(instance, time_limit=min(max(time_limit, 0.5), MAX_TIME_LIMIT))
    by_key = {request_key(r.id): r for r in rows.requests}
    placed = [a for a in schedule.assignments if a.meeting in by_key]
    placed, over = _within_limit(event, rows, placed, by_key)
    if over:  # places the limit freed may now hold a request left out
        placed += _fill_gaps(event, rows, data, placed, by_key)
        assigned = {a.meeting for a in placed}
        over = [(r, who) for r, who in over if request_key(r.id) not in assigned]
        schedule_unscheduled = [k for k in schedule.unscheduled if k not in assigned]
    else:
        schedule_unscheduled = list(schedule.unscheduled)
    load: dict[int, int] = defaultdict(int)  # meetings asked of each person in the instance
    for meeting in instance.meetings:
        for person in meeting.participants:
            load[person] += 1
    unplaced = []
    for key in schedule_unscheduled:
        if key in by_key:
            code = schedule.reasons.get(key, "displaced")
            unplaced.append(_entry(by_key[key], code, load))
    unplaced += [
        {"request": request.id, "reason": MAX_MEETINGS_REASON, "who": who} for request, who in over
    ]
    unplaced += [_stale_entry(r) for r in rows.stale]
    fixed_weight = len(rows.live)
    bound = max(0, schedule.upper_bound - fixed_weight)
    requested_weight = sum(r.priority for r in rows.requests)
    bound = min(bound, requested_weight)
    assignments = [
        {"request": by_key[a.meeting].id, "slot": a.slot, "table": a.table} for a in placed
    ]
    result = _summary(requested, assignments, unplaced, bound, schedule.idle_gaps, started)
    result["weight"] = sum(by_key[a.meeting].priority for a in placed)
    return result


def _summary(requested, assignments, unplaced, bound, gaps, started) -> dict[str, Any]:
    return {
        "requested": requested,
        "scheduled": len(assignments),
        "upper_bound": bound,
        "seconds": round(time.perf_counter() - started, 2),
        "idle_gaps": gaps,
        "assignments": assignments,
        "unplaced": sorted(unplaced, key=lambda u: u["request"]),
    }


def _stale_entry(request: MeetingRequest) -> dict[str, Any]:
    gone = [
        p.id
        for p in (request.sender, request.recipient)
        if p.status != RegistrationStatus.CONFIRMED
    ]
    return {"request": request.id, "reason": NOT_REGISTERED_REASON, "who": gone}


def _entry(request: MeetingRequest, code: str, load: dict[int, int]) -> dict[str, Any]:
    who = []
    if code == "participant_full":  # the side with more meetings than slots to hold them
        sender, recipient = request.sender_id, request.recipient_id
        who = [sender if load[sender] >= load[recipient] else recipient]
    return {"request": request.id, "reason": code, "who": who}


def _fill_gaps(event, rows: Rows, data, placed, by_key) -> list[Assignment]:
    """Greedy: put left-out requests (heaviest first) where both people are free and
    available, a table is free, and neither is at the limit."""
    limit = settings_of(event).max_meetings
    unavailable = {p["id"]: set(p["unavailable"]) for p in data["participants"]}
    busy: dict[int, set[int]] = defaultdict(set)  # slot -> people
    tables_used: dict[int, set[int]] = defaultdict(set)
    count: dict[int, int] = defaultdict(int)
    for _m, slot_id, table_id, ids in rows.live:
        busy[slot_id].update(ids)
        tables_used[slot_id].add(table_id)
        for person in ids:
            count[person] += 1
    for a in placed:
        request = by_key[a.meeting]
        busy[a.slot].update((request.sender_id, request.recipient_id))
        tables_used[a.slot].add(a.table)
        count[request.sender_id] += 1
        count[request.recipient_id] += 1
    placed_keys = {a.meeting for a in placed}
    waiting = [r for r in rows.requests if request_key(r.id) not in placed_keys]
    waiting.sort(key=lambda r: (-r.priority, r.id))
    added = []
    for request in waiting:
        pair = (request.sender_id, request.recipient_id)
        if limit is not None and any(count[p] >= limit for p in pair):
            continue
        for slot in rows.slots:
            if any(p in busy[slot.id] or slot.id in unavailable.get(p, ()) for p in pair):
                continue
            table = next((t.id for t in rows.tables if t.id not in tables_used[slot.id]), None)
            if table is None:
                continue
            added.append(Assignment(request_key(request.id), slot.id, table))
            busy[slot.id].update(pair)
            tables_used[slot.id].add(table)
            for p in pair:
                count[p] += 1
            break
    return added


def _within_limit(event, rows: Rows, placed, by_key):
    """The engine knows no per-person maximum: keep, per person, the heaviest placements up to
    the limit (counting their live meetings), leave out the rest."""
    limit = settings_of(event).max_meetings
    if limit is None:
        return placed, []
    count: dict[int, int] = defaultdict(int)
    for *_x, ids in rows.live:
        for person in ids:
            count[person] += 1
    kept, over = [], []
    order = sorted(placed, key=lambda a: (-by_key[a.meeting].priority, by_key[a.meeting].id))
    for assignment in order:
        request = by_key[assignment.meeting]
        full = [p for p in (request.sender_id, request.recipient_id) if count[p] >= limit]
        if full:
            over.append((request, full))
            continue
        count[request.sender_id] += 1
        count[request.recipient_id] += 1
        kept.append(assignment)
    return kept, over


# Publication -----------------------------------------------------------------------------------


class StalePreview(Conflict):
    """The preview no longer fits the bookings: run it again."""


def publish_plan(event: Event, result: dict[str, Any]) -> list[Meeting]:
    """Book every placement of the preview in one transaction (origin SCHEDULER, by the
    organiser, at the assigned table); the booking mails go out with the commit. Requests
    scheduled meanwhile are skipped; any booking conflict books nothing."""
    assignments = result.get("assignments") or []
    meetings: list[Meeting] = []
    try:
        with booking.transaction():
            requests = _locked_requests(a["request"] for a in assignments)
            already = set(
                db.session.scalars(
                    sa.select(Meeting.request_id).where(
                        Meeting.request_id.in_(list(requests)),
                        Meeting.status == MeetingStatus.CONFIRMED,
                    )
                )
            )
            todo = [
                a
                for a in assignments
                if a["request"] in requests
                and requests[a["request"]].status == RequestStatus.ACCEPTED
                and a["request"] not in already
            ]
            booking.lock_slots({a["slot"] for a in todo})
            booking.lock_registrations({p for a in todo for p in _pair(requests[a["request"]])})
            for a in todo:
                request = requests[a["request"]]
                meetings.append(
                    booking.book_in_transaction(
                        event,
                        _pair(request),
                        a["slot"],
                        table_id=a["table"],
                        request=request,
                        origin=MeetingOrigin.SCHEDULER,
                        by_organiser=True,
                    )
                )
            settings = saved_settings_of(event)
            if settings.booking_style == BookingStyle.BOTH:
                settings.self_booking_open = True
    except (booking.BookingConflict, NotFoundError) as conflict:
        raise StalePreview(
            _(
                "Nothing was published: %(why)s The bookings changed since the preview; "
                "run the scheduler again.",
                why=str(conflict),
            )
        ) from None
    return meetings


def _locked_requests(ids) -> dict[int, MeetingRequest]:
    """Locked in id order, as booking.py orders its locks (requests first)."""
    locked = {}
    for request_id in sorted(set(ids)):
        try:
            locked[request_id] = booking.lock_request(request_id)
        except NotFoundError:  # its registration was deleted meanwhile
            continue
    return locked


def _pair(request: MeetingRequest) -> list[int]:
    return [request.sender_id, request.recipient_id]


# Runs ------------------------------------------------------------------------------------------


def latest_run(event: Event) -> ScheduleRun | None:
    return db.session.scalar(
        sa.select(ScheduleRun)
        .where(ScheduleRun.event_id == event.id)
        .order_by(ScheduleRun.id.desc())
        .limit(1)
    )


def start_run(event: Event, time_limit: float = DEFAULT_TIME_LIMIT) -> ScheduleRun:
    """A new run: an RQ job when REDIS_URL is set (the page follows its progress), else
    solved now."""
    limit = min(max(float(time_limit), 1.0), MAX_TIME_LIMIT)
    queued = bool(current_app.config.get("REDIS_URL"))
    if not queued:
        limit = min(limit, inline_time_limit())
    run = ScheduleRun(event_id=event.id, status=RunStatus.QUEUED.value, time_limit=limit)
    db.session.add(run)
    db.session.commit()
    if queued:
        try:
            from pic_events.notifications.jobs import mail_queue

            job = mail_queue().enqueue(run_job, run.id, job_timeout=int(run.time_limit * 3 + 60))
        except Exception:  # Redis is down: solve here rather than not at all
            logger.exception("Could not enqueue the scheduling run; solving inline")
        else:
            run.job_id = job.id
            db.session.commit()
            return run
    execute_run(run.id)
    db.session.refresh(run)
    return run


def inline_time_limit() -> float:
    """Without a worker the run happens in the request: keep it under the web server's
    timeout (gunicorn: 30 s by default)."""
    return float(current_app.config.get("B2B_INLINE_TIME_LIMIT", INLINE_TIME_LIMIT))


def execute_run(run_id: int) -> None:
    run = db.session.get(ScheduleRun, run_id)
    if run is None or run.status != RunStatus.QUEUED:
        return
    run.status = RunStatus.RUNNING.value
    run.started_at = utcnow()
    db.session.commit()
    event = db.session.get(Event, run.event_id)
    try:
        result = plan(event, run.time_limit)
    except Exception as error:  # the organiser sees it failed; the log has the details
        logger.exception("Scheduling run %s failed", run_id)
        db.session.rollback()
        run = db.session.get(ScheduleRun, run_id)
        run.status = RunStatus.FAILED.value
        run.error = str(error)[:2000]
    else:
        run.status = RunStatus.DONE.value
        run.result = result
    run.finished_at = utcnow()
    db.session.commit()


def run_job(run_id: int) -> None:
    """The RQ job: inside the worker's app context, or a new app's."""
    if has_app_context():
        execute_run(run_id)
        return
    from pic_events import create_app

    with create_app().app_context():
        execute_run(run_id)


def publish_run(run: ScheduleRun) -> list[Meeting]:
    if run.status != RunStatus.DONE or not run.result:
        raise StalePreview(_("This run has no preview to publish."))
    if latest_run(db.session.get(Event, run.event_id)).id != run.id:
        raise StalePreview(_("A newer run exists: publish that one."))
    event = db.session.get(Event, run.event_id)
    meetings = publish_plan(event, run.result)
    run.status = RunStatus.PUBLISHED.value
    run.published_at = utcnow()
    db.session.commit()
    return meetings


def describe(event: Event, result: dict[str, Any]) -> dict[str, Any]:
    """The preview for a page: each placement and each left-out request with names and
    times (three queries whatever their number)."""
    ids = [a["request"] for a in result.get("assignments", [])] + [
        u["request"] for u in result.get("unplaced", [])
    ]
    requests = {
        r.id: r
        for r in db.session.scalars(
            sa.select(MeetingRequest)
            .where(MeetingRequest.id.in_(ids))
            .options(
                joinedload(MeetingRequest.sender)
                .joinedload(Registration.user)
                .joinedload(User.organisation),
                joinedload(MeetingRequest.recipient)
                .joinedload(Registration.user)
                .joinedload(User.organisation),
            )
        )
    }
    slots = {s.id: s for s in db.session.scalars(sa.select(Slot).where(Slot.event_id == event.id))}
    tables = {
        t.id: t
        for t in db.session.scalars(sa.select(B2BTable).where(B2BTable.event_id == event.id))
    }

    def when(slot_id):
        slot = slots.get(slot_id)
        return local_time(slot.starts_at, event.timezone) if slot else "?"

    placed = [
        {
            "request": requests.get(a["request"]),
            "time": when(a["slot"]),
            "slot": slots.get(a["slot"]),
            "table": tables[a["table"]].label if a["table"] in tables else "?",
        }
        for a in result.get("assignments", [])
    ]
    placed.sort(key=lambda p: (p["slot"].starts_at if p["slot"] else utcnow(), p["table"]))
    unplaced = []
    for item in result.get("unplaced", []):
        found = requests.get(item["request"])
        if found is None:  # deleted since (a registration was deleted)
            continue
        sides = {found.sender_id: found.sender, found.recipient_id: found.recipient}
        names = ", ".join(sides[i].display_name for i in item.get("who", []) if i in sides)
        unplaced.append({"request": found, "words": reason_words(item["reason"], names)})
    return {"placed": placed, "unplaced": unplaced}
