"""What the load benchmark stands on: a scratch PostgreSQL database seeded and scaled, a Redis
database of its own, gunicorn with the production settings, wrk, and logged-in members.

Traffic goes to 127.0.0.1 only; every process started here is stopped by its own id.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import requests

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
WRK_SCRIPT = Path(__file__).with_name("wrk") / "load.lua"
WRK_THREADS = 2  # the machine has two cores; wrk shares them with gunicorn and PostgreSQL
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}  # as the reverse proxy in front would say
SECRET_KEY = "load-benchmark-" + secrets.token_urlsafe(16)
STARTUP_SECONDS = 180  # five workers importing the app on a busy two-core machine


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_env(database_url: str, redis_url: str, **extra: str) -> dict[str, str]:
    """The production settings of docs/deploy.md, behind one trusted proxy on loopback."""
    env = dict(os.environ)
    env.update(
        PIC_CONFIG="production",
        SECRET_KEY=SECRET_KEY,
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        TRUSTED_PROXIES="1",
        PUBLIC_BASE_URL="https://pic.example",
        PYTHONPATH=str(ROOT),
    )
    env.update(extra)
    return env


def flask(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [str(BIN / "flask"), "--app", "wsgi", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode:
        raise RuntimeError(f"flask {' '.join(args)} failed: {result.stderr.strip()[-2000:]}")
    return result.stdout


def fresh_database(admin_url: str, name: str) -> str:
    """Drop and create the scratch database `name` on the server of `admin_url`."""
    import sqlalchemy as sa

    from config import database_url

    engine = sa.create_engine(database_url(admin_url), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return admin_url.rsplit("/", 1)[0] + "/" + name


def drop_database(admin_url: str, name: str) -> None:
    import sqlalchemy as sa

    from config import database_url

    engine = sa.create_engine(database_url(admin_url), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def unreachable(admin_url: str, redis_url: str) -> str | None:
    """Why the load run cannot run here (PostgreSQL or Redis not answering), else None."""
    import redis
    import sqlalchemy as sa

    from config import database_url

    try:
        engine = sa.create_engine(database_url(admin_url))
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        engine.dispose()
    except sa.exc.OperationalError:
        return f"PostgreSQL does not answer at {admin_url} (BENCH_ADMIN_URL)"
    try:
        redis.Redis.from_url(redis_url).ping()
    except redis.RedisError:
        return f"Redis does not answer at {redis_url} (BENCH_REDIS_URL)"
    return None


def flush_redis(url: str) -> None:
    import redis

    client = redis.Redis.from_url(url)
    client.flushdb()
    client.close()


def seed(env: dict[str, str], out: Path, *, pool: int, capacity: int | None = None) -> dict:
    """Migrations, the demo data, then scaled to 1,000 registrations (benchmarks.load_data)."""
    flask(env, "db", "upgrade")
    flask(env, "seed-demo", "--force")  # demo passwords are public: a scratch database only
    args = [str(BIN / "python"), "-m", "benchmarks.load_data", str(out), "--pool", str(pool)]
    if capacity is not None:
        args += ["--capacity", str(capacity)]
    result = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode:
        raise RuntimeError(f"scaling the demo failed: {result.stderr.strip()[-2000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


@contextlib.contextmanager
def gunicorn(app: str, env: dict[str, str], log: Path) -> Iterator[tuple[str, int]]:
    """gunicorn -c gunicorn.conf.py APP on a free loopback port; yields (base URL, pid)."""
    port = free_port()
    env = {**env, "PORT": str(port)}
    env.pop("BIND", None)
    with log.open("ab") as out:
        process = subprocess.Popen(
            [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", app],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        try:
            wait_until_up(base, process)
        except RuntimeError as error:
            tail = log.read_text(errors="replace")[-3000:]
            raise RuntimeError(f"{error}; the end of its log:\n{tail}") from None
        yield base, process.pid
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_until_up(base: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode} (see its log)")
        with contextlib.suppress(requests.RequestException):
            if requests.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        time.sleep(0.3)
    raise RuntimeError("gunicorn did not answer /healthz in time")


def log_in(base: str, email: str, password: str = "member") -> str:
    """Log in through the login form as a browser would; returns the Cookie header value.

    The production cookies are Secure, so they are read from Set-Cookie and sent by hand."""
    page = requests.get(f"{base}/login", headers=PROXY_HEADERS, timeout=10)
    page.raise_for_status()
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text).group(1)
    answer = requests.post(
        f"{base}/login",
        data={"email": email, "password": password, "csrf_token": csrf},
        headers={
            **PROXY_HEADERS,
            "Cookie": f"session={page.cookies['session']}",
            "Referer": base.replace("http://", "https://") + "/login",  # CSRF over https
        },
        allow_redirects=False,
        timeout=10,
    )
    if answer.status_code != 302 or "session" not in answer.cookies:
        raise RuntimeError(f"log-in of {email} failed: {answer.status_code}")
    cookie = answer.cookies["session"]
    # A browser follows the redirect and keeps the session cookie that page sets (its forms'
    # CSRF token): wrk then sends the cookie a browser would be holding.
    target = urlsplit(answer.headers["Location"])
    landing = requests.get(
        base + (target.path or "/") + (f"?{target.query}" if target.query else ""),
        headers={**PROXY_HEADERS, "Cookie": f"session={cookie}"},
        allow_redirects=False,
        timeout=10,
    )
    return f"session={landing.cookies.get('session', cookie)}"


def wrk(
    base: str,
    path: str,
    *,
    seconds: float,
    connections: int,
    env: dict[str, str] | None = None,
) -> dict:
    """One wrk run against base+path (benchmarks/wrk/load.lua); its JSON summary plus req/s."""
    run_env = {**os.environ, "LOAD_PATH": path, "LOAD_THREADS": str(WRK_THREADS), **(env or {})}
    result = subprocess.run(
        [
            "wrk",
            f"-t{WRK_THREADS}",
            f"-c{connections}",
            f"-d{max(1, round(seconds))}s",
            "--timeout",
            "10s",
            "-s",
            str(WRK_SCRIPT),
            base + path.replace("%s", "x"),
        ],
        env=run_env,
        capture_output=True,
        text=True,
        check=True,
    )
    line = next(ln for ln in reversed(result.stdout.splitlines()) if ln.startswith("{"))
    summary = json.loads(line)
    summary["requests_per_second"] = summary["requests"] / (summary["duration_us"] / 1e6)
    return summary
