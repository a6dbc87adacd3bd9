"""The public programme page and My agenda: what each person sees, choosing through
HTML, and a fixed number of SQL queries however long the programme is."""

from __future__ import annotations

from datetime import date

import pytest

from pic_events.extensions import db
from pic_events.programme.models import Speaker
from pic_events.registration.models import SessionChoice
from tests.factories import login, make_organiser, make_registration, make_room, make_user
from tests.programme.helpers import programme_event, workshop
from tests.queries import count_queries

DAY1, DAY2 = date(2027, 6, 15), date(2027, 6, 16)


def _two_day_programme(event):
    auditorium = make_room(event, "Auditorium", location="Ground floor", position=0)
    anjou = make_room(event, "Salle Anjou", position=1)
    loire = make_room(event, "Salle Loire", position=2)
    return {
        "welcome": workshop(
            event,
            DAY1,
            9,
            10,
            title="Welcome plenary",
            kind="plenary",
            must_choose=False,
            room=auditorium,
        ),
        "coffee": workshop(
            event, DAY1, 10, 11, title="Coffee break", kind="break", must_choose=False
        ),
        "cider": workshop(event, DAY1, 11, 12, title="Cider workshop", room=anjou, capacity=10),
        "seeds": workshop(event, DAY1, 11, 12, title="Seeds workshop", room=loire),
        "steering": workshop(
            event,
            DAY2,
            9,
            10,
            title="Closed budget meeting",
            kind="steering",
            must_choose=False,
            restricted=True,
            room=auditorium,
        ),
        "visit": workshop(event, DAY2, 14, 17, title="Nursery visit", kind="visit", capacity=1),
    }


def test_programme_page_grid_and_list_grouped_by_day(client):
    event = programme_event()
    _two_day_programme(event)
    page = client.get(f"/events/{event.slug}/programme").get_data(as_text=True)
    assert page.count("Welcome plenary") == 2  # once in the grid, once in the phone list
    assert "d-none d-lg-block" in page and "d-lg-none" in page
    assert "Tuesday, June 15, 2027" in page and "Wednesday, June 16, 2027" in page
    assert (
        page.index("Tuesday, June 15")
        < page.index("Cider workshop")
        < page.index("Wednesday, June 16")
    )
    assert "Salle Anjou" in page and "Ground floor" in page
    assert 'colspan="3"' in page  # the coffee break spans every room
    assert "Steering committee only" in page and "Closed budget meeting" in page
    assert "10 places left" in page
    assert "style=" not in page


def test_filter_by_kind(client):
    event = programme_event()
    _two_day_programme(event)
    page = client.get(f"/events/{event.slug}/programme?kind=workshop").get_data(as_text=True)
    assert "Cider workshop" in page and "Welcome plenary" not in page
    assert "Nursery visit" not in page


def test_draft_programme_is_invisible_to_members_but_not_organisers(client):
    event = programme_event(programme_published=False)
    _two_day_programme(event)
    login(client, make_user())
    page = client.get(f"/events/{event.slug}/programme").get_data(as_text=True)
    assert "not published yet" in page and "Welcome plenary" not in page
    assert client.get(f"/api/v1/events/{event.slug}/sessions").json["items"] == []
    login(client, make_organiser())
    page = client.get(f"/events/{event.slug}/programme").get_data(as_text=True)
    assert "Welcome plenary" in page and "Draft" in page


def test_restricted_sessions_hidden_when_the_event_says_so(client):
    event = programme_event(hide_restricted_sessions=True)
    closed = _two_day_programme(event)["steering"]
    anchor = f'id="session-{closed.id}"'

    def programme_page() -> str:
        return client.get(f"/events/{event.slug}/programme").get_data(as_text=True)

    member = make_user()
    make_registration(event, member)
    login(client, member)
    page = programme_page()
    assert anchor not in page and "Closed budget meeting" not in page
    claimer = make_user()  # registered as steering committee: claimed, not granted
    make_registration(event, claimer, category="steering")
    login(client, claimer)
    page = programme_page()
    assert anchor not in page and "Closed budget meeting" not in page
    steering = make_user(steering_member=True)
    make_registration(event, steering)
    login(client, steering)
    page = programme_page()
    assert anchor in page and "Closed budget meeting" in page


