"""Run every benchmark, print its table and write benchmarks/results.json."""

from __future__ import annotations

import json
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path

RESULTS = Path(__file__).with_name("results.json")


def main() -> int:
    from benchmarks import booking, documents, load, recommend, scheduler

    print("B2B scheduler (10 s limit, xlarge 30 s): placed weight against the proven bound,")
    print("idle gaps against the greedy baseline (first slot that fits), their proven lower")
    print("bound and, on the real-like events, the gaps of the planted schedule")
    scheduler_rows = scheduler.run()
    scheduler.print_table(scheduler_rows)
    print("\nPrinted documents (WeasyPrint) against its floor: a bare document with the same")
    print("pages and QR codes; 1,000 badges, the demo programme, 200 My agenda requests")
    document_rows = documents.run()
    documents.print_table(document_rows)
    print("\nRecommendations: one person's top 20 among 300 participants (pure ranking)")
    recommend_row = recommend.run()
    recommend.print_table(recommend_row)
    print("\nB2B booking on PostgreSQL: 300 participants requesting and accepting from")
    print("16 threads at once; invariants counted by SQL afterwards")
    booking_row = booking.run()
    booking.print_table(booking_row)
    print("\nHTTP load (wrk, gunicorn with the production settings, PostgreSQL, Redis): the")
    print("demo meeting with 1,000 registrations; a bare Flask hello app is the ceiling")
    load_result = load.run()
    load.print_table(load_result)
    results = {
        "machine": {"python": sys.version.split()[0], "platform": platform.platform()},
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "scheduler": scheduler_rows,
        "documents": document_rows,
        "recommend": recommend_row,
        "booking": booking_row,
        "load": load_result,
    }
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(f"\nwritten {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
