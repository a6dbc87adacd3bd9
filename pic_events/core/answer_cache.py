"""Answers that are the same for every anonymous visitor of an address (the event page, the
programme), kept in the worker's memory for PUBLIC_ANSWER_SECONDS and given again without
running the view: a crowd opening the programme costs each worker one look at the
database per interval, not one per visitor ("micro-caching", as a proxy would do it).

What is kept is only what the view itself marked as shared (core.conditional's
`shared_body`), and it is given only to a visitor who is anonymous on every count: no
logged-in session, no remember-me cookie, no API token, no flash message waiting. The key
is the address with its query and the visitor's language.

A change committed in this worker forgets everything kept at once (events.versions calls
`forget_all`); another worker's change is seen within PUBLIC_ANSWER_SECONDS. 0 turns it
off (development and tests).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime

from flask import Flask, Response, current_app, has_app_context, request, session
from flask_babel import get_locale
from flask_login.config import COOKIE_NAME as REMEMBER_COOKIE_NAME

EXTENSION = "pic_answer_cache"
KEPT_HEADERS = ("Content-Type", "ETag", "Last-Modified", "Cache-Control", "Vary")


@dataclass(frozen=True)
class Kept:
    until: float  # monotonic
    body: bytes
    headers: tuple[tuple[str, str], ...]
    etag: str
    last_modified: datetime | None


class AnswerCache:
    """A small LRU of kept answers, one per app and process, safe across threads."""

    def __init__(self, seconds: float, size: int) -> None:
        self.seconds = seconds
        self.size = size
        self._kept: OrderedDict[tuple[str, str], Kept] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str]) -> Kept | None:
        with self._lock:
            kept = self._kept.get(key)
            if kept is None:
                return None
            if kept.until <= time.monotonic():
                del self._kept[key]
                return None
            self._kept.move_to_end(key)
            return kept

    def put(self, key: tuple[str, str], kept: Kept) -> None:
        with self._lock:
            self._kept[key] = kept
            self._kept.move_to_end(key)
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()


def init_app(app: Flask) -> None:
    seconds = float(app.config.get("PUBLIC_ANSWER_SECONDS", 0))
    if seconds <= 0:
        return
    app.extensions[EXTENSION] = AnswerCache(seconds, app.config["PUBLIC_ANSWER_ENTRIES"])
    app.before_request(answer_kept)


def _store() -> AnswerCache | None:
    return current_app.extensions.get(EXTENSION)


def visitor_key() -> tuple[str, str] | None:
    """(address, language) for a visitor who is anonymous on every count, else None."""
    if request.method not in ("GET", "HEAD") or request.authorization is not None:
        return None
    if session.get("_user_id") or session.get("_flashes"):
        return None
    if current_app.config.get("REMEMBER_COOKIE_NAME", REMEMBER_COOKIE_NAME) in request.cookies:
        return None
    return request.full_path, str(get_locale() or "")  # asks no database when anonymous


def answer_kept() -> Response | None:
    """before_request: the kept answer for this visitor, if any (a 304 if theirs is it)."""
    from pic_events.core.conditional import not_modified

    store = _store()
    key = visitor_key() if store is not None else None
    kept = store.get(key) if key is not None else None
    if kept is None:
        return None
    if not_modified(kept.etag, kept.last_modified):
        response = Response(status=304)
    else:
        response = Response(kept.body)
    for name, value in kept.headers:
        if response.status_code != 304 or name != "Content-Type":
            response.headers[name] = value
    return response


def keep(response: Response, etag: str, last_modified: datetime | None) -> None:
    """After a view built a shared answer (200): keep it for the next anonymous visitors."""
    store = _store()
    if store is None or response.status_code != 200 or response.direct_passthrough:
        return
    key = visitor_key()
    if key is None:
        return
    shown = response.headers
    headers = tuple((name, shown[name]) for name in KEPT_HEADERS if name in shown)
    body = response.get_data()
    store.put(key, Kept(time.monotonic() + store.seconds, body, headers, etag, last_modified))


def forget_all() -> None:
    """Everything kept by this worker (a change was committed here)."""
    if has_app_context():
        store = _store()
        if store is not None:
            store.clear()
