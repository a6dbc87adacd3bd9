"""Benchmark of the printed documents against WeasyPrint's floor.

Run alone as ``python benchmarks/documents.py [--badges N] [--agendas N]``; ``run()`` is what
``make bench`` calls. It builds a SQLite database in a temporary folder (the demo meeting,
plus an event with N confirmed registrations whose names use every European letter), then
times each case in a process of its own so that its peak memory (RSS) is its own:

- badges in a4-2x2 and in a6 (rendering only: the rows are loaded before the clock starts);
- the programme of the demo event;
- personal agendas: N requests for My agenda PDF through the app (query + render), with
  the slowest single request;
- for each, the floor: WeasyPrint rendering a bare document with the same page size, the
  same page count and the same QR codes (no text, no font), in the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

BADGES = 1000
AGENDAS = 200
SLUG = "bench-badges"
FIRST = ["Łukasz", "Øyvind", "Ștefan", "Gökçe", "Zoë", "Ana", "Björn", "Begoña", "Jürgen", "Ines"]
FAMILY = ["Wiśniewski", "Ødegård", "Țăranu", "Yıldız", "Weiß", "García", "Müller", "Nowak"]


def _app(database: str):
    from pic_events import create_app

    return create_app(
        "development",
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
            "MAIL_DELIVER_INLINE": False,
            "RATELIMIT_ENABLED": False,
            "WTF_CSRF_ENABLED": False,
        },
    )


def prepare(database: str, badges: int) -> None:
    """The demo meeting and an event with `badges` confirmed registrations."""
    from datetime import date

    from pic_events.accounts.models import User
    from pic_events.directory.models import Cluster, Organisation
    from pic_events.events.models import Event
    from pic_events.extensions import db
    from pic_events.registration.models import Registration

    app = _app(database)
    with app.app_context():
        db.create_all()
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    rng = random.Random(12)
    with app.app_context():
        event = Event(
            slug=SLUG,
            title="PIC Annual Meeting 2027",
            city="Angers",
            starts_on=date(2027, 6, 15),
            ends_on=date(2027, 6, 17),
            status="published",
        )
        clusters = [Cluster(name=f"Bench cluster {i}", country="FR") for i in range(20)]
        organisations = [
            Organisation(
                name=f"Organisation {i} Agroalimentario Ștefănești GmbH",
                cluster=clusters[i % 20],
                country="PL",
            )
            for i in range(100)
        ]
        db.session.add_all([event, *clusters, *organisations])
        db.session.flush()
        for i in range(badges):
            user = User(
                email=f"bench{i}@example.org",
                name=f"{rng.choice(FIRST)} {rng.choice(FAMILY)}-{i}",
                organisation=organisations[i % 100],
            )
            categories = ("participant", "speaker", "steering", "press", "organiser")
            db.session.add(
                Registration(event=event, user=user, status="confirmed", category=categories[i % 5])
            )
        db.session.commit()


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def floor_pdf(page_size: str, pages: int, codes_per_page: list[list[str]]) -> bytes:
    """WeasyPrint's floor: a bare document of this many pages with these QR codes."""
    from weasyprint import HTML

    from pic_events.documents.qr import qr_svg

    body = "".join(
        '<div class="p">'
        + "".join(qr_svg(c) for c in (codes_per_page[i] if i < len(codes_per_page) else []))
        + "</div>"
        for i in range(pages)
    )
    html = (
        f"<html><head><style>@page {{ size: {page_size}; margin: 0 }}"
        ".p { break-after: page } .qr { width: 35mm; height: 35mm }</style></head>"
        f"<body>{body}</body></html>"
    )
    return HTML(string=html).write_pdf()


def case(name: str, database: str, count: int) -> dict[str, Any]:
    """One measured case, in this process."""
    import sqlalchemy as sa

    from pic_events.documents import services
    from pic_events.documents.badges import LAYOUTS, render_badges
    from pic_events.documents.programme import render_programme
    from pic_events.events.models import Event
    from pic_events.extensions import db
    from pic_events.programme import services as programme_services

    app = _app(database)
    with app.test_request_context():
        if name.startswith(("badges", "floor-badges")):
            layout = name.split(":", 1)[1]
            event = db.session.scalar(sa.select(Event).where(Event.slug == SLUG))
            registrations = services.badge_registrations(event, services.BadgeSelection())
            per_page = LAYOUTS[layout].badges_per_page
            codes = [r.checkin_code for r in registrations]
            pages = [codes[i : i + per_page] for i in range(0, len(codes), per_page)]
            clock = _Clock()
            if name.startswith("badges"):
                data = render_badges(event, registrations, layout)
            else:
                data = floor_pdf(LAYOUTS[layout].page_size, len(pages), pages)
            return _row(name, clock, data, count=len(registrations))
        if name in ("programme", "floor-programme"):
            from datetime import UTC, datetime

            event = db.session.scalar(sa.select(Event).where(Event.slug == "pic-2027"))
            sessions = programme_services.visible_sessions(event, None, None)
            days = programme_services.by_day(sessions, event.timezone)
            clock = _Clock()
            data = render_programme(event, days, generated_at=datetime.now(UTC))
            if name == "floor-programme":
                pages = _pages(data)
                clock = _Clock()
                data = floor_pdf("A4", pages, [])
            return _row(name, clock, data, count=1)
    if name in ("agendas", "floor-agendas"):
        return _agendas(app, name, count)
    raise SystemExit(f"unknown case {name}")


