"""Redis down: rate limits and mail use it, yet every request is answered."""

from __future__ import annotations

from sqlalchemy import select

from pic_events.extensions import db
from pic_events.notifications.models import OutboxMessage
from tests.conftest import make_app
from tests.factories import make_user
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

        reset = client.post("/forgot-password", data={"email": user.email})
        assert reset.status_code == 302
        assert db.session.scalars(select(OutboxMessage.status)).all() == ["pending"]

        answers = [
            client.post("/login", data={"email": user.email, "password": "wrong"}).status_code
            for _ in range(5)
        ]
        assert answers == [200, 200, 200, 429, 429]  # counted in memory until Redis is back
        db.session.remove()
        db.engine.dispose()
