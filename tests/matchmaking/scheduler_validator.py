"""Independent checker for scheduler output: it shares no code with the engine on purpose."""

from __future__ import annotations

from collections import Counter
from typing import Any


def check_schedule(instance: dict[str, Any], output: dict[str, Any]) -> float:
    """Assert that ``output`` is a valid schedule for ``instance``; return its weight."""
    meetings = {m["id"]: m for m in instance["meetings"]}
    slots = {s["id"] for s in instance["slots"]}
    tables = {t["id"] for t in instance["tables"]}
    away = {p["id"]: set(p.get("unavailable", [])) for p in instance["participants"]}
    placed = [a["meeting"] for a in output["assignments"]]
    listed = Counter(placed + list(output["unscheduled"]))
    assert set(listed) == set(meetings), "assigned + unscheduled must be exactly the meetings"
    assert all(n == 1 for n in listed.values()), "a meeting is listed twice"
    seats: set[tuple[Any, Any]] = set()
    people: set[tuple[Any, Any]] = set()
    for a in output["assignments"]:
        meeting, slot, table = meetings[a["meeting"]], a["slot"], a["table"]
        assert slot in slots and table in tables, f"unknown slot or table in {a}"
        assert (slot, table) not in seats, f"table {table} used twice in slot {slot}"
        seats.add((slot, table))
        if meeting.get("slots") is not None:
            assert slot in meeting["slots"], f"meeting {a['meeting']} outside its slots"
        for p in meeting["participants"]:
            assert slot not in away[p], f"participant {p} unavailable in slot {slot}"
            assert (p, slot) not in people, f"participant {p} twice in slot {slot}"
            people.add((p, slot))
    given = {(a["meeting"], a["slot"], a["table"]) for a in output["assignments"]}
    for f in instance.get("fixed", []):
        assert (f["meeting"], f["slot"], f["table"]) in given, f"fixed meeting moved: {f}"
    weight = sum(meetings[m].get("priority", 1) for m in placed)
    assert output["upper_bound"] >= weight - 1e-6, "upper bound below the schedule's weight"
    return weight
