"""solve(): bounds, weight search, then the result; greedy_schedule(): the baseline."""

from __future__ import annotations

import math
import time
from typing import Any

from pic_events.matchmaking.scheduler.bounds import (
    TIME_INDEXED_LP_LIMIT,
    cap_lp,
    final_bound,
    time_indexed_lp,
)
from pic_events.matchmaking.scheduler.compact import compact
from pic_events.matchmaking.scheduler.gaps import total_gaps
from pic_events.matchmaking.scheduler.instance import Instance, Schedule, Weight
from pic_events.matchmaking.scheduler.problem import Problem, State, build_problem
from pic_events.matchmaking.scheduler.reasons import reasons, settle
from pic_events.matchmaking.scheduler.search import first_fit, search
from pic_events.matchmaking.scheduler.tables import deal_tables

MAX_TIME_LIMIT = 7 * 24 * 3600.0  # longer limits are taken as this (no overflow in budgets)
SEARCH_WORK_SHARE = 0.9  # of the time limit, sizes the search's work budgets (LPs take the rest)
CAP_LP_SHARE = 0.2  # of the time limit, at most, for the per-person LP bound
TIME_INDEXED_LP_SHARE = 0.25  # of the time limit, at most, for the time-indexed LP bound
MIN_LP_SECONDS = 0.05
WALL_SHARE = 0.95  # of the time limit: the wall-clock safety net (output and exit follow)
GREEDY_LP_SECONDS = 1.0  # the baseline's bound
# What a caller's clock (``clock_start``) has usually spent before the solve: the command
# line's interpreter start, imports and JSON parsing. A constant, so budgets stay deterministic.
STARTUP_ALLOWANCE = 1.0
COMPACT_ITERATIONS_PER_SECOND = 50  # compaction neighbourhoods per second of the work budget
DESCENT_STEPS_PER_SECOND = 20_000  # tries of the compaction's descent per second of budget
CHAIN_STEPS_PER_SECOND = 20_000  # chain moves tried per second of budget
FULL_COMPACT_WORK_SHARE = 0.75  # of the work budget, as deterministic time, for the full model
FINISH_ALLOWANCE = 0.1  # seconds kept for the reasons, the tables and the output
FINISH_SECONDS_PER_MEETING = 5e-5  # and, per meeting, for the last settle pass and reasons
# (measured: 0.09 s on large, 5,500 meetings, 0.18 s on xlarge, 16,500, at load 7)


def _schedule(
    instance: Instance,
    pb: Problem,
    st: State,
    bound: Weight,
    started: float,
    gaps_bound: int | None = None,
    *,
    explain: bool = True,
) -> Schedule:
    assignments = deal_tables(instance, pb, st)
    done = {a.meeting for a in assignments}
    weights = {m.id: m.priority for m in instance.meetings}
    return Schedule(
        assignments=tuple(assignments),
        unscheduled=tuple(m.id for m in instance.meetings if m.id not in done),
        upper_bound=bound,
        seconds=round(time.perf_counter() - started, 3),
        weight=sum(weights[a.meeting] for a in assignments),
        reasons=reasons(instance, pb, st) if explain else {},
        idle_gaps=total_gaps(st),
        idle_gaps_bound=gaps_bound,
    )


def fixed_weight(instance: Instance) -> Weight:
    weights = {m.id: m.priority for m in instance.meetings}
    return sum((weights[a.meeting] for a in instance.fixed), 0)


def greedy_schedule(instance: Instance) -> Schedule:
    """The baseline the engine must beat: heaviest meetings first, each in the first slot
    that fits (no reasons given)."""
    started = time.perf_counter()
    pb = build_problem(instance)
    bound = final_bound(cap_lp(pb, GREEDY_LP_SECONDS)[0], pb, fixed_weight(instance))
    return _schedule(instance, pb, first_fit(pb), bound, started, explain=False)


def solve(
    instance: Instance, time_limit: float = 10.0, *, clock_start: float | None = None
) -> Schedule:
    """The best schedule found within ``time_limit`` seconds, with a proven upper bound.

    ``clock_start`` (a ``time.perf_counter()`` reading) is when the caller's time limit
    began, if before this call: the command line counts its imports and JSON parsing.
    """
    started = time.perf_counter()
    origin = started if clock_start is None else min(clock_start, started)
    time_limit = min(max(0.0, time_limit), MAX_TIME_LIMIT)
    pb = build_problem(instance)
    lp_bound, value = cap_lp(pb, max(MIN_LP_SECONDS, CAP_LP_SHARE * time_limit))
    if sum(len(f) for f in pb.feas) <= TIME_INDEXED_LP_LIMIT:
        lp_bound = min(lp_bound, time_indexed_lp(pb, TIME_INDEXED_LP_SHARE * time_limit))
    target = final_bound(lp_bound, pb, 0)
    # Work budgets depend on the time limit alone (not on how long the LPs took), so the same
    # input and limit give the same schedule; the wall clock only sets the safety deadlines.
    wall_left = time_limit * WALL_SHARE - (time.perf_counter() - origin)
    allowance = 0.0 if clock_start is None else min(STARTUP_ALLOWANCE, 0.5 * time_limit)
    work = SEARCH_WORK_SHARE * (time_limit - allowance)
    st, cp_bound = search(pb, value, target, work, wall_left)
    settle(st)
    finish = FINISH_ALLOWANCE + FINISH_SECONDS_PER_MEETING * pb.n_meetings
    deadline = origin + time_limit * WALL_SHARE - finish
    iterations = int(COMPACT_ITERATIONS_PER_SECOND * work)
    steps = int(DESCENT_STEPS_PER_SECOND * work)
    chains = int(CHAIN_STEPS_PER_SECOND * work)
    full = FULL_COMPACT_WORK_SHARE * work
    gaps_bound = compact(st, iterations, steps, chains, full, deadline)
    settle(st)  # compaction may free room: a meeting that fits now goes in
    bound = min(lp_bound, cp_bound if pb.integral else math.inf)
    bound = final_bound(bound, pb, fixed_weight(instance))
    return _schedule(instance, pb, st, bound, origin, gaps_bound)


def schedule_to_dict(schedule: Schedule) -> dict[str, Any]:
    return {
        "assignments": [
            {"meeting": a.meeting, "slot": a.slot, "table": a.table} for a in schedule.assignments
        ],
        "unscheduled": list(schedule.unscheduled),
        "reasons": {str(k): v for k, v in schedule.reasons.items()},
        "upper_bound": schedule.upper_bound,
        "idle_gaps": schedule.idle_gaps,
        **(
            {}
            if schedule.idle_gaps_bound is None
            else {"idle_gaps_bound": schedule.idle_gaps_bound}
        ),
        "seconds": schedule.seconds,
    }
