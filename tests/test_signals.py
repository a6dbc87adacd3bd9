"""The one extension mechanism: blinker signals connected by the app factory, failing loudly."""

from __future__ import annotations

from datetime import date

import pytest

from pic_events.core import signals
from pic_events.events import services as event_services
from pic_events.events.models import Event
from pic_events.extensions import db
from pic_events.programme.editions import new_edition
from pic_events.programme.models import ProgrammeSession, Room
from pic_events.registration.models import Question
from tests.factories import login, make_event, make_organiser, make_question, make_room


class Broken(RuntimeError):
    pass


def _broken_receiver(sender, **kwargs):
    raise Broken("a module could not copy its rows")


def _count(model) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def _source() -> Event:
    source = make_event("pic-2027", starts_on=date(2027, 3, 20), ends_on=date(2027, 3, 21))
    make_room(source, "Auditorium")
    make_question(source, "Dietary needs", kind="single_choice", options=["None", ("Vegan", 4)])
    return source


def test_a_broken_edition_receiver_stops_the_copy_and_nothing_is_created(app):
    source = _source()
    with signals.edition_created.connected_to(_broken_receiver), pytest.raises(Broken):
        new_edition(source, slug="pic-2028", title="PIC 2028", starts_on=date(2028, 3, 18))
    db.session.rollback()
    assert db.session.scalar(db.select(Event.id).where(Event.slug == "pic-2028")) is None
    assert (_count(Event), _count(Room), _count(Question)) == (1, 1, 1)
    # Without the broken receiver the same copy works, questions included.
    event = new_edition(source, slug="pic-2028", title="PIC 2028", starts_on=date(2028, 3, 18))
    (question,) = db.session.scalars(db.select(Question).where(Question.event_id == event.id))
    assert [(o.label, o.capacity) for o in question.options] == [("None", None), ("Vegan", 4)]


def test_a_broken_edition_receiver_is_an_error_page_not_a_silent_partial_copy(app):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    source = _source()
    client = app.test_client()
    login(client, make_organiser())
    with signals.edition_created.connected_to(_broken_receiver):
        response = client.post(
            f"/organiser/events/{source.slug}/new-edition",
            data={"title": "PIC 2028", "slug": "pic-2028", "starts_on": "2028-03-18"},
        )
    assert response.status_code == 500
    assert _count(Event) == 1 and _count(ProgrammeSession) == 0 and _count(Room) == 1


def test_a_broken_capacity_receiver_is_not_swallowed(app):
    event = make_event(capacity=1)
    with signals.capacity_changed.connected_to(_broken_receiver), pytest.raises(Broken):
        event_services.update_event(event, {"capacity": 3})
