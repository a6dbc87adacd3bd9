"""The weight search: LP-guided greedy, ejection chains, CP-SAT neighbourhoods."""

from __future__ import annotations

import itertools
import math
import time
from typing import Any

from ortools.sat.python import cp_model

from pic_events.matchmaking.scheduler.gaps import busy_mask
from pic_events.matchmaking.scheduler.instance import Weight
from pic_events.matchmaking.scheduler.problem import EPS, Problem, State

EJECTION_STEPS_PER_SECOND = 35_000  # this 2-core machine runs about 47,000
# Sizes in (meeting, slot) pairs: up to FULL_MODEL_LIMIT CP-SAT takes the whole problem, up to
# LNS_LIMIT it re-optimises neighbourhoods (beyond, they cost more than they bring).
FULL_MODEL_LIMIT = 8_000
LNS_LIMIT = 40_000
EJECTION_WORK_SHARE = 0.6  # of the search's time, in ejection-chain steps
EJECTION_ROUNDS = 4  # passes over the unscheduled meetings
EJECTION_DEPTH = 2  # meetings moved out of the way, recursively
EJECTION_BREADTH = 16  # slots tried per meeting at each level
EJECTION_DEADLINE_SHARE = 0.8  # of the wall time left: the greedy and chains stop by then
LNS_DEADLINE_SHARE = 0.85  # of the wall time left: the neighbourhoods stop by then
FULL_MODEL_WORK_SHARE = 0.3  # of the search's time, as CP-SAT deterministic time
NEIGHBOURHOOD_WORK = 0.3  # CP-SAT deterministic time per neighbourhood
PEOPLE_NEIGHBOURHOOD_SIZE = 250  # meetings freed around an unscheduled one
SLOT_PAIR_STRIDE = 7  # walks the slot pairs in an order that spreads them out
CP_SEED = 7
FLOAT_WEIGHT_SCALE = 10_000  # float priorities become integers up to this for CP-SAT
FULL_SLOT_PENALTY = 0.5  # ranks a full slot (one more meeting out) behind a clash of equal weight
MIN_CP_SECONDS = 0.01
MIN_NEIGHBOURHOOD_SECONDS = 0.05  # wall time below which no neighbourhood is started


def first_fit(pb: Problem) -> State:
    """Heaviest and least flexible meetings first, each in the first slot that fits."""
    st = State(pb)
    for m in sorted(range(pb.n_meetings), key=lambda m: (-pb.weights[m], len(pb.feas[m]), m)):
        mask = st.fit_mask(m)
        if mask:
            st.set_slot(m, (mask & -mask).bit_length() - 1)
    return st


def neighbour_masks(pb: Problem) -> list[int]:
    """Per slot: the bits of the slots just before and after it in its block."""
    masks = [0] * pb.n_slots
    for block in pb.blocks:
        for before, after in itertools.pairwise(block):
            masks[before] |= 1 << after
            masks[after] |= 1 << before
    return masks


def greedy(pb: Problem, value: list[float] | None = None) -> State:
    """Place meetings by LP value (if given), then heaviest and least flexible first, each in
    the slot next to most of its participants' meetings, then the earliest.
    (Measured on large: 1,650 idle gaps where the emptiest slot left 2,481; after the
    compaction's descents 997 against 1,039, at the same weight.)"""
    st = State(pb)
    value = value or [0.0] * pb.n_meetings
    order = sorted(
        range(pb.n_meetings),
        key=lambda m: (-round(value[m], 6), -pb.weights[m], len(pb.feas[m]), m),
    )
    beside = neighbour_masks(pb)
    for m in order:
        if st.slot_of[m] >= 0:
            continue
        mask = st.fit_mask(m)
        if mask:
            busy = [busy_mask(st, p) for p in pb.parts[m]]
            options = [s for s in pb.feas[m] if mask >> s & 1]
            st.move(
                m,
                max(
                    options,
                    key=lambda s: (
                        sum((b & beside[s]).bit_count() for b in busy),
                        -s,
                    ),
                ),
            )
    st.log.clear()
    return st


def _victim(st: State, s: int, spared: set[int], locked: set[int]) -> int:
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


