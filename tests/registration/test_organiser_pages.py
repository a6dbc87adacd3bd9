"""Organiser dashboard: counts, list, filters, detail and history, actions, exports,
registration on someone's behalf, settings and questions."""

from __future__ import annotations

import csv
import io

import sqlalchemy as sa
from openpyxl import load_workbook

from pic_events.extensions import db
from pic_events.notifications.models import OutboxMessage
from pic_events.registration import services
from pic_events.registration.models import AuditLog, Question, Registration
from pic_events.registration.services import RegistrationChanges, RegistrationInput
from tests.factories import (
    login,
    make_cluster,
    make_event,
    make_organisation,
    make_organiser,
    make_question,
    make_registration,
    make_user,
)


def _setup(client, **event_kw):
    event = make_event(slug="pic-2027", **event_kw)
    organiser = make_organiser()
    login(client, organiser)
    return event, organiser


def test_members_cannot_open_the_dashboard(client):
    make_event(slug="pic-2027")
    login(client, make_user())
    assert client.get("/organiser/events/pic-2027/registrations").status_code == 403
    assert client.get("/organiser/events/pic-2027/questions").status_code == 403
    assert client.get("/organiser/events/pic-2027/registration-settings").status_code == 403


def test_dashboard_counts_and_filters(client):
    event, _organiser = _setup(client)
    visit = make_question(event, "Site visit", "single_choice", options=["Visit A", "Visit B"])
    a, b = (o.id for o in visit.options)
    sc = make_cluster("Innovation Cluster Drenthe", steering=True, country="NL")
    org_nl = make_organisation("Groene Kas BV", cluster=sc, country="NL")
    org_fr = make_organisation("Cidrerie Éloïse", country="FR")
    nl = make_user(name="Anouk de Vries", organisation=org_nl)
    fr = make_user(name="Éloïse Martin", organisation=org_fr)
    services.register(event, nl, RegistrationInput(consent=True, answers={visit.key: a}))
    services.register(event, fr, RegistrationInput(consent=True, answers={visit.key: b}))
    make_registration(event, make_user(name="Paul Pending"), status="pending")
    page = client.get("/organiser/events/pic-2027/registrations").get_data(as_text=True)
    assert "Innovation Cluster Drenthe" in page and "Netherlands" in page
    assert all(name in page for name in ("Anouk de Vries", "Éloïse Martin", "Paul Pending"))

    def names(**args):
        page = client.get("/organiser/events/pic-2027/registrations", query_string=args)
        text = page.get_data(as_text=True)
        return {n for n in ("Anouk de Vries", "Éloïse Martin", "Paul Pending") if n in text}

    assert names(status="pending") == {"Paul Pending"}
    assert names(q="groene") == {"Anouk de Vries"}
    assert names(country="FR") == {"Éloïse Martin"}
    assert names(cluster=str(sc.id)) == {"Anouk de Vries"}
    assert names(answer=f"option:{b}") == {"Éloïse Martin"}
    sorted_page = client.get(
        "/organiser/events/pic-2027/registrations", query_string={"sort": "name"}
    ).get_data(as_text=True)
    assert sorted_page.index("Anouk de Vries") < sorted_page.index("Paul Pending")


def test_dashboard_paginates(client):
    event, _organiser = _setup(client)
    for _ in range(30):
        make_registration(event)
    page = client.get("/organiser/events/pic-2027/registrations").get_data(as_text=True)
    assert "30 in all" in page and "page=2" in page


def test_detail_shows_answers_and_history_and_actions_work(client):
    event, organiser = _setup(client, capacity=1, requires_approval=True)
    diet = make_question(event, "Dietary needs")
    user = make_user()
    registration = services.register(
        event, user, RegistrationInput(consent=True, answers={diet.key: "vegan"})
    )
    services.update_registration(
        registration, RegistrationChanges(answers={diet.key: "vegetarian"}), actor=user
    )
    page = client.get(f"/organiser/registrations/{registration.id}").get_data(as_text=True)
    assert "Dietary needs" in page and "vegetarian" in page
    assert "vegan → vegetarian" in page and user.name in page
    client.post(f"/organiser/registrations/{registration.id}/approve", data={})
    assert db.session.get(Registration, registration.id).status == "confirmed"
    client.post(
        f"/organiser/registrations/{registration.id}/decline",
        data={"decision-message": "Duplicate of another registration."},
    )
    assert db.session.get(Registration, registration.id).status == "declined"
    mail = db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.recipient == user.email)
    ).all()[-1]
    assert "Duplicate of another registration." in mail.body_text
    history = db.session.scalars(
        sa.select(AuditLog.action).where(AuditLog.registration_id == registration.id)
    ).all()
    assert history == ["created", "updated", "approved", "declined"]