def test_choose_and_drop_through_the_page(client):
    event = programme_event()
    sessions = _two_day_programme(event)
    member = make_user()
    registration = make_registration(event, member)
    login(client, member)
    page = client.get(f"/events/{event.slug}/programme").get_data(as_text=True)
    assert f"/sessions/{sessions['cider'].id}/choose" in page
    assert f"/sessions/{sessions['welcome'].id}/choose" not in page  # for everyone
    response = client.post(
        f"/events/{event.slug}/sessions/{sessions['cider'].id}/choose",
        data={"back": "programme"},
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "is on your agenda" in page and "9 places left" in page and "On my agenda" in page
    overlap = client.post(
        f"/events/{event.slug}/sessions/{sessions['seeds'].id}/choose", follow_redirects=True
    )
    assert "take place at the same time" in overlap.get_data(as_text=True)
    assert {c.session_id for c in db.session.scalars(db.select(SessionChoice))} == {
        sessions["cider"].id
    }
    client.post(
        f"/events/{event.slug}/sessions/{sessions['cider'].id}/drop", data={"back": "agenda"}
    )
    assert db.session.scalar(db.select(db.func.count()).select_from(SessionChoice)) == 0
    assert registration.id


def test_full_visit_through_the_page(client):
    event = programme_event()
    sessions = _two_day_programme(event)
    first, second = make_user(), make_user()
    make_registration(event, first)
    make_registration(event, second)
    login(client, first)
    client.post(f"/events/{event.slug}/sessions/{sessions['visit'].id}/choose")
    login(client, second)
    page = client.get(f"/events/{event.slug}/programme").get_data(as_text=True)
    assert "Full" in page
    assert f"/sessions/{sessions['visit'].id}/choose" not in page
    response = client.post(
        f"/events/{event.slug}/sessions/{sessions['visit'].id}/choose", follow_redirects=True
    )
    assert "“Nursery visit” is full." in response.get_data(as_text=True)


def test_choosing_needs_a_registration_and_a_login(client):
    event = programme_event()
    sessions = _two_day_programme(event)
    url = f"/events/{event.slug}/sessions/{sessions['cider'].id}/choose"
    assert "/login" in client.post(url).headers["Location"]
    login(client, make_user())
    response = client.post(url, follow_redirects=True)
    assert "Register for the meeting first" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(SessionChoice)) == 0


def test_my_agenda_has_everyones_sessions_and_my_choices_in_order(client):
    event = programme_event()
    sessions = _two_day_programme(event)
    member = make_user()
    make_registration(event, member)
    login(client, member)
    client.post(
        f"/events/{event.slug}/sessions/{sessions['visit'].id}/choose", follow_redirects=True
    )
    page = client.get(f"/events/{event.slug}/my-agenda").get_data(as_text=True)
    order = ["Welcome plenary", "Coffee break", "Nursery visit"]
    assert [page.index(t) for t in order] == sorted(page.index(t) for t in order)
    assert "Cider workshop" not in page and "Seeds workshop" not in page
    assert "Closed budget meeting" not in page  # restricted, not eligible
    assert "Auditorium" in page and "My choice" in page


def test_my_agenda_shows_restricted_sessions_to_steering_members(client):
    event = programme_event()
    _two_day_programme(event)
    claimer = make_user()
    make_registration(event, claimer, category="steering")
    login(client, claimer)
    page = client.get(f"/events/{event.slug}/my-agenda").get_data(as_text=True)
    assert "Welcome plenary" in page and "Closed budget meeting" not in page
    member = make_user(steering_member=True)
    make_registration(event, member)
    login(client, member)
    page = client.get(f"/events/{event.slug}/my-agenda").get_data(as_text=True)
    assert "Closed budget meeting" in page


@pytest.mark.parametrize("status", ["waitlisted", "cancelled", "declined"])
def test_my_agenda_is_empty_without_a_place(client, status):
    event = programme_event()
    _two_day_programme(event)
    member = make_user()
    make_registration(event, member, status=status)
    login(client, member)
    page = client.get(f"/events/{event.slug}/my-agenda").get_data(as_text=True)
    assert "Welcome plenary" not in page
    assert "your agenda appears here once you have a place" in page


def test_my_agenda_asks_to_log_in_and_register(client):
    event = programme_event()
    assert "/login" in client.get(f"/events/{event.slug}/my-agenda").headers["Location"]
    login(client, make_user())
    page = client.get(f"/events/{event.slug}/my-agenda").get_data(as_text=True)
    assert "not registered for this meeting" in page


def _programme_of(event, size: int, registration) -> None:
    rooms = [make_room(event, f"Room {i}") for i in range(5)]
    for i in range(size):
        day = DAY1 if i % 2 else DAY2
        session = workshop(
            event,
            day,
            8 + (i // 10),
            9 + (i // 10),
            room=rooms[i % 5],
            capacity=30,
            title=f"Session {i}",
            must_choose=bool(i % 3),
            restricted=(i % 7 == 0),
        )
        session.speakers = [Speaker(name=f"Speaker {i}"), Speaker(name=f"Other {i}")]
        if i % 3 and i < 20 and i % 10 == 1:
            db.session.add(SessionChoice(registration_id=registration.id, session_id=session.id))
    db.session.commit()


@pytest.mark.parametrize("path", ["/events/{slug}/programme", "/events/{slug}/my-agenda"])
def test_pages_run_a_fixed_number_of_queries(client, path):
    counts = []
    for size in (5, 50):
        event = programme_event()
        member = make_user(steering_member=True)
        registration = make_registration(event, member)
        _programme_of(event, size, registration)
        login(client, member)
        db.session.expire_all()
        with count_queries() as statements:
            response = client.get(path.format(slug=event.slug))
        assert response.status_code == 200
        assert f"Session {size - 1}" in response.get_data(as_text=True) or "my-agenda" in path
        counts.append(len(statements))
    assert counts[0] == counts[1], counts


def test_hidden_restricted_session_cannot_be_chosen_or_named_through_the_page(client):
    event = programme_event(hide_restricted_sessions=True)
    closed = workshop(event, date(2027, 6, 15), 14, 15, title="Steering budget", restricted=True)
    member = make_user()
    make_registration(event, member)
    login(client, member)
    response = client.post(f"/events/{event.slug}/sessions/{closed.id}/choose")
    assert response.status_code == 404
    assert "Steering budget" not in client.get(f"/events/{event.slug}/programme").get_data(
        as_text=True
    )
