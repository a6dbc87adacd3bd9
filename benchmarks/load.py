"""HTTP load on the production stack: gunicorn (gunicorn.conf.py, PIC_CONFIG=production) on
PostgreSQL and Redis, the demo meeting scaled to 1,000 registrations, wrk as the client.

For each endpoint: requests per second, latency p50 and p99, answers that are not 2xx/3xx
(and socket errors), and the ratio to a bare Flask "hello" under the same gunicorn settings,
measured in the same run: the ceiling of this machine. The goal: every read page at least
40 % of hello's requests per second, p99 under 200 ms at 32 connections, no error answers.
The same bare app doing one and then two trivial queries is measured too: the ceiling of
a page that must ask the database anything (a logged-in visitor's page asks who they are).

  python -m benchmarks.load [--seconds 10] [--connections 32]
  python -m benchmarks.load --restart-db     the fault run (benchmarks/load_fault.py)

Needs PostgreSQL (BENCH_ADMIN_URL, default postgresql://postgres@127.0.0.1:5432/postgres; a
scratch database `pic_load` is dropped and created), Redis (BENCH_REDIS_URL, default
redis://127.0.0.1:6379/14, flushed) and wrk (scripts/system-packages.sh bench). Traffic
goes to 127.0.0.1 only. `make bench` runs it with the other benchmarks.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import load_stack  # noqa: E402

SLUG = "pic-2027"
SECONDS = float(os.environ.get("BENCH_LOAD_SECONDS", "10"))
CONNECTIONS = int(os.environ.get("BENCH_LOAD_CONNECTIONS", "32"))
WARM_UP_SECONDS = 2
ADMIN_URL = os.environ.get("BENCH_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
DATABASE = "pic_load"
READ_SHARE_GOAL = 0.40  # of hello's requests per second
P99_GOAL_MS = 200
# API tokens of unregistered members: each registration POST uses one, never twice.
TOKENS_PER_SECOND = 600

# name, path, how the values file is used (None: no values), POST?
ENDPOINTS = (
    ("programme", f"/events/{SLUG}/programme", None, False),
    ("b2b catalogue", f"/events/{SLUG}/b2b/participants", "cookie", False),
    ("my agenda", f"/events/{SLUG}/my-agenda", "cookie", False),
    ("personal .ics", "/calendar/%s.ics", "path", False),
    ("register (POST)", f"/api/v1/events/{SLUG}/registrations", "bearer", True),
)
# Not goals: what a page that asks the database at all can reach (benchmarks/hello_app.py).
REFERENCES = (
    ("1 query (ceiling)", "/one-query"),
    ("2 queries (ceiling)", "/two-queries"),
)
READ_PAGES = {"programme", "b2b catalogue", "my agenda", "personal .ics"}


def _endpoint_env(use: str | None, post: bool, files: dict[str, Path]) -> dict[str, str]:
    if use is None:
        return {}
    values = {"cookie": files["cookies"], "path": files["feeds"], "bearer": files["tokens"]}
    env = {"LOAD_VALUES": str(values[use]), "LOAD_USE": use}
    if post:
        env.update(LOAD_METHOD="POST", LOAD_ONCE="1", LOAD_BODY=files["body"].read_text())
    return env


def _row(name: str, summary: dict, hello_rps: float | None) -> dict:
    rps = summary["requests_per_second"]
    socket_errors = sum(summary[k] for k in ("connect", "read", "write", "timeout"))
    return {
        "endpoint": name,
        "requests": summary["requests"],
        "requests_per_second": round(rps, 1),
        "p50_ms": round(summary["p50_us"] / 1000, 1),
        "p99_ms": round(summary["p99_us"] / 1000, 1),
        "errors": summary["status_errors"],
        "socket_errors": socket_errors,
        "statuses": summary["statuses"],
        "ratio_to_hello": round(rps / hello_rps, 3) if hello_rps else 1.0,
    }


def _measure(base: str, path: str, env: dict[str, str], seconds: float, connections: int) -> dict:
    if env.get("LOAD_METHOD") != "POST":  # a POST warm-up would spend the members' tokens
        load_stack.wrk(base, path, seconds=WARM_UP_SECONDS, connections=connections, env=env)
    return load_stack.wrk(base, path, seconds=seconds, connections=connections, env=env)


def run(seconds: float = SECONDS, connections: int = CONNECTIONS) -> dict:
    if shutil.which("wrk") is None:
        return {"skipped": "wrk is not installed (scripts/system-packages.sh bench)"}
    missing = load_stack.unreachable(ADMIN_URL, REDIS_URL)
    if missing:
        return {"skipped": missing}
    work = Path(tempfile.mkdtemp(prefix="pic-load-"))
    try:
        return _run(work, seconds, connections)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        load_stack.drop_database(ADMIN_URL, DATABASE)


def _run(work: Path, seconds: float, connections: int) -> dict:
    database = load_stack.fresh_database(ADMIN_URL, DATABASE)
    load_stack.flush_redis(REDIS_URL)
    env = load_stack.run_env(database, REDIS_URL)
    pool = int(TOKENS_PER_SECOND * seconds)
    data = load_stack.seed(env, work, pool=pool, capacity=None)
    log = work / "gunicorn.log"
    rows = []
    with load_stack.gunicorn("benchmarks.hello_app:app", env, log) as (base, _pid):
        hello = _measure(base, "/hello", {}, seconds, connections)
        rows.append(_row("hello (ceiling)", hello, None))
        for name, path in REFERENCES:
            summary = _measure(base, path, {}, seconds, connections)
            rows.append(_row(name, summary, hello["requests_per_second"]))
    with load_stack.gunicorn("wsgi:app", env, log) as (base, _pid):
        emails = (work / "login_emails.txt").read_text().split()
        cookies = [load_stack.log_in(base, email) for email in emails]
        files = {
            "cookies": work / "cookies.txt",
            "feeds": work / "feed_tokens.txt",
            "tokens": work / "api_tokens.txt",
            "body": work / "registration.json",
        }
        files["cookies"].write_text("".join(f"{c}\n" for c in cookies))
        for name, path, use, post in ENDPOINTS:
            summary = _measure(base, path, _endpoint_env(use, post, files), seconds, connections)
            rows.append(_row(name, summary, hello["requests_per_second"]))
    return {
        "seconds": seconds,
        "connections": connections,
        "gunicorn": "gunicorn.conf.py defaults (gthread, 2 x cores + 1 workers, 4 threads)",
        "data": data,
        "endpoints": rows,
        "goals_met": goals_met(rows),
    }


def goals_met(rows: list[dict]) -> bool:
    reads_ok = all(
        r["ratio_to_hello"] >= READ_SHARE_GOAL and r["p99_ms"] < P99_GOAL_MS
        for r in rows
        if r["endpoint"] in READ_PAGES
    )
    return reads_ok and not any(r["errors"] or r["socket_errors"] for r in rows)


def print_table(result: dict) -> None:
    if "skipped" in result:
        print(f"  skipped: {result['skipped']}")
        return
    data = result["data"]
    print(
        f"  {result['connections']} connections, {result['seconds']:.0f} s each; "
        f"{data['registrations']} registrations, {data['meetings']} meetings, "
        f"{data['session_choices']} session choices"
    )
    print(f"  {'endpoint':<18}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}{'x hello':>9}")
    for r in result["endpoints"]:
        errors = r["errors"] + r["socket_errors"]
        print(
            f"  {r['endpoint']:<18}{r['requests_per_second']:>9.1f}{r['p50_ms']:>9.1f}"
            f"{r['p99_ms']:>9.1f}{errors:>8}{r['ratio_to_hello']:>9.2f}"
        )
    verdict = "met" if result["goals_met"] else "NOT met"
    print(f"  goal ({READ_SHARE_GOAL:.0%} of hello, p99 < {P99_GOAL_MS} ms, no errors): {verdict}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=SECONDS, help="per endpoint")
    parser.add_argument("--connections", type=int, default=CONNECTIONS)
    parser.add_argument(
        "--restart-db",
        action="store_true",
        help="the fault run: a private PostgreSQL is stopped and started under load",
    )
    args = parser.parse_args(argv)
    if args.restart_db:
        from benchmarks import load_fault

        result = load_fault.run(seconds=args.seconds, connections=args.connections)
        load_fault.print_report(result)
        return 0 if result.get("passed") else 1
    result = run(seconds=args.seconds, connections=args.connections)
    print_table(result)
    _store(result)
    return 0


def _store(result: dict) -> None:
    """Alone, the load run updates its own part of benchmarks/results.json."""
    import json

    path = Path(__file__).with_name("results.json")
    results = json.loads(path.read_text()) if path.exists() else {}
    results["load"] = result
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(f"written {path} (load)")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
