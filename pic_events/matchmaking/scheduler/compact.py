"""Compact personal schedules: the fewest idle gaps at the placed weight (never lower).

The weight search has fixed the level; compaction then re-places meetings so that
participants' meetings sit back to back. After the hand-written descents of ``moves``,
CP-SAT does the work, in two ways.

Up to ``FULL_COMPACT_LIMIT`` meeting-slot pairs (real brokerage events: 40-80 businesses,
120-300 meetings, 8-22 slots, 12-27 tables) one model covers the whole instance: a boolean
per (meeting, slot), per slot at most as many meetings as free tables (tables are
interchangeable, so they are not modelled), per participant and slot a "busy" boolean, and
one "gap-start" boolean per gap (busy in the slot before, idle here, busy somewhere later
in the block).
Where a participant's number of meetings in a block is known, booleans for where their
run of meetings starts are added: without a gap, the run start decides all their busy
slots. CP-SAT solves it with its core-based search (one worker, fixed seed, deterministic
time), which first asks for a schedule without any gap and then raises its proven lower
bound, so when it finishes the count is optimal and ``idle_gaps_bound`` proves it. Short
attempts of a few kinds follow one another until one finishes (``FULL_ATTEMPTS``). This
model is used when every meeting that has a slot is placed (real events); otherwise it
would have to choose meetings too, which measured worse than the neighbourhoods.

Larger instances, or time left after an unfinished whole model, go to neighbourhoods: the
same placement booleans over the placed meetings of a group of participants (one with the
most gaps, in turn, and a share of the day of each person they meet), everyone else kept in
place, with "run start" booleans (busy here, not in the slot before; gaps are run starts
minus one per non-empty block). The same meetings are placed again (the weight is held) and
the hint is the current schedule. (Windows of consecutive slots were tried as well: on large,
5 of 108 improved anything, against 70 of 108 groups.)
"""

from __future__ import annotations

import math
import time

from ortools.sat.python import cp_model

from pic_events.matchmaking.scheduler.gaps import busy_mask, gaps_of, person_gaps
from pic_events.matchmaking.scheduler.moves import chain_descent, descend
from pic_events.matchmaking.scheduler.problem import EPS, State
from pic_events.matchmaking.scheduler.search import CP_SEED, cp_solver, cp_weights, placement_vars

# (meeting, slot) pairs up to which one model covers everything: with every meeting that
# has a slot placed, in core-based attempts (real events: 300 meetings x 22 slots at most,
# 6,600; measured: at 9,700, a planted 650-meeting event, the attempts stall and the
# neighbourhoods alone do better); otherwise, a plain model on tiny instances.
FULL_COMPACT_LIMIT = 8_000
PLAIN_COMPACT_LIMIT = 600
# The whole-instance model's attempts, each from the best schedule so far with its own seed
# and share of the deterministic time: with the run-start booleans, plain (gap starts only),
# or with every meeting kept in its block (a morning meeting stays in the morning: then
# every participant's count per block is known and has run starts; no bound from it).
# Measured on real-like events (the "events" benchmark and 30 more seeds): a short core
# search either finishes or stalls, and each kind finishes on events where another stalls.
RUN_STARTS, PLAIN, SAME_BLOCKS = "run starts", "plain", "same blocks"
FULL_ATTEMPTS = ((RUN_STARTS, 0.25), (SAME_BLOCKS, 0.25), (PLAIN, 0.25), (RUN_STARTS, 0.25))
# Meetings freed by a participant-group neighbourhood. Measured on large from the descents'
# schedule, 5 s of neighbourhoods: 40 left 905 gaps, 25: 934, 60: 920, 100: 932, 150: 955.
GROUP_MEETINGS = 40
MAX_GROUP_MEETINGS = 320  # groups grow up to this when ``PATIENCE`` in a row gain nothing
GROWTH = 2  # by this factor each time (and their deterministic time with them)
NEIGHBOURHOOD_WORK = 0.05  # CP-SAT deterministic time per neighbourhood of GROUP_MEETINGS
PATIENCE = 40  # neighbourhoods in a row without a gain after which compaction stops
MIN_SECONDS = 0.05  # wall time below which no neighbourhood is started
MIN_ATTEMPT_SECONDS = 0.5  # wall time below which no whole-model attempt is started


