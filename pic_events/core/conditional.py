"""Conditional GET, one mechanism for pages and calendar feeds: ETag and Last-Modified on the
response, 304 (no body built) when the client's copy is current.

The ETag must name everything the body depends on: the content's version, the language and,
for a logged-in visitor, their personal state. Personal responses are `private`; a public
one varies on the cookie and the language it may be negotiated from.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask import Response, current_app, make_response, request, session

from pic_events.core import answer_cache, page_cache

# The CSRF tokens in a page expire (WTF_CSRF_TIME_LIMIT): a page kept by the browser is
# reused (304) for at most this share of that time, so its forms still post.
CSRF_REUSE_SHARE = 0.5


@dataclass(frozen=True)
class Validators:
    etag: str
    last_modified: datetime | None = None
    private: bool = False
    max_age: int = 0  # seconds a client may reuse the response without asking


def not_modified(etag: str, last_modified: datetime | None) -> bool:
    """If-None-Match decides when sent; else If-Modified-Since against Last-Modified."""
    if request.if_none_match:
        return request.if_none_match.contains(etag)
    since = request.if_modified_since
    if since is None or last_modified is None:
        return False
    return last_modified.replace(microsecond=0) <= since


def conditional_response(
    validators: Validators, build: Callable[[], object], *, shared_body: bool = False
) -> Response:
    """304 when the client's copy is current, else `build()` (any view return value).

    `shared_body`: the body is the same for everyone with this ETag at this address (an
    anonymous visitor's page): it is kept in the page cache and built once. A page with
    flash messages is built for this request only: no ETag, never a 304, never kept."""
    if has_flashes():
        return make_response(build())
    if not_modified(validators.etag, validators.last_modified):
        response = Response(status=304)
    elif shared_body:
        key = page_cache.cache_key("body", validators.etag, request.full_path)
        response = make_response(page_cache.cached(key, lambda: str(build())))
    else:
        response = make_response(build())
    response.set_etag(validators.etag)
    if validators.last_modified is not None:
        response.last_modified = validators.last_modified
    scope = "private" if validators.private else "public"
    freshness = f"max-age={validators.max_age}" if validators.max_age else "no-cache"
    response.headers["Cache-Control"] = f"{scope}, {freshness}, must-revalidate"
    if not validators.private:
        response.vary.update(("Cookie", "Accept-Language"))
    if shared_body:
        answer_cache.keep(validators.etag, validators.last_modified)
    return response


def has_flashes() -> bool:
    """A page with flash messages is shown once: never cached, never answered with 304."""
    return bool(session.get("_flashes"))


def csrf_period() -> int:
    """A number that changes before the CSRF tokens of a page kept by a browser expire; part
    of the ETag of pages with forms."""
    limit = current_app.config.get("WTF_CSRF_TIME_LIMIT", 3600)
    if not limit:
        return 0
    return int(time.time() // max(limit * CSRF_REUSE_SHARE, 1))


def viewer_parts(user) -> list:
    """What the page around the content shows of the logged-in visitor (the navigation, the
    banner, the forms' CSRF tokens): part of every personal ETag."""
    return [user.id, user.name, user.is_organiser, user.is_verified, csrf_period()]
