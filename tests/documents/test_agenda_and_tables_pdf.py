"""My agenda PDF (my sessions and B2B meetings, my calendar feed as a QR code) and the B2B
table plan and table sheets for organisers."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from pic_events.extensions import db
from pic_events.matchmaking import booking
from tests.documents import pdf
from tests.factories import (
    b2b_slots,
    login,
    make_b2b_event,
    make_organisation,
    make_organiser,
    make_programme_session,
    make_registration,
    make_user,
)


def _setup():
    event = make_b2b_event(slots=3, tables=2)
    event.programme_published = True
    db.session.commit()
    start = datetime.combine(event.starts_on, datetime.min.time().replace(hour=8))
    start = start.replace(tzinfo=ZoneInfo(event.timezone))
    make_programme_session(event, start, start + timedelta(minutes=45), title="Opening plenary")

    def person(name, organisation):
        user = make_user(name=name, organisation=make_organisation(organisation))
        return user, make_registration(event, user)

    ana_user, ana = person("Ana García", "Agrobio Almería")
    _ben_user, ben = person("Bjørn Ødegård", "Frø & Sø ApS")
    _cleo_user, cleo = person("Cleo Weiß", "Großmann Saaten GmbH")
    _dan_user, dan = person("Dan Popescu", "Institutul de Horticultură")
    slots = b2b_slots(event)
    booking.book(event, [ana.id, ben.id], slots[1].id, notify=False)
    booking.book(event, [ana.id, cleo.id], slots[0].id, notify=False)
    booking.book(event, [cleo.id, dan.id], slots[2].id, notify=False)
    return event, ana_user, (ana, ben, cleo, dan)


def test_my_agenda_lists_sessions_and_meetings_in_time_order_with_a_feed_qr(client, app):
    event, ana_user, _people = _setup()
    login(client, ana_user)
    response = client.get(f"/events/{event.slug}/my-agenda.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf.text(response.data)
    order = [
        text.index("Opening plenary"),
        text.index("Cleo Weiß"),
        text.index("Bjørn Ødegård"),
    ]
    assert order == sorted(order)
    assert "Großmann Saaten GmbH" in text and "Frø & Sø ApS" in text
    assert "Table T1" in text and "09:00–09:20" in text and "Europe/Paris" in text
    assert "Dan Popescu" not in text  # not my meeting
    feed = f"{app.config['PUBLIC_BASE_URL']}/calendar/{ana_user.calendar_token}.ics"
    assert pdf.qr_codes(response.data, page=1, dpi=200) == [feed]


def test_a_member_gets_only_their_own_agenda(client):
    event, _ana_user, (_ana, _ben, cleo, _dan) = _setup()
    login(client, cleo.user)
    text = pdf.text(client.get(f"/events/{event.slug}/my-agenda.pdf").data)
    assert "Cleo Weiß" in text[:200]  # the header names whose agenda it is
    assert "Dan Popescu" in text and "Bjørn Ødegård" not in text
    stranger = make_user(name="Not Registered")
    login(client, stranger)
    assert client.get(f"/events/{event.slug}/my-agenda.pdf").status_code == 404
    client.post("/logout")
    anonymous = client.application.test_client()
    assert anonymous.get(f"/events/{event.slug}/my-agenda.pdf").status_code == 302


def test_table_plan_and_sheets_for_organisers_only(client):
    event, ana_user, _people = _setup()
    login(client, ana_user)
    assert client.get(f"/organiser/events/{event.slug}/table-plan.pdf").status_code == 403
    assert client.get(f"/organiser/events/{event.slug}/table-sheets.pdf").status_code == 403
    login(client, make_organiser())
    plan = client.get(f"/organiser/events/{event.slug}/table-plan.pdf")
    assert plan.status_code == 200
    text = pdf.text(plan.data)
    assert "3 meetings at 2 tables in 3 slots" in text
    first_slot = text[text.index("09:00–09:20") : text.index("09:25–09:45")]
    assert "Ana García" in first_slot and "Cleo Weiß" in first_slot and "free" in first_slot
    sheets = client.get(f"/organiser/events/{event.slug}/table-sheets.pdf")
    pages = pdf.page_texts(sheets.data)
    assert len(pages) == 2  # one sheet per table
    assert "Table T1" in pages[0] and "Table T2" in pages[1]
    assert pages[0].index("Cleo Weiß") < pages[0].index("Bjørn Ødegård")  # by time
