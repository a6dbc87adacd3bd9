from __future__ import annotations

import secrets

import pytest

from pic_events.accounts.models import ApiToken, User, hash_token
from pic_events.extensions import db
from tests.factories import make_organiser, make_user


def bearer(user: User) -> dict[str, str]:
    """An Authorization header with a fresh API token for `user`."""
    token = "test_" + secrets.token_urlsafe(24)
    db.session.add(
        ApiToken(user=user, name="tests", token_hash=hash_token(token), prefix=token[:10])
    )
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def organiser_auth(app) -> dict[str, str]:
    return bearer(make_organiser())


@pytest.fixture
def member_auth(app) -> dict[str, str]:
    return bearer(make_user())
