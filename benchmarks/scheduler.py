"""Benchmark of the matchmaking scheduler on seeded, realistic instances.

Run alone as ``python benchmarks/scheduler.py [--time-limit S] [--sizes small,medium,large,xlarge]
[--json PATH]``; ``run()`` is what ``make bench`` calls. Each size runs in a process of its
own, so that its peak memory (RSS) is its own. xlarge is also re-run with the first run's
schedule fixed and 10 % new requests (``xlarge-rerun``).
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
    """The rows of one size (xlarge: and its re-run), in this process."""
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


def run(time_limit: float = 10.0, sizes: tuple[str, ...] = tuple(SIZES)) -> list[dict[str, Any]]:
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
        f"{'gaps':>7}{'greedy gaps':>13}{'seconds':>9}{'peak MB':>9}"
    )
    print(header)
    for r in rows:
        print(
            f"{r['size']:<14}{r['weight']:>8}{r['upper_bound']:>8}{r['ratio']:>9.2%}"
            f"{r['greedy_ratio']:>9.2%}{r['idle_gaps']:>7}{r['greedy_idle_gaps']:>13}"
            f"{r['seconds']:>9.2f}{r['peak_rss_mb']:>9.1f}"
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
    parser.add_argument("--sizes", default=",".join(SIZES))
    parser.add_argument("--json", type=Path, help="merge results under 'scheduler' in this file")
    parser.add_argument("--measure", help="one size, in this process; prints its rows as JSON")
    args = parser.parse_args(argv)
    if args.measure:
        if args.measure not in SIZES:
            parser.error(f"unknown size: {args.measure}")
        with native_stdout_silenced():
            rows = measure(args.measure, args.time_limit)
        print(json.dumps(rows))
        return 0
    sizes = tuple(s.strip() for s in args.sizes.split(",") if s.strip())
    unknown = [s for s in sizes if s not in SIZES]
    if unknown:
        parser.error(f"unknown size(s): {', '.join(unknown)}")
    rows = run(args.time_limit, sizes)
    print_table(rows)
    if args.json:
        _merge_json(args.json, rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
