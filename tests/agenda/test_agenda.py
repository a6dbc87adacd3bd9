"""My agenda gathers entries from every module that adds some (B2B meetings will)."""

from __future__ import annotations

from datetime import date

from pic_events.agenda.services import AgendaEntry, agenda_entries
from pic_events.core import signals
from tests.factories import login, make_registration, make_user
from tests.programme.helpers import paris, programme_event, workshop

DAY = date(2027, 6, 15)


def _b2b_meeting(registration, *, event, **kwargs):
    return [
        AgendaEntry(
            starts_at=paris(DAY, 10),
            ends_at=paris(DAY, 10, 20),
            title="B2B meeting with Agro Partner",
            kind="b2b",
            kind_label="B2B meeting",
            room="Table 7",
        )
    ]


def test_another_source_of_entries_joins_the_agenda_in_time_order(app):
    event = programme_event(slug="pic-2027")
    workshop(event, DAY, 9, 10, must_choose=False, title="Opening plenary")
    workshop(event, DAY, 11, 12, must_choose=False, title="Closing plenary")
    user = make_user()
    registration = make_registration(event, user)
    with signals.agenda_collecting.connected_to(_b2b_meeting):
        titles = [e.title for e in agenda_entries(event, registration)]
        client = app.test_client()
        login(client, user)
        page = client.get("/events/pic-2027/my-agenda").get_data(as_text=True)
    assert titles == ["Opening plenary", "B2B meeting with Agro Partner", "Closing plenary"]
    assert page.index("Opening plenary") < page.index("Agro Partner") < page.index("Closing")
    assert "Table 7" in page
    # Without that source, only the programme's entries.
    assert [e.title for e in agenda_entries(event, registration)] == [
        "Opening plenary",
        "Closing plenary",
    ]


def test_nothing_on_the_agenda_without_a_place(app):
    event = programme_event()
    workshop(event, DAY, 9, 10, must_choose=False)
    waiting = make_registration(event, status="waitlisted")
    with signals.agenda_collecting.connected_to(_b2b_meeting):
        assert agenda_entries(event, waiting) == []
        assert agenda_entries(event, None) == []