def test_promote_from_the_waiting_list_after_raising_capacity(client):
    event, _organiser = _setup(client, capacity=1)
    make_registration(event)
    waiting = services.register(event, make_user(), RegistrationInput(consent=True))
    response = client.post(
        f"/organiser/registrations/{waiting.id}/promote", data={}, follow_redirects=True
    )
    assert "No place is free" in response.get_data(as_text=True)
    response = client.post(
        "/organiser/events/pic-2027/registration-settings",
        data={
            "capacity": "2",
            "waitlist_enabled": "y",
            "registration_categories": ["participant", "speaker", "steering"],
            "self_service_categories": ["participant"],
        },
        follow_redirects=True,
    )
    assert "1 people moved from the waiting list" in response.get_data(as_text=True)
    assert db.session.get(Registration, waiting.id).status == "confirmed"
    event = db.session.get(type(event), event.id)
    assert event.registration_categories == ["participant", "speaker", "steering"]


def test_settings_refuse_self_service_categories_not_in_use(client):
    event, _organiser = _setup(client)
    response = client.post(
        "/organiser/events/pic-2027/registration-settings",
        data={"registration_categories": ["participant"], "self_service_categories": ["press"]},
    )
    assert "Members can only choose categories used at this meeting." in response.get_data(
        as_text=True
    )


def test_register_someone_on_their_behalf_creates_the_account_if_needed(client):
    event, organiser = _setup(client)
    response = client.post(
        "/organiser/events/pic-2027/registrations/new",
        data={
            "email": "Zoe.Durand@example.org",
            "name": "Zoé Durand",
            "organisation_id": "",
            "category": "speaker",
            "consent": "y",
            "listed": "y",
        },
    )
    assert response.status_code == 302
    registration = db.session.scalars(sa.select(Registration)).one()
    assert registration.user.email == "zoe.durand@example.org"
    assert registration.category == "speaker" and registration.status == "confirmed"
    entry = db.session.scalars(sa.select(AuditLog)).one()
    assert entry.actor_id == organiser.id


def test_on_behalf_without_account_and_name_explains(client):
    _setup(client)
    response = client.post(
        "/organiser/events/pic-2027/registrations/new",
        data={"email": "nobody@example.org", "consent": "y"},
    )
    assert "give a name to create one" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 0


def _export_fixture(event):
    diet = make_question(event, "Régime alimentaire")
    visit = make_question(event, "Visite", "single_choice", options=["Pépinière Ñandú"])
    org = make_organisation("Coopérative Élan", cluster=make_cluster("Pôle Végétal Ørsted"))
    user = make_user(name="Zoé Åsa Müller-Ñúñez", organisation=org)
    services.register(
        event,
        user,
        RegistrationInput(
            consent=True, answers={diet.key: "=végétarien", visit.key: visit.options[0].id}
        ),
    )
    make_registration(event, make_user(name="Someone Else"), status="cancelled")
    return user


def test_csv_export_keeps_accents_and_has_a_column_per_question(client):
    event, _organiser = _setup(client)
    _export_fixture(event)
    response = client.get("/organiser/events/pic-2027/registrations.csv?status=confirmed")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    header, [row] = rows[0], rows[1:]
    assert header[-2:] == ["Régime alimentaire", "Visite"]
    record = dict(zip(header, row, strict=True))
    assert record["Name"] == "Zoé Åsa Müller-Ñúñez"
    assert record["Organisation"] == "Coopérative Élan"
    assert record["Cluster"] == "Pôle Végétal Ørsted"
    assert record["Visite"] == "Pépinière Ñandú"
    assert record["Régime alimentaire"] == "'=végétarien"  # no formula injection


