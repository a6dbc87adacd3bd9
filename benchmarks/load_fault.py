"""The fault run of the load benchmark (`python -m benchmarks.load --restart-db`): PostgreSQL
stops and starts again while gunicorn serves registrations and personal feeds under load.

The shared PostgreSQL of the machine is never touched: a private cluster is created in a
temporary folder (initdb of /usr/lib/postgresql/15/bin, as the postgres user when run as
root) on a free port, seeded like the load run, stopped (`pg_ctl stop -m fast`) a third of
the way through and started again OUTAGE_SECONDS later. Checked and printed:

- during the outage every answer is a 503 with Retry-After, never a 500;
- /healthz answers 200, then 503, then 200 again, with the same gunicorn (pool pre-ping);
- by SQL afterwards: every 201 has its registration, no registration is half-written (each
  has its "created" audit row and its mail in the outbox), confirmed places within the
  capacity, session choices within theirs, and the booking invariants of
  benchmarks/booking.py hold.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import requests
import sqlalchemy as sa

from benchmarks import load_stack
from benchmarks.booking import INVARIANTS as BOOKING_INVARIANTS
from benchmarks.load import REDIS_URL, SLUG

PG_BIN = Path(os.environ.get("BENCH_PG_BIN", "/usr/lib/postgresql/15/bin"))
DATABASE = "pic_fault"
OUTAGE_SECONDS = 4
MIN_SECONDS = 15  # before, during and after the outage
HEALTH_POLL_SECONDS = 0.2
HEALTH_TIMEOUT_SECONDS = 10  # as wrk's: longer counts as no answer (0 in the story)
CAPACITY_HEADROOM = 150  # places left when the run starts: later POSTs join the waiting list
POOL = 3000  # registration POSTs the run can make (each member registers once)

INTEGRITY_CHECKS = {
    "registration_without_created_audit": """
        SELECT COUNT(*) FROM registration r WHERE NOT EXISTS (SELECT 1 FROM registration_audit
        a WHERE a.registration_id = r.id AND a.action = 'created')""",
    "registration_without_its_mail": """
        SELECT COUNT(*) FROM registration r JOIN user_account u ON u.id = r.user_id
        WHERE u.email LIKE 'load1%%' AND NOT EXISTS (SELECT 1 FROM outbox_message o
        WHERE o.recipient = u.email)""",
    "confirmed_over_capacity": """
        SELECT COUNT(*) FROM event e WHERE e.capacity IS NOT NULL AND e.capacity < (SELECT
        COUNT(*) FROM registration r WHERE r.event_id = e.id AND r.status = 'confirmed')""",
    "session_over_capacity": """
        SELECT COUNT(*) FROM programme_session s WHERE s.capacity IS NOT NULL AND s.capacity <
        (SELECT COUNT(*) FROM session_choice c JOIN registration r ON r.id = c.registration_id
        WHERE c.session_id = s.id AND r.status IN ('confirmed', 'pending'))""",
    **BOOKING_INVARIANTS,
}


class PrivateCluster:
    """A throw-away PostgreSQL cluster in a temporary folder, on a free loopback port."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="pic-fault-pg-"))
        self.data = self.folder / "data"
        self.port = load_stack.free_port()
        self.admin_url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        command = [str(PG_BIN / args[0]), *args[1:]]
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, text=True)

    def create(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")
        self.start()

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        log = str(self.folder / "postgres.log")
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", log, "-w", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


def _poll_health(base: str, stop: threading.Event, seen: list[tuple[float, int, bool]]) -> None:
    began = time.monotonic()
    while not stop.is_set():
        try:
            answer = requests.get(f"{base}/healthz", timeout=HEALTH_TIMEOUT_SECONDS)
            seen.append(
                (time.monotonic() - began, answer.status_code, "Retry-After" in answer.headers)
            )
        except requests.RequestException:
            seen.append((time.monotonic() - began, 0, False))
        stop.wait(HEALTH_POLL_SECONDS)


def _health_story(seen: list[tuple[float, int, bool]]) -> list[int]:
    """The distinct statuses in order: [200, 503, 200] when all went well."""
    story: list[int] = []
    for _t, status, _retry in seen:
        if not story or story[-1] != status:
            story.append(status)
    return story


def _start_wrk(base: str, path: str, env: dict[str, str], seconds: float, connections: int):
    """wrk in the background (its JSON summary is read when it ends)."""
    run_env = {**os.environ, "LOAD_PATH": path, "LOAD_THREADS": str(load_stack.WRK_THREADS)}
    run_env.update(env)
    return subprocess.Popen(
        [
            "wrk",
            f"-t{load_stack.WRK_THREADS}",
            f"-c{connections}",
            f"-d{round(seconds)}s",
            "--timeout",
            "10s",
            "-s",
            str(load_stack.WRK_SCRIPT),
            base + path.replace("%s", "x"),
        ],
        env=run_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wrk_summary(process) -> dict:
    import json

    out, _err = process.communicate(timeout=120)
    line = next(ln for ln in reversed(out.splitlines()) if ln.startswith("{"))
    return json.loads(line)


def _integrity(database_url: str, created_ids: set[int]) -> dict:
    from config import database_url as driver_url

    engine = sa.create_engine(driver_url(database_url))
    with engine.connect() as conn:
        found = set(conn.execute(sa.text("SELECT id FROM registration")).scalars())
        checks = {
            name: conn.execute(sa.text(sql)).scalar() for name, sql in INTEGRITY_CHECKS.items()
        }
        by_status = dict(
            conn.execute(
                sa.text(
                    "SELECT r.status, COUNT(*) FROM registration r JOIN event e ON e.id = "
                    "r.event_id WHERE e.slug = :slug GROUP BY r.status"
                ),
                {"slug": SLUG},
            ).all()
        )
    engine.dispose()
    checks["created_201_without_registration"] = len(created_ids - found)
    return {"checks": checks, "registrations_by_status": by_status}


def run(seconds: float = MIN_SECONDS, connections: int = 32) -> dict:
    seconds = max(seconds, MIN_SECONDS)
    cluster = PrivateCluster()
    work = Path(tempfile.mkdtemp(prefix="pic-fault-"))
    try:
        cluster.create()
        return _run(cluster, work, seconds, connections)
    finally:
        cluster.destroy()
        shutil.rmtree(work, ignore_errors=True)


def _run(cluster: PrivateCluster, work: Path, seconds: float, connections: int) -> dict:
    database = load_stack.fresh_database(cluster.admin_url, DATABASE)
    load_stack.flush_redis(REDIS_URL)
    env = load_stack.run_env(database, REDIS_URL)
    data = load_stack.seed(env, work, pool=POOL, capacity=None)
    _set_capacity(database, data["registrations"] + CAPACITY_HEADROOM)
    body = (work / "registration.json").read_text()
    ids_prefix = str(work / "created-")
    half = max(1, connections // 2)
    with load_stack.gunicorn("wsgi:app", env, work / "gunicorn.log") as (base, pid):
        stop_polling = threading.Event()
        health: list[tuple[float, int, bool]] = []
        poller = threading.Thread(target=_poll_health, args=(base, stop_polling, health))
        poller.start()
        register = _start_wrk(
            base,
            f"/api/v1/events/{SLUG}/registrations",
            {
                "LOAD_VALUES": str(work / "api_tokens.txt"),
                "LOAD_USE": "bearer",
                "LOAD_ONCE": "1",
                "LOAD_METHOD": "POST",
                "LOAD_BODY": body,
                "LOAD_IDS": ids_prefix,
            },
            seconds,
            half,
        )
        feeds = _start_wrk(
            base,
            "/calendar/%s.ics",
            {"LOAD_VALUES": str(work / "feed_tokens.txt"), "LOAD_USE": "path"},
            seconds,
            half,
        )
        time.sleep(seconds / 3)
        stopped_at = time.monotonic()
        cluster.stop()
        time.sleep(OUTAGE_SECONDS)
        cluster.start()
        outage = time.monotonic() - stopped_at
        summaries = {"register": _wrk_summary(register), "feed": _wrk_summary(feeds)}
        time.sleep(1)  # one more /healthz after the load
        stop_polling.set()
        poller.join()
        same_gunicorn = _alive(pid)
    kept_log = Path(tempfile.gettempdir()) / "pic-load-fault-gunicorn.log"
    shutil.copy(work / "gunicorn.log", kept_log)  # the app's errors, read after the run
    created = {
        int(line)
        for path in work.glob("created-*")
        for line in path.read_text().split()
        if line.strip()
    }
    result = _verdict(summaries, health, outage, same_gunicorn, _integrity(database, created), data)
    return {**result, "gunicorn_log": str(kept_log)}


def _set_capacity(database_url: str, capacity: int) -> None:
    from config import database_url as driver_url

    engine = sa.create_engine(driver_url(database_url))
    with engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE event SET capacity = :capacity WHERE slug = :slug"),
            {"capacity": capacity, "slug": SLUG},
        )
    engine.dispose()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True


def _verdict(summaries, health, outage, same_gunicorn, integrity, data) -> dict:
    statuses: Counter = Counter()
    for summary in summaries.values():
        statuses.update({int(k): v for k, v in summary["statuses"].items()})
    unexpected = {s: n for s, n in statuses.items() if s not in (200, 201, 304, 503)}
    missing_retry_after = sum(s["503_without_retry_after"] for s in summaries.values())
    story = _health_story(health)
    health_ok = story[:1] == [200] and 503 in story and story[-1] == 200
    sql_ok = not any(integrity["checks"].values())
    return {
        "outage_seconds": round(outage, 1),
        "statuses": dict(sorted(statuses.items())),
        "unexpected_statuses": unexpected,
        "503_without_retry_after": missing_retry_after,
        "healthz_story": story,
        "same_gunicorn": same_gunicorn,
        "integrity": integrity,
        "data": data,
        "passed": (
            not unexpected
            and missing_retry_after == 0
            and statuses.get(503, 0) > 0
            and health_ok
            and same_gunicorn
            and sql_ok
        ),
    }


def print_report(result: dict) -> None:
    print(f"  PostgreSQL (private cluster) down for {result['outage_seconds']} s under load")
    print(f"  answers by status: {result['statuses']}")
    print(f"  500s or other unexpected statuses: {result['unexpected_statuses'] or 'none'}")
    print(f"  503 without Retry-After: {result['503_without_retry_after']}")
    print(
        f"  /healthz: {' -> '.join(map(str, result['healthz_story']))}, "
        f"same gunicorn: {result['same_gunicorn']}"
    )
    print(f"  registrations afterwards: {result['integrity']['registrations_by_status']}")
    print(f"  integrity checks (SQL, 0 each): {result['integrity']['checks']}")
    verdict = "PASSED" if result["passed"] else "FAILED"
    print(f"  {verdict} (gunicorn's log: {result['gunicorn_log']})")
