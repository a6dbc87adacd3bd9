"""Organiser scheduling: rows -> the scheduler's instance -> a preview -> publication.

The instance: the event's slots in time order (a block per day and half-day, so a lunch
break is not an idle gap), its tables, the confirmed registrations involved (with the slots
they cannot meet in: availability.unavailable_slot_ids), the accepted requests without a live
meeting (priority = the request's), and every live meeting as `fixed`: published meetings
never move, a later run places only the new requests. Other modules add meetings of their own
(consortium meetings of three or more people) through the `schedule_collecting` signal: the
run places them beside the requests, deals them a table that seats them all, and publishes
each through the callable it came with. The preview says how many fit against
the proven bound, and why each other one does not, in words. Publication books every
placement through booking.book_in_transaction (origin SCHEDULER) in one transaction: one
conflict and nothing is booked. With REDIS_URL the solve is an RQ job (the mail worker runs
it); without, it runs in the request, within its time limit.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from pic_events.core import background, signals
from pic_events.core.locks import locked_rows
from pic_events.core.templating import local_time
from pic_events.core.timezones import to_zone
from pic_events.core.types import utcnow
from pic_events.core.validation import Conflict, NotFoundError
from pic_events.events.models import Event
from pic_events.extensions import db
from pic_events.matchmaking import booking
from pic_events.matchmaking.availability import unavailable_slot_ids
from pic_events.matchmaking.layout import event_slots, event_tables
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
from pic_events.matchmaking.requests import request_options
from pic_events.matchmaking.scheduler.instance import Assignment, parse_instance
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


@dataclass(frozen=True)
class ExtraMeeting:
    """A meeting another module asks the run to place (signals.schedule_collecting): its own
    key (never "r..." or "m..."), its confirmed people, its priority, the seats it needs, a
    title for the preview, and `publish(slot_id, table_id)` that books it inside the caller's
    transaction (through booking) and returns the Meeting."""

    key: str
    registration_ids: tuple[int, ...]
    priority: int
    seats: int
    title: str
    publish: Callable[[int, int | None], Meeting]


def collect_extras(event: Event) -> list[ExtraMeeting]:
    """What the modules above matchmaking want placed by this event's run."""
    extras: list[ExtraMeeting] = []
    for _receiver, found in signals.schedule_collecting.send(event):
        extras.extend(e for e in found or () if len(set(e.registration_ids)) >= 2)
    return extras


@dataclass
class Rows:
    event: Event
    slots: list[Slot]
    tables: list[B2BTable]
    requests: list[MeetingRequest]  # accepted, without a live meeting, both sides confirmed
    stale: list[MeetingRequest]  # accepted, but a side is no longer confirmed
    live: list[tuple[int, int, int, list[int]]]  # meeting id, slot id, table id, people
    extras: list[ExtraMeeting] = field(default_factory=list)  # schedule_collecting's


@dataclass(frozen=True)
class Wanted:
    """A meeting to place, a request's or an extra's, as the run's own passes see it."""

    key: str
    people: tuple[int, ...]
    priority: int
    seats: int
    order: tuple[int, int]  # ties: requests by id, then extras as collected


def wanted_of(rows: Rows) -> dict[str, Wanted]:
    wanted = {
        request_key(r.id): Wanted(
            request_key(r.id), (r.sender_id, r.recipient_id), r.priority, 2, (0, r.id)
        )
        for r in rows.requests
    }
    for index, extra in enumerate(rows.extras):
        people = tuple(dict.fromkeys(extra.registration_ids))
        wanted[extra.key] = Wanted(
            extra.key, people, extra.priority, max(extra.seats, len(people)), (1, index)
        )
    return wanted


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
    slots = event_slots(event)
    tables = event_tables(event)
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
    requests, stale = [], []
    for request in accepted:
        confirmed = all(
            p.status == RegistrationStatus.CONFIRMED for p in (request.sender, request.recipient)
        )
        (requests if confirmed else stale).append(request)
    return Rows(event, slots, tables, requests, stale, live, collect_extras(event))


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
        | {p for e in rows.extras for p in e.registration_ids}
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
        + [
            {
                "id": e.key,
                "participants": list(dict.fromkeys(e.registration_ids)),
                "priority": e.priority,
            }
            for e in rows.extras
        ]
        + [{"id": f"m{m}", "participants": ids, "priority": 1} for m, _s, _t, ids in rows.live],
        "fixed": [{"meeting": f"m{m}", "slot": s, "table": t} for m, s, t, _ids in rows.live],
    }