def _insert(st: State, m: int, depth: int, locked: set[int], breadth: int) -> Weight:
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
        options.append((lost + (w if full else 0) * FULL_SLOT_PENALTY, len(clash), s, clash, full))
    options.sort(key=lambda o: o[:3])
    gain = _try_options(st, m, options[:breadth], depth, locked, breadth)
    locked.discard(m)
    return gain


def _may_gain(st: State, m: int, s: int, evicted: list[int]) -> bool:
    """Cheap test before a last-level move: can the evicted meetings that have nowhere
    else to go (ignoring each other) cost less than ``m`` gains?"""
    pb = st.pb
    stuck = sum(pb.weights[c] for c in evicted if not st.fit_mask(c) & ~(1 << s))
    return pb.weights[m] - stuck > EPS


def _try_options(
    st: State, m: int, options: list[Any], depth: int, locked: set[int], breadth: int
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


def ejection_chains(st: State, target: float, rounds: int, budget: int, deadline: float) -> None:
    """Insert unscheduled meetings by ejection chains (depth 2) until a round gains nothing
    or ``budget`` steps are spent."""
    pb = st.pb
    order = sorted(range(pb.n_meetings), key=lambda m: (-pb.weights[m], len(pb.feas[m]), m))
    for _ in range(rounds):
        improved = False
        for m in order:
            if st.weight >= target - EPS or st.work > budget or time.perf_counter() > deadline:
                return
            if (
                st.slot_of[m] < 0
                and pb.feas[m]
                and _insert(st, m, EJECTION_DEPTH, set(), EJECTION_BREADTH) > EPS
            ):
                improved = True
            st.log.clear()
        if not improved:
            return


def cp_weights(pb: Problem) -> list[int]:
    """CP-SAT needs integer objective coefficients; float priorities are scaled."""
    if pb.integral:
        return [int(w) for w in pb.weights]
    top = max(pb.weights, default=1)
    return [max(1, round(w * FLOAT_WEIGHT_SCALE / top)) for w in pb.weights]


def reoptimise(
    st: State,
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
    pb = st.pb
    before = {m: st.slot_of[m] for m in free}
    for m in free:
        if st.slot_of[m] >= 0:
            st.set_slot(m, -1)
    model = cp_model.CpModel()
    chosen, options, _by_person_slot = placement_vars(model, st, free, slots)
    for xs in options.values():
        if len(xs) > 1:
            model.add_at_most_one(xs)
    model.maximize(sum(cp_weights[m] * x for (m, _), x in chosen.items()))
    for (m, s), x in chosen.items():
        model.add_hint(x, before[m] == s)
    solver = cp_solver(work, seconds)
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
                st.set_slot(m, s)
            st.log.clear()
            return cp_bound
    for m in free:
        if before[m] >= 0:
            st.set_slot(m, before[m])
    st.log.clear()
    return cp_bound


def _slot_neighbourhood(st: State, slots: set[int]) -> list[int]:
    pb = st.pb
    return [
        m
        for m in range(pb.n_meetings)
        if st.slot_of[m] in slots or (st.slot_of[m] < 0 and any(s in slots for s in pb.feas[m]))
    ]


def _people_neighbourhood(st: State, seed: int, size: int) -> list[int]:
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


def lns(st: State, iterations: int, deadline: float, target: Weight) -> None:
    """Large neighbourhood search: CP-SAT re-optimises slot pairs and crowds of people."""
    pb = st.pb
    weights = cp_weights(pb)
    pairs = [(a, b) for a in range(pb.n_slots) for b in range(a + 1, pb.n_slots)]
    turn = 0
    for it in range(iterations):
        left = deadline - time.perf_counter()
        if left <= MIN_NEIGHBOURHOOD_SECONDS or st.weight >= target - EPS:
            return
        if it % 2 == 0 and pairs:
            a, b = pairs[(it // 2 * SLOT_PAIR_STRIDE) % len(pairs)]
            reoptimise(
                st, _slot_neighbourhood(st, {a, b}), {a, b}, NEIGHBOURHOOD_WORK, left, weights
            )
            continue
        waiting = sorted(
            (m for m in range(pb.n_meetings) if st.slot_of[m] < 0 and pb.feas[m]),
            key=lambda m: (-pb.weights[m], m),
        )
        if not waiting:
            return
        seed = waiting[turn % len(waiting)]
        turn += 1
        reoptimise(
            st,
            _people_neighbourhood(st, seed, PEOPLE_NEIGHBOURHOOD_SIZE),
            None,
            NEIGHBOURHOOD_WORK,
            left,
            weights,
        )


def search(
    pb: Problem, value: list[float], target: float, time_limit: float, wall_limit: float
) -> tuple[State, float]:
    """Greedy, ejection chains, then CP-SAT; returns the state and CP-SAT's bound if any.

    Work budgets come from ``time_limit``; the wall-clock deadlines from ``wall_limit``
    (the seconds really left, which also counts the time spent before the solve began).
    """
    started = time.perf_counter()
    time_limit = max(0.0, time_limit)
    budget = int(EJECTION_STEPS_PER_SECOND * EJECTION_WORK_SHARE * time_limit)
    deadline = started + EJECTION_DEADLINE_SHARE * wall_limit
    st = greedy(pb, value)
    ejection_chains(st, target, EJECTION_ROUNDS, budget, deadline)
    plain = greedy(pb)
    if plain.weight > st.weight:
        spent, st = st.work, plain
        ejection_chains(st, target, EJECTION_ROUNDS, budget - spent, deadline)
    cp_bound = math.inf
    pairs = sum(len(f) for f in pb.feas)
    if st.weight < target - EPS and pairs <= FULL_MODEL_LIMIT:
        everything = [m for m in range(pb.n_meetings) if pb.feas[m]]
        left = deadline - time.perf_counter()
        cp_bound = reoptimise(
            st, everything, None, FULL_MODEL_WORK_SHARE * time_limit, left, cp_weights(pb)
        )
    if st.weight < target - EPS and pairs <= LNS_LIMIT:
        lns(st, int(time_limit), started + LNS_DEADLINE_SHARE * wall_limit, target)
    return st, cp_bound


def cp_solver(work: float, seconds: float) -> cp_model.CpSolver:
    """CP-SAT as every neighbourhood runs it: one worker, a fixed seed, a deterministic work
    budget (same input, same output), and a wall-clock limit only as a safety net."""
    solver = cp_model.CpSolver()
    params = solver.parameters
    params.num_workers = 1
    params.random_seed = CP_SEED
    params.max_deterministic_time = work
    params.max_time_in_seconds = max(MIN_CP_SECONDS, seconds)
    return solver


def placement_vars(
    model: cp_model.CpModel,
    st: State,
    free: list[int],
    slots: set[int] | None,
    keep: dict[int, int] | None = None,
    allowed: dict[int, set[int]] | None = None,
) -> tuple[
    dict[tuple[int, int], cp_model.IntVar],
    dict[int, list[cp_model.IntVar]],
    dict[tuple[int, int], list[cp_model.IntVar]],
]:
    """A boolean per (free meeting, slot) it may take around the meetings kept in place, with
    nobody in two meetings at once and no slot over its tables. ``slots`` limits the slots;
    ``keep`` names a slot per meeting allowed outside them; ``allowed``, where given, the
    only slots a meeting may take. Returns the booleans, each
    meeting's list of them (the caller says how many may be true) and each (person, slot)'s."""
    pb = st.pb
    chosen: dict[tuple[int, int], cp_model.IntVar] = {}
    options: dict[int, list[cp_model.IntVar]] = {}
    by_slot: dict[int, list[cp_model.IntVar]] = {}
    by_person_slot: dict[tuple[int, int], list[cp_model.IntVar]] = {}
    for m in free:
        options[m] = []
        kept = keep.get(m) if keep else None
        for s in pb.feas[m]:
            if slots is not None and s not in slots and s != kept:
                continue
            if allowed is not None and m in allowed and s not in allowed[m]:
                continue
            if st.count[s] >= pb.cap[s] or any(st.busy[p][s] >= 0 for p in pb.parts[m]):
                continue
            x = model.new_bool_var("")
            chosen[m, s] = x
            options[m].append(x)
            by_slot.setdefault(s, []).append(x)
            for p in pb.parts[m]:
                by_person_slot.setdefault((p, s), []).append(x)
    for xs in by_person_slot.values():
        if len(xs) > 1:
            model.add_at_most_one(xs)
    for s, xs in by_slot.items():
        room = pb.cap[s] - st.count[s]
        if len(xs) > room:
            model.add(sum(xs) <= room)
    return chosen, options, by_person_slot
