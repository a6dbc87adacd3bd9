"""Compact schedules (section 1): fewest idle gaps at the highest weight, blocks honoured."""

from __future__ import annotations

import itertools
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.scheduler import plant_event, planted_gaps
from tests.matchmaking.scheduler_validator import count_idle_gaps
from tests.matchmaking.test_scheduler import (
    _feasible,
    check_schedule,
    generate_instance,
    instances,
    run,
)


def _with_blocks(data: dict[str, Any], cuts: list[bool]) -> dict[str, Any]:
    """Split the slots into blocks where ``cuts`` says so (after slot i)."""
    block = 0
    for slot, cut in zip(data["slots"], cuts + [False] * len(data["slots"]), strict=False):
        slot["block"] = f"b{block}"
        block += cut
    return data


@st.composite
def blocked_instances(draw: st.DrawFn) -> dict[str, Any]:
    data = draw(instances(max_meetings=5, max_slots=4))
    if draw(st.booleans()):
        _with_blocks(data, draw(st.lists(st.booleans(), max_size=4)))
    return data


def brute_force_gaps(data: dict[str, Any]) -> tuple[float, int]:
    """Highest weight, then fewest idle gaps, over every way of placing the free meetings."""
    fixed = {f["meeting"]: f for f in data["fixed"]}
    away = {p["id"]: set(p.get("unavailable", [])) for p in data["participants"]}
    free = [m for m in data["meetings"] if m["id"] not in fixed]
    slots = [s["id"] for s in data["slots"]]
    best: tuple[float, int] = (0.0, 0)
    for choice in itertools.product([None, *slots], repeat=len(free)):
        chosen = [(m, s) for m, s in zip(free, choice, strict=True) if s is not None]
        placed = [(m, fixed[m["id"]]["slot"]) for m in data["meetings"] if m["id"] in fixed]
        placed += chosen
        if not _feasible(placed, away, len(data["tables"])):
            continue
        output = {"assignments": [{"meeting": m["id"], "slot": s} for m, s in placed]}
        key = (sum(m.get("priority", 1) for m, _ in placed), -count_idle_gaps(data, output))
        best = max(best, key)
    return best[0], -best[1]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(blocked_instances())
def test_tiny_instances_have_the_fewest_gaps_at_the_highest_weight(data: dict[str, Any]) -> None:
    output = run(data, time_limit=0.5)
    weight, gaps = brute_force_gaps(data)
    assert check_schedule(data, output) == weight
    assert count_idle_gaps(data, output) == output["idle_gaps"] == gaps
    assert output.get("idle_gaps_bound", 0) <= gaps


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_the_reported_gaps_are_the_schedules_gaps(data: dict[str, Any]) -> None:
    output = run(data, time_limit=0.3)
    check_schedule(data, output)
    assert output["idle_gaps"] == count_idle_gaps(data, output)
    assert output.get("idle_gaps_bound", 0) <= output["idle_gaps"]


LUNCH: dict[str, Any] = {
    "slots": [{"id": 1}, {"id": 2}, {"id": 3}, {"id": 4}],
    "tables": [{"id": 1}],
    "participants": [{"id": p} for p in (10, 11, 12)],
    "meetings": [
        {"id": 100, "participants": [10, 11], "slots": [1]},
        {"id": 101, "participants": [10, 12], "slots": [3, 4]},
    ],
}


def test_the_break_between_two_blocks_is_not_a_gap() -> None:
    plain = run(LUNCH, time_limit=0.5)
    assert plain["idle_gaps"] == count_idle_gaps(LUNCH, plain) == 1
    blocked = _with_blocks({**LUNCH, "slots": [dict(s) for s in LUNCH["slots"]]}, [False, True])
    output = run(blocked, time_limit=0.5)
    assert output["idle_gaps"] == count_idle_gaps(blocked, output) == 0


def test_the_engine_packs_meetings_back_to_back() -> None:
    """Slot 2 is the only slot next to 10's fixed meeting in slot 1: the engine takes it."""
    data = {
        "slots": [{"id": s} for s in range(1, 6)],
        "tables": [{"id": 1}, {"id": 2}],
        "participants": [{"id": p} for p in (10, 11, 12)],
        "meetings": [
            {"id": 100, "participants": [10, 11]},
            {"id": 101, "participants": [10, 12]},
        ],
        "fixed": [{"meeting": 100, "slot": 1, "table": 1}],
    }
    output = run(data, time_limit=0.5)
    slots = {a["meeting"]: a["slot"] for a in output["assignments"]}
    assert slots == {100: 1, 101: 2}
    assert output["idle_gaps"] == 0


