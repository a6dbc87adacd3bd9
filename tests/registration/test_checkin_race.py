"""Two (or eight) desks scan the same badge at the same moment: exactly one first scan.

Each thread has its own app context, hence its own session and connection; on SQLite
(a file) and on PostgreSQL.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from pic_events.events.models import Event
from pic_events.extensions import db
from pic_events.registration import checkin
from pic_events.registration.models import Registration
from tests.factories import make_event, make_registration

DESKS = 8


def _scan_at_once(app, event_id: int, code: str, desks: int = DESKS) -> list[tuple[bool, object]]:
    barrier = threading.Barrier(desks)

    def scan(_n):
        with app.app_context(), app.test_request_context():
            barrier.wait()
            try:
                result = checkin.check_in(db.session.get(Event, event_id), code)
                return (result.first_scan, result.checked_in_at)
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=desks) as pool:
        return list(pool.map(scan, range(desks)))


def test_desks_scanning_one_badge_at_once_get_one_first_scan(app):
    event = make_event()
    registration = make_registration(event)
    for _round in range(3):
        outcomes = _scan_at_once(app, event.id, registration.checkin_code)
        times = {when for _first, when in outcomes}
        assert len(times) == 1  # everyone reports the time of the one check-in
        if _round == 0:
            assert sum(first for first, _when in outcomes) == 1
        else:
            assert not any(first for first, _when in outcomes)
    db.session.expire_all()
    assert db.session.get(Registration, registration.id).checked_in_at == times.pop()


def test_different_badges_at_once_are_all_first_scans(app):
    event = make_event()
    codes = [make_registration(event).checkin_code for _ in range(DESKS)]
    barrier = threading.Barrier(DESKS)

    def scan(code):
        with app.app_context(), app.test_request_context():
            barrier.wait()
            try:
                return checkin.check_in(db.session.get(Event, event.id), code).first_scan
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=DESKS) as pool:
        assert all(pool.map(scan, codes))
    assert checkin.counts(event) == {"expected": DESKS, "checked_in": DESKS}
