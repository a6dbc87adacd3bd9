"""Redis down: rate limits, mail and document jobs use it, yet every request is answered, and
the work Redis would have queued is done in the request instead."""

from __future__ import annotations

from sqlalchemy import select

from pic_events.documents.models import DocumentJob
from pic_events.extensions import db
from pic_events.notifications.models import OutboxMessage
from tests.conftest import make_app
from tests.factories import login, make_event, make_organiser, make_registration, make_user
from tests.notifications.conftest import free_port


def test_rate_limited_pages_answer_and_still_limit_without_redis(tmp_path):
    redis_url = f"redis://127.0.0.1:{free_port()}/0"  # nobody listens
    app = make_app(
        f"sqlite:///{tmp_path / 'pic.sqlite'}",
        REDIS_URL=redis_url,
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI=redis_url,
        LOGIN_RATE_LIMIT="3 per minute",
    )
    with app.app_context():
        db.create_all()
        user = make_user("zoe@example.org")
        db.session.commit()
        client = app.test_client()

        with client.post("/forgot-password", data={"email": user.email}) as reset:
            assert reset.status_code == 302
        # The queue did not answer: the request delivered it once the response was sent (no
        # MAIL_SERVER here: to the log).
        assert db.session.scalars(select(OutboxMessage.status)).all() == ["logged"]

        answers = [
            client.post("/login", data={"email": user.email, "password": "wrong"}).status_code
            for _ in range(5)
        ]
        assert answers == [200, 200, 200, 429, 429]  # counted in memory until Redis is back
        db.session.remove()
        db.engine.dispose()


def test_badges_are_made_in_the_request_when_redis_is_down(tmp_path):
    app = make_app(
        f"sqlite:///{tmp_path / 'pic.sqlite'}", REDIS_URL=f"redis://127.0.0.1:{free_port()}/0"
    )
    with app.app_context():
        db.create_all()
        event = make_event()
        for n in range(3):
            make_registration(event, make_user(name=f"Person{n} Family{n}"))
        organiser = make_organiser()
        db.session.commit()
        client = app.test_client()
        login(client, organiser)

        assert client.get(f"/organiser/events/{event.slug}/badges").status_code == 200
        started = client.post(f"/organiser/events/{event.slug}/badges/jobs", data={"layout": "a6"})
        assert started.status_code == 302
        assert started.headers["Location"].endswith("/file")  # made inline, straight to it
        download = client.get(started.headers["Location"])
        assert download.status_code == 200 and download.mimetype == "application/pdf"
        job_page = started.headers["Location"].removesuffix("/file")
        assert client.get(job_page).status_code == 200
        assert db.session.scalars(select(DocumentJob.status)).all() == ["done"]
        db.session.remove()
        db.engine.dispose()
