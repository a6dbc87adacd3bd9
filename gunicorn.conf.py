"""gunicorn settings for PIC Meetings: `gunicorn -c gunicorn.conf.py wsgi:app`.

Every value can be changed from the environment (docs/deploy.md lists them):

  PORT / BIND             where to listen (default 127.0.0.1:8000, behind a reverse proxy)
  WEB_CONCURRENCY         worker processes (default 2 x CPU cores + 1, at most 9)
  GUNICORN_THREADS        threads per worker (default 4)
  GUNICORN_TIMEOUT        seconds a request may take before its worker is restarted (60)
  GUNICORN_GRACEFUL_TIMEOUT  seconds to finish running requests on restart or stop (30)
  GUNICORN_KEEPALIVE      seconds to keep an idle connection from the proxy open (5)
  GUNICORN_MAX_REQUESTS   restart a worker after this many requests, 0 never (10000)
  TRUSTED_PROXIES / FORWARDED_ALLOW_IPS  which proxies may set X-Forwarded-* headers

Refuses to start on a public address without PIC_CONFIG=production or a SECRET_KEY.
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from config import DevelopmentSecretError, refuse_development_secret  # noqa: E402

MAX_DEFAULT_WORKERS = 9


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def default_workers(cores: int | None = None) -> int:
    cores = cores or os.cpu_count() or 1
    return min(2 * cores + 1, MAX_DEFAULT_WORKERS)


def default_bind() -> list[str]:
    if os.environ.get("BIND"):
        return [address.strip() for address in os.environ["BIND"].split(",") if address.strip()]
    return [f"127.0.0.1:{_int('PORT', 8000)}"]


bind = default_bind()
workers = _int("WEB_CONCURRENCY", default_workers())
worker_class = "gthread"
threads = _int("GUNICORN_THREADS", 4)
timeout = _int("GUNICORN_TIMEOUT", 60)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
# A worker restart costs a second or more of CPU (the app is imported again) and its
# in-memory caches: at 1,000 a busy worker restarted every few seconds under load.
max_requests = _int("GUNICORN_MAX_REQUESTS", 10000)
max_requests_jitter = max_requests // 10

# The proxy's X-Forwarded-* headers are read by the app itself (ProxyFix, TRUSTED_PROXIES
# hops); gunicorn only needs to accept them from the proxy's address (loopback by default).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Access log on stdout (journald or the container's log): client, request, status, size,
# duration in milliseconds, and the request id the app answers with.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = '%({x-forwarded-for}i)s %(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(f)s" "%(a)s"'


def on_starting(server) -> None:
    """Before any worker: refuse a public bind address with the development secret."""
    addresses = [_host(address) for address in server.cfg.bind]
    try:
        refuse_development_secret(_config_class(), addresses)
    except DevelopmentSecretError as error:
        server.log.error("%s", error)
        sys.exit(1)


def _host(address: str) -> str:
    if address.startswith(("unix:", "fd://")):
        return "unix:"
    host, _, _port = address.rpartition(":")
    return host if host else address


def _config_class():
    from config import CONFIGS

    return CONFIGS[os.environ.get("PIC_CONFIG", "development")]
