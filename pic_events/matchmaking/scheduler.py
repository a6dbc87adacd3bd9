"""Meeting scheduler for PIC matchmaking afternoons (two or more people per meeting).

Places meetings in (slot, table) pairs so that nobody is in two places at once, nobody
sits in a slot they are unavailable in and no table holds two meetings at once, maximising
the total priority of the scheduled meetings. Fixed meetings keep their slot and table.

Method: tables are interchangeable within a slot, so meetings are first given slots (with
per-slot capacity = tables not taken by fixed meetings) and tables are dealt out at the end.
The slot problem starts from an LP-guided greedy, is improved by ejection chains (insert an
unscheduled meeting into a slot, moving its clashing meetings to other slots, recursively)
and then by large neighbourhood search: OR-Tools CP-SAT re-optimises all meetings of a few
slots at a time. ``upper_bound`` is the lower of two LP bounds solved by HiGHS (per-person
matching caps, and the time-indexed relaxation), each certified from its dual values so the
bound holds even if the LP was cut short.

Determinism: every step runs on work budgets (iteration counts, CP-SAT deterministic time,
one worker, fixed seed), never on wall-clock decisions, so the same input and time limit
give the same schedule. The wall clock is only a safety net: if a run would overrun the
time limit (a much slower or busy machine, or a tiny limit) it stops early with the best
schedule so far, which then may differ between runs. On the command line the limit counts
from the process start (interpreter and imports included).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import sys
import time
from dataclasses import dataclass
from typing import Any

import highspy
import numpy as np
from ortools.sat.python import cp_model

Id = int | str
Weight = int | float

EPS = 1e-9
LP_ITERATION_LIMIT = 200_000  # a work limit, so that a cut-short LP still cuts the same way
TIME_INDEXED_LP_LIMIT = 15_000  # (meeting, slot) pairs up to which that LP is cheap enough
MAX_TIME_LIMIT = 7 * 24 * 3600.0  # longer limits are taken as this (no overflow in budgets)
MAX_TOTAL_PRIORITY = 1e15  # float arithmetic stays exact enough for a sound bound below this


class InstanceError(ValueError):
    """The instance breaks the input contract; the message is a single line."""


@dataclass(frozen=True)
class Participant:
    id: Id
    unavailable: frozenset[Id] = frozenset()


@dataclass(frozen=True)
class Meeting:
    id: Id
    participants: tuple[Id, ...]
    priority: Weight = 1
    slots: tuple[Id, ...] | None = None  # None: any slot


@dataclass(frozen=True)
class Assignment:
    meeting: Id
    slot: Id
    table: Id


@dataclass(frozen=True)
class Instance:
    slots: tuple[Id, ...]
    tables: tuple[Id, ...]
    participants: tuple[Participant, ...]
    meetings: tuple[Meeting, ...]
    fixed: tuple[Assignment, ...] = ()


@dataclass(frozen=True)
class Schedule:
    assignments: tuple[Assignment, ...]
    unscheduled: tuple[Id, ...]
    upper_bound: Weight
    seconds: float
    weight: Weight


# --------------------------------------------------------------------------- parsing


def _id(value: Any, what: str) -> Id:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise InstanceError(f"{what}: id must be an integer or a string, got {value!r}")
    return value


def _list(data: dict[str, Any], key: str, *, required: bool = True) -> list[Any]:
    if key not in data:
        if required:
            raise InstanceError(f"missing key {key!r}")
        return []
    value = data[key]
    if not isinstance(value, list):
        raise InstanceError(f"{key!r} must be a list")
    return value


def _record(item: Any, what: str) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise InstanceError(f"{what} must be an object, got {item!r}")
    if "id" not in item and what != "fixed entry":
        raise InstanceError(f"{what} without an id: {item!r}")
    return item


def _unique_ids(items: list[Any], what: str) -> tuple[Id, ...]:
    ids = tuple(_id(_record(item, what)["id"], what) for item in items)
    seen: set[Id] = set()
    for ident in ids:
        if ident in seen:
            raise InstanceError(f"duplicate {what} id {ident!r}")
        seen.add(ident)
    return ids


def _known(ident: Any, known: set[Id], what: str, where: str) -> Id:
    ident = _id(ident, f"{where}: {what}")
    if ident not in known:
        raise InstanceError(f"{where}: unknown {what} {ident!r}")
    return ident


def _priority(raw: Any, where: str) -> Weight:
    ok = isinstance(raw, int | float) and not isinstance(raw, bool)
    if not ok or raw <= 0 or not math.isfinite(raw) or raw > MAX_TOTAL_PRIORITY:
        raise InstanceError(
            f"{where}: priority must be a positive number up to {MAX_TOTAL_PRIORITY:g}, got {raw!r}"
        )
    return raw


def _parse_participant(item: dict[str, Any], slots: set[Id]) -> Participant:
    where = f"participant {item['id']!r}"
    raw = item.get("unavailable", [])
    if not isinstance(raw, list):
        raise InstanceError(f"{where}: 'unavailable' must be a list")
    return Participant(item["id"], frozenset(_known(s, slots, "slot", where) for s in raw))


def _parse_meeting(item: dict[str, Any], people: set[Id], slots: set[Id]) -> Meeting:
    where = f"meeting {item['id']!r}"
    raw = item.get("participants")
    if not isinstance(raw, list):
        raise InstanceError(f"{where}: 'participants' must be a list")
    members = tuple(_known(p, people, "participant", where) for p in raw)
    if len(set(members)) != len(members):
        raise InstanceError(f"{where}: a participant is listed twice")
    if len(members) < 2:
        raise InstanceError(f"{where}: needs at least two participants")
    allowed = item.get("slots")
    if allowed is not None:
        if not isinstance(allowed, list):
            raise InstanceError(f"{where}: 'slots' must be a list")
        allowed = tuple(dict.fromkeys(_known(s, slots, "slot", where) for s in allowed))
    return Meeting(item["id"], members, _priority(item.get("priority", 1), where), allowed)


def _parse_fixed(item: Any, meetings: set[Id], slots: set[Id], tables: set[Id]) -> Assignment:
    item = _record(item, "fixed entry")
    for key in ("meeting", "slot", "table"):
        if key not in item:
            raise InstanceError(f"fixed entry without {key!r}: {item!r}")
    where = "fixed entry"
    return Assignment(
        _known(item["meeting"], meetings, "meeting", where),
        _known(item["slot"], slots, "slot", where),
        _known(item["table"], tables, "table", where),
    )


def _check_fixed(instance: Instance) -> None:
    """A fixed meeting must obey every rule a scheduled meeting obeys."""
    meetings = {m.id: m for m in instance.meetings}
    unavailable = {p.id: p.unavailable for p in instance.participants}
    seen_meetings: set[Id] = set()
    tables: dict[tuple[Id, Id], Id] = {}
    people: dict[tuple[Id, Id], Id] = {}
    for a in instance.fixed:
        meeting = meetings[a.meeting]
        where = f"fixed meeting {a.meeting!r}"
        if a.meeting in seen_meetings:
            raise InstanceError(f"{where} is fixed twice")
        seen_meetings.add(a.meeting)
        if meeting.slots is not None and a.slot not in meeting.slots:
            raise InstanceError(f"{where}: slot {a.slot!r} is not one of its allowed slots")
        if (a.slot, a.table) in tables:
            other = tables[a.slot, a.table]
            raise InstanceError(
                f"{where}: table {a.table!r} in slot {a.slot!r} already holds meeting {other!r}"
            )
        tables[a.slot, a.table] = a.meeting
        for p in meeting.participants:
            if a.slot in unavailable[p]:
                raise InstanceError(f"{where}: participant {p!r} is unavailable in slot {a.slot!r}")
            if (p, a.slot) in people:
                other = people[p, a.slot]
                raise InstanceError(
                    f"{where}: participant {p!r} is already in meeting {other!r} in slot {a.slot!r}"
                )
            people[p, a.slot] = a.meeting


def parse_instance(data: Any) -> Instance:
    """Validate a decoded JSON instance; raise ``InstanceError`` on any contract breach."""
    if not isinstance(data, dict):
        raise InstanceError("the instance must be a JSON object")
    raw_slots = _list(data, "slots")
    raw_tables = _list(data, "tables")
    raw_people = _list(data, "participants")
    raw_meetings = _list(data, "meetings")
    raw_fixed = _list(data, "fixed", required=False)
    slots = _unique_ids(raw_slots, "slot")
    tables = _unique_ids(raw_tables, "table")
    people_ids = _unique_ids(raw_people, "participant")
    meeting_ids = _unique_ids(raw_meetings, "meeting")
    slot_set, people_set = set(slots), set(people_ids)
    participants = tuple(_parse_participant(p, slot_set) for p in raw_people)
    meetings = tuple(_parse_meeting(m, people_set, slot_set) for m in raw_meetings)
    if sum(m.priority for m in meetings) > MAX_TOTAL_PRIORITY:
        raise InstanceError(f"the priorities add up to more than {MAX_TOTAL_PRIORITY:g}")
    fixed = tuple(_parse_fixed(f, set(meeting_ids), slot_set, set(tables)) for f in raw_fixed)
    instance = Instance(slots, tables, participants, meetings, fixed)
    _check_fixed(instance)
    return instance


# --------------------------------------------------------------------------- problem


@dataclass
class _Problem:
    """The slot-assignment problem over the meetings that are not fixed, in indices."""

    n_slots: int
    n_people: int
    cap: list[int]  # tables per slot not used by fixed meetings
    weights: list[Weight]
    parts: list[tuple[int, ...]]
    feas: list[tuple[int, ...]]  # slots a meeting may take, given everyone's availability
    origin: list[int]  # index in Instance.meetings
    by_person: list[list[int]]
    integral: bool

    @property
    def n_meetings(self) -> int:
        return len(self.weights)


def _build_problem(instance: Instance) -> _Problem:
    slot_index = {s: i for i, s in enumerate(instance.slots)}
    person_index = {p.id: i for i, p in enumerate(instance.participants)}
    n_slots = len(instance.slots)
    free = [[s not in p.unavailable for s in instance.slots] for p in instance.participants]
    cap = [len(instance.tables)] * n_slots
    meetings = {m.id: m for m in instance.meetings}
    for a in instance.fixed:
        s = slot_index[a.slot]
        cap[s] -= 1
        for p in meetings[a.meeting].participants:
            free[person_index[p]][s] = False
    fixed = {a.meeting for a in instance.fixed}
    pb = _Problem(n_slots, len(instance.participants), cap, [], [], [], [], [], True)
    pb.by_person = [[] for _ in instance.participants]
    for k, m in enumerate(instance.meetings):
        if m.id in fixed:
            continue
        parts = tuple(person_index[p] for p in m.participants)
        allowed = range(n_slots) if m.slots is None else sorted(slot_index[s] for s in m.slots)
        feas = tuple(s for s in allowed if cap[s] > 0 and all(free[p][s] for p in parts))
        for p in parts:
            pb.by_person[p].append(len(pb.weights))
        pb.weights.append(m.priority)
        pb.parts.append(parts)
        pb.feas.append(feas)
        pb.origin.append(k)
    pb.integral = all(isinstance(w, int) for w in pb.weights)
    return pb


# --------------------------------------------------------------------------- bounds


def _matching_size(options: list[tuple[int, ...]]) -> int:
    """Maximum bipartite matching of items to slots (Kuhn's augmenting paths)."""
    owner: dict[int, int] = {}

    def augment(i: int, seen: set[int]) -> bool:
        for s in options[i]:
            if s not in seen:
                seen.add(s)
                if s not in owner or augment(owner[s], seen):
                    owner[s] = i
                    return True
        return False

    return sum(augment(i, set()) for i in range(len(options)))


def _lp_dual_bound(
    weights: np.ndarray, cols: list[list[int]], rhs: list[float], time_limit: float
) -> tuple[float, np.ndarray]:
    """Bound on max w.x s.t. A x <= rhs, 0 <= x <= 1, A binary, ``cols[j]`` = rows of x_j.

    Any y >= 0 gives the bound y.rhs + sum_j max(0, w_j - (A^T y)_j), so the duals HiGHS
    returns certify the bound exactly, whether or not the LP solved to optimality.
    """
    n, m = len(cols), len(rhs)
    if n == 0:
        return 0.0, np.zeros(0)
    starts = np.zeros(n + 1, dtype=np.int32)
    starts[1:] = np.cumsum([len(c) for c in cols])
    index = np.fromiter((r for c in cols for r in c), dtype=np.int32, count=int(starts[-1]))
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n, m
    lp.col_cost_ = -weights.astype(float)
    lp.col_lower_, lp.col_upper_ = np.zeros(n), np.ones(n)
    lp.row_lower_, lp.row_upper_ = np.full(m, -highspy.kHighsInf), np.array(rhs, dtype=float)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_, lp.a_matrix_.index_ = starts, index
    lp.a_matrix_.value_ = np.ones(len(index))
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    h.setOptionValue("random_seed", 0)
    h.setOptionValue("time_limit", max(0.05, time_limit))
    h.setOptionValue("simplex_iteration_limit", LP_ITERATION_LIMIT)
    h.passModel(lp)
    h.run()
    solution = h.getSolution()
    dual = np.asarray(solution.row_dual, dtype=float)
    primal = np.asarray(solution.col_value, dtype=float)
    if len(dual) != m or len(primal) != n:
        return float(weights.sum()), np.zeros(n)
    b = np.array(rhs, dtype=float)
    column = np.repeat(np.arange(n), np.diff(starts))
    best = float(weights.sum())
    for y in (np.maximum(dual, 0.0), np.maximum(-dual, 0.0)):
        reduced = weights - np.bincount(column, weights=y[index], minlength=n)
        best = min(best, float(y @ b + np.maximum(reduced, 0.0).sum()))
    return best, primal


def _cap_lp(pb: _Problem, time_limit: float) -> tuple[float, list[float]]:
    """Each person capped by the most of their meetings that fit distinct slots; total tables.

    Returns the bound and the LP value of each meeting (which meetings are worth placing).
    """
    caps = [_matching_size([pb.feas[m] for m in ms]) for ms in pb.by_person]
    usable = [m for m in range(pb.n_meetings) if pb.feas[m]]
    rows = {
        p: r for r, p in enumerate(p for p in range(pb.n_people) if caps[p] < len(pb.by_person[p]))
    }
    total_row = len(rows)
    cols = [[rows[p] for p in pb.parts[m] if p in rows] + [total_row] for m in usable]
    rhs = [float(caps[p]) for p in rows] + [float(sum(pb.cap))]
    weights = np.array([pb.weights[m] for m in usable], dtype=float)
    bound, values = _lp_dual_bound(weights, cols, rhs, time_limit)
    value = [0.0] * pb.n_meetings
    for m, v in zip(usable, values, strict=True):
        value[m] = float(v)
    return bound, value


def _time_indexed_lp(pb: _Problem, time_limit: float) -> float:
    """Bound from the LP relaxation of the slot model (x[meeting, slot])."""
    pairs = [(m, s) for m in range(pb.n_meetings) for s in pb.feas[m]]
    load: dict[tuple[int, int], int] = {}
    per_slot = [0] * pb.n_slots
    for m, s in pairs:
        per_slot[s] += 1
        for p in pb.parts[m]:
            load[p, s] = load.get((p, s), 0) + 1
    rows: dict[tuple[Any, ...], int] = {}
    for m in range(pb.n_meetings):
        if len(pb.feas[m]) > 1:
            rows["m", m] = len(rows)
    for (p, s), k in sorted(load.items()):
        if k > 1:
            rows["p", p, s] = len(rows)
    for s in range(pb.n_slots):
        if per_slot[s] > pb.cap[s]:
            rows["s", s] = len(rows)
    rhs = [float(pb.cap[key[1]]) if key[0] == "s" else 1.0 for key in rows]
    cols = []
    for m, s in pairs:
        keys = [("m", m), ("s", s)] + [("p", p, s) for p in pb.parts[m]]
        cols.append([rows[k] for k in keys if k in rows])
    weights = np.array([pb.weights[m] for m, _ in pairs], dtype=float)
    return _lp_dual_bound(weights, cols, rhs, time_limit)[0]


def _final_bound(bound: float, pb: _Problem, fixed_weight: Weight) -> Weight:
    """The bound on the whole schedule: fixed weight plus the (rounding-safe) LP/CP bound,
    never above the weight of all placeable meetings, which is summed exactly."""
    total = sum(pb.weights[m] for m in range(pb.n_meetings) if pb.feas[m])
    if not math.isfinite(bound):
        bound = math.inf
    slack = 1e-6 + abs(bound) * 1e-12 if math.isfinite(bound) else 0.0  # float rounding
    if pb.integral and isinstance(fixed_weight, int):
        if bound + slack >= total:
            return fixed_weight + total
        return fixed_weight + int(math.floor(bound + slack))
    # Float priorities: any order of summing a schedule's weights may round up by a few
    # units in the last place, so the bound keeps a relative margin above the exact sum.
    free = min(
        bound * (1 + 1e-9) + 1e-9,
        math.fsum(pb.weights[m] for m in range(pb.n_meetings) if pb.feas[m]),
    )
    return math.fsum([fixed_weight, free]) * (1 + 1e-10) + 1e-12


# --------------------------------------------------------------------------- search state


class _State:
    """A slot assignment (``-1`` = unscheduled) with an undo log for tentative moves."""

    def __init__(self, pb: _Problem) -> None:
        self.pb = pb
        self.slot_of = [-1] * pb.n_meetings
        self.busy = [[-1] * pb.n_slots for _ in range(pb.n_people)]
        self.count = [0] * pb.n_slots
        self.members: list[set[int]] = [set() for _ in range(pb.n_slots)]
        self.weight: Weight = 0
        self.log: list[tuple[int, int]] = []
        self.work = 0  # ejection-chain steps taken: the deterministic budget
        # Bit s set: person free in slot s / slot s has a table left / meeting may take s.
        self.free_mask = [(1 << pb.n_slots) - 1] * pb.n_people
        self.room_mask = sum(1 << s for s in range(pb.n_slots) if pb.cap[s] > 0)
        self.feas_mask = [sum(1 << s for s in feas) for feas in pb.feas]

    def _set(self, m: int, s: int) -> None:
        old, parts = self.slot_of[m], self.pb.parts[m]
        if old >= 0:
            for p in parts:
                self.busy[p][old] = -1
                self.free_mask[p] |= 1 << old
            self.room_mask |= 1 << old
            self.count[old] -= 1
            self.members[old].discard(m)
            self.weight -= self.pb.weights[m]
        if s >= 0:
            for p in parts:
                self.busy[p][s] = m
                self.free_mask[p] &= ~(1 << s)
            self.count[s] += 1
            if self.count[s] >= self.pb.cap[s]:
                self.room_mask &= ~(1 << s)
            self.members[s].add(m)
            self.weight += self.pb.weights[m]
        self.slot_of[m] = s

    def move(self, m: int, s: int) -> None:
        self.log.append((m, self.slot_of[m]))
        self._set(m, s)

    def undo(self, mark: int) -> None:
        while len(self.log) > mark:
            m, old = self.log.pop()
            self._set(m, old)

    def fits(self, m: int, s: int) -> bool:
        busy = self.busy
        return self.count[s] < self.pb.cap[s] and all(busy[p][s] < 0 for p in self.pb.parts[m])

    def fit_mask(self, m: int) -> int:
        """Bits of the slots ``m`` could move to right now without moving anyone else."""
        mask = self.feas_mask[m] & self.room_mask
        for p in self.pb.parts[m]:
            mask &= self.free_mask[p]
        return mask

    def clashes(self, m: int, s: int) -> set[int]:
        busy = self.busy
        return {busy[p][s] for p in self.pb.parts[m] if busy[p][s] >= 0}

    def load(self, slot_of: list[int]) -> None:
        for m, s in enumerate(slot_of):
            if s != self.slot_of[m]:
                self._set(m, s)
        self.log.clear()


# --------------------------------------------------------------------------- greedy


def _greedy(pb: _Problem, value: list[float] | None = None) -> _State:
    """Place meetings by LP value (if given), then heaviest and least flexible first."""
    st = _State(pb)
    value = value or [0.0] * pb.n_meetings
    order = sorted(
        range(pb.n_meetings),
        key=lambda m: (-round(value[m], 6), -pb.weights[m], len(pb.feas[m]), m),
    )
    for m in order:
        if st.slot_of[m] >= 0:
            continue
        options = [s for s in pb.feas[m] if st.fits(m, s)]
        if options:
            st.move(m, max(options, key=lambda s: (pb.cap[s] - st.count[s], -s)))
    st.log.clear()
    return st


# --------------------------------------------------------------------------- ejection chains


def _victim(st: _State, s: int, spared: set[int], locked: set[int]) -> int:
    """The meeting to push out of a full slot: lightest, preferring one that fits elsewhere."""
    pb = st.pb
    best, best_key = -1, None
    for c in st.members[s]:
        if c in spared or c in locked:
            continue
        movable = bool(st.fit_mask(c) & ~(1 << s))
        key = (pb.weights[c], not movable, c)
        if best_key is None or key < best_key:
            best, best_key = c, key
    return best


def _insert(st: _State, m: int, depth: int, locked: set[int], breadth: int) -> Weight:
    """Schedule the unscheduled meeting ``m``, evicting and re-placing others up to ``depth``.

    Returns the net weight gained (> 0) with the moves applied, or 0 with nothing changed.
    """
    pb = st.pb
    st.work += 1
    w = pb.weights[m]
    mask = st.fit_mask(m)
    if mask:
        st.move(m, (mask & -mask).bit_length() - 1)
        return w
    if depth == 0:
        return 0
    locked.add(m)
    options = []
    for s in pb.feas[m]:
        clash = st.clashes(m, s)
        if clash & locked:
            continue
        lost = sum(pb.weights[c] for c in clash)
        full = st.count[s] - len(clash) >= pb.cap[s]
        options.append((lost + (w if full else 0) * 0.5, len(clash), s, clash, full))
    options.sort(key=lambda o: o[:3])
    gain = _try_options(st, m, options[:breadth], depth, locked, breadth)
    locked.discard(m)
    return gain


def _may_gain(st: _State, m: int, s: int, evicted: list[int]) -> bool:
    """Cheap test before a last-level move: can the evicted meetings that have nowhere
    else to go (ignoring each other) cost less than ``m`` gains?"""
    pb = st.pb
    stuck = sum(pb.weights[c] for c in evicted if not st.fit_mask(c) & ~(1 << s))
    return pb.weights[m] - stuck > EPS


def _try_options(
    st: _State, m: int, options: list[Any], depth: int, locked: set[int], breadth: int
) -> Weight:
    pb = st.pb
    for _, _, s, clash, full in options:
        evicted = sorted(clash, key=lambda c: (-pb.weights[c], c))
        if full:
            extra = _victim(st, s, clash, locked)
            if extra < 0:
                continue
            evicted.append(extra)
        if depth == 1 and not _may_gain(st, m, s, evicted):
            continue
        mark = len(st.log)
        gain = pb.weights[m]
        for c in evicted:
            st.move(c, -1)
            gain -= pb.weights[c]
        st.move(m, s)
        for c in evicted:
            gain += _insert(st, c, depth - 1, locked, breadth)
        if gain > EPS:
            return gain
        st.undo(mark)
    return 0


def _ejection_chains(st: _State, target: float, rounds: int, budget: int, deadline: float) -> None:
    """Insert unscheduled meetings by ejection chains (depth 2) until a round gains nothing
    or ``budget`` steps are spent."""
    pb = st.pb
    order = sorted(range(pb.n_meetings), key=lambda m: (-pb.weights[m], len(pb.feas[m]), m))
    for _ in range(rounds):
        improved = False
        for m in order:
            if st.weight >= target - EPS or st.work > budget or time.perf_counter() > deadline:
                return
            if st.slot_of[m] < 0 and pb.feas[m] and _insert(st, m, 2, set(), 16) > EPS:
                improved = True
            st.log.clear()
        if not improved:
            return


# --------------------------------------------------------------------------- CP-SAT


def _cp_weights(pb: _Problem) -> list[int]:
    """CP-SAT needs integer objective coefficients; float priorities are scaled."""
    if pb.integral:
        return [int(w) for w in pb.weights]
    top = max(pb.weights, default=1)
    return [max(1, round(w * 10_000 / top)) for w in pb.weights]


def _reoptimise(
    st: _State,
    free: list[int],
    slots: set[int] | None,
    work: float,
    seconds: float,
    cp_weights: list[int],
) -> float:
    """Re-place the ``free`` meetings optimally (CP-SAT) with all others kept where they are.

    ``slots`` limits where free meetings may go. Returns CP-SAT's proven bound on the free
    meetings' objective (in ``cp_weights`` units); the state is updated only if it improves.
    """
    pb, busy = st.pb, st.busy
    before = {m: st.slot_of[m] for m in free}
    for m in free:
        if st.slot_of[m] >= 0:
            st._set(m, -1)
    model = cp_model.CpModel()
    by_slot: dict[int, list[cp_model.IntVar]] = {}
    by_person_slot: dict[tuple[int, int], list[cp_model.IntVar]] = {}
    chosen: dict[tuple[int, int], cp_model.IntVar] = {}
    for m in free:
        options = []
        for s in pb.feas[m]:
            if (slots is not None and s not in slots) or st.count[s] >= pb.cap[s]:
                continue
            if any(busy[p][s] >= 0 for p in pb.parts[m]):
                continue
            x = model.new_bool_var("")
            chosen[m, s] = x
            options.append(x)
            by_slot.setdefault(s, []).append(x)
            for p in pb.parts[m]:
                by_person_slot.setdefault((p, s), []).append(x)
        if len(options) > 1:
            model.add_at_most_one(options)
    for xs in by_person_slot.values():
        if len(xs) > 1:
            model.add_at_most_one(xs)
    for s, xs in by_slot.items():
        room = pb.cap[s] - st.count[s]
        if len(xs) > room:
            model.add(sum(xs) <= room)
    model.maximize(sum(cp_weights[m] * x for (m, _), x in chosen.items()))
    for (m, s), x in chosen.items():
        model.add_hint(x, before[m] == s)
    solver = cp_model.CpSolver()
    params = solver.parameters
    params.num_workers = 1
    params.random_seed = 7
    params.max_deterministic_time = work
    params.max_time_in_seconds = max(0.01, seconds)
    status = solver.solve(model)
    # Only a solve that reached a solution reports a bound: stopped earlier (UNKNOWN, as when
    # it is given a few milliseconds), CP-SAT's best_objective_bound can read 0.
    solved = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    cp_bound = solver.best_objective_bound if solved else math.inf
    old_weight = sum(pb.weights[m] for m in free if before[m] >= 0)
    if solved:
        picked = {m: s for (m, s), x in chosen.items() if solver.boolean_value(x)}
        new_weight = sum(pb.weights[m] for m in picked)
        if new_weight > old_weight + EPS:
            for m, s in picked.items():
                st._set(m, s)
            st.log.clear()
            return cp_bound
    for m in free:
        if before[m] >= 0:
            st._set(m, before[m])
    st.log.clear()
    return cp_bound


def _slot_neighbourhood(st: _State, slots: set[int]) -> list[int]:
    pb = st.pb
    return [
        m
        for m in range(pb.n_meetings)
        if st.slot_of[m] in slots or (st.slot_of[m] < 0 and any(s in slots for s in pb.feas[m]))
    ]


def _people_neighbourhood(st: _State, seed: int, size: int) -> list[int]:
    """Meetings around an unscheduled meeting: its people's meetings, their partners' and so on."""
    pb = st.pb
    chosen: dict[int, None] = {seed: None}
    people = list(pb.parts[seed])
    seen = set(people)
    while people and len(chosen) < size:
        p = people.pop(0)
        for m in pb.by_person[p]:
            if pb.feas[m] and m not in chosen:
                chosen[m] = None
                for q in pb.parts[m]:
                    if q not in seen:
                        seen.add(q)
                        people.append(q)
    return list(chosen)[:size]


def _lns(st: _State, iterations: int, deadline: float, target: Weight) -> None:
    """Large neighbourhood search: CP-SAT re-optimises slot pairs and crowds of people."""
    pb = st.pb
    weights = _cp_weights(pb)
    pairs = [(a, b) for a in range(pb.n_slots) for b in range(a + 1, pb.n_slots)]
    turn = 0
    for it in range(iterations):
        left = deadline - time.perf_counter()
        if left <= 0.05 or st.weight >= target - EPS:
            return
        if it % 2 == 0 and pairs:
            a, b = pairs[(it // 2 * 7) % len(pairs)]
            _reoptimise(st, _slot_neighbourhood(st, {a, b}), {a, b}, 0.3, left, weights)
            continue
        waiting = sorted(
            (m for m in range(pb.n_meetings) if st.slot_of[m] < 0 and pb.feas[m]),
            key=lambda m: (-pb.weights[m], m),
        )
        if not waiting:
            return
        seed = waiting[turn % len(waiting)]
        turn += 1
        _reoptimise(st, _people_neighbourhood(st, seed, 250), None, 0.3, left, weights)


# --------------------------------------------------------------------------- solve


def _deal_tables(instance: Instance, pb: _Problem, st: _State) -> list[Assignment]:
    """Tables are interchangeable in a slot: fixed meetings keep theirs, others take the rest."""
    taken = {(a.slot, a.table) for a in instance.fixed}
    free_tables = {s: [t for t in instance.tables if (s, t) not in taken] for s in instance.slots}
    placed: dict[int, Assignment] = {}
    for m in sorted(range(pb.n_meetings), key=lambda m: pb.origin[m]):
        if st.slot_of[m] >= 0:
            slot = instance.slots[st.slot_of[m]]
            meeting = instance.meetings[pb.origin[m]]
            placed[pb.origin[m]] = Assignment(meeting.id, slot, free_tables[slot].pop(0))
    fixed = {a.meeting: a for a in instance.fixed}
    result = []
    for k, meeting in enumerate(instance.meetings):
        if meeting.id in fixed:
            result.append(fixed[meeting.id])
        elif k in placed:
            result.append(placed[k])
    return result


def _schedule(
    instance: Instance, pb: _Problem, st: _State, bound: Weight, started: float
) -> Schedule:
    assignments = _deal_tables(instance, pb, st)
    done = {a.meeting for a in assignments}
    weights = {m.id: m.priority for m in instance.meetings}
    return Schedule(
        assignments=tuple(assignments),
        unscheduled=tuple(m.id for m in instance.meetings if m.id not in done),
        upper_bound=bound,
        seconds=round(time.perf_counter() - started, 3),
        weight=sum(weights[a.meeting] for a in assignments),
    )


def _fixed_weight(instance: Instance) -> Weight:
    weights = {m.id: m.priority for m in instance.meetings}
    return sum((weights[a.meeting] for a in instance.fixed), 0)


def greedy_schedule(instance: Instance) -> Schedule:
    """The plain heaviest-first greedy schedule: the baseline the search must beat."""
    started = time.perf_counter()
    pb = _build_problem(instance)
    bound = _cap_lp(pb, 1.0)[0]
    st = _greedy(pb)
    return _schedule(instance, pb, st, _final_bound(bound, pb, _fixed_weight(instance)), started)


EJECTION_STEPS_PER_SECOND = 35_000  # this 2-core machine runs about 47,000
# Sizes in (meeting, slot) pairs: up to FULL_MODEL_LIMIT CP-SAT takes the whole problem, up to
# LNS_LIMIT it re-optimises neighbourhoods (beyond, they cost more than they bring).
FULL_MODEL_LIMIT = 8_000
LNS_LIMIT = 40_000
SEARCH_WORK_SHARE = 0.9  # of the time limit, sizes the search's work budgets (LPs take the rest)
# What a caller's clock (``clock_start``) has usually spent before the solve: the command
# line's interpreter start, imports and JSON parsing. A constant, so budgets stay deterministic.
STARTUP_ALLOWANCE = 1.0


def _search(
    pb: _Problem, value: list[float], target: float, time_limit: float, wall_limit: float
) -> tuple[_State, float]:
    """Greedy, ejection chains, then CP-SAT; returns the state and CP-SAT's bound if any.

    Work budgets come from ``time_limit``; the wall-clock deadlines from ``wall_limit``
    (the seconds really left, which also counts the time spent before the solve began).
    """
    started = time.perf_counter()
    time_limit = max(0.0, time_limit)
    budget = int(EJECTION_STEPS_PER_SECOND * 0.6 * time_limit)
    deadline = started + 0.8 * wall_limit
    st = _greedy(pb, value)
    _ejection_chains(st, target, 4, budget, deadline)
    plain = _greedy(pb)
    if plain.weight > st.weight:
        spent, st = st.work, plain
        _ejection_chains(st, target, 4, budget - spent, deadline)
    cp_bound = math.inf
    pairs = sum(len(f) for f in pb.feas)
    if st.weight < target - EPS and pairs <= FULL_MODEL_LIMIT:
        everything = [m for m in range(pb.n_meetings) if pb.feas[m]]
        left = deadline - time.perf_counter()
        cp_bound = _reoptimise(st, everything, None, 0.3 * time_limit, left, _cp_weights(pb))
    if st.weight < target - EPS and pairs <= LNS_LIMIT:
        _lns(st, int(time_limit), started + 0.85 * wall_limit, target)
    return st, cp_bound


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
    pb = _build_problem(instance)
    fixed_weight = _fixed_weight(instance)
    lp_bound, value = _cap_lp(pb, max(0.05, 0.2 * time_limit))
    if sum(len(f) for f in pb.feas) <= TIME_INDEXED_LP_LIMIT:
        lp_bound = min(lp_bound, _time_indexed_lp(pb, 0.25 * time_limit))
    target = _final_bound(lp_bound, pb, 0)
    # Work budgets depend on the time limit alone (not on how long the LPs took), so the same
    # input and limit give the same schedule; the wall clock only sets the safety deadlines.
    wall_left = time_limit * 0.95 - (time.perf_counter() - origin)
    allowance = 0.0 if clock_start is None else min(STARTUP_ALLOWANCE, 0.5 * time_limit)
    work = SEARCH_WORK_SHARE * (time_limit - allowance)
    st, cp_bound = _search(pb, value, target, work, wall_left)
    bound = min(lp_bound, cp_bound if pb.integral else math.inf)
    bound = _final_bound(bound, pb, fixed_weight)
    return _schedule(instance, pb, st, bound, origin)


def schedule_to_dict(schedule: Schedule) -> dict[str, Any]:
    return {
        "assignments": [
            {"meeting": a.meeting, "slot": a.slot, "table": a.table} for a in schedule.assignments
        ],
        "unscheduled": list(schedule.unscheduled),
        "upper_bound": schedule.upper_bound,
        "seconds": schedule.seconds,
    }


# --------------------------------------------------------------------------- command line


def _load(path: str) -> Instance:
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except FileNotFoundError:
        raise InstanceError(f"no such file: {path}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise InstanceError(f"cannot read {path}: {error}") from None
    except json.JSONDecodeError as error:
        raise InstanceError(f"{path} is not valid JSON: {error}") from None
    except RecursionError:
        raise InstanceError(f"{path} is nested too deeply") from None
    except ValueError as error:  # e.g. an integer of more than 4300 digits
        raise InstanceError(f"{path} is not a usable instance: {error}") from None
    return parse_instance(data)


@contextlib.contextmanager
def _native_stdout_silenced() -> Any:
    """HiGHS prints a banner from C++ straight to file descriptor 1, where our JSON goes."""
    sys.stdout.flush()
    saved = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    try:
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)


class _ArgumentParser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:
        """Usage errors as one line on stderr and exit status 2, like bad instances."""
        self.exit(2, f"error: {' '.join(message.split())} (try --help)\n")


def _process_age() -> float:
    """Seconds since this process started (Linux ``/proc``; 0 where unknown or implausible):
    the command line's time limit counts the interpreter start and the imports too."""
    try:
        with open("/proc/self/stat", encoding="ascii") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        started = int(fields[19]) / os.sysconf("SC_CLK_TCK")  # field 22: start, in ticks
        age = time.clock_gettime(time.CLOCK_BOOTTIME) - started
    except (OSError, ValueError, IndexError, AttributeError):
        return 0.0
    return age if 0.0 <= age < 60.0 else 0.0


def main(argv: list[str] | None = None, *, clock_start: float | None = None) -> int:
    """The command line; ``clock_start``: when the time limit began (default: now)."""
    parser = _ArgumentParser(
        prog="python -m pic_events.matchmaking.scheduler",
        description="Schedule meetings of two or more people; prints the schedule as JSON.",
    )
    parser.add_argument("instance", help="instance JSON file")
    parser.add_argument("--time-limit", type=float, default=10.0, help="seconds (default 10)")
    args = parser.parse_args(argv)
    if not math.isfinite(args.time_limit) or args.time_limit <= 0:
        print("error: --time-limit must be a positive number of seconds", file=sys.stderr)
        return 2
    try:
        instance = _load(args.instance)
    except InstanceError as error:
        print(f"error: {' '.join(str(error).split())}", file=sys.stderr)
        return 2
    with _native_stdout_silenced():
        schedule = solve(instance, args.time_limit, clock_start=clock_start)
    json.dump(schedule_to_dict(schedule), sys.stdout, allow_nan=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    status = main(clock_start=time.perf_counter() - _process_age())
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)  # the output is out: skip tearing down the solver's objects (~0.3 s)
