"""Where badge rendering spends its time beyond WeasyPrint's floor (issue 12).

Run alone as ``python benchmarks/profile_badges.py [--badges N] [--layout a6] [--top 30]``.
It builds the same SQLite database as ``benchmarks/documents.py``, then renders the badges
and the floor (``documents.floor_pdf``: same pages, same QR codes, no text) under cProfile
in this one process, and prints for each the functions that take the most time (own time
and cumulated), then the functions whose own time grows most from the floor to the badges:
what the text lines cost, function by function. Profiling slows everything about twice;
read the shares, not the seconds (``benchmarks/documents.py`` gives those).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import documents  # noqa: E402


def _profile(render) -> tuple[pstats.Stats, float]:
    profile = cProfile.Profile()
    began = time.process_time()
    profile.enable()
    render()
    profile.disable()
    return pstats.Stats(profile), time.process_time() - began


def _own_times(stats: pstats.Stats) -> dict[str, tuple[int, float]]:
    """(calls, own seconds) by 'file:line(function)', the file relative to site-packages."""
    return {
        f"{file.split('site-packages/')[-1]}:{line}({name})": (calls, own)
        for (file, line, name), (_, calls, own, _, _) in stats.stats.items()
    }


def _print_growth(badges: pstats.Stats, floor: pstats.Stats, top: int) -> None:
    mine, base = _own_times(badges), _own_times(floor)
    rows = sorted(
        (
            (mine.get(k, (0, 0.0))[1] - base.get(k, (0, 0.0))[1], k)
            for k in mine.keys() | base.keys()
        ),
        reverse=True,
    )
    print(f"\nOwn time, badges minus floor (top {top}):")
    print(f"{'extra s':>8}{'calls':>10}{'floor':>10}  function")
    for extra, key in rows[:top]:
        print(f"{extra:8.3f}{mine.get(key, (0, 0))[0]:>10}{base.get(key, (0, 0))[0]:>10}  {key}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--badges", type=int, default=documents.BADGES)
    parser.add_argument("--layout", default="a6")
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()

    import sqlalchemy as sa

    from pic_events.documents import services
    from pic_events.documents.badges import LAYOUTS, render_badges
    from pic_events.events.models import Event
    from pic_events.extensions import db

    with tempfile.TemporaryDirectory() as folder:
        database = os.path.join(folder, "bench.sqlite")
        documents.prepare(database, args.badges)
        app = documents._app(database)
        with app.test_request_context():
            event = db.session.scalar(sa.select(Event).where(Event.slug == documents.SLUG))
            registrations = services.badge_registrations(event, services.BadgeSelection())
            layout = LAYOUTS[args.layout]
            codes = [r.checkin_code for r in registrations]
            pages = [
                codes[i : i + layout.badges_per_page]
                for i in range(0, len(codes), layout.badges_per_page)
            ]
            badges, badges_cpu = _profile(lambda: render_badges(event, registrations, args.layout))
            floor, floor_cpu = _profile(
                lambda: documents.floor_pdf(layout.page_size, len(pages), pages)
            )
    _print_growth(badges, floor, args.top)  # before strip_dirs, which merges same-named files
    for name, stats, cpu in (("badges", badges, badges_cpu), ("floor", floor, floor_cpu)):
        print(f"\n=== {name} {args.layout}: {cpu:.2f} s CPU under the profiler ===")
        stats.strip_dirs().sort_stats("tottime").print_stats(args.top)
        stats.sort_stats("cumulative").print_stats(args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
