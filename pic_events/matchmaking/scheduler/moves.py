"""Hand-written moves that remove idle gaps without changing which meetings are placed:
a meeting to a free slot, two meetings of one participant exchanged, Kempe chains."""

from __future__ import annotations

import time
from collections.abc import Iterable

from pic_events.matchmaking.scheduler.gaps import busy_mask, gaps_of, person_gaps
from pic_events.matchmaking.scheduler.problem import State

DESCENT_ROUNDS = 5  # passes over all meetings
CHAIN_LIMIT = 12  # meetings a chain move may shift
CHAIN_ROUNDS = 20  # passes of the chain descent (later ones over the changed meetings only)


def _move_better(st: State, m: int) -> bool:
    """Move ``m`` to the free slot where its participants have the fewest gaps, if fewer."""
    pb = st.pb
    here = st.slot_of[m]
    mask = st.fit_mask(m) & ~(1 << here)
    if not mask:
        return False
    parts = pb.parts[m]
    best, best_gaps = here, gaps_of(st, parts)
    while mask:
        s = (mask & -mask).bit_length() - 1
        mask &= mask - 1
        st.set_slot(m, s)
        gaps = gaps_of(st, parts)
        if gaps < best_gaps:
            best, best_gaps = s, gaps
    st.set_slot(m, best)
    return best != here


def _swap_better(st: State, m: int, c: int) -> bool:
    """Exchange the slots of two meetings that share a participant, if that leaves fewer gaps
    (the shared participants keep their slots; tables per slot do not change)."""
    pb = st.pb
    a, b = st.slot_of[m], st.slot_of[c]
    if not (st.feas_mask[m] >> b & 1 and st.feas_mask[c] >> a & 1):
        return False
    shared = set(pb.parts[m]) & set(pb.parts[c])
    if any(st.busy[q][b] >= 0 for q in pb.parts[m] if q not in shared):
        return False
    if any(st.busy[r][a] >= 0 for r in pb.parts[c] if r not in shared):
        return False
    people = [q for q in pb.parts[m] if q not in shared] + [
        r for r in pb.parts[c] if r not in shared
    ]
    before = gaps_of(st, people)
    st.set_slot(m, -1)
    st.set_slot(c, a)
    st.set_slot(m, b)
    if gaps_of(st, people) < before:
        return True
    st.set_slot(m, -1)
    st.set_slot(c, b)
    st.set_slot(m, a)
    return False


def _chain(st: State, m: int, b: int) -> tuple[list[int], list[int]] | None:
    """The Kempe chain that moves ``m`` from its slot a to ``b``: the meetings in b that share
    a participant with a mover go to a, and so on. None if a mover cannot take its new slot,
    the chain grows past ``CHAIN_LIMIT`` or a slot would lack tables."""
    pb = st.pb
    a = st.slot_of[m]
    to_b, to_a = [m], []
    seen = {m}
    i = j = 0
    while i < len(to_b) or j < len(to_a):
        if len(seen) > CHAIN_LIMIT:
            return None
        if i < len(to_b):
            x, i, dst, other = to_b[i], i + 1, b, to_a
        else:
            x, j, dst, other = to_a[j], j + 1, a, to_b
        if not st.feas_mask[x] >> dst & 1:
            return None
        for q in pb.parts[x]:
            y = st.busy[q][dst]
            if y >= 0 and y not in seen:
                seen.add(y)
                other.append(y)
    if st.count[b] + len(to_b) - len(to_a) > pb.cap[b]:
        return None
    if st.count[a] + len(to_a) - len(to_b) > pb.cap[a]:
        return None
    return to_b, to_a


def _chain_better(st: State, m: int, b: int) -> set[int]:
    """Apply the chain moving ``m`` to slot ``b`` if it leaves fewer gaps; returns the
    participants of the moved meetings (none: nothing changed)."""
    chain = _chain(st, m, b)
    if chain is None:
        return set()
    to_b, to_a = chain
    a = st.slot_of[m]
    pb = st.pb
    people = {p for x in to_b + to_a for p in pb.parts[x]}
    before = gaps_of(st, people)
    for x in to_b + to_a:
        st.set_slot(x, -1)
    for x in to_b:
        st.set_slot(x, b)
    for x in to_a:
        st.set_slot(x, a)
    if gaps_of(st, people) < before:
        return people
    for x in to_b + to_a:
        st.set_slot(x, -1)
    for x in to_b:
        st.set_slot(x, a)
    for x in to_a:
        st.set_slot(x, b)
    return set()


def _with_gaps(st: State, people: Iterable[int]) -> list[int]:
    """Placed meetings of these participants that involve someone with an idle gap, in
    index order. A move leaves fewer gaps only if someone in it has one, and a Kempe chain
    is the same whichever of its meetings it starts from, so only these start one."""
    pb = st.pb
    gappy = {p for p in people if person_gaps(pb, busy_mask(st, p))}
    return sorted(
        {m for p in gappy for m in pb.by_person[p] if st.slot_of[m] >= 0},
    )


def chain_descent(st: State, steps: int, deadline: float) -> None:
    """Kempe-chain moves (a meeting to another slot, the meetings in its way to its old one,
    and so on) while they leave fewer gaps, up to ``steps`` chains tried (the work budget).
    After the first pass, only meetings of the participants a move changed are tried again."""
    pb = st.pb
    tries = 0
    starts = _with_gaps(st, range(pb.n_people))
    for _ in range(CHAIN_ROUNDS):
        touched: set[int] = set()
        for m in starts:
            if st.slot_of[m] < 0:
                continue
            if tries > steps or time.perf_counter() > deadline:
                st.log.clear()
                return
            for b in pb.feas[m]:
                if b != st.slot_of[m]:
                    tries += 1
                    moved = _chain_better(st, m, b)
                    if moved:
                        touched.update(moved)
                        break
        if not touched:
            break
        starts = _with_gaps(st, touched)
    st.log.clear()


def descend(st: State, steps: int, deadline: float) -> None:
    """Single-meeting moves and exchanges of two meetings of one participant, while they
    leave fewer gaps, up to ``steps`` tries (the work budget)."""
    pb = st.pb
    tries = 0
    for _ in range(DESCENT_ROUNDS):
        improved = False
        for m in range(pb.n_meetings):
            if st.slot_of[m] >= 0:
                improved |= _move_better(st, m)
                tries += 1
        for p in range(pb.n_people):
            if tries > steps or time.perf_counter() > deadline:
                st.log.clear()
                return
            mine = [m for m in pb.by_person[p] if st.slot_of[m] >= 0]
            for i, m in enumerate(mine):
                for c in mine[i + 1 :]:
                    tries += 1
                    improved |= _swap_better(st, m, c)
        if not improved:
            break
    st.log.clear()
