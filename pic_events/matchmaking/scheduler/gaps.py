"""Idle gaps (CONTRACT.md): per participant and block, the maximal runs of slots without a
meeting of theirs between two slots that hold one, in the listed slot order."""

from __future__ import annotations

from collections.abc import Iterable

from pic_events.matchmaking.scheduler.problem import Problem, State


def runs_gaps(mask: int, block: list[int]) -> int:
    """Idle gaps of one participant (bit s of ``mask``: a meeting in slot s) in one block."""
    runs, previous = 0, False
    for s in block:
        busy = bool(mask >> s & 1)
        if busy and not previous:
            runs += 1
        previous = busy
    return max(0, runs - 1)


def busy_mask(st: State, p: int) -> int:
    """Bits of the slots where participant ``p`` has a meeting, fixed ones included."""
    pb = st.pb
    return (~st.free_mask[p] & ((1 << pb.n_slots) - 1)) | pb.fixed_mask[p]


def person_gaps(pb: Problem, mask: int) -> int:
    """Idle gaps of one participant over all blocks (a block of consecutive slots by bits)."""
    gaps = 0
    for block, run in zip(pb.blocks, pb.block_runs, strict=True):
        if run:
            inside = mask & run
            starts = (inside & ~(inside << 1)).bit_count()
            gaps += starts - 1 if starts else 0
        else:
            gaps += runs_gaps(mask, block)
    return gaps


def gaps_of(st: State, people: Iterable[int]) -> int:
    """Idle gaps of these participants."""
    return sum(person_gaps(st.pb, busy_mask(st, p)) for p in people)


def total_gaps(st: State) -> int:
    return sum(person_gaps(st.pb, busy_mask(st, p)) for p in range(st.pb.n_people))
