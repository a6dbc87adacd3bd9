import re

import pytest
from sqlalchemy import select

from pic_events.core.validation import ServiceValidationError
from pic_events.directory import services
from pic_events.directory.models import Cluster
from pic_events.extensions import db
from tests.factories import login, make_cluster, make_organisation, make_organiser


@pytest.fixture
def organiser_client(client):
    login(client, make_organiser())
    return client


def cluster_data(**overrides):
    data = {
        "name": "VEGEPOLYS VALLEY",
        "country": "FR",
        "membership": "steering",
        "sectors": ["ornamental", "seeds"],
        "website": "https://www.vegepolys-valley.eu",
    }
    data.update(overrides)
    return data


def clusters() -> list[Cluster]:
    return list(db.session.scalars(select(Cluster).order_by(Cluster.id)))


def test_create_cluster(organiser_client):
    response = organiser_client.post("/organiser/clusters/new", data=cluster_data())
    assert response.status_code == 302
    (cluster,) = clusters()
    assert (cluster.name, cluster.country, cluster.steering_committee) == (
        "VEGEPOLYS VALLEY",
        "FR",
        True,
    )
    assert cluster.sectors == ["ornamental", "seeds"]
    assert cluster.website == "https://www.vegepolys-valley.eu"
    page = organiser_client.get("/organiser/clusters").get_data(as_text=True)
    assert "VEGEPOLYS VALLEY" in page and "France" in page and "Ornamental horticulture" in page


def test_website_without_scheme_gets_https(organiser_client):
    organiser_client.post("/organiser/clusters/new", data=cluster_data(website="www.agro.es"))
    assert clusters()[0].website == "https://www.agro.es"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"name": ""}, "This field is required"),
        ({"country": "XX"}, "Not a valid choice"),
        ({"website": "not a url"}, "Give a web address"),
        ({"website": "ftp://files.example.org"}, "Give a web address"),
        ({"website": "https://localhost"}, "Give a web address"),
        ({"sectors": ["bananas"]}, "is not a valid choice for this field"),
    ],
)
def test_create_cluster_validation(organiser_client, overrides, message):
    response = organiser_client.post("/organiser/clusters/new", data=cluster_data(**overrides))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in page and "is-invalid" in page
    assert clusters() == []


def test_duplicate_cluster_name_is_a_field_error(organiser_client):
    make_cluster("VEGEPOLYS VALLEY")
    response = organiser_client.post(
        "/organiser/clusters/new", data=cluster_data(name="vegepolys valley")
    )
    page = response.get_data(as_text=True)
    assert "A cluster with this name already exists" in page
    assert 'value="vegepolys valley"' in page
    assert len(clusters()) == 1


def test_edit_cluster(organiser_client):
    cluster = make_cluster("Agropolis", steering=True, sectors=["seeds"])
    form = organiser_client.get(f"/organiser/clusters/{cluster.id}/edit").get_data(as_text=True)
    assert 'value="Agropolis"' in form
    assert re.search(r'<input checked[^>]*value="seeds"', form)
    assert not re.search(r'<input checked[^>]*value="cereals"', form)
    response = organiser_client.post(
        f"/organiser/clusters/{cluster.id}/edit",
        data=cluster_data(name="Agropolis Fondation", membership="partner", sectors=["cereals"]),
    )
    assert response.status_code == 302
    db.session.refresh(cluster)
    assert cluster.name == "Agropolis Fondation"
    assert cluster.steering_committee is False
    assert cluster.sectors == ["cereals"]


def test_edit_cluster_to_taken_name(organiser_client):
    make_cluster("Taken")
    cluster = make_cluster("Mine")
    response = organiser_client.post(
        f"/organiser/clusters/{cluster.id}/edit", data=cluster_data(name="Taken")
    )
    assert "already exists" in response.get_data(as_text=True)
    db.session.refresh(cluster)
    assert cluster.name == "Mine"


def test_edit_unknown_cluster_is_404(organiser_client):
    assert organiser_client.get("/organiser/clusters/999/edit").status_code == 404


def test_list_search_filter_and_empty_states(organiser_client):
    page = organiser_client.get("/organiser/clusters").get_data(as_text=True)
    assert "No cluster yet" in page
    steering = make_cluster("Valinov", steering=True, country="FR")
    make_cluster("Ornamental Kenya", country="KE")
    make_organisation("Member one", cluster=steering)

    page = organiser_client.get("/organiser/clusters?steering=steering").get_data(as_text=True)
    assert "Valinov" in page and "Ornamental Kenya" not in page
    page = organiser_client.get("/organiser/clusters?country=KE").get_data(as_text=True)
    assert "Ornamental Kenya" in page and "Valinov" not in page
    page = organiser_client.get("/organiser/clusters?q=kEnY").get_data(as_text=True)
    assert "Ornamental Kenya" in page and "Valinov" not in page
    page = organiser_client.get("/organiser/clusters?q=nothing").get_data(as_text=True)
    assert "No cluster matches these filters" in page


def test_list_is_paginated(app, organiser_client):
    app.config["PER_PAGE"] = 2
    for name in ("A cluster", "B cluster", "C cluster"):
        make_cluster(name)
    first = organiser_client.get("/organiser/clusters").get_data(as_text=True)
    second = organiser_client.get("/organiser/clusters?page=2").get_data(as_text=True)
    assert "A cluster" in first and "C cluster" not in first
    assert "C cluster" in second and "A cluster" not in second
    assert "3 in all" in first


def test_service_rejects_unknown_country_and_sector(app):
    with pytest.raises(ServiceValidationError) as error:
        services.create_cluster(
            {"name": "X", "country": "QQ", "sectors": ["bananas"], "website": "http://a b"}
        )
    assert set(error.value.errors) == {"country", "sectors", "website"}
    assert clusters() == []


def test_service_turns_integrity_error_into_field_error(app, monkeypatch):
    make_cluster("Racing")
    # As if another request inserted the same name between the check and the commit.
    monkeypatch.setattr(services, "_name_taken", lambda *args: False)
    with pytest.raises(ServiceValidationError) as error:
        services.create_cluster({"name": "Racing", "country": "FR"})
    assert error.value.errors == {"name": ["A cluster with this name already exists."]}
    assert len(clusters()) == 1
