"""Meeting scheduler for PIC matchmaking afternoons (two or more people per meeting).

Places meetings in (slot, table) pairs so that nobody is in two places at once, nobody
sits in a slot they are unavailable in and no table holds two meetings at once, maximising
the total priority of the scheduled meetings, and then, at that weight, minimising the
participants' idle gaps. Fixed meetings keep their slot and table. Every left-out meeting
gets a proven reason code.

Method: tables are interchangeable within a slot, so meetings are first given slots (with
per-slot capacity = tables not taken by fixed meetings) and tables are dealt out at the end.
The slot problem starts from an LP-guided greedy, is improved by ejection chains (insert an
unscheduled meeting into a slot, moving its clashing meetings to other slots, recursively)
and then by large neighbourhood search: OR-Tools CP-SAT re-optimises all meetings of a few
slots at a time. ``upper_bound`` is the lower of two LP bounds solved by HiGHS (per-person
matching caps, and the time-indexed relaxation), each certified from its dual values so the
bound holds even if the LP was cut short. Compaction then moves meetings by hand-written
descents and CP-SAT neighbourhoods with the weight held (``compact``).

Determinism: every step runs on work budgets (iteration counts, CP-SAT deterministic time,
one worker, fixed seed), never on wall-clock decisions, so the same input and time limit
give the same schedule. The wall clock is only a safety net: if a run would overrun the
time limit (a much slower or busy machine, or a tiny limit) it stops early with the best
schedule so far, which then may differ between runs. On the command line the limit counts
from the process start (interpreter and imports included).

Modules: ``instance`` (data classes, parsing), ``problem`` (the slot problem in indices and
the search state), ``bounds`` (LP bounds), ``search`` (greedy, ejection chains, CP-SAT for the
weight), ``gaps`` (counting idle gaps), ``moves`` and ``compact`` (fewer idle gaps at the same
weight), ``reasons`` (why a meeting is left out), ``tables`` (dealing tables), ``engine``
(``solve``), ``cli`` (the command line).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from pic_events.matchmaking.scheduler.instance import (
    Assignment,
    Id,
    Instance,
    InstanceError,
    Meeting,
    Participant,
    Schedule,
    Weight,
    parse_instance,
)

if TYPE_CHECKING:
    from pic_events.matchmaking.scheduler.cli import main
    from pic_events.matchmaking.scheduler.engine import greedy_schedule, schedule_to_dict, solve

# The solver's modules load OR-Tools, HiGHS and NumPy (about half a second): they are imported
# on first use of these names, so a web process that never schedules does not pay for them.
_LAZY = {
    "main": "pic_events.matchmaking.scheduler.cli",
    "greedy_schedule": "pic_events.matchmaking.scheduler.engine",
    "schedule_to_dict": "pic_events.matchmaking.scheduler.engine",
    "solve": "pic_events.matchmaking.scheduler.engine",
}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_LAZY[name]), name)
    globals()[name] = value
    return value


__all__ = [
    "Assignment",
    "Id",
    "Instance",
    "InstanceError",
    "Meeting",
    "Participant",
    "Schedule",
    "Weight",
    "greedy_schedule",
    "main",
    "parse_instance",
    "schedule_to_dict",
    "solve",
]
