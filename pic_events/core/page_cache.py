"""The cache of what is the same for every visitor (Flask-Caching): Redis when REDIS_URL is
set, else each process's memory (SimpleCache).

Keys carry a version read from the database (the event's content version), never one kept in
a process: several workers or hosts with a cache each still never serve a stale entry, they
only render it once more. A cache error (Redis down) is logged and the page is rendered as
if nothing were cached; the cache is then left alone for CACHE_RETRY_AFTER seconds.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Iterable
from functools import cache as cache_once
from pathlib import Path
from typing import Any, TypeVar

from flask import Flask, current_app

from pic_events.extensions import cache

log = logging.getLogger(__name__)
T = TypeVar("T")
ROOT = Path(__file__).resolve().parent.parent.parent
# What the cached values are made by: part of every key (release_id), so a shared cache
# (Redis) never hands an upgraded app a page or a value made by the previous release.
RELEASE_FILES = ("pic_events/**/*.py", "pic_events/translations/**/*.mo", "templates/**/*")

_paused_until: dict[int, float] = {}  # per app: monotonic time until which the cache is skipped


def init_app(app: Flask) -> None:
    config = {
        "CACHE_TYPE": app.config["CACHE_TYPE"],
        "CACHE_KEY_PREFIX": app.config["CACHE_KEY_PREFIX"],
        "CACHE_DEFAULT_TIMEOUT": app.config["CACHE_DEFAULT_TIMEOUT"],
        "CACHE_THRESHOLD": app.config["CACHE_THRESHOLD"],
    }
    if app.config["CACHE_TYPE"] == "RedisCache":
        seconds = app.config["CACHE_REDIS_TIMEOUT"]
        config["CACHE_REDIS_URL"] = app.config["CACHE_REDIS_URL"]
        config["CACHE_OPTIONS"] = {"socket_timeout": seconds, "socket_connect_timeout": seconds}
    cache.init_app(app, config=config)


def cache_key(*parts: Any) -> str:
    """A short key for any number of parts (a locale, a version, a filter ...)."""
    text = "\x1f".join(str(part) for part in (release_id(), *parts))
    return hashlib.sha256(text.encode()).hexdigest()[:40]


@cache_once
def release_id() -> str:
    """This release's code, templates and translations, as one digest (read once)."""
    return files_digest(ROOT, RELEASE_FILES)


def files_digest(root: Path, patterns: Iterable[str]) -> str:
    digest = hashlib.sha256()
    paths = sorted({path for pattern in patterns for path in root.glob(pattern) if path.is_file()})
    for path in paths:
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def cached(key: str, build: Callable[[], T], timeout: int | None = None) -> T:
    """The value under `key`, else `build()`, stored for next time. `build` must not return
    None (that is "missing")."""
    value = _get(key)
    if value is not None:
        return value
    value = build()
    _set(key, value, timeout)
    return value


def _available() -> bool:
    return _paused_until.get(id(current_app._get_current_object()), 0.0) <= time.monotonic()


def _pause(error: Exception) -> None:
    seconds = current_app.config["CACHE_RETRY_AFTER"]
    _paused_until[id(current_app._get_current_object())] = time.monotonic() + seconds
    log.warning("Page cache unavailable (%s); rendering without it for %ss", error, seconds)


def _get(key: str) -> Any:
    if not _available():
        return None
    try:
        return cache.get(key)
    except Exception as error:  # any backend's error: the page is rendered anyway
        _pause(error)
        return None


def _set(key: str, value: Any, timeout: int | None) -> None:
    if not _available():
        return
    try:
        cache.set(key, value, timeout=timeout)
    except Exception as error:
        _pause(error)


def fingerprint(parts: Iterable[Any]) -> str:
    """An ETag's value: a digest of everything the response depends on."""
    return cache_key(*parts)