def test_compaction_keeps_the_weight_and_the_fixed_meetings() -> None:
    data = generate_instance(40, 160, 8, (1, 2, 3), seed=5, trio_rate=0.2)
    first = run(data, time_limit=1.0)
    data["fixed"] = first["assignments"][::3]
    for slot in data["slots"]:
        slot["block"] = "am" if slot["id"] <= 4 else "pm"
    second = run(data, time_limit=1.0)
    assert check_schedule(data, second) >= check_schedule(data, first)
    assert second["idle_gaps"] == count_idle_gaps(data, second)


def _real_like(seed: int = 3) -> tuple[dict[str, Any], dict[int, int]]:
    """A small event shaped like a real brokerage event (a morning and an afternoon, some
    meetings allowed in one half only), built around a planted schedule without gaps."""
    data, planted = plant_event(36, 10, 5, 0.4, 0.15, 0, seed=seed)
    assert planted_gaps(data, planted) == 0
    assert any(m.get("slots") for m in data["meetings"])
    return data, planted


def test_a_real_like_event_with_a_gap_free_schedule_gets_one() -> None:
    data, _ = _real_like()
    output = run(data, time_limit=4.0)
    assert output["unscheduled"] == []
    check_schedule(data, output)  # meetings allowed in one half stay in it
    assert count_idle_gaps(data, output) == output["idle_gaps"] == 0
    assert output["idle_gaps_bound"] == 0


def test_a_real_like_event_keeps_its_fixed_meetings_and_its_halves() -> None:
    """A third of the planted schedule announced (fixed): the rest still fits around it
    without a gap, fixed meetings stay where they are, morning-only ones in the morning."""
    data, planted = _real_like(seed=4)
    n_tables = len(data["tables"])
    used: dict[int, int] = {}
    fixed = []
    for meeting in sorted(data["meetings"], key=lambda m: m["id"])[::3]:
        slot = planted[meeting["id"]]
        used[slot] = used.get(slot, 0) + 1
        fixed.append({"meeting": meeting["id"], "slot": slot, "table": used[slot]})
    assert max(used.values()) <= n_tables
    data["fixed"] = fixed
    output = run(data, time_limit=4.0)
    assert output["unscheduled"] == []
    check_schedule(data, output)  # fixed meetings kept, allowed halves honoured
    morning = {s["id"] for s in data["slots"] if s["block"] == "am"}
    restricted = {m["id"]: set(m["slots"]) for m in data["meetings"] if m.get("slots")}
    for a in output["assignments"]:
        if a["meeting"] in restricted:
            assert (a["slot"] in morning) == (restricted[a["meeting"]] <= morning)
    assert count_idle_gaps(data, output) == output["idle_gaps"] == 0


def _fix_around_holes(data: dict[str, Any], planted: dict[int, int]) -> int:
    """Fix, for each participant with a gap in the planted schedule, the planted meetings on
    both sides of it (the hole is a slot they are unavailable in): the gap is then forced.
    Returns how many participants have one."""
    meetings = {m["id"]: m for m in data["meetings"]}
    at = {(p, s): m for m, s in planted.items() for p in meetings[m]["participants"]}
    blocks: dict[Any, list[int]] = {}
    for slot in data["slots"]:
        blocks.setdefault(slot.get("block"), []).append(slot["id"])
    fixed: set[int] = set()
    people = set()
    for person in data["participants"]:
        p = person["id"]
        for slots in blocks.values():
            busy = [(p, s) in at for s in slots]
            for i in range(1, len(slots) - 1):
                if busy[i - 1] and not busy[i] and any(busy[i + 1 :]):
                    after = next(k for k in range(i + 1, len(slots)) if busy[k])
                    fixed |= {at[p, slots[i - 1]], at[p, slots[after]]}
                    people.add(p)
    tables: dict[int, int] = {}
    data["fixed"] = []
    for m in sorted(fixed):
        tables[planted[m]] = tables.get(planted[m], 0) + 1
        data["fixed"].append({"meeting": m, "slot": planted[m], "table": tables[planted[m]]})
    return len(people)


def test_a_real_like_event_with_forced_gaps_gets_a_sound_bound() -> None:
    """Gaps that fixed meetings force cannot be removed: the engine finds no more gaps than
    the planted schedule and proves a bound that is no more than the gaps it reports
    (a forced gap once broke the run-start booleans and the bound)."""
    data, planted = plant_event(36, 10, None, 0.0, 0.15, 2, seed=1)
    forced = _fix_around_holes(data, planted)
    assert forced > 0
    output = run(data, time_limit=4.0)
    assert output["unscheduled"] == []
    check_schedule(data, output)
    gaps = count_idle_gaps(data, output)
    assert forced <= output["idle_gaps_bound"] <= gaps == output["idle_gaps"]
    assert gaps <= planted_gaps(data, planted)