def _busy_terms(
    st: State, p: int, block: list[int], base: int, by_person_slot: dict[tuple[int, int], list]
) -> list[object]:
    """Per slot of the block: 1 (held by a meeting that stays), 0, or the free meetings' sum."""
    terms: list[object] = []
    for s in block:
        if base >> s & 1:
            terms.append(1)
        else:
            xs = by_person_slot.get((p, s))
            terms.append(cp_model.LinearExpr.sum(xs) if xs else 0)
    return terms


def _gap_objective(
    model: cp_model.CpModel,
    st: State,
    people: list[int],
    by_person_slot: dict[tuple[int, int], list],
    hinted: set[tuple[int, int]],
) -> list[object]:
    """Terms whose sum is the participants' idle gaps: run starts minus non-empty blocks.

    ``hinted``: (participant, slot) pairs busy in the hinted schedule, to hint these too.
    """
    pb = st.pb
    objective: list[object] = []
    for p in people:
        base = busy_mask(st, p)
        for block in pb.blocks:
            terms = _busy_terms(st, p, block, base, by_person_slot)
            hint = [bool(base >> s & 1) or (p, s) in hinted for s in block]
            previous: object = 0
            for i, term in enumerate(terms):
                if isinstance(term, int) and term == 0:
                    pass
                elif isinstance(term, int) and isinstance(previous, int):
                    objective.append(max(0, term - previous))
                else:
                    start = model.new_bool_var("")
                    model.add(start >= term - previous)
                    model.add_hint(start, hint[i] and (i == 0 or not hint[i - 1]))
                    objective.append(start)
                previous = term
            if any(isinstance(t, int) and t == 1 for t in terms):
                objective.append(-1)
            else:
                variable = [t for t in terms if not isinstance(t, int)]
                if variable:
                    used = model.new_bool_var("")
                    model.add(used <= sum(variable))
                    model.add_hint(used, any(hint))
                    objective.append(-used)
    return objective


def _busy_literals(
    model: cp_model.CpModel,
    p: int,
    block: list[int],
    base: int,
    by_person_slot: dict[tuple[int, int], list],
    hint: list[bool],
) -> list[object]:
    """Per slot of the block: 1 (held by a meeting that stays), 0, or a boolean (the one
    placement boolean, or a new one equal to the sum of several)."""
    literals: list[object] = []
    for s, h in zip(block, hint, strict=True):
        xs = by_person_slot.get((p, s))
        if base >> s & 1:
            literals.append(1)
        elif not xs:
            literals.append(0)
        elif len(xs) == 1:
            literals.append(xs[0])
        else:
            busy = model.new_bool_var("")
            model.add(busy == sum(xs))
            model.add_hint(busy, h)
            literals.append(busy)
    return literals


def _gap_starts(
    model: cp_model.CpModel,
    st: State,
    people: list[int],
    by_person_slot: dict[tuple[int, int], list],
    hinted: set[tuple[int, int]],
    counts: dict[tuple[int, int], int] | None = None,
) -> list[object]:
    """Terms whose sum is the participants' idle gaps, one per gap directly: a gap starts in
    slot i of a block if the participant is busy in i - 1, idle in i and busy somewhere after
    i ("later" booleans chained from the block's end). Stronger than run starts for the
    core-based search: with every gap-start false, a participant's meetings must be
    consecutive, which propagates at once. ``hinted`` as in ``_gap_objective``.

    ``counts``: (participant, block index) -> how many meetings they will have in the block,
    where that is known; then a participant without a gap there has one of the block's runs
    of that many slots, and booleans for where it starts are added (redundant, but the
    search decides a participant's whole run at once).
    """
    pb = st.pb
    objective: list[object] = []
    for p in people:
        base = busy_mask(st, p)
        for b, block in enumerate(pb.blocks):
            hint = [bool(base >> s & 1) or (p, s) in hinted for s in block]
            terms = _busy_literals(model, p, block, base, by_person_slot, hint)
            n = len(terms)
            later = _any_from(model, terms, hint, backwards=True) + [0]
            starts: list[object] = []
            forced_gap = False  # a gap no placement can avoid (fixed meetings around it)
            for i in range(1, n - 1):
                previous, here, after = terms[i - 1], terms[i], later[i + 1]
                if isinstance(previous, int) and isinstance(here, int) and isinstance(after, int):
                    forced = int(previous == 1 and here == 0 and after == 1)
                    objective.append(forced)
                    forced_gap = forced_gap or bool(forced)
                    continue
                never = ((previous, 0), (here, 1), (after, 0))  # no gap can start here
                if any(isinstance(t, int) and t == z for t, z in never):
                    continue
                start = model.new_bool_var("")
                model.add(start >= previous + after - here - 1)
                model.add_hint(start, hint[i - 1] and not hint[i] and any(hint[i + 1 :]))
                objective.append(start)
                starts.append(start)
            k = (counts or {}).get((p, b), 0)
            if starts and 0 < k <= n and not forced_gap:
                _run_starts(model, terms, starts, k, hint)
    return objective


