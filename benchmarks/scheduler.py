"""Benchmark of the matchmaking scheduler on seeded, realistic instances.

Run alone as ``python benchmarks/scheduler.py [--time-limit S]
[--sizes small,medium,large,xlarge,events] [--json PATH]``; ``run()`` is what ``make bench``
calls. Each size runs in a process of its own, so that its peak memory (RSS) is its own.
xlarge is also re-run with the first run's schedule fixed and 10 % new requests
(``xlarge-rerun``). ``events`` is a family of ten instances shaped like real brokerage events,
each built around a planted schedule whose idle gaps bound the optimum (``plant_event``).
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pic_events.matchmaking import scheduler  # noqa: E402
from pic_events.matchmaking.scheduler.cli import native_stdout_silenced  # noqa: E402

SIZES: dict[str, dict[str, Any]] = {
    "small": {"n_participants": 100, "n_meetings": 450, "n_slots": 12, "priorities": (1,)},
    "medium": {"n_participants": 400, "n_meetings": 2200, "n_slots": 16, "priorities": (1, 2, 3)},
    "large": {"n_participants": 1000, "n_meetings": 5500, "n_slots": 16, "priorities": (1, 2, 3)},
    "xlarge": {
        "n_participants": 3000,
        "n_meetings": 16500,
        "n_slots": 16,
        "priorities": (1, 2, 3),
        "n_blocks": 2,
    },
}
# Real brokerage events: (participants, slots, slots of the morning block or None for one
# block, share of meetings restricted to the half they are planted in, share of the other
# free participant-slots made unavailable, participants given a planted hole per block).
EVENTS: list[tuple[int, int, int | None, float, float, int]] = [
    (50, 10, None, 0.0, 0.15, 0),
    (60, 12, None, 0.0, 0.15, 0),
    (70, 14, None, 0.0, 0.1, 2),
    (62, 12, 6, 0.3, 0.15, 0),
    (70, 14, 7, 0.3, 0.15, 0),
    (72, 20, 10, 0.25, 0.1, 0),
    (40, 16, 8, 0.4, 0.2, 1),
    (65, 18, 9, 0.3, 0.15, 3),
    (75, 20, 10, 0.2, 0.1, 0),
    (55, 22, 12, 0.3, 0.15, 2),
]
EVENT_SEED = 100
ABSENT_SHARE = 0.25  # participants who come to one half only (two-block events)
AWAY_HALF_SHARE = 0.7  # of their free slots in the half they skip, marked unavailable
TIME_LIMITS = {"xlarge": 30.0}  # seconds; the others take the --time-limit (default 10)
RERUN_TIME_LIMIT = 5.0
RERUN_NEW_SHARE = 0.1  # new requests in the re-run, as a share of the meetings
SEED = 2024


def generate_instance(
    n_participants: int,
    n_meetings: int,
    n_slots: int,
    priorities: tuple[int, ...] = (1,),
    seed: int = 0,
    *,
    n_tables: int | None = None,
    unavailable_rate: float = 0.1,
    trio_rate: float = 0.0,
    n_blocks: int = 1,
) -> dict[str, Any]:
    """A seeded instance in the JSON format; popularity is skewed (a few popular members).

    ``n_tables`` defaults to a third of the participants; ``trio_rate`` is the share of
    meetings with three participants; ``n_blocks`` > 1 splits the slots into that many
    blocks of consecutive slots (a morning and an afternoon, say).
    """
    rng = random.Random(seed)
    people = list(range(1, n_participants + 1))
    popularity = list(itertools.accumulate(rng.paretovariate(2.0) for _ in people))
    slots = list(range(1, n_slots + 1))
    tables = n_participants // 3 if n_tables is None else n_tables
    participants = [
        {"id": p, "unavailable": [s for s in slots if rng.random() < unavailable_rate]}
        for p in people
    ]
    meetings = []
    seen: set[tuple[int, ...]] = set()
    attempts = 0
    while len(meetings) < n_meetings and attempts < 50 * n_meetings + 100:
        attempts += 1
        size = 3 if rng.random() < trio_rate else 2
        group = tuple(sorted(set(rng.choices(people, cum_weights=popularity, k=size))))
        if len(group) < size or group in seen:
            continue
        seen.add(group)
        meetings.append(
            {
                "id": 10_000 + len(meetings),
                "participants": list(group),
                "priority": rng.choice(priorities),
            }
        )
    per_block = -(-n_slots // n_blocks)
    return {
        "slots": [{"id": s} | _block(s, per_block, n_blocks) for s in slots],
        "tables": [{"id": t} for t in range(1, tables + 1)],
        "participants": participants,
        "meetings": meetings,
        "fixed": [],
    }


def _block(slot: int, per_block: int, n_blocks: int) -> dict[str, str]:
    return {"block": f"block{(slot - 1) // per_block + 1}"} if n_blocks > 1 else {}


def plant_event(
    n_people: int,
    n_slots: int,
    morning: int | None,
    restricted: float,
    unavailable: float,
    holes: int,
    seed: int,
) -> tuple[dict[str, Any], dict[int, int]]:
    """A seeded instance shaped like a real brokerage event, and the planted schedule
    (meeting id -> slot id) it was built around, which places every meeting.

    Each participant gets a run of consecutive slots per block (a few skip a block, a few
    get one planted hole, a slot they are unavailable in); slot by slot, the participants
    whose run covers it are paired with people they have not met yet; one left without a
    partner is paired with someone whose run ends just before or starts just after, or else
    its run is cut there (runs
    stay consecutive). Tables are the busiest slot's meetings plus up to two; the
    unavailable slots and the meetings' allowed halves never break the planted schedule,
    so its idle gaps bound the optimum.
    """
    rng = random.Random(seed)
    people = list(range(1, n_people + 1))
    blocks = (
        [list(range(n_slots))]
        if morning is None
        else [list(range(morning)), list(range(morning, n_slots))]
    )
    met: set[frozenset[int]] = set()
    plan: list[tuple[int, int, int]] = []  # (participant, participant, slot)
    busy: dict[int, set[int]] = {p: set() for p in people}
    kept_away: set[tuple[int, int]] = set()  # a planted hole: another appointment then
    for block in blocks:
        size = len(block)
        runs: dict[int, list[int]] = {}
        for p in people:
            if len(blocks) > 1 and rng.random() < ABSENT_SHARE:
                continue
            k = max(1, min(size, int(rng.triangular(1, size, size * 0.45))))
            a = rng.randrange(size - k + 1)
            runs[p] = [block[a], block[a + k - 1]]
        hole = {}
        for p in rng.sample(sorted(runs), min(holes, len(runs))):
            lo, hi = runs[p]
            if hi - lo >= 2:
                hole[p] = rng.randrange(lo + 1, hi)
                kept_away.add((p, hole[p]))
        for s in block:
            active = [p for p, (lo, hi) in runs.items() if lo <= s <= hi and hole.get(p) != s]
            rng.shuffle(active)
            alone = set(active)
            pairs = []
            for p in active:
                if p not in alone:
                    continue
                alone.discard(p)
                options = sorted(q for q in alone if frozenset((p, q)) not in met)
                if options:
                    q = rng.choice(options)
                    alone.discard(q)
                    pairs.append((p, q))
                else:
                    alone.add(p)
            for p in [p for p in active if p in alone]:
                nearby = [
                    q
                    for q, (lo, hi) in runs.items()
                    if q not in active
                    and (hi == s - 1 or lo == s + 1)
                    and frozenset((p, q)) not in met
                    and hole.get(q) != s
                ]
                if nearby:
                    q = rng.choice(nearby)
                    runs[q] = [min(runs[q][0], s), max(runs[q][1], s)]
                    pairs.append((p, q))
                    continue
                lo, hi = runs[p]
                if lo < s:
                    runs[p] = [lo, s - 1]
                elif hi > s:
                    runs[p] = [s + 1, hi]
                else:
                    del runs[p]
            for p, q in pairs:
                met.add(frozenset((p, q)))
                plan.append((p, q, s))
                busy[p].add(s)
                busy[q].add(s)
    per_slot = [sum(1 for _, _, s in plan if s == t) for t in range(n_slots)]
    n_tables = max(per_slot) + rng.randint(0, 2)
    half = {s: b for b, block in enumerate(blocks) for s in block}
    meetings = []
    planted = {}
    for i, (p, q, s) in enumerate(plan, 1):
        meeting: dict[str, Any] = {"id": i, "participants": [p, q]}
        if len(blocks) > 1 and rng.random() < restricted:
            meeting["slots"] = [t + 1 for t in blocks[half[s]]]
        meetings.append(meeting)
        planted[i] = s + 1
    rng.shuffle(meetings)
    participants = []
    for p in people:
        away = []
        for s in range(n_slots):
            if s in busy[p]:
                continue
            skipped = len(blocks) > 1 and not busy[p] & set(blocks[half[s]])
            if (p, s) in kept_away or rng.random() < (AWAY_HALF_SHARE if skipped else unavailable):
                away.append(s + 1)
        participants.append({"id": p, "unavailable": away})
    names = ("am", "pm")
    slots = [
        {"id": s + 1} | ({"block": names[half[s]]} if len(blocks) > 1 else {})
        for s in range(n_slots)
    ]
    data = {
        "slots": slots,
        "tables": [{"id": t} for t in range(1, n_tables + 1)],
        "participants": participants,
        "meetings": meetings,
        "fixed": [],
    }
    return data, planted


def planted_gaps(data: dict[str, Any], planted: dict[int, int]) -> int:
    """Idle gaps of the planted schedule (the definition of CONTRACT.md, counted here)."""
    meetings = {m["id"]: m for m in data["meetings"]}
    busy = {(p, s) for m, s in planted.items() for p in meetings[m]["participants"]}
    blocks: dict[Any, list[int]] = {}
    for slot in data["slots"]:
        blocks.setdefault(slot.get("block"), []).append(slot["id"])
    gaps = 0
    for person in data["participants"]:
        for slots in blocks.values():
            marks = [(person["id"], s) in busy for s in slots]
            held = [i for i, b in enumerate(marks) if b]
            if held:
                inner = marks[held[0] : held[-1] + 1]
                gaps += sum(1 for i in range(1, len(inner)) if inner[i - 1] and not inner[i])
    return gaps


def add_requests(data: dict[str, Any], share: float, seed: int) -> dict[str, Any]:
    """``data`` with ``share`` more meetings between random pairs not meeting yet."""
    rng = random.Random(seed)
    people = [p["id"] for p in data["participants"]]
    seen = {tuple(sorted(m["participants"])) for m in data["meetings"]}
    meetings = list(data["meetings"])
    next_id = max((m["id"] for m in meetings), default=0) + 1
    wanted = len(meetings) + int(share * len(meetings))
    while len(meetings) < wanted:
        pair = tuple(sorted(rng.sample(people, 2)))
        if pair not in seen:
            seen.add(pair)
            meetings.append({"id": next_id, "participants": list(pair), "priority": 1})
            next_id += 1
    return {**data, "meetings": meetings}


def _row(name: str, data: dict[str, Any], time_limit: float) -> tuple[dict[str, Any], Any]:
    instance = scheduler.parse_instance(data)
    greedy = scheduler.greedy_schedule(instance)
    started = time.perf_counter()
    result = scheduler.solve(instance, time_limit=time_limit)
    seconds = time.perf_counter() - started
    bound = result.upper_bound
    row = {
        "size": name,
        "participants": len(instance.participants),
        "meetings": len(instance.meetings),
        "fixed": len(instance.fixed),
        "slots": len(instance.slots),
        "tables": len(instance.tables),
        "weight": result.weight,
        "unscheduled": len(result.unscheduled),
        "upper_bound": bound,
        "ratio": result.weight / bound if bound else 1.0,
        "greedy_weight": greedy.weight,
        "greedy_ratio": greedy.weight / bound if bound else 1.0,
        "idle_gaps": result.idle_gaps,
        "idle_gaps_bound": result.idle_gaps_bound,
        "greedy_idle_gaps": greedy.idle_gaps,
        "seconds": round(seconds, 2),
        "time_limit": time_limit,
    }
    return row, result


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # Linux: KiB


def measure(name: str, time_limit: float) -> list[dict[str, Any]]:
    """The rows of one size (xlarge: and its re-run; events: one per event), in this process."""
    if name == "events":
        rows = []
        for i, shape in enumerate(EVENTS):
            data, planted = plant_event(*shape, seed=EVENT_SEED + i)
            row, _ = _row(f"event-{i}", data, time_limit)
            row["planted_gaps"] = planted_gaps(data, planted)
            row["peak_rss_mb"] = _peak_rss_mb()
            rows.append(row)
        return rows
    data = generate_instance(seed=SEED, **SIZES[name])
    row, result = _row(name, data, time_limit)
    row["peak_rss_mb"] = _peak_rss_mb()
    rows = [row]
    if name == "xlarge":
        fixed = [
            {"meeting": a.meeting, "slot": a.slot, "table": a.table} for a in result.assignments
        ]
        again = add_requests({**data, "fixed": fixed}, RERUN_NEW_SHARE, SEED + 1)
        rerun, _ = _row(f"{name}-rerun", again, RERUN_TIME_LIMIT)
        rerun["peak_rss_mb"] = _peak_rss_mb()
        rows.append(rerun)
    return rows


FAMILIES = (*SIZES, "events")


def run(time_limit: float = 10.0, sizes: tuple[str, ...] = FAMILIES) -> list[dict[str, Any]]:
    """Benchmark each size in a fresh process and return the result rows."""
    rows: list[dict[str, Any]] = []
    for name in sizes:
        limit = TIME_LIMITS.get(name, time_limit)
        command = [sys.executable, __file__, "--measure", name, "--time-limit", str(limit)]
        done = subprocess.run(command, capture_output=True, text=True, check=True)
        rows.extend(json.loads(done.stdout.strip().splitlines()[-1]))
    return rows


def print_table(rows: list[dict[str, Any]]) -> None:
    header = (
        f"{'size':<14}{'weight':>8}{'bound':>8}{'ratio':>9}{'greedy':>9}"
        f"{'gaps':>7}{'proven':>8}{'planted':>9}{'greedy gaps':>13}{'seconds':>9}{'peak MB':>9}"
    )
    print(header)
    for r in rows:
        proven = "-" if r["idle_gaps_bound"] is None else r["idle_gaps_bound"]
        print(
            f"{r['size']:<14}{r['weight']:>8}{r['upper_bound']:>8}{r['ratio']:>9.2%}"
            f"{r['greedy_ratio']:>9.2%}{r['idle_gaps']:>7}{proven:>8}"
            f"{r.get('planted_gaps', '-'):>9}{r['greedy_idle_gaps']:>13}"
            f"{r['seconds']:>9.2f}{r['peak_rss_mb']:>9.1f}"
        )
    events = [r for r in rows if "planted_gaps" in r]
    if events:
        total = sum(r["idle_gaps"] for r in events)
        planted = sum(r["planted_gaps"] for r in events)
        placed = sum(r["unscheduled"] == 0 for r in events)
        print(
            f"events: {total} idle gaps against {planted} planted, every meeting placed in "
            f"{placed} of {len(events)}, {sum(r['idle_gaps'] <= r['planted_gaps'] for r in events)}"
            " at or below the planted gaps"
        )


def _merge_json(path: Path, rows: list[dict[str, Any]]) -> None:
    data: dict[str, Any] = {}
    if path.exists():
        try:
            data = json.loads(path.read_text())
        except json.JSONDecodeError:
            data = {}
    data["scheduler"] = rows
    path.write_text(json.dumps(data, indent=2) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--sizes", default=",".join(FAMILIES))
    parser.add_argument("--json", type=Path, help="merge results under 'scheduler' in this file")
    parser.add_argument("--measure", help="one size, in this process; prints its rows as JSON")
    args = parser.parse_args(argv)
    if args.measure:
        if args.measure not in FAMILIES:
            parser.error(f"unknown size: {args.measure}")
        with native_stdout_silenced():
            rows = measure(args.measure, args.time_limit)
        print(json.dumps(rows))
        return 0
    sizes = tuple(s.strip() for s in args.sizes.split(",") if s.strip())
    unknown = [s for s in sizes if s not in FAMILIES]
    if unknown:
        parser.error(f"unknown size(s): {', '.join(unknown)}")
    rows = run(args.time_limit, sizes)
    print_table(rows)
    if args.json:
        _merge_json(args.json, rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
