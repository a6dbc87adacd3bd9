"""The slot problem in indices (fixed meetings taken out) and the search state over it."""

from __future__ import annotations

from dataclasses import dataclass, field

from pic_events.matchmaking.scheduler.instance import Instance, Weight

EPS = 1e-9  # weights within this are equal (float priorities)


@dataclass
class Problem:
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
    # Slots a meeting may take ignoring tables (allowed, everyone available and not fixed).
    common: list[tuple[int, ...]] = field(default_factory=list)
    fixed_mask: list[int] = field(default_factory=list)  # bit s: person in a fixed meeting
    blocks: list[list[int]] = field(default_factory=list)  # slot indices per block, in order
    block_runs: list[int] = field(default_factory=list)  # a block's bits if consecutive, or 0

    @property
    def n_meetings(self) -> int:
        return len(self.weights)


def slot_blocks(blocks: tuple[str | None, ...] | None, n_slots: int) -> list[list[int]]:
    """Slot indices grouped by block, each in the listed order (no blocks: one block)."""
    if blocks is None:
        return [list(range(n_slots))] if n_slots else []
    grouped: dict[str | None, list[int]] = {}
    for s, block in enumerate(blocks):
        grouped.setdefault(block, []).append(s)
    return list(grouped.values())


def build_problem(instance: Instance) -> Problem:
    slot_index = {s: i for i, s in enumerate(instance.slots)}
    person_index = {p.id: i for i, p in enumerate(instance.participants)}
    n_slots = len(instance.slots)
    every = (1 << n_slots) - 1
    # Bit s: the person is available and not in a fixed meeting in slot s.
    free = [every & ~sum(1 << slot_index[s] for s in p.unavailable) for p in instance.participants]
    cap = [len(instance.tables)] * n_slots
    meetings = {m.id: m for m in instance.meetings}
    for a in instance.fixed:
        s = slot_index[a.slot]
        cap[s] -= 1
        for p in meetings[a.meeting].participants:
            free[person_index[p]] &= ~(1 << s)
    fixed = {a.meeting for a in instance.fixed}
    pb = Problem(n_slots, len(instance.participants), cap, [], [], [], [], [], True)
    pb.by_person = [[] for _ in instance.participants]
    pb.blocks = slot_blocks(instance.blocks, n_slots)
    pb.block_runs = [
        sum(1 << s for s in block) if block == list(range(block[0], block[-1] + 1)) else 0
        for block in pb.blocks
    ]
    pb.fixed_mask = [0] * pb.n_people
    for a in instance.fixed:
        for p in meetings[a.meeting].participants:
            pb.fixed_mask[person_index[p]] |= 1 << slot_index[a.slot]
    for k, m in enumerate(instance.meetings):
        if m.id in fixed:
            continue
        parts = tuple(person_index[p] for p in m.participants)
        mask = every if m.slots is None else sum(1 << slot_index[s] for s in m.slots)
        for p in parts:
            mask &= free[p]
        common = tuple(s for s in range(n_slots) if mask >> s & 1)
        feas = tuple(s for s in common if cap[s] > 0)
        pb.common.append(common)
        for p in parts:
            pb.by_person[p].append(len(pb.weights))
        pb.weights.append(m.priority)
        pb.parts.append(parts)
        pb.feas.append(feas)
        pb.origin.append(k)
    pb.integral = all(isinstance(w, int) for w in pb.weights)
    return pb


class State:
    """A slot assignment (``-1`` = unscheduled) with an undo log for tentative moves."""

    def __init__(self, pb: Problem) -> None:
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

    def set_slot(self, m: int, s: int) -> None:
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
        self.set_slot(m, s)

    def undo(self, mark: int) -> None:
        while len(self.log) > mark:
            m, old = self.log.pop()
            self.set_slot(m, old)

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
                self.set_slot(m, s)
        self.log.clear()
