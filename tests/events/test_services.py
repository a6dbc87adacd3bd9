"""Event services: the rules the HTML form and the API share."""

from __future__ import annotations

from datetime import date

import pytest

from pic_events.core.validation import ServiceValidationError
from pic_events.events import services
from tests.factories import make_event

VALID = {
    "title": "PIC 2027",
    "slug": "pic-2027",
    "timezone": "Europe/Paris",
    "starts_on": date(2027, 3, 30),
    "ends_on": date(2027, 4, 1),
}


def test_the_unique_index_catches_a_slug_taken_between_check_and_commit(app, monkeypatch):
    make_event("pic-2027")
    # Another organiser saved the same slug after our check ran: only the index sees it.
    monkeypatch.setattr(services, "_validate", lambda values, event: {})

    with pytest.raises(ServiceValidationError) as raised:
        services.create_event(dict(VALID))

    assert list(raised.value.errors) == ["slug"]
    assert services.get_event("pic-2027").title == "Test meeting"  # the session still works


def test_texts_longer_than_their_columns_are_field_errors(app):
    values = {**VALID, "title": "t" * 201, "slug": "s" * 81, "city": "c" * 121}
    with pytest.raises(ServiceValidationError) as raised:
        services.create_event(values)
    assert {"title", "slug", "city"} <= set(raised.value.errors)


def test_patch_validates_against_the_stored_values(app):
    event = make_event("pic-2027", starts_on=date(2027, 3, 30), ends_on=date(2027, 4, 1))
    with pytest.raises(ServiceValidationError) as raised:
        services.update_event(event, {"starts_on": date(2027, 4, 5)})
    assert list(raised.value.errors) == ["ends_on"]