# Preview ---------------------------------------------------------------------------------------


def plan(event: Event, time_limit: float = DEFAULT_TIME_LIMIT) -> dict[str, Any]:
    """Solve and summarise: {"requested", "scheduled", "upper_bound", "seconds", "idle_gaps",
    "weight", "assignments": [{"request", "slot", "table"}], "unplaced": [{"request",
    "reason", "who"}], "group_assignments": [{"group", "title", "slot", "table"}],
    "group_unplaced": [{"group", "title", "reason", "who"}]} (the group lists: meetings of
    schedule_collecting, counted in "requested" and "scheduled"). Plain JSON kept in the run:
    ids and codes only, no names (personal data stays in its own rows; `describe` puts the
    words and names together for a page)."""
    started = time.perf_counter()
    rows = load_rows(event)
    data = build_instance(rows)
    wanted = wanted_of(rows)
    titles = {e.key: e.title for e in rows.extras}
    requested = len(rows.requests) + len(rows.stale) + len(rows.extras)
    if not wanted:
        unplaced = [_stale_entry(r) for r in rows.stale]
        return _summary(requested, [], unplaced, 0, 0, started)
    from pic_events.matchmaking.scheduler import solve  # OR-Tools and HiGHS: loaded when used

    instance = parse_instance(data)
    schedule = solve(instance, time_limit=min(max(time_limit, 0.5), MAX_TIME_LIMIT))
    placed = [a for a in schedule.assignments if a.meeting in wanted]
    placed, over = _within_limit(event, rows, placed, wanted)
    placed, tableless = _deal_tables(rows, placed, wanted)
    unscheduled = list(schedule.unscheduled)
    if over or tableless:  # places the limit or the seats freed may now hold one left out
        placed += _fill_gaps(event, rows, data, placed, wanted)
        assigned = {a.meeting for a in placed}
        over = [(key, who) for key, who in over if key not in assigned]
        tableless = [key for key in tableless if key not in assigned]
        unscheduled = [k for k in unscheduled if k not in assigned]
    load: dict[int, int] = defaultdict(int)  # meetings asked of each person in the instance
    for meeting in instance.meetings:
        for person in meeting.participants:
            load[person] += 1
    left = []
    for key in unscheduled:
        if key in wanted:
            code = schedule.reasons.get(key, "displaced")
            left.append((key, code, _who(wanted[key], code, load)))
    left += [(key, MAX_MEETINGS_REASON, who) for key, who in over]
    left += [(key, "no_table", []) for key in tableless]
    unplaced, group_unplaced = [], []
    for key, code, who in left:
        if key in titles:
            group_unplaced.append({"group": key, "title": titles[key], "reason": code, "who": who})
        else:
            unplaced.append({"request": int(key[1:]), "reason": code, "who": who})
    unplaced += [_stale_entry(r) for r in rows.stale]
    fixed_weight = len(rows.live)
    bound = max(0, schedule.upper_bound - fixed_weight)
    requested_weight = sum(w.priority for w in wanted.values())
    bound = min(bound, requested_weight)
    assignments = [
        {"request": int(a.meeting[1:]), "slot": a.slot, "table": a.table}
        for a in placed
        if a.meeting not in titles
    ]
    groups = [
        {"group": a.meeting, "title": titles[a.meeting], "slot": a.slot, "table": a.table}
        for a in placed
        if a.meeting in titles
    ]
    result = _summary(requested, assignments, unplaced, bound, schedule.idle_gaps, started)
    result["scheduled"] += len(groups)
    result["group_assignments"] = sorted(groups, key=lambda g: g["group"])
    result["group_unplaced"] = sorted(group_unplaced, key=lambda g: g["group"])
    result["weight"] = sum(wanted[a.meeting].priority for a in placed)
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
        "group_assignments": [],
        "group_unplaced": [],
    }


def _stale_entry(request: MeetingRequest) -> dict[str, Any]:
    gone = [
        p.id
        for p in (request.sender, request.recipient)
        if p.status != RegistrationStatus.CONFIRMED
    ]
    return {"request": request.id, "reason": NOT_REGISTERED_REASON, "who": gone}


def _who(want: Wanted, code: str, load: dict[int, int]) -> list[int]:
    """participant_full: the person with more meetings asked than slots to hold them."""
    if code != "participant_full":
        return []
    return [max(want.people, key=lambda p: load[p])]


