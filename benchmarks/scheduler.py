"""Benchmark of the matchmaking scheduler on seeded, realistic instances.

Run alone as ``python benchmarks/scheduler.py [--time-limit 10] [--sizes small,medium,large]
[--json PATH]``; ``run()`` is what ``make bench`` calls.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pic_events.matchmaking import scheduler  # noqa: E402

SIZES: dict[str, dict[str, Any]] = {
    "small": {"n_participants": 100, "n_meetings": 450, "n_slots": 12, "priorities": (1,)},
    "medium": {"n_participants": 400, "n_meetings": 2200, "n_slots": 16, "priorities": (1, 2, 3)},
    "large": {"n_participants": 1000, "n_meetings": 5500, "n_slots": 16, "priorities": (1, 2, 3)},
}
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
) -> dict[str, Any]:
    """A seeded instance in the JSON format; popularity is skewed (a few popular members).

    ``n_tables`` defaults to a third of the participants; ``trio_rate`` is the share of
    meetings with three participants.
    """
    rng = random.Random(seed)
    people = list(range(1, n_participants + 1))
    popularity = [rng.paretovariate(2.0) for _ in people]
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
        group = tuple(sorted(set(rng.choices(people, weights=popularity, k=size))))
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
    return {
        "slots": [{"id": s} for s in slots],
        "tables": [{"id": t} for t in range(1, tables + 1)],
        "participants": participants,
        "meetings": meetings,
        "fixed": [],
    }


def _measure(name: str, time_limit: float) -> dict[str, Any]:
    spec = SIZES[name]
    instance = scheduler.parse_instance(generate_instance(seed=SEED, **spec))
    weights = {m.id: m.priority for m in instance.meetings}
    greedy = scheduler.greedy_schedule(instance)
    started = time.perf_counter()
    result = scheduler.solve(instance, time_limit=time_limit)
    seconds = time.perf_counter() - started
    weight = sum(weights[a.meeting] for a in result.assignments)
    greedy_weight = sum(weights[a.meeting] for a in greedy.assignments)
    bound = result.upper_bound
    return {
        "size": name,
        "participants": spec["n_participants"],
        "meetings": len(instance.meetings),
        "slots": len(instance.slots),
        "tables": len(instance.tables),
        "weight": weight,
        "upper_bound": bound,
        "ratio": weight / bound if bound else 1.0,
        "greedy_weight": greedy_weight,
        "greedy_ratio": greedy_weight / bound if bound else 1.0,
        "seconds": round(seconds, 2),
        "time_limit": time_limit,
    }


def run(time_limit: float = 10.0, sizes: tuple[str, ...] = tuple(SIZES)) -> list[dict[str, Any]]:
    """Benchmark each size and return one result row per size."""
    return [_measure(name, time_limit) for name in sizes]


def print_table(rows: list[dict[str, Any]]) -> None:
    header = f"{'size':<8}{'weight':>8}{'bound':>8}{'ratio':>9}{'greedy':>9}{'seconds':>9}"
    print(header)
    for r in rows:
        print(
            f"{r['size']:<8}{r['weight']:>8}{r['upper_bound']:>8}{r['ratio']:>9.2%}"
            f"{r['greedy_ratio']:>9.2%}{r['seconds']:>9.2f}"
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
    args = parser.parse_args(argv)
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
