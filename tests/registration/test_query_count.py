"""The organiser's list of 2,000 registrations takes a fixed, small number of queries."""

from __future__ import annotations

from pic_events.accounts.models import User
from pic_events.core.types import utcnow
from pic_events.directory.models import Cluster, Organisation
from pic_events.extensions import db
from pic_events.registration.models import OptionPick, Registration
from tests.factories import login, make_event, make_organiser, make_question
from tests.queries import count_queries

N = 2000


def _many_registrations(event, question) -> None:
    clusters = [
        Cluster(name=f"Cluster {i}", country="FR", steering_committee=i < 12) for i in range(20)
    ]
    db.session.add_all(clusters)
    db.session.flush()
    for cluster in clusters:
        cluster.sectors = ["seeds", "cider"]
    organisations = [
        Organisation(name=f"Organisation {i}", cluster_id=clusters[i % 20].id, country="DE")
        for i in range(200)
    ]
    db.session.add_all(organisations)
    db.session.flush()
    users = [
        User(
            email=f"p{i}@example.org",
            name=f"Participant {i}",
            organisation_id=organisations[i % 200].id,
        )
        for i in range(N)
    ]
    db.session.add_all(users)
    db.session.flush()
    option = question.options[0].id
    statuses = ["confirmed", "confirmed", "confirmed", "waitlisted", "pending"]
    now = utcnow()
    registrations = [
        Registration(
            event_id=event.id,
            user_id=user.id,
            status=statuses[i % 5],
            waitlisted_at=now if statuses[i % 5] == "waitlisted" else None,
            answers={question.key: option},
            consent_at=now,
        )
        for i, user in enumerate(users)
    ]
    db.session.add_all(registrations)
    db.session.flush()
    db.session.add_all(OptionPick(registration_id=r.id, option_id=option) for r in registrations)
    db.session.commit()
    db.session.expunge_all()


def test_list_export_and_api_use_a_fixed_number_of_queries(client):
    event = make_event(slug="pic-2027")
    question = make_question(event, "Site visit", "single_choice", options=["Visit A"])
    _many_registrations(event, question)
    organiser = make_organiser()
    login(client, organiser)

    with count_queries() as page_queries:
        response = client.get("/organiser/events/pic-2027/registrations?per_page=100")
    assert response.status_code == 200
    assert f"{N} in all" in response.get_data(as_text=True)

    with count_queries() as csv_queries:
        response = client.get("/organiser/events/pic-2027/registrations.csv")
    assert response.status_code == 200
    assert response.data.decode("utf-8-sig").count("\n") == N + 1

    with count_queries() as api_queries:
        response = client.get("/api/v1/events/pic-2027/registrations?per_page=500")
    assert response.status_code == 200
    assert response.json["total"] == N and len(response.json["items"]) == 500

    # Users, organisations and clusters are joined in; nothing is loaded row by row.
    assert len(page_queries) <= 15, page_queries
    assert len(csv_queries) <= 10, csv_queries
    assert len(api_queries) <= 10, api_queries
