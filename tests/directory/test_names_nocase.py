"""Cluster and organisation names are unique whatever their case, in the database itself:
two organisers saving "Agri Cluster" and "AGRI CLUSTER" at the same moment get one cluster
and one "already exists" next to the name."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from pic_events.core.validation import ServiceValidationError
from pic_events.directory import services
from pic_events.directory.models import Cluster, Organisation
from pic_events.extensions import db
from tests.factories import login, make_cluster, make_organisation, make_organiser


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_the_database_refuses_a_name_differing_only_in_case(app):
    make_cluster("Agri Cluster")
    make_organisation("Terra Botanica")
    db.session.add(Cluster(name="AGRI CLUSTER", country="FR"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    db.session.add(Organisation(name="terra botanica", country="FR"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    assert (count(Cluster), count(Organisation)) == (1, 1)


def test_when_the_check_is_passed_the_index_still_says_already_exists(app, monkeypatch):
    make_cluster("Agri Cluster")
    make_organisation("Terra Botanica")
    monkeypatch.setattr(services, "_name_taken", lambda *args: False)
    with pytest.raises(ServiceValidationError) as cluster_error:
        services.create_cluster({"name": "agri cluster", "country": "FR"})
    with pytest.raises(ServiceValidationError) as organisation_error:
        services.create_organisation({"name": "TERRA BOTANICA", "country": "FR"})
    assert cluster_error.value.errors == {"name": ["A cluster with this name already exists."]}
    assert organisation_error.value.errors == {
        "name": ["An organisation with this name already exists."]
    }


def test_the_form_says_already_exists_next_to_the_name(app, client, monkeypatch):
    make_cluster("Agri Cluster")
    monkeypatch.setattr(services, "_name_taken", lambda *args: False)
    login(client, make_organiser())
    response = client.post(
        "/organiser/clusters/new",
        data={"name": "AGRI cluster", "country": "FR", "membership": "partner"},
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "A cluster with this name already exists." in page
    assert 'value="AGRI cluster"' in page
    assert count(Cluster) == 1


def test_two_organisers_saving_one_name_in_two_cases_at_once(app, monkeypatch):
    """Both pass the Python check (a barrier holds them there); the index decides."""
    checked = threading.Barrier(2)
    original = services._name_taken

    def check_then_wait(*args):
        taken = original(*args)
        checked.wait(timeout=10)
        return taken

    monkeypatch.setattr(services, "_name_taken", check_then_wait)

    def create(name: str) -> str:
        with app.app_context():
            try:
                services.create_cluster({"name": name, "country": "FR"})
                return "created"
            except ServiceValidationError as error:
                return error.errors["name"][0]
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = sorted(pool.map(create, ["Agri Cluster", "AGRI CLUSTER"]))
    assert outcomes == ["A cluster with this name already exists.", "created"]
    assert count(Cluster) == 1
