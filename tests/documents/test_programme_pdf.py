"""The printed programme (anyone, once published) and the participant list (organisers)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from pic_events.extensions import db
from pic_events.programme.models import Speaker
from tests.documents import pdf
from tests.factories import (
    login,
    make_cluster,
    make_event,
    make_organisation,
    make_organiser,
    make_programme_session,
    make_registration,
    make_room,
    make_user,
)

PARIS = ZoneInfo("Europe/Paris")


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2027, 6, day, hour, minute, tzinfo=PARIS)


def _event(published: bool = True, **kw):
    event = make_event(
        title="PIC Annual Meeting 2027",
        venue="Centre de congrès Jean Monnier",
        city="Angers",
        starts_on=date(2027, 6, 15),
        ends_on=date(2027, 6, 16),
        timezone="Europe/Paris",
        **kw,
    )
    hall = make_room(event, "Auditorium")
    opening = make_programme_session(
        event, _at(15, 9), _at(15, 10, 30), title="Welcome plenary", room=hall, publish=published
    )
    db.session.add(Speaker(session_id=opening.id, name="Łucja Kowalczyk", organisation="VEGEPOLYS"))
    make_programme_session(event, _at(16, 14), _at(16, 15), title="Cider and perry: innovation")
    make_programme_session(
        event, _at(16, 8), _at(16, 9), title="Steering committee (closed)", restricted=True
    )
    db.session.commit()
    return event


def test_the_programme_pdf_has_a_cover_days_times_rooms_speakers_and_page_numbers(client):
    event = _event()
    response = client.get(f"/events/{event.slug}/programme.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    pages = pdf.page_texts(response.data)
    assert len(pages) == 3  # cover, one page per day
    cover, first_day, second_day = pages
    assert "PIC Annual Meeting 2027" in cover and "Centre de congrès Jean Monnier" in cover
    assert "Angers" in cover and "Europe/Paris" in cover and "Jun 15" in cover
    assert "Tuesday, June 15, 2027" in first_day
    assert "09:00–10:30" in first_day and "Welcome plenary" in first_day
    assert "Auditorium" in first_day and "Łucja Kowalczyk (VEGEPOLYS)" in first_day
    assert "Cider and perry" in second_day and "14:00–15:00" in second_day
    assert "Page 2 / 3" in first_day and "Generated" in first_day


def test_hidden_restricted_sessions_are_not_printed(client):
    event = _event(hide_restricted_sessions=True)
    text = pdf.text(client.get(f"/events/{event.slug}/programme.pdf").data)
    assert "Welcome plenary" in text and "Steering committee" not in text


def test_an_unpublished_programme_is_404_except_for_organisers(client):
    event = _event(published=False)
    assert client.get(f"/events/{event.slug}/programme.pdf").status_code == 404
    login(client, make_user())
    assert client.get(f"/events/{event.slug}/programme.pdf").status_code == 404
    login(client, make_organiser())
    preview = client.get(f"/events/{event.slug}/programme.pdf")
    assert preview.status_code == 200 and "Welcome plenary" in pdf.text(preview.data)


def test_the_participant_list_is_grouped_by_cluster(client):
    event = make_event()
    north = make_organisation("Nordic Seeds AB", cluster=make_cluster("Agri Cluster North"))
    south = make_organisation("Frutas Peñaba S.L.", cluster=make_cluster("Clúster del Ebro"))
    make_registration(event, make_user(name="Björn Øster", organisation=north))
    make_registration(event, make_user(name="Begoña Muñoz", organisation=south))
    make_registration(event, make_user(name="Ina Alone"))
    make_registration(event, make_user(name="Wanda Waiting"), status="waitlisted")
    login(client, make_organiser())
    response = client.get(f"/organiser/events/{event.slug}/participants.pdf")
    assert response.status_code == 200
    text = pdf.text(response.data)
    assert "3 confirmed participants" in text and "Wanda" not in text
    north_at, south_at, none_at = (
        text.index("Agri Cluster North"),
        text.index("Clúster del Ebro"),
        text.index("No cluster"),
    )
    assert north_at < text.index("Øster, Björn") < south_at < text.index("Muñoz, Begoña")
    assert south_at < none_at < text.index("Alone, Ina")