def _best_table(tables: list[B2BTable], free, seats: int) -> int | None:
    """The smallest free table that seats them (the first in the organiser's order)."""
    fitting = [t for t in tables if t.id in free and t.seats >= seats]
    return min(fitting, key=lambda t: t.seats).id if fitting else None


def _deal_tables(rows: Rows, placed, wanted) -> tuple[list[Assignment], list[str]]:
    """The engine's tables are interchangeable; seats are not. Per slot: group meetings
    (largest first) take the smallest free table that seats them, two-person meetings keep
    the engine's table when it is still free, else take one left. A meeting left without a
    table that seats it is out (reason no_table)."""
    taken: dict[int, set[int]] = defaultdict(set)
    for _m, slot_id, table_id, _ids in rows.live:
        taken[slot_id].add(table_id)
    by_slot: dict[int, list[Assignment]] = defaultdict(list)
    for a in placed:
        by_slot[a.slot].append(a)
    kept: list[Assignment] = []
    dropped: list[str] = []
    for slot_id, items in by_slot.items():
        free = {t.id for t in rows.tables} - taken[slot_id]
        groups = sorted(
            (a for a in items if wanted[a.meeting].seats > 2),
            key=lambda a: (-wanted[a.meeting].seats, wanted[a.meeting].order),
        )
        pairs = [a for a in items if wanted[a.meeting].seats <= 2]
        for a in groups:
            table = _best_table(rows.tables, free, wanted[a.meeting].seats)
            if table is None:
                dropped.append(a.meeting)
                continue
            free.discard(table)
            kept.append(Assignment(a.meeting, slot_id, table))
        seats = {t.id: t.seats for t in rows.tables}
        moved = []
        for a in pairs:
            if a.table in free and seats[a.table] >= wanted[a.meeting].seats:
                free.discard(a.table)
                kept.append(a)
            else:
                moved.append(a)
        for a in moved:
            table = _best_table(rows.tables, free, wanted[a.meeting].seats)
            if table is None:
                dropped.append(a.meeting)
                continue
            free.discard(table)
            kept.append(Assignment(a.meeting, slot_id, table))
    return kept, dropped


def _fill_gaps(event, rows: Rows, data, placed, wanted) -> list[Assignment]:
    """Greedy: put left-out meetings (heaviest first) where all their people are free and
    available, a table seats them, and nobody is at the limit."""
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
        people = wanted[a.meeting].people
        busy[a.slot].update(people)
        tables_used[a.slot].add(a.table)
        for person in people:
            count[person] += 1
    placed_keys = {a.meeting for a in placed}
    waiting = [w for key, w in wanted.items() if key not in placed_keys]
    waiting.sort(key=lambda w: (-w.priority, w.order))
    all_tables = {t.id for t in rows.tables}
    added = []
    for want in waiting:
        people = want.people
        if limit is not None and any(count[p] >= limit for p in people):
            continue
        for slot in rows.slots:
            if any(p in busy[slot.id] or slot.id in unavailable.get(p, ()) for p in people):
                continue
            table = _best_table(rows.tables, all_tables - tables_used[slot.id], want.seats)
            if table is None:
                continue
            added.append(Assignment(want.key, slot.id, table))
            busy[slot.id].update(people)
            tables_used[slot.id].add(table)
            for p in people:
                count[p] += 1
            break
    return added


def _within_limit(event, rows: Rows, placed, wanted):
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
    order = sorted(placed, key=lambda a: (-wanted[a.meeting].priority, wanted[a.meeting].order))
    for assignment in order:
        people = wanted[assignment.meeting].people
        full = [p for p in people if count[p] >= limit]
        if full:
            over.append((assignment.meeting, full))
            continue
        for person in people:
            count[person] += 1
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
    groups = result.get("group_assignments") or []
    meetings: list[Meeting] = []
    try:
        with booking.transaction():
            requests = _locked_requests(a["request"] for a in assignments)
            extras = {e.key: e for e in collect_extras(event)} if groups else {}
            group_todo = [g for g in groups if g["group"] in extras]  # else placed meanwhile
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
            booking.lock_slots({a["slot"] for a in todo} | {g["slot"] for g in group_todo})
            booking.lock_registrations(
                {p for a in todo for p in _pair(requests[a["request"]])}
                | {p for g in group_todo for p in extras[g["group"]].registration_ids}
            )
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
            for g in group_todo:
                meetings.append(extras[g["group"]].publish(g["slot"], g["table"]))
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


class RequestNotOpen(Conflict):
    """The request is no longer accepted, or it has a live meeting already."""


