"""Every registration state, as the event page's box, the form and the API show it.

One decision (pic_events.registration.state) behind all three: for each state the box, the
form page and a POST to the API must agree.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from pic_events.accounts.services import create_api_token
from pic_events.core.types import utcnow
from pic_events.events.models import EventStatus
from pic_events.extensions import db
from pic_events.registration.models import Registration
from pic_events.registration.state import Reason, registration_state
from tests.factories import login, make_event, make_organiser, make_registration, make_user

SLUG = "pic-2027"
REGISTER = f"/events/{SLUG}/register"


def _full(event, **_kw):
    make_registration(event)


def _mine(status):
    def arrange(event, user):
        make_registration(event, user, status=status)

    return arrange


# state -> (event settings, arrange(event, user), box says, form page says, API answer)
CASES = {
    "open": (
        {"capacity": 10},
        None,
        ["10 places left", ">Register</a>"],
        ["Register for"],
        (201, "confirmed"),
    ),
    "waiting_list": (
        {"capacity": 1},
        lambda event, user: _full(event),
        ["new registrations go on the waiting list", "Join the waiting list"],
        ["you will be on the waiting list, in position 1"],
        (201, "waitlisted"),
    ),
    "approval": (
        {"capacity": 5, "requires_approval": True},
        None,
        ["5 places left", ">Register</a>"],
        ["Registrations are approved by the organisers"],
        (201, "pending"),
    ),
    "full": (
        {"capacity": 1, "waitlist_enabled": False},
        lambda event, user: _full(event),
        ["The meeting is full."],
        ["The meeting is full and has no waiting list."],
        (409, "full"),
    ),
    "full_with_approval": (
        # Approval does not open a full meeting without a waiting list (it used to: the form
        # took a pending registration that no organiser could ever approve).
        {"capacity": 1, "waitlist_enabled": False, "requires_approval": True},
        lambda event, user: _full(event),
        ["The meeting is full."],
        ["The meeting is full and has no waiting list."],
        (409, "full"),
    ),
    "not_open_yet": (
        {"registration_opens": utcnow() + timedelta(days=3)},
        None,
        ["Registration opens on"],
        ["Registration opens on"],
        (409, "not_open_yet"),
    ),
    "closed": (
        {"registration_closes": utcnow() - timedelta(hours=1)},
        None,
        ["Registration closed on"],
        ["Registration for this meeting is closed."],
        (409, "closed"),
    ),
    "not_published": (
        {"status": EventStatus.ARCHIVED},
        None,
        ["Registration is not open."],
        ["Registration for this meeting is closed."],
        (409, "not_published"),
    ),
    "declined": (
        {},
        _mine("declined"),
        ["Your registration was declined."],
        ["Your registration was declined."],
        (409, "declined"),
    ),
    "already_registered": (
        {},
        _mine("confirmed"),
        ["My registration"],
        ["You are already registered for this meeting."],  # after the redirect
        (409, "already_registered"),
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_box_form_and_api_agree(app, client, name):
    settings, arrange, box_says, form_says, (api_code, api_says) = CASES[name]
    event = make_event(SLUG, **settings)
    user = make_user()
    if arrange:
        arrange(event, user)
    before = db.session.scalar(sa.select(sa.func.count()).select_from(Registration))
    login(client, user)

    box = client.get(f"/events/{SLUG}").get_data(as_text=True)
    for text in box_says:
        assert text in box, (name, text)
    form = client.get(REGISTER, follow_redirects=True).get_data(as_text=True)
    for text in form_says:
        assert text in form, (name, text)
    accepts = api_code == 201
    assert ('name="consent"' in form) is accepts, name
    assert (">Register</a>" in box or "Join the waiting list" in box) is accepts, name

    _token, plain = create_api_token(user, "tests")
    db.session.commit()
    response = app.test_client().post(
        f"/api/v1/events/{SLUG}/registrations",
        json={"consent": True},
        headers={"Authorization": f"Bearer {plain}"},
    )
    assert response.status_code == api_code, response.json
    if accepts:
        assert response.json["status"] == api_says
    else:
        assert response.json["code"] == api_says
        assert response.mimetype == "application/problem+json"
        after = db.session.scalar(sa.select(sa.func.count()).select_from(Registration))
        assert after == before  # a refusal writes nothing


def test_a_refused_post_of_the_form_registers_nobody(client):
    make_event(SLUG, capacity=0, waitlist_enabled=False)
    login(client, make_user())
    response = client.post(REGISTER, data={"consent": "y"})
    assert "The meeting is full and has no waiting list." in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 0


def test_visitors_see_what_registering_gives_and_are_sent_to_log_in(client):
    event = make_event(SLUG, capacity=1)
    box = client.get(f"/events/{SLUG}").get_data(as_text=True)
    assert "1 place left" in box and f'href="{REGISTER}"' in box
    response = client.get(REGISTER)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert registration_state(event, None).reason == Reason.LOGIN_REQUIRED


def test_a_cancelled_registration_may_register_again_and_the_box_says_so(client):
    event = make_event(SLUG)
    user = make_user()
    make_registration(event, user, status="cancelled")
    login(client, user)
    box = client.get(f"/events/{SLUG}").get_data(as_text=True)
    assert "Your registration: Cancelled" in box and ">Register</a>" in box
    assert registration_state(event, user).reason == Reason.OPEN


def test_organisers_register_people_past_the_window_but_not_past_a_full_meeting(app):
    closed = make_event(registration_closes=utcnow() - timedelta(hours=1), requires_approval=True)
    user = make_user()
    assert registration_state(closed, user, by_organiser=True).reason == Reason.OPEN
    full = make_event(capacity=0, waitlist_enabled=False)
    assert registration_state(full, make_organiser(), by_organiser=True).reason == Reason.FULL