def _agendas(app, name: str, count: int) -> dict[str, Any]:
    import sqlalchemy as sa

    from pic_events.accounts.models import User
    from pic_events.accounts.services import calendar_url
    from pic_events.events.models import Event
    from pic_events.extensions import db
    from pic_events.registration.models import Registration

    with app.app_context():
        event = db.session.scalar(sa.select(Event).where(Event.slug == "pic-2027"))
        users = db.session.scalars(
            sa.select(User)
            .join(Registration, Registration.user_id == User.id)
            .where(Registration.event_id == event.id, Registration.status == "confirmed")
            .order_by(User.id)
        ).all()
        keys = [(u.get_id(), calendar_url(u)) for u in users]
    client = app.test_client()
    each: list[float] = []
    total_bytes = 0
    pages = 0
    clock = _Clock()
    for i in range(count):
        user_id, feed = keys[i % len(keys)]
        began = time.perf_counter()
        if name == "agendas":
            with client.session_transaction() as session:
                session["_user_id"] = user_id
                session["_fresh"] = True
            response = client.get("/events/pic-2027/my-agenda.pdf")
            assert response.status_code == 200, response.status_code
            data = response.data
        else:
            data = floor_pdf("A4", 1, [[feed]])
        each.append(time.perf_counter() - began)
        total_bytes += len(data)
        if i == 0:
            pages = _pages(data)
    row = _row(name, clock, b"", count=count)
    each.sort()
    row.update(
        bytes=total_bytes,
        pages=pages * count,
        slowest_seconds=round(each[-1], 3),
        median_seconds=round(each[len(each) // 2], 3),
    )
    return row


def _pages(data: bytes) -> int:
    import io

    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(data)).pages)


class _Clock:
    """Wall-clock and CPU seconds since it was made (the CPU time is what a busy, shared
    machine changes least)."""

    def __init__(self) -> None:
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def read(self) -> tuple[float, float]:
        return time.perf_counter() - self.wall, time.process_time() - self.cpu


def _row(name: str, clock: _Clock, data: bytes, *, count: int) -> dict[str, Any]:
    wall, cpu = clock.read()
    return {
        "case": name,
        "documents": count,
        "pages": _pages(data) if data else None,
        "bytes": len(data),
        "seconds": round(wall, 2),
        "cpu_seconds": round(cpu, 2),
        "peak_rss_mb": round(_peak_mb(), 1),
    }


def _in_subprocess(name: str, database: str, count: int) -> dict[str, Any]:
    output = subprocess.run(
        [sys.executable, __file__, "--case", name, "--database", database, "--count", str(count)],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def run(badges: int = BADGES, agendas: int = AGENDAS) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as folder:
        database = os.path.join(folder, "bench.sqlite")
        prepare(database, badges)
        pairs = [
            ("badges:a4-2x2", "floor-badges:a4-2x2", badges),
            ("badges:a6", "floor-badges:a6", badges),
            ("programme", "floor-programme", 1),
            ("agendas", "floor-agendas", agendas),
        ]
        for real, floor, count in pairs:
            measured = _in_subprocess(real, database, count)
            base = _in_subprocess(floor, database, count)
            measured["floor_seconds"] = base["seconds"]
            measured["floor_cpu_seconds"] = base["cpu_seconds"]
            measured["floor_peak_rss_mb"] = base["peak_rss_mb"]
            measured["x_floor"] = round(measured["seconds"] / base["seconds"], 2)
            measured["x_floor_cpu"] = round(measured["cpu_seconds"] / base["cpu_seconds"], 2)
            rows.append(measured)
    return rows


def print_table(rows: list[dict[str, Any]]) -> None:
    print(
        f"{'case':<15}{'docs':>6}{'pages':>7}{'wall s':>8}{'floor':>7}{'x':>6}"
        f"{'cpu s':>8}{'floor':>7}{'x':>6}{'peak MB':>9}{'floor':>7}"
        f"{'median s':>10}{'slowest s':>11}"
    )
    for r in rows:
        median, slowest = r.get("median_seconds"), r.get("slowest_seconds")
        print(
            f"{r['case']:<15}{r['documents']:>6}{r['pages'] or 0:>7}{r['seconds']:>8.2f}"
            f"{r['floor_seconds']:>7.2f}{r['x_floor']:>6.2f}{r['cpu_seconds']:>8.2f}"
            f"{r['floor_cpu_seconds']:>7.2f}{r['x_floor_cpu']:>6.2f}{r['peak_rss_mb']:>9.1f}"
            f"{r['floor_peak_rss_mb']:>7.1f}{'' if median is None else f'{median:.3f}':>10}"
            f"{'' if slowest is None else f'{slowest:.3f}':>11}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--badges", type=int, default=BADGES)
    parser.add_argument("--agendas", type=int, default=AGENDAS)
    parser.add_argument("--case")
    parser.add_argument("--database")
    parser.add_argument("--count", type=int, default=1)
    args = parser.parse_args()
    if args.case:
        print(json.dumps(case(args.case, args.database, args.count)))
        return 0
    rows = run(args.badges, args.agendas)
    print_table(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