def place_request(
    event: Event, request_id: int, slot_id: int, table_id: int | None = None
) -> Meeting:
    """An organiser places one accepted request without a live meeting (origin ORGANISER);
    commits. The request is locked first, so a cancel or a second placement meanwhile
    (another tab, the back button) raises RequestNotOpen instead of a second meeting."""
    with booking.transaction():
        request = booking.lock_request(request_id)
        if request.event_id != event.id:
            raise NotFoundError(_("No such meeting request."))
        placed = db.session.scalar(
            sa.select(Meeting.id).where(
                Meeting.request_id == request.id, Meeting.status == MeetingStatus.CONFIRMED
            )
        )
        if request.status != RequestStatus.ACCEPTED or placed is not None:
            raise RequestNotOpen(_("This request is no longer accepted."))
        meeting = booking.book_in_transaction(
            event,
            _pair(request),
            slot_id,
            table_id=table_id,
            request=request,
            origin=MeetingOrigin.ORGANISER,
            by_organiser=True,
        )
    return meeting


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
    solved now. Conflict while another run of the event is in progress (and not stuck).
    The event's row is locked until the new run is committed: two organisers starting a
    run at once make one run, and the other is told about it."""
    locked_rows(Event, [event.id])
    latest = latest_run(event)
    if latest is not None and latest.in_progress and not latest.stuck():
        raise Conflict(_("A run is already in progress."))
    limit = min(max(float(time_limit), 1.0), MAX_TIME_LIMIT)
    queued = bool(current_app.config.get("REDIS_URL"))
    if not queued:
        limit = min(limit, inline_time_limit())
    run = ScheduleRun(event_id=event.id, status=RunStatus.QUEUED.value, time_limit=limit)
    db.session.add(run)
    db.session.commit()
    if queued:
        job = background.enqueue(  # no retry: a run cut short is stuck(), then started anew
            mail_queue_name(),
            run_job,
            run.id,
            job_timeout=int(run.time_limit * 3 + 60),
            retries=0,
        )
        if job is not None:
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
    claimed = db.session.execute(  # one claim even if the job runs twice
        sa.update(ScheduleRun)
        .where(ScheduleRun.id == run_id, ScheduleRun.status == RunStatus.QUEUED.value)
        .values(status=RunStatus.RUNNING.value, started_at=utcnow())
    )
    db.session.commit()
    if claimed.rowcount != 1:
        return
    run = db.session.get(ScheduleRun, run_id)
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
    """The RQ job (on the mail queue: `flask mail-worker` runs it too)."""
    background.in_app_context(execute_run, run_id)


def mail_queue_name() -> str:
    return current_app.config.get("MAIL_QUEUE") or "pic-mail"


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
    """The preview for a page: each placement and each left-out request or group meeting
    with names and times (four queries whatever their number)."""
    ids = [a["request"] for a in result.get("assignments", [])] + [
        u["request"] for u in result.get("unplaced", [])
    ]
    requests = {
        r.id: r
        for r in db.session.scalars(
            sa.select(MeetingRequest).where(MeetingRequest.id.in_(ids)).options(*request_options())
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
    for group in result.get("group_assignments", []):
        placed.append(
            {
                "request": None,
                "title": group.get("title", ""),
                "time": when(group["slot"]),
                "slot": slots.get(group["slot"]),
                "table": tables[group["table"]].label if group["table"] in tables else "?",
            }
        )
    placed.sort(key=lambda p: (p["slot"].starts_at if p["slot"] else utcnow(), p["table"]))
    unplaced = []
    for item in result.get("unplaced", []):
        found = requests.get(item["request"])
        if found is None:  # deleted since (a registration was deleted)
            continue
        sides = {found.sender_id: found.sender, found.recipient_id: found.recipient}
        names = ", ".join(sides[i].display_name for i in item.get("who", []) if i in sides)
        unplaced.append({"request": found, "words": reason_words(item["reason"], names)})
    group_who = {i for item in result.get("group_unplaced", []) for i in item.get("who", [])}
    named = {
        r.id: r.display_name
        for r in db.session.scalars(
            sa.select(Registration)
            .where(Registration.id.in_(group_who))
            .options(joinedload(Registration.user))
        )
    }
    for item in result.get("group_unplaced", []):
        names = ", ".join(named[i] for i in item.get("who", []) if i in named)
        unplaced.append(
            {
                "request": None,
                "title": item.get("title", ""),
                "words": reason_words(item["reason"], names),
            }
        )
    return {"placed": placed, "unplaced": unplaced}
