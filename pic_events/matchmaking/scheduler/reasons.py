"""Why each left-out meeting is left out: a code whose fact is checked, never guessed.

The codes, checked in this order (CONTRACT.md):

- ``no_common_slot``: no slot allowed for the meeting where all its participants are available
  and not in a fixed meeting; no schedule can hold it.
- ``no_table``: there are such slots, but fixed meetings hold every table in all of them.
- ``participant_full``: one participant cannot have all their meetings (fewer slots than
  meetings, counted by a maximum matching of their meetings to slots) and their meetings fill
  every slot this one could take.
- ``displaced``: it fits alone, but in every slot it could take, the meetings in its way (those
  sharing a participant, plus the lightest other one when the slot's tables are all taken)
  weigh at least as much as it does. ``settle`` makes this true of every other left-out meeting.
"""

from __future__ import annotations

from pic_events.matchmaking.scheduler.bounds import matching_size
from pic_events.matchmaking.scheduler.instance import (
    DISPLACED,
    NO_COMMON_SLOT,
    NO_TABLE,
    PARTICIPANT_FULL,
    Id,
    Instance,
)
from pic_events.matchmaking.scheduler.problem import EPS, Problem, State

SETTLE_ROUNDS = 20  # passes of settle(); each change gains weight, so it ends sooner


def in_the_way(st: State, m: int, s: int) -> list[int]:
    """Meetings to take out of slot ``s`` so that ``m`` fits there."""
    clash = sorted(st.clashes(m, s))
    if st.count[s] - len(clash) >= st.pb.cap[s]:
        others = [c for c in st.members[s] if c not in clash]
        clash.append(min(others, key=lambda c: (st.pb.weights[c], c)))
    return clash


def _may_gain(st: State, m: int, s: int, lightest: float) -> bool:
    """Cheap test before ``in_the_way``: the clashes, plus the lightest weight of all when
    the slot is full, already weigh at least as much as ``m``."""
    pb = st.pb
    clash = st.clashes(m, s)
    weight = sum(pb.weights[c] for c in clash)
    if st.count[s] - len(clash) >= pb.cap[s]:
        weight += lightest
    return weight < pb.weights[m] - EPS


def settle(st: State) -> bool:
    """Place every left-out meeting that fits, or whose way is lighter than itself (the
    meetings taken out go back where they fit). Returns whether anything changed."""
    pb = st.pb
    order = sorted(range(pb.n_meetings), key=lambda m: (-pb.weights[m], m))
    lightest = min(pb.weights, default=0)
    changed_any = False
    for _ in range(SETTLE_ROUNDS):
        changed = False
        for m in order:
            if st.slot_of[m] >= 0 or not pb.feas[m]:
                continue
            mask = st.fit_mask(m)
            if mask:
                st.set_slot(m, (mask & -mask).bit_length() - 1)
                changed = True
                continue
            if pb.weights[m] <= lightest + EPS:
                continue  # anything in its way weighs at least as much
            for s in pb.feas[m]:
                if not _may_gain(st, m, s, lightest):
                    continue
                way = in_the_way(st, m, s)
                if sum(pb.weights[c] for c in way) < pb.weights[m] - EPS:
                    for c in way:
                        st.set_slot(c, -1)
                    st.set_slot(m, s)
                    for c in way:
                        back = st.fit_mask(c)
                        if back:
                            st.set_slot(c, (back & -back).bit_length() - 1)
                    changed = True
                    break
        changed_any |= changed
        if not changed:
            break
    st.log.clear()
    return changed_any


def _over_subscribed(pb: Problem, p: int) -> bool:
    placeable = [pb.feas[m] for m in pb.by_person[p] if pb.feas[m]]
    return matching_size(placeable) < len(placeable)


def reasons(instance: Instance, pb: Problem, st: State) -> dict[Id, str]:
    """The code of every meeting the state leaves out."""
    found: dict[Id, str] = {}
    over: dict[int, bool] = {}
    for m in range(pb.n_meetings):
        if st.slot_of[m] >= 0:
            continue
        meeting_id = instance.meetings[pb.origin[m]].id
        if not pb.common[m]:
            found[meeting_id] = NO_COMMON_SLOT
        elif not pb.feas[m]:
            found[meeting_id] = NO_TABLE
        elif any(_full_where(pb, st, p, m, over) for p in pb.parts[m]):
            found[meeting_id] = PARTICIPANT_FULL
        else:
            found[meeting_id] = DISPLACED
    return found


def _full_where(pb: Problem, st: State, p: int, m: int, over: dict[int, bool]) -> bool:
    if any(st.busy[p][s] < 0 for s in pb.feas[m]):
        return False
    if p not in over:
        over[p] = _over_subscribed(pb, p)
    return over[p]
