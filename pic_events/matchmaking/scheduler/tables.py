"""Tables: interchangeable within a slot, so they are dealt out once slots are chosen."""

from __future__ import annotations

from pic_events.matchmaking.scheduler.instance import Assignment, Instance
from pic_events.matchmaking.scheduler.problem import Problem, State


def deal_tables(instance: Instance, pb: Problem, st: State) -> list[Assignment]:
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
