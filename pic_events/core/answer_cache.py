"""Answers that are the same for every anonymous visitor of an address (the event page, the
programme), kept in the worker's memory for PUBLIC_ANSWER_SECONDS and given again before
Flask is even asked: a crowd opening the programme costs each worker one look at the
database per interval, not one per visitor ("micro-caching", as a caching proxy does it).

What is kept is only what a view itself marked as shared (core.conditional's
`shared_body`), as the app answered it (security headers included), and it is given only
to a request without any cookie or Authorization header, as proxies do: a logged-in
member, a visitor who chose a language or has a flash message waiting, a remember-me
cookie all have a cookie. The key is the scheme, host, path, query and Accept-Language.

A change committed in this worker forgets everything kept at once (events.versions calls
`forget_all`); another worker's change is seen within PUBLIC_ANSWER_SECONDS. 0 turns it
off (development and tests).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Flask, current_app, has_app_context, request
from werkzeug.http import is_resource_modified

EXTENSION = "pic_answer_cache"
KEEP = "pic.answer_cache.keep"  # set in the WSGI environ by a view's shared answer
NOT_KEPT_HEADERS = frozenset({"set-cookie", "date", "server", "connection"})
NOT_MODIFIED_HEADERS = frozenset({"etag", "last-modified", "cache-control", "vary"})

Key = tuple[str, ...]
Headers = list[tuple[str, str]]


@dataclass(frozen=True)
class Kept:
    until: float  # monotonic
    status: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    etag: str
    last_modified: datetime | None


class AnswerCache:
    """A small LRU of kept answers, one per app and process, safe across threads."""

    def __init__(self, seconds: float, size: int) -> None:
        self.seconds = seconds
        self.size = size
        self._kept: OrderedDict[Key, Kept] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Key) -> Kept | None:
        with self._lock:
            kept = self._kept.get(key)
            if kept is None:
                return None
            if kept.until <= time.monotonic():
                del self._kept[key]
                return None
            self._kept.move_to_end(key)
            return kept

    def put(self, key: Key, kept: Kept) -> None:
        with self._lock:
            self._kept[key] = kept
            self._kept.move_to_end(key)
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()


class KeptAnswers:
    """The WSGI middleware that gives kept answers and keeps the ones views mark."""

    def __init__(self, app: Callable, store: AnswerCache) -> None:
        self.app = app
        self.store = store

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        key = anonymous_key(environ)
        if key is None:
            return self.app(environ, start_response)
        kept = self.store.get(key)
        if kept is not None:
            return _answer(kept, environ, start_response)
        answered: dict[str, Any] = {}

        def remember(status: str, headers: Headers, exc_info=None):
            answered.update(status=status, headers=headers)
            return start_response(status, headers, exc_info)

        body = self.app(environ, remember)
        marked = environ.get(KEEP)
        if marked is None or not answered.get("status", "").startswith("200"):
            return body
        return self._keep(key, marked, answered["status"], answered["headers"], body)

    def _keep(self, key: Key, marked, status: str, headers: Headers, body) -> list[bytes]:
        try:
            data = b"".join(body)
        finally:
            if hasattr(body, "close"):
                body.close()
        if not any(name.lower() == "set-cookie" for name, _ in headers):
            kept_headers = tuple((n, v) for n, v in headers if n.lower() not in NOT_KEPT_HEADERS)
            until = time.monotonic() + self.store.seconds
            self.store.put(key, Kept(until, status, kept_headers, data, *marked))
        return [data]


def anonymous_key(environ: dict) -> Key | None:
    """The key of a GET or HEAD without cookie or credentials; None for any other."""
    if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
        return None
    if environ.get("HTTP_COOKIE") or environ.get("HTTP_AUTHORIZATION"):
        return None
    return (
        environ.get("wsgi.url_scheme", "http"),
        environ.get("HTTP_HOST", ""),
        environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", ""),
        environ.get("QUERY_STRING", ""),
        environ.get("HTTP_ACCEPT_LANGUAGE", ""),
    )


def _answer(kept: Kept, environ: dict, start_response: Callable) -> list[bytes]:
    if not is_resource_modified(environ, etag=kept.etag, last_modified=kept.last_modified):
        headers = [(n, v) for n, v in kept.headers if n.lower() in NOT_MODIFIED_HEADERS]
        start_response("304 Not Modified", headers)
        return []
    start_response(kept.status, list(kept.headers))
    return [] if environ.get("REQUEST_METHOD") == "HEAD" else [kept.body]


def install(app: Flask) -> None:
    """Wraps the app's WSGI callable (before ProxyFix wraps it, so that the scheme and host
    are the client's)."""
    seconds = float(app.config.get("PUBLIC_ANSWER_SECONDS", 0))
    if seconds <= 0:
        return
    store = AnswerCache(seconds, app.config["PUBLIC_ANSWER_ENTRIES"])
    app.extensions[EXTENSION] = store
    app.wsgi_app = KeptAnswers(app.wsgi_app, store)


def keep(etag: str, last_modified: datetime | None) -> None:
    """A view's shared answer (core.conditional): the middleware keeps it when the request
    was anonymous on every count."""
    if EXTENSION in current_app.extensions:
        request.environ[KEEP] = (etag, last_modified)


def forget_all() -> None:
    """Everything kept by this worker (a change was committed here)."""
    if has_app_context():
        store = current_app.extensions.get(EXTENSION)
        if store is not None:
            store.clear()