def _run_starts(
    model: cp_model.CpModel, terms: list[object], starts: list[object], k: int, hint: list[bool]
) -> None:
    """Without a gap (every gap-start false), the ``k`` busy slots are one run: one boolean
    per first slot of the run, and each slot busy iff the run covers it."""
    n = len(terms)
    consecutive = model.new_bool_var("")
    model.add_bool_or([*starts, consecutive])
    firsts = [model.new_bool_var("") for _ in range(n - k + 1)]
    model.add(sum(firsts) == 1).only_enforce_if(consecutive)
    first_hint = hint.index(True) if any(hint) else -1
    gap_free = any(hint) and all(hint[first_hint : first_hint + k]) and sum(hint) == k
    model.add_hint(consecutive, gap_free)
    for j, first in enumerate(firsts):
        model.add_hint(first, gap_free and j == first_hint)
    for i, term in enumerate(terms):
        cover = firsts[max(0, i - k + 1) : min(i, n - k) + 1]
        if cover or not (isinstance(term, int) and term == 0):
            model.add(sum(cover) == term).only_enforce_if(consecutive)


def _any_from(
    model: cp_model.CpModel, terms: list[object], hint: list[bool], *, backwards: bool
) -> list[object]:
    """Per slot: busy in it or any slot after it (``backwards``) or before it: 0, 1 or a
    boolean, chained slot by slot."""
    n = len(terms)
    result: list[object] = [0] * n
    order = range(n - 1, -1, -1) if backwards else range(n)
    previous: object = 0
    for i in order:
        here = terms[i]
        if (isinstance(here, int) and here) or (isinstance(previous, int) and previous):
            result[i] = 1
        elif isinstance(here, int) and isinstance(previous, int):
            result[i] = 0
        else:
            variable = [t for t in (here, previous) if not isinstance(t, int)]
            if len(variable) == 1:
                result[i] = variable[0]
            else:
                result[i] = model.new_bool_var("")
                model.add_max_equality(result[i], variable)
                model.add_hint(result[i], any(hint[i:] if backwards else hint[: i + 1]))
        previous = result[i]
    return result


def _block_counts(
    st: State, free: list[int], chosen: dict[tuple[int, int], object]
) -> dict[tuple[int, int], int]:
    """(participant, block index) -> their meetings in the block, where every free meeting
    is placed again and none of theirs may go both inside and outside the block."""
    pb = st.pb
    block_of = {s: b for b, block in enumerate(pb.blocks) for s in block}
    where: dict[int, set[int]] = {}
    for m, s in chosen:
        where.setdefault(m, set()).add(block_of[s])
    counts: dict[tuple[int, int], int] = {}
    mixed: set[tuple[int, int]] = set()
    for m in free:
        blocks = where.get(m, set())
        for p in pb.parts[m]:
            for b in blocks:
                if len(blocks) > 1:
                    mixed.add((p, b))
                else:
                    counts[p, b] = counts.get((p, b), 0) + 1
    people = {p for m in free for p in pb.parts[m]}
    for p in people:
        base = busy_mask(st, p)
        for b, block in enumerate(pb.blocks):
            held = sum(1 for s in block if base >> s & 1)
            if held and (p, b) not in mixed:
                counts[p, b] = counts.get((p, b), 0) + held
    return {key: k for key, k in counts.items() if key not in mixed}


