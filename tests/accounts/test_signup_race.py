"""Several sign-ups with one address at the same moment: one account, the same answer to all."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import sqlalchemy as sa

from pic_events.accounts.models import User
from pic_events.extensions import db
from pic_events.notifications.models import OutboxMessage
from tests.accounts.test_signup import signup_data

THREADS = 4


def test_simultaneous_sign_ups_with_one_address_make_one_account(app):
    app.config["MAIL_DELIVER_INLINE"] = False
    barrier = threading.Barrier(THREADS)

    def sign_up(n: int) -> tuple[int, str]:
        data = signup_data(email="ana@example.org", organisation_name=f"Farm {n}")
        with app.app_context():
            client = app.test_client()
            barrier.wait()
            try:
                response = client.post("/signup", data=data)
                return response.status_code, response.headers.get("Location", "")
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        answers = list(pool.map(sign_up, range(THREADS)))

    assert answers == [(302, "/signup/check-your-mail")] * THREADS
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 1
    subjects = sorted(db.session.scalars(sa.select(OutboxMessage.subject)))
    assert subjects.count("Confirm your e-mail address for PIC Meetings") == 1
    assert subjects.count("Someone tried to sign up with your address") == THREADS - 1
