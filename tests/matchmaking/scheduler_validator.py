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


REASON_CODES = {"no_common_slot", "no_table", "participant_full", "displaced"}


def _open_slots(instance: dict[str, Any], meeting: dict[str, Any]) -> list[Any]:
    """Allowed slots where every participant is available and not in a fixed meeting."""
    meetings = {m["id"]: m for m in instance["meetings"]}
    away = {p["id"]: set(p.get("unavailable", [])) for p in instance["participants"]}
    for f in instance.get("fixed", []):
        for p in meetings[f["meeting"]]["participants"]:
            away[p].add(f["slot"])
    allowed = meeting.get("slots")
    return [
        s["id"]
        for s in instance["slots"]
        if (allowed is None or s["id"] in allowed)
        and all(s["id"] not in away[p] for p in meeting["participants"])
    ]


def _fixed_tables(instance: dict[str, Any]) -> Counter:
    return Counter(f["slot"] for f in instance.get("fixed", []))


def _all_fit(options: list[list[Any]]) -> bool:
    """Whether every item gets a distinct slot of its own (augmenting paths)."""
    owner: dict[Any, int] = {}

    def place(i: int, seen: set[Any]) -> bool:
        for s in options[i]:
            if s in seen:
                continue
            seen.add(s)
            if s not in owner or place(owner[s], seen):
                owner[s] = i
                return True
        return False

    return all(place(i, set()) for i in range(len(options)))


def check_reasons(instance: dict[str, Any], output: dict[str, Any]) -> dict[Any, str]:
    """Assert that each unscheduled meeting has a code and that its fact holds."""
    meetings = {m["id"]: m for m in instance["meetings"]}
    reasons = {str(k): v for k, v in output["reasons"].items()}
    assert set(reasons) == {str(m) for m in output["unscheduled"]}, "one reason per left-out"
    n_tables = len(instance["tables"])
    fixed_tables = _fixed_tables(instance)
    fixed_ids = {f["meeting"] for f in instance.get("fixed", [])}
    slot_of = {a["meeting"]: a["slot"] for a in output["assignments"]}
    codes = {}
    for m in output["unscheduled"]:
        meeting, code = meetings[m], reasons[str(m)]
        assert code in REASON_CODES, f"unknown reason {code}"
        codes[m] = code
        open_slots = _open_slots(instance, meeting)
        with_table = [s for s in open_slots if fixed_tables[s] < n_tables]
        if code == "no_common_slot":
            assert not open_slots, f"meeting {m} has a common slot"
            continue
        assert open_slots, f"meeting {m} has no common slot, not {code}"
        if code == "no_table":
            assert not with_table, f"meeting {m} has a slot with a table"
            continue
        assert with_table, f"meeting {m}: fixed meetings hold the tables, not {code}"
        if code == "participant_full":
            assert any(_full(instance, output, p, with_table) for p in meeting["participants"])
            continue
        weight = meeting.get("priority", 1)
        for s in with_table:
            here = [k for k, t in slot_of.items() if t == s and k not in fixed_ids]
            way = [
                k for k in here if set(meetings[k]["participants"]) & set(meeting["participants"])
            ]
            if fixed_tables[s] + len(here) - len(way) >= n_tables:
                rest = [k for k in here if k not in way]
                assert rest, f"slot {s} full of fixed meetings"
                way.append(min(rest, key=lambda k: meetings[k].get("priority", 1)))
            lost = sum(meetings[k].get("priority", 1) for k in way)
            assert lost >= weight - 1e-9, f"meeting {m} would gain weight in slot {s}"
    return codes


def _full(instance: dict[str, Any], output: dict[str, Any], person: Any, slots: list[Any]) -> bool:
    """``person`` has a meeting in each of ``slots`` and cannot have all their meetings."""
    meetings = {m["id"]: m for m in instance["meetings"]}
    mine = {
        a["slot"] for a in output["assignments"] if person in meetings[a["meeting"]]["participants"]
    }
    if not set(slots) <= mine:
        return False
    fixed = {f["meeting"] for f in instance.get("fixed", [])}
    n_tables, fixed_tables = len(instance["tables"]), _fixed_tables(instance)
    options = []
    for m in instance["meetings"]:
        if person in m["participants"] and m["id"] not in fixed:
            room = [s for s in _open_slots(instance, m) if fixed_tables[s] < n_tables]
            if room:
                options.append(room)
    return not _all_fit(options)


def count_idle_gaps(instance: dict[str, Any], output: dict[str, Any]) -> int:
    """Idle gaps by the definition: per participant and block, the maximal runs of slots
    without a meeting of theirs between two slots holding one, in the listed slot order."""
    meetings = {m["id"]: m for m in instance["meetings"]}
    busy: set[tuple[Any, Any]] = set()
    for a in output["assignments"]:
        busy.update((p, a["slot"]) for p in meetings[a["meeting"]]["participants"])
    blocks: dict[Any, list[Any]] = {}
    for s in instance["slots"]:
        blocks.setdefault(s.get("block"), []).append(s["id"])
    total = 0
    for person in instance["participants"]:
        for slots in blocks.values():
            marks = [(person["id"], s) in busy for s in slots]
            held = [i for i, b in enumerate(marks) if b]
            if not held:
                continue
            inner = marks[held[0] : held[-1] + 1]
            total += sum(1 for i in range(1, len(inner)) if not inner[i] and inner[i - 1])
    return total