def reoptimise_gaps(
    st: State,
    free: list[int],
    slots: set[int] | None,
    work: float,
    seconds: float,
    *,
    core: bool = False,
    run_starts: bool = True,
    seed: int = CP_SEED,
    keep_blocks: bool = False,
) -> tuple[bool, float | None]:
    """Re-place ``free`` meetings for the fewest gaps at no less weight (CP-SAT).

    ``slots`` limits where they may go (their current slot is always allowed). Returns
    whether the state improved and, when CP-SAT proved it, a lower bound on the gaps of the
    participants concerned over every such re-placement.
    """
    started = time.perf_counter()
    pb = st.pb
    people = sorted({p for m in free for p in pb.parts[m]})
    old_gaps, old_weight = gaps_of(st, people), st.weight
    before = {m: st.slot_of[m] for m in free}
    for m in free:
        if before[m] >= 0:
            st.set_slot(m, -1)
    model = cp_model.CpModel()
    weights = cp_weights(pb)
    allowed = None
    if keep_blocks:  # each placed meeting stays in its block (a morning one in the morning)
        block_of = {s: set(block) for block in pb.blocks for s in block}
        allowed = {m: block_of[s] for m, s in before.items() if s >= 0}
    chosen, options, by_person_slot = placement_vars(
        model, st, free, slots, keep=before, allowed=allowed
    )
    # Every free meeting placed: the weight can only be held by placing them all again.
    everyone = all(before[m] >= 0 for m in free)
    for m, xs in options.items():
        if pb.integral and not everyone:
            if len(xs) > 1:
                model.add_at_most_one(xs)
        elif before[m] >= 0:
            model.add_exactly_one(xs)  # the same meetings stay placed
        else:
            for x in xs:
                model.add(x == 0)
    if pb.integral and not everyone:
        placed = sum(weights[m] for m in free if before[m] >= 0)
        model.add(sum(weights[m] * x for (m, _), x in chosen.items()) >= placed)
    hinted = {(p, s) for m, s in before.items() if s >= 0 for p in pb.parts[m]}
    if core:
        counts = _block_counts(st, free, chosen) if everyone and run_starts else None
        terms = _gap_starts(model, st, people, by_person_slot, hinted, counts)
    else:
        terms = _gap_objective(model, st, people, by_person_slot, hinted)
    model.minimize(sum(terms))
    for (m, s), x in chosen.items():
        model.add_hint(x, before[m] == s)
    # Building the model counts against the wall time too (large whole models).
    solver = cp_solver(work, seconds - (time.perf_counter() - started))
    if core:
        # Core-based search (as CP-SAT's "core" worker): it first asks for no gap at all,
        # which the gap-start model turns into consecutive meetings for everyone.
        solver.parameters.optimize_with_core = True
        solver.parameters.linearization_level = 0
        solver.parameters.random_seed = seed
    # Measured: presolve costs more than it brings (neighbourhoods; on the whole model, 4
    # idle gaps against 7 over 30 real-like events, in about the same time).
    solver.parameters.cp_model_presolve = False
    status = solver.solve(model)
    solved = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    bound = math.ceil(solver.best_objective_bound - EPS) if solved and pb.integral else None
    if solved:
        for (m, s), x in chosen.items():
            if solver.boolean_value(x):
                st.set_slot(m, s)
        new_gaps = gaps_of(st, people)
        better_weight = st.weight > old_weight + EPS
        if better_weight or (st.weight >= old_weight - EPS and new_gaps < old_gaps):
            st.log.clear()
            return True, bound
        for m in free:
            if st.slot_of[m] >= 0:
                st.set_slot(m, -1)
    for m in free:
        if before[m] >= 0:
            st.set_slot(m, before[m])
    st.log.clear()
    return False, bound


def _people_by_gaps(gaps: list[int]) -> list[int]:
    """Participants with idle gaps (``gaps``: per participant), the most first."""
    return sorted((p for p, g in enumerate(gaps) if g), key=lambda p: (-gaps[p], p))


def _movable(st: State, m: int) -> bool:
    return st.slot_of[m] >= 0 or bool(st.pb.feas[m])


