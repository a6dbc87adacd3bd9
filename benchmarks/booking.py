"""B2B booking under load, on PostgreSQL: 300 participants send meeting requests and accept
them from many threads at once (each thread its own app context and connection, calling
the services the pages and the API call). Measured: requests and bookings per second, the
accept latency (p50, p99), conflicts by reason, and the invariants counted by SQL afterwards
(never trusted from the app): no person or table twice in a slot, nobody over the maximum,
nobody in a slot they marked unavailable, only confirmed people in live meetings.

Needs BENCH_DATABASE_URL (or TEST_DATABASE_URL) pointing at PostgreSQL; it works in its own
schema and drops it afterwards. `python -m benchmarks.booking` runs it alone.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta
from urllib.parse import quote
from zoneinfo import ZoneInfo

import sqlalchemy as sa

PARTICIPANTS = 300
REQUESTS_EACH = 3
SLOTS = 12
TABLES = 120
MAX_MEETINGS = 8
THREADS = int(os.environ.get("BENCH_THREADS", "16"))
SCHEMA = f"bench_booking_{os.getpid()}"

INVARIANTS = {
    "person_twice_in_a_slot": """
        SELECT COUNT(*) FROM (SELECT s.registration_id, s.slot_id FROM b2b_meeting_seat s
        JOIN b2b_meeting m ON m.id = s.meeting_id WHERE m.status = 'confirmed'
        GROUP BY s.registration_id, s.slot_id HAVING COUNT(*) > 1) t""",
    "table_twice_in_a_slot": """
        SELECT COUNT(*) FROM (SELECT slot_id, table_id FROM b2b_meeting
        WHERE status = 'confirmed' GROUP BY slot_id, table_id HAVING COUNT(*) > 1) t""",
    "over_the_maximum": """
        SELECT COUNT(*) FROM (SELECT s.registration_id FROM b2b_meeting_seat s
        JOIN b2b_meeting m ON m.id = s.meeting_id JOIN b2b_settings b ON b.event_id = m.event_id
        WHERE m.status = 'confirmed' AND b.max_meetings IS NOT NULL
        GROUP BY s.registration_id, b.max_meetings HAVING COUNT(*) > b.max_meetings) t""",
    "unavailable_but_booked": """
        SELECT COUNT(*) FROM b2b_meeting_seat s JOIN b2b_meeting m ON m.id = s.meeting_id
        JOIN b2b_unavailability u ON u.registration_id = s.registration_id
        AND u.slot_id = m.slot_id WHERE m.status = 'confirmed'""",
    "unconfirmed_in_a_live_meeting": """
        SELECT COUNT(*) FROM b2b_meeting_seat s JOIN b2b_meeting m ON m.id = s.meeting_id
        JOIN registration r ON r.id = s.registration_id
        WHERE m.status = 'confirmed' AND r.status <> 'confirmed'""",
    "seat_out_of_step": """
        SELECT COUNT(*) FROM b2b_meeting_seat s JOIN b2b_meeting m ON m.id = s.meeting_id
        WHERE (s.live AND m.status <> 'confirmed') OR (NOT s.live AND m.status = 'confirmed')
        OR s.slot_id <> m.slot_id""",
    "live_meeting_of_a_dead_request": """
        SELECT COUNT(*) FROM b2b_meeting m JOIN meeting_request q ON q.id = m.request_id
        WHERE m.status = 'confirmed' AND q.status <> 'accepted'""",
}


def _database_url() -> str | None:
    return os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")


def _schema_url(base: str) -> str:
    from config import database_url

    base = database_url(base)
    engine = sa.create_engine(base)
    with engine.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA IF NOT EXISTS "{SCHEMA}"'))
    engine.dispose()
    separator = "&" if "?" in base else "?"
    return f"{base}{separator}options={quote(f'-csearch_path={SCHEMA}')}"


def _drop_schema(base: str) -> None:
    from config import database_url

    engine = sa.create_engine(database_url(base))
    with engine.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE'))
    engine.dispose()


def _build(rng: random.Random) -> tuple[int, list[int], list[int]]:
    """An event with matchmaking on, its slots and tables, 300 confirmed listed people (a few
    of whom marked a slot unavailable). Returns (event id, registration ids, slot ids)."""
    from pic_events.accounts.models import User
    from pic_events.core.types import utcnow
    from pic_events.events.models import Event
    from pic_events.extensions import db
    from pic_events.matchmaking.models import B2BSettings, B2BTable, Slot, Unavailability
    from pic_events.registration.models import Registration

    starts = date.today() + timedelta(days=60)
    event = Event(
        slug="bench-b2b",
        title="Benchmark meeting",
        timezone="Europe/Paris",
        starts_on=starts,
        ends_on=starts + timedelta(days=1),
        status="published",
    )
    db.session.add(event)
    db.session.flush()
    db.session.add(B2BSettings(event_id=event.id, enabled=True, max_meetings=MAX_MEETINGS))
    nine = datetime.combine(starts, datetime.min.time().replace(hour=9), ZoneInfo(event.timezone))
    slots = [
        Slot(
            event_id=event.id,
            starts_at=nine + timedelta(minutes=25 * i),
            ends_at=nine + timedelta(minutes=25 * i + 20),
        )
        for i in range(SLOTS)
    ]
    db.session.add_all(slots)
    db.session.add_all(
        B2BTable(event_id=event.id, label=f"T{i + 1}", seats=2, position=i) for i in range(TABLES)
    )
    users = [
        User(email=f"bench{i}@example.org", name=f"Bench {i}", email_verified_at=utcnow())
        for i in range(PARTICIPANTS)
    ]
    db.session.add_all(users)
    db.session.flush()
    registrations = [
        Registration(event_id=event.id, user_id=u.id, status="confirmed", consent_at=utcnow())
        for u in users
    ]
    db.session.add_all(registrations)
    db.session.flush()
    for registration in rng.sample(registrations, PARTICIPANTS // 10):
        db.session.add(
            Unavailability(registration_id=registration.id, slot_id=rng.choice(slots).id)
        )
    db.session.commit()
    return event.id, [r.id for r in registrations], [s.id for s in slots]


def _percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))
    return ordered[index]


def _run_threads(app, jobs) -> tuple[list[tuple[str, float]], float]:
    """Run the jobs on THREADS threads, each job in its own app context; (outcome, seconds)
    per job and the wall time."""
    from pic_events.core.validation import Conflict, NotFoundError, ServiceValidationError
    from pic_events.extensions import db

    start_gate = threading.Barrier(THREADS)
    queue = list(jobs)
    lock = threading.Lock()
    results: list[tuple[str, float]] = []

    def worker():
        with app.app_context():
            start_gate.wait()
            while True:
                with lock:
                    if not queue:
                        break
                    job = queue.pop()
                began = time.perf_counter()
                try:
                    job()
                    outcome = "ok"
                except Conflict as error:
                    outcome = getattr(error, "code", type(error).__name__)
                except (ServiceValidationError, NotFoundError) as error:
                    outcome = type(error).__name__
                finally:
                    db.session.remove()
                elapsed = time.perf_counter() - began
                with lock:
                    results.append((outcome, elapsed))

    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        for future in [pool.submit(worker) for _ in range(THREADS)]:
            future.result()
    return results, time.perf_counter() - began


def run(seed: int = 9) -> dict:
    base = _database_url()
    if not base:
        return {"skipped": "set BENCH_DATABASE_URL or TEST_DATABASE_URL to a PostgreSQL URL"}
    from pic_events import create_app
    from pic_events.events.models import Event
    from pic_events.extensions import db
    from pic_events.matchmaking import requests
    from pic_events.registration.models import Registration

    rng = random.Random(seed)
    app = create_app(
        "testing",
        {
            "SQLALCHEMY_DATABASE_URI": _schema_url(base),
            "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": THREADS + 2, "max_overflow": 4},
            "MAIL_DELIVER_INLINE": False,
        },
    )
    try:
        with app.app_context():
            db.drop_all()
            db.create_all()
            event_id, people, slot_ids = _build(rng)

        def send_job(sender_id: int, recipient_id: int, slot_id: int):
            def job():
                event = db.session.get(Event, event_id)
                sender = db.session.get(Registration, sender_id)
                requests.send_request(event, sender, recipient_id, message="Hi", slot_id=slot_id)

            return job

        sends = []
        for sender in people:
            for recipient in rng.sample([p for p in people if p != sender], REQUESTS_EACH):
                sends.append(send_job(sender, recipient, rng.choice(slot_ids)))
        rng.shuffle(sends)
        sent, send_seconds = _run_threads(app, sends)

        with app.app_context():
            from pic_events.matchmaking.models import MeetingRequest

            pending = db.session.execute(
                sa.select(MeetingRequest.id, MeetingRequest.recipient_id).where(
                    MeetingRequest.status == "pending"
                )
            ).all()
            db.session.remove()

        def accept_job(request_id: int, recipient_id: int):
            def job():
                me = db.session.get(Registration, recipient_id)
                requests.accept(request_id, me)

            return job

        accepts = [accept_job(rid, to) for rid, to in pending]
        rng.shuffle(accepts)
        accepted, accept_seconds = _run_threads(app, accepts)

        with app.app_context():
            violations = {name: db.session.scalar(sa.text(sql)) for name, sql in INVARIANTS.items()}
            meetings = db.session.scalar(
                sa.text("SELECT COUNT(*) FROM b2b_meeting WHERE status = 'confirmed'")
            )
            db.session.remove()
            db.engine.dispose()
    finally:
        _drop_schema(base)

    booked = sum(1 for outcome, _ in accepted if outcome == "ok")
    latencies = [seconds * 1000 for _, seconds in accepted]
    return {
        "participants": PARTICIPANTS,
        "threads": THREADS,
        "slots": SLOTS,
        "tables": TABLES,
        "requests_tried": len(sent),
        "requests_sent": sum(1 for outcome, _ in sent if outcome == "ok"),
        "requests_per_second": round(len(sent) / send_seconds, 1),
        "send_refusals": dict(Counter(o for o, _ in sent if o != "ok")),
        "accepts_tried": len(accepted),
        "bookings": booked,
        "meetings_in_database": meetings,
        "bookings_per_second": round(booked / accept_seconds, 1),
        "accepts_per_second": round(len(accepted) / accept_seconds, 1),
        "accept_ms_p50": round(statistics.median(latencies), 1) if latencies else 0,
        "accept_ms_p99": round(_percentile(latencies, 99), 1),
        "accept_refusals": dict(Counter(o for o, _ in accepted if o != "ok")),
        "invariant_violations": violations,
    }


def print_table(row: dict) -> None:
    if "skipped" in row:
        print(f"  skipped: {row['skipped']}")
        return
    print(
        f"  {row['participants']} participants, {row['threads']} threads, "
        f"{row['slots']} slots x {row['tables']} tables"
    )
    print(
        f"  requests: {row['requests_sent']}/{row['requests_tried']} sent, "
        f"{row['requests_per_second']}/s; refused {row['send_refusals']}"
    )
    print(
        f"  accepts: {row['bookings']}/{row['accepts_tried']} booked, "
        f"{row['bookings_per_second']} bookings/s, p50 {row['accept_ms_p50']} ms, "
        f"p99 {row['accept_ms_p99']} ms; refused {row['accept_refusals']}"
    )
    total = sum(row["invariant_violations"].values())
    print(f"  invariant violations (SQL): {total} {row['invariant_violations']}")


if __name__ == "__main__":
    result = run()
    print_table(result)
    sys.exit(1 if sum(result.get("invariant_violations", {}).values()) else 0)