def test_xlsx_export_opens_and_keeps_accents(client):
    event, _organiser = _setup(client)
    _export_fixture(event)
    response = client.get("/organiser/events/pic-2027/registrations.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header = rows[0]
    assert len(rows) == 3  # both registrations, no filter
    names = [dict(zip(header, r, strict=True))["Name"] for r in rows[1:]]
    assert "Zoé Åsa Müller-Ñúñez" in names
    first = dict(zip(header, rows[1], strict=True))
    assert first["Visite"] == "Pépinière Ñandú"
    assert first["Régime alimentaire"] == "'=végétarien"


def test_questions_are_created_edited_ordered_and_deleted(client):
    event, _organiser = _setup(client)
    client.post(
        "/organiser/events/pic-2027/questions/new",
        data={
            "label": "Site visit",
            "kind": "single_choice",
            "required": "y",
            "options": "Visit A | 25\nVisit B",
        },
    )
    client.post(
        "/organiser/events/pic-2027/questions/new", data={"label": "Dinner", "kind": "yes_no"}
    )
    visit, dinner = services.event_questions(event)
    assert [(o.label, o.capacity) for o in visit.options] == [("Visit A", 25), ("Visit B", None)]
    assert visit.required and dinner.kind == "yes_no"
    client.post(f"/organiser/events/pic-2027/questions/{dinner.id}/move/up")
    assert [q.label for q in services.event_questions(event)] == ["Dinner", "Site visit"]
    keep_id = visit.options[0].id
    services.register(
        event, make_user(), RegistrationInput(consent=True, answers={visit.key: keep_id})
    )
    response = client.post(
        f"/organiser/events/pic-2027/questions/{visit.id}/edit",
        data={"label": "Site visit", "kind": "single_choice", "options": "Visit B\nVisit C | 10"},
    )
    assert "has been chosen already" in response.get_data(as_text=True)
    client.post(
        f"/organiser/events/pic-2027/questions/{visit.id}/edit",
        data={"label": "Site visit", "kind": "single_choice", "options": "Visit A | 30\nVisit C"},
    )
    db.session.expire_all()
    visit = db.session.get(Question, visit.id)
    assert [(o.label, o.capacity) for o in visit.options] == [("Visit A", 30), ("Visit C", None)]
    assert visit.options[0].id == keep_id  # answers still point at it
    client.post(f"/organiser/events/pic-2027/questions/{dinner.id}/delete")
    assert [q.label for q in services.event_questions(event)] == ["Site visit"]


def test_question_form_refuses_a_choice_question_without_options(client):
    _setup(client)
    response = client.post(
        "/organiser/events/pic-2027/questions/new", data={"label": "Visit", "kind": "single_choice"}
    )
    assert "needs at least one option" in response.get_data(as_text=True)


def test_every_organiser_page_renders(client):
    event, _organiser = _setup(client)
    question = make_question(event, "Visit", "single_choice", options=[("A", 3)])
    registration = make_registration(
        event, make_user(), answers={question.key: question.options[0].id}
    )
    for url in (
        "/organiser/events/pic-2027/registrations",
        f"/organiser/registrations/{registration.id}",
        f"/organiser/registrations/{registration.id}/edit",
        "/organiser/events/pic-2027/registrations/new",
        "/organiser/events/pic-2027/registration-settings",
        "/organiser/events/pic-2027/questions",
        "/organiser/events/pic-2027/questions/new",
        f"/organiser/events/pic-2027/questions/{question.id}/edit",
        "/events/pic-2027",
    ):
        response = client.get(url)
        assert response.status_code == 200, url


def test_organiser_changes_a_registration_category(client):
    event, organiser = _setup(client)
    registration = make_registration(event, make_user())
    client.post(
        f"/organiser/registrations/{registration.id}/edit",
        data={"category": "steering", "listed": "y"},
    )
    assert db.session.get(Registration, registration.id).category == "steering"


def test_on_behalf_of_a_new_person_never_reuses_an_anonymised_row(client):
    from pic_events.registration import privacy

    event, _organiser = _setup(client)
    old = make_registration(event, make_user(), status="cancelled")
    privacy.anonymise(old)
    db.session.commit()
    client.post(
        "/organiser/events/pic-2027/registrations/new",
        data={"email": "new@example.org", "name": "New Person", "consent": "y"},
    )
    rows = db.session.scalars(sa.select(Registration).order_by(Registration.id)).all()
    assert len(rows) == 2 and rows[0].user_id is None
    assert rows[1].user.email == "new@example.org" and rows[1].status == "confirmed"


def test_xlsx_export_survives_control_characters_in_names(client):
    event, _organiser = _setup(client)
    make_registration(event, make_user(name="Line\x0bbreak Pasted"))
    response = client.get("/organiser/events/pic-2027/registrations.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert sheet.cell(row=2, column=2).value == "Linebreak Pasted"


def test_history_names_categories_and_listing_in_words(client):
    event, organiser = _setup(client)
    user = make_user()
    registration = services.register(event, user, RegistrationInput(consent=True))
    services.update_registration(
        registration, RegistrationChanges(category="speaker", listed=False), actor=organiser
    )
    page = client.get(f"/organiser/registrations/{registration.id}").get_data(as_text=True)
    assert "Participant → Speaker" in page
    assert "Yes → No" in page
    assert "True" not in page and "participant →" not in page
