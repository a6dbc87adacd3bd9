from __future__ import annotations

from datetime import UTC, date, datetime

from pic_events.demo.programme import seed_programme
from pic_events.extensions import db
from pic_events.programme.models import ProgrammeSession, Room
from pic_events.registration.session_choices import choosable_sessions
from tests.factories import make_event


def test_seed_programme_is_idempotent_and_published(client):
    event = make_event(
        "pic-2027",
        title="PIC Annual Meeting 2027",
        city="Angers",
        starts_on=date(2027, 6, 15),
        ends_on=date(2027, 6, 17),
    )
    seed_programme(event)
    counts = (
        db.session.scalar(db.select(db.func.count(ProgrammeSession.id))),
        db.session.scalar(db.select(db.func.count(Room.id))),
    )
    seed_programme(event)
    assert counts == (
        db.session.scalar(db.select(db.func.count(ProgrammeSession.id))),
        db.session.scalar(db.select(db.func.count(Room.id))),
    )
    assert event.programme_published
    sessions = db.session.scalars(db.select(ProgrammeSession)).all()
    assert {s.kind for s in sessions} == {
        "plenary",
        "workshop",
        "steering",
        "visit",
        "social",
        "b2b",
        "break",
    }
    visits = [s for s in sessions if s.kind == "visit"]
    assert len(visits) == 3 and all(v.capacity == 25 and v.must_choose for v in visits)
    assert any(s.restricted for s in sessions)
    welcome = next(s for s in sessions if s.title.startswith("Welcome plenary"))
    assert welcome.starts_at == datetime(2027, 6, 15, 9, 0, tzinfo=UTC)  # 11:00 in Paris
    assert len(choosable_sessions(event)) == 9
    page = client.get("/events/pic-2027/programme").get_data(as_text=True)
    assert "Terre des Sciences" in page and "Auditorium" in page
