import pytest
from sqlalchemy import select

from pic_events.core.validation import ServiceValidationError
from pic_events.directory import services
from pic_events.directory.models import Organisation
from pic_events.extensions import db
from tests.factories import login, make_cluster, make_organisation, make_organiser


@pytest.fixture
def organiser_client(client):
    login(client, make_organiser())
    return client


def organisation_data(**overrides):
    data = {
        "name": "Limagrain",
        "cluster_id": "",
        "country": "FR",
        "kind": "large",
        "description": "Seeds cooperative",
    }
    data.update(overrides)
    return data


def organisations() -> list[Organisation]:
    return list(db.session.scalars(select(Organisation).order_by(Organisation.id)))


def test_create_organisation(organiser_client):
    cluster = make_cluster("Céréales Vallée")
    response = organiser_client.post(
        "/organiser/organisations/new", data=organisation_data(cluster_id=str(cluster.id))
    )
    assert response.status_code == 302
    (organisation,) = organisations()
    assert organisation.cluster_id == cluster.id
    assert (organisation.kind, organisation.country) == ("large", "FR")
    assert organisation.description == "Seeds cooperative"
    page = organiser_client.get("/organiser/organisations").get_data(as_text=True)
    assert "Limagrain" in page and "Large company" in page and "Céréales Vallée" in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"name": ""}, "This field is required"),
        ({"country": "XX"}, "Not a valid choice"),
        ({"kind": "alien"}, "Not a valid choice"),
        ({"cluster_id": "999"}, "Not a valid choice"),
    ],
)
def test_create_organisation_validation(organiser_client, overrides, message):
    response = organiser_client.post(
        "/organiser/organisations/new", data=organisation_data(**overrides)
    )
    assert message in response.get_data(as_text=True)
    assert organisations() == []


def test_duplicate_organisation_name(organiser_client):
    make_organisation("Limagrain")
    response = organiser_client.post(
        "/organiser/organisations/new", data=organisation_data(name=" LIMAGRAIN ")
    )
    assert "An organisation with this name already exists" in response.get_data(as_text=True)
    assert len(organisations()) == 1


def test_edit_organisation(organiser_client):
    cluster = make_cluster()
    organisation = make_organisation("Old name", cluster=cluster)
    form = organiser_client.get(f"/organiser/organisations/{organisation.id}/edit")
    assert f'<option selected value="{cluster.id}">' in form.get_data(as_text=True)
    response = organiser_client.post(
        f"/organiser/organisations/{organisation.id}/edit",
        data=organisation_data(name="New name", kind="research"),
    )
    assert response.status_code == 302
    db.session.refresh(organisation)
    assert (organisation.name, organisation.kind, organisation.cluster_id) == (
        "New name",
        "research",
        None,
    )


def test_list_filters(organiser_client):
    assert "No organisation yet" in organiser_client.get("/organiser/organisations").get_data(
        as_text=True
    )
    steering = make_cluster("Steering one", steering=True)
    partner = make_cluster("Partner one", country="CA")
    make_organisation("Alpha Seeds", cluster=steering, kind="sme")
    make_organisation("Maple Lab", cluster=partner, country="CA", kind="research")

    def names(query: str) -> set[str]:
        page = organiser_client.get(f"/organiser/organisations?{query}").get_data(as_text=True)
        return {name for name in ("Alpha Seeds", "Maple Lab") if name in page}

    assert names("") == {"Alpha Seeds", "Maple Lab"}
    assert names("country=CA") == {"Maple Lab"}
    assert names(f"cluster={steering.id}") == {"Alpha Seeds"}
    assert names("kind=research") == {"Maple Lab"}
    assert names("steering=steering") == {"Alpha Seeds"}
    assert names("q=alpha") == {"Alpha Seeds"}
    assert names("q=100%25") == set()
    page = organiser_client.get("/organiser/organisations?q=zzz").get_data(as_text=True)
    assert "No organisation matches these filters" in page


def test_service_validation(app):
    with pytest.raises(ServiceValidationError) as error:
        services.create_organisation(
            {"name": "", "country": "ZZ", "kind": "alien", "cluster_id": "abc"}
        )
    assert set(error.value.errors) == {"name", "country", "kind", "cluster_id"}
    assert organisations() == []
