"""seed-demo adds believable ideas, some partners in, roles open, no meeting; twice: same."""

from __future__ import annotations

import sqlalchemy as sa

from pic_events.consortia.models import ConsortiumMeeting, Idea, Role
from pic_events.demo import seed_demo
from pic_events.extensions import db


def _count(model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def test_demo_ideas_are_seeded_once(app):
    seed_demo()
    ideas, filled = _count(Idea), _count(Role, Role.filled_by_id.is_not(None))
    assert ideas == 5 and filled >= 4 and _count(Role, Role.filled_by_id.is_(None)) >= 8
    assert _count(ConsortiumMeeting) == 0
    seed_demo()
    assert (_count(Idea), _count(Role, Role.filled_by_id.is_not(None))) == (ideas, filled)