def _group(st: State, seed: int, size: int) -> list[int]:
    """Placed meetings of ``seed``, then of the people they meet, one of each partner's in
    turn, up to ``size``. Measured: a share of every partner's day frees more gaps than the
    whole day of the first few, and placed meetings only (each placed again) solve faster
    than a model that may also swap meetings in and out at the same weight."""
    pb = st.pb
    chosen = dict.fromkeys(m for m in pb.by_person[seed] if st.slot_of[m] >= 0)
    queues = [
        [m for m in pb.by_person[q] if m not in chosen and st.slot_of[m] >= 0]
        for q in dict.fromkeys(q for m in chosen for q in pb.parts[m] if q != seed)
    ]
    depth = 0
    while len(chosen) < size and any(depth < len(queue) for queue in queues):
        for queue in queues:
            if depth < len(queue) and len(chosen) < size:
                chosen.setdefault(queue[depth])
        depth += 1
    return list(chosen)[:size]


def compact(
    st: State, iterations: int, steps: int, chain_steps: int, full_work: float, deadline: float
) -> int | None:
    """Fewer idle gaps at no less weight; returns a proven lower bound on the gaps, if any.

    The work budget: ``iterations`` (neighbourhoods; it stops sooner after ``PATIENCE`` in a
    row gain nothing), ``steps`` and ``chain_steps`` (tries of the two descents) and
    ``full_work`` (CP-SAT deterministic time for the whole model on small instances);
    ``deadline`` is the safety net.
    """
    pb = st.pb
    descend(st, steps, deadline)
    chain_descent(st, chain_steps, deadline)
    bound: int | None = 0 if gaps_of(st, range(pb.n_people)) == 0 else None
    pairs = sum(len(f) for f in pb.feas)
    everything = [m for m in range(pb.n_meetings) if _movable(st, m)]
    touched = {p for m in everything for p in pb.parts[m]}
    # Every meeting that has a slot placed (real events): the core-based attempts. Else, on
    # tiny instances, one plain model of everything.
    placed_all = all(st.slot_of[m] >= 0 for m in everything)
    if placed_all and pairs <= FULL_COMPACT_LIMIT:
        attempts = [(True, kind, share) for kind, share in FULL_ATTEMPTS]
    elif pairs <= PLAIN_COMPACT_LIMIT:
        attempts = [(False, PLAIN, 1.0)]
    else:
        attempts = []
    for attempt, (core, kind, share) in enumerate(attempts if bound is None else []):
        left = deadline - time.perf_counter()
        if left <= MIN_ATTEMPT_SECONDS:
            break
        _, proven = reoptimise_gaps(
            st,
            everything,
            None,
            share * full_work,
            left,
            core=core,
            run_starts=kind != PLAIN,
            seed=CP_SEED + attempt,
            keep_blocks=kind == SAME_BLOCKS,
        )
        if kind == SAME_BLOCKS:
            continue  # its bound holds only with the meetings kept in their blocks
        if proven is not None:  # participants without a movable meeting keep their gaps
            proven += gaps_of(st, (p for p in range(pb.n_people) if p not in touched))
            bound = proven if bound is None else max(bound, proven)
            if bound >= gaps_of(st, range(pb.n_people)):
                return bound
    idle, size = 0, GROUP_MEETINGS
    gaps = [person_gaps(pb, busy_mask(st, p)) for p in range(pb.n_people)]
    for turn in range(iterations):
        left = deadline - time.perf_counter()
        if idle >= PATIENCE and size < MAX_GROUP_MEETINGS:
            idle, size = 0, min(MAX_GROUP_MEETINGS, GROWTH * size)  # stuck: larger groups
        if left <= MIN_SECONDS or idle >= PATIENCE:
            break
        ranked = _people_by_gaps(gaps)
        if not ranked:
            return 0
        free = _group(st, ranked[turn % len(ranked)], size)
        improved, _ = reoptimise_gaps(
            st, free, None, NEIGHBOURHOOD_WORK * size / GROUP_MEETINGS, left
        )
        idle = 0 if improved else idle + 1
        if improved:  # only the freed meetings' participants can have other gaps now
            for p in {p for m in free for p in pb.parts[m]}:
                gaps[p] = person_gaps(pb, busy_mask(st, p))
    return bound
