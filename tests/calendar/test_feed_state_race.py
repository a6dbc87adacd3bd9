"""Two first fetches of one feed at once both get its state (threads, SQLite file and
PostgreSQL: the app fixture runs both)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import sqlalchemy as sa

from pic_events.calendar import services
from pic_events.calendar.models import FeedState
from pic_events.extensions import db

THREADS = 4


def test_first_fetches_at_once_all_get_the_etag_and_one_row_is_kept(app):
    body = b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"
    barrier = threading.Barrier(THREADS)

    def fetch(_n):
        with app.app_context():
            barrier.wait()
            try:
                return services.feed_state("user:1", body).etag
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        etags = list(pool.map(fetch, range(THREADS)))
    assert etags == [services.fingerprint(body)] * THREADS
    assert db.session.scalar(sa.select(sa.func.count()).select_from(FeedState)) == 1
