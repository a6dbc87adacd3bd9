"""Run every benchmark, print its table and write benchmarks/results.json."""

from __future__ import annotations

import json
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path

RESULTS = Path(__file__).with_name("results.json")


def main() -> int:
    from benchmarks import scheduler

    print("B2B scheduler (10 s limit, xlarge 30 s): placed weight against the proven bound,")
    print("idle gaps against the greedy baseline (first slot that fits), their proven lower")
    print("bound and, on the real-like events, the gaps of the planted schedule")
    scheduler_rows = scheduler.run()
    scheduler.print_table(scheduler_rows)
    results = {
        "machine": {"python": sys.version.split()[0], "platform": platform.platform()},
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "scheduler": scheduler_rows,
    }
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(f"\nwritten {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
