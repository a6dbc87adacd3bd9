"""Profiles and the catalogue: who sees whom, search without accents, filters, free slots."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from flask import current_app

from pic_events.core.validation import NotFoundError, PermissionDenied, ServiceValidationError
from pic_events.extensions import db
from pic_events.matchmaking import booking, catalogue, profiles
from pic_events.matchmaking.folding import fold
from pic_events.matchmaking.models import MatchProfile, Unavailability
from pic_events.registration import privacy
from tests.factories import (
    api_auth,
    b2b_slots,
    login,
    make_b2b_event,
    make_event,
    make_organiser,
    make_registration,
    make_user,
)
from tests.matchmaking.profile_helpers import person


def _search(event, me=None, **filters) -> list[str]:
    """The names the API's catalogue lists for these filters, seen by `me` (None: an
    organiser with no registration)."""
    viewer = me.user if me is not None else make_organiser()
    args = {k: str(v).lower() if isinstance(v, bool) else v for k, v in filters.items()}
    response = current_app.test_client().get(
        f"/api/v1/events/{event.slug}/participants",
        query_string={**args, "per_page": 500},
        headers=api_auth(viewer),
    )
    assert response.status_code == 200, response.get_json()
    return [p["name"] for p in response.get_json()["items"]]


def test_fold_makes_lower_case_ascii_words():
    assert fold("Łódź, Weiß-Østergaard") == "lodz weiss ostergaard"
    assert fold("Æbeltoft Œnologie Đurđević Işık São Paulo") == (
        "aebeltoft oenologie durdevic isik sao paulo"
    )
    assert fold("  ") == "" and fold(None) == ""


def test_search_ignores_case_and_accents_on_both_databases(app):
    event = make_b2b_event()
    person(event, "Anna Kowalska", organisation="Uniwersytet Łódź", country="PL")
    person(event, "Jürgen Weiß", organisation="Saatgut GmbH", country="DE")
    person(event, "Mette Østergaard", organisation="Nordisk Frø", country="DK")
    person(event, "Ana García", organisation="Agrotech Almería", country="ES")
    assert _search(event, q="lodz") == ["Anna Kowalska"]
    assert _search(event, q="ŁÓDŹ") == ["Anna Kowalska"]
    assert _search(event, q="weiss") == ["Jürgen Weiß"]
    assert _search(event, q="WEIß") == ["Jürgen Weiß"]
    assert _search(event, q="ostergaard") == ["Mette Østergaard"]
    assert _search(event, q="garcia almeria") == ["Ana García"]  # every word must match
    assert _search(event, q="garcia lodz") == []
    assert _search(event, q="denmark") == ["Mette Østergaard"]  # the country's name
    assert _search(event, q="100%_") == []  # LIKE's wildcards are plain text


def test_search_finds_profile_text_keywords_calls_and_cluster(app):
    event = make_b2b_event()
    person(
        event,
        "Ana",
        organisation="Org A",
        cluster="Végépolys Valley",
        profile={
            "offers": "High-throughput seed phenotyping",
            "keywords": ["drones"],
            "calls": ["HORIZON-CL6-2027-01-3"],
            "sectors": ["seeds"],
        },
    )
    person(event, "Ben", organisation="Org B", profile={"seeks": "cider apples"})
    assert _search(event, q="phenotyping") == ["Ana"]
    assert _search(event, q="drones") == ["Ana"]
    assert _search(event, q="cl6 2027") == ["Ana"]
    assert _search(event, q="vegepolys") == ["Ana"]
    assert _search(event, q="cider") == ["Ben"]


def test_renamed_user_and_organisation_are_found_by_their_new_names(app):
    event = make_b2b_event()
    reg = person(event, "Old Name", organisation="Old Org")
    reg.user.name = "Zoë Ørsted"
    reg.user.organisation.name = "Brand-new Société"
    db.session.commit()
    assert _search(event, q="orsted") == ["Zoë Ørsted"]
    assert _search(event, q="societe") == ["Zoë Ørsted"]
    assert _search(event, q="old") == []


def test_only_listed_confirmed_people_with_a_profile_appear(app):
    event = make_b2b_event()
    me = person(event, "Me")
    person(event, "Shown")
    hidden = person(event, "Hidden", listed=False)
    person(event, "Waiting", status="waitlisted")
    person(event, "Cancelled", status="cancelled")
    person(event, "No profile", profile=False)
    other_event = make_b2b_event()
    elsewhere = person(other_event, "Elsewhere")
    assert _search(event, me) == ["Shown"]
    assert _search(event) == ["Me", "Shown"]
    for unseen in (hidden, elsewhere):
        with pytest.raises(NotFoundError):
            profiles.visible_participant(event, unseen.id)


def test_filters_sector_country_cluster_and_kind(app):
    event = make_b2b_event()
    a = person(
        event,
        "Ana",
        organisation="A",
        country="ES",
        cluster="C1",
        kind="research",
        profile={"sectors": ["seeds", "cereals"]},
    )
    person(
        event,
        "Ben",
        organisation="B",
        country="DE",
        cluster="C2",
        kind="sme",
        profile={"sectors": ["cider"]},
    )
    person(
        event,
        "Cleo",
        organisation="C",
        country="ES",
        cluster="C3",
        kind="sme",
        profile={"sectors": ["seeds"]},
    )
    assert _search(event, sector="seeds") == ["Ana", "Cleo"]
    assert _search(event, sector="cereals") == ["Ana"]
    assert _search(event, country="ES") == ["Ana", "Cleo"]
    assert _search(event, cluster=a.user.organisation.cluster_id) == ["Ana"]
    assert _search(event, kind="sme") == ["Ben", "Cleo"]
    assert _search(event, kind="sme", country="ES", sector="seeds") == ["Cleo"]


def test_free_slots_in_common_use_meetings_and_unavailability(app):
    event = make_b2b_event(slots=2, tables=4)
    first, second = b2b_slots(event)
    me = person(event, "Me")
    busy = person(event, "Busy")
    partly = person(event, "Partly")
    away = person(event, "Away")
    partner = person(event, "Partner")
    booking.book(event, [me.id, partner.id], first.id)  # I am free in the second only
    booking.book(event, [busy.id, person(event, "X", listed=False).id], second.id)
    db.session.add(Unavailability(registration_id=away.id, slot_id=second.id))
    db.session.commit()
    assert _search(event, me, common_free=True) == ["Partly", "Partner"]
    assert [s.id for s in profiles.common_free_slots(event, me, partly.id)] == [second.id]
    assert profiles.common_free_slots(event, me, busy.id) == []
    assert profiles.common_free_slots(event, me, away.id) == []


def test_save_profile_checks_its_input_and_changes_nothing_when_wrong(app):
    event = make_b2b_event()
    reg = person(event, "Ana", profile=False)
    with pytest.raises(ServiceValidationError) as refused:
        profiles.save_profile(
            reg,
            profiles.ProfileInput(
                offers="x" * 2001,
                sectors=["rice"],
                partner_kinds=["alien"],
                calls=[f"c{i}" for i in range(11)],
            ),
        )
    assert set(refused.value.errors) == {"offers", "sectors", "partner_kinds", "calls"}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MatchProfile)) == 0


def test_start_from_my_profile_of_last_year(app):
    user = make_user(name="Ana")
    last = make_b2b_event()
    older = make_b2b_event()
    profiles.save_profile(
        make_registration(older, user), profiles.ProfileInput(offers="old offers")
    )
    profiles.save_profile(
        make_registration(last, user),
        profiles.ProfileInput(offers="Seed phenotyping", sectors=["seeds"], calls=["HORIZON-X"]),
    )
    event = make_b2b_event()
    reg = make_registration(event, user)
    assert profiles.previous_profile(reg).offers == "Seed phenotyping"
    copied = profiles.copy_previous_profile(reg)
    assert (copied.offers, copied.sectors, copied.calls) == (
        "Seed phenotyping",
        ["seeds"],
        ["HORIZON-X"],
    )
    assert copied.registration_id == reg.id
    stranger = make_registration(event)
    with pytest.raises(NotFoundError):
        profiles.copy_previous_profile(stranger)


def test_only_confirmed_participants_and_organisers_may_browse(app):
    event = make_b2b_event()
    person(event, "Shown")
    pending = person(event, "Pending", status="pending", profile=False)
    with pytest.raises(PermissionDenied):
        profiles.check_may_browse(event, pending.user)
    with pytest.raises(PermissionDenied):
        profiles.check_may_browse(event, make_user())
    assert profiles.check_may_browse(event, make_organiser()) is None
    off = make_event()
    confirmed = make_registration(off)
    with pytest.raises(PermissionDenied):
        profiles.check_may_browse(off, confirmed.user)  # matchmaking is off there


# --- pages ---------------------------------------------------------------------------


def test_profile_form_keeps_what_was_typed_and_shows_errors(client):
    event = make_b2b_event()
    reg = person(event, "Ana", profile=False)
    login(client, reg.user)
    page = client.get(f"/events/{event.slug}/b2b/profile")
    assert page.status_code == 200 and b"What you offer" in page.data
    bad = client.post(
        f"/events/{event.slug}/b2b/profile",
        data={"offers": "Seed phenotyping ÉCOLE", "seeks": "x" * 2001, "sectors": ["seeds"]},
    )
    assert bad.status_code == 422
    text = bad.get_data(as_text=True)
    assert "Seed phenotyping ÉCOLE" in text and "At most 2000 characters." in text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MatchProfile)) == 0
    good = client.post(
        f"/events/{event.slug}/b2b/profile",
        data={
            "offers": "Seed phenotyping",
            "seeks": "Breeders",
            "sectors": ["seeds"],
            "keywords": "drones, imaging; drones",
            "calls": "HORIZON-CL6-2027-01-3",
            "partner_kinds": ["sme", "research"],
        },
    )
    assert good.status_code == 302
    profile = db.session.scalar(sa.select(MatchProfile))
    assert profile.keywords == ["drones", "imaging"] and profile.partner_kinds == [
        "sme",
        "research",
    ]
    db.session.refresh(reg)
    assert reg.listed is False  # the box was not ticked: hidden
    shown = client.get(f"/events/{event.slug}/b2b/profile")
    assert b"drones, imaging" in shown.data


def test_catalogue_and_participant_pages(client):
    event = make_b2b_event(slots=3)
    me = person(event, "Me Myself", profile={"seeks": "seed phenotyping"})
    ana = person(
        event,
        "Ana García",
        organisation="Agrotech Almería",
        country="ES",
        profile={"offers": "seed phenotyping platform", "sectors": ["seeds"]},
    )
    login(client, me.user)
    page = client.get(f"/events/{event.slug}/b2b/participants?q=garcia")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Ana García" in text
    assert text.count('class="h5 card-title') == 1  # not me
    empty = client.get(f"/events/{event.slug}/b2b/participants?q=nobody")
    assert "Nobody matches these filters." in empty.get_data(as_text=True)
    detail = client.get(f"/events/{event.slug}/b2b/participants/{ana.id}")
    text = detail.get_data(as_text=True)
    assert "seed phenotyping platform" in text and "Request a meeting" in text
    assert f"/events/{event.slug}/b2b/request/{ana.id}" in text
    assert text.count("<li>") >= 3  # our three free slots
    recommended = client.get(f"/events/{event.slug}/b2b/recommendations")
    assert "Offers seed phenotyping, which you seek" in recommended.get_data(as_text=True)


def test_pages_refuse_people_who_may_not_see_them(client):
    event = make_b2b_event()
    ana = person(event, "Ana")
    hidden = person(event, "Hidden", listed=False)
    outsider = make_user()
    login(client, outsider)
    refused = client.get(f"/events/{event.slug}/b2b/participants")
    assert refused.status_code == 403
    assert "confirmed participants" in refused.get_data(as_text=True)
    assert client.get(f"/events/{event.slug}/b2b/participants/{ana.id}").status_code == 403
    assert client.get(f"/events/{event.slug}/b2b/profile").status_code == 403
    login(client, make_organiser())  # organisers see the catalogue, with no request button
    assert "Ana" in client.get(f"/events/{event.slug}/b2b/participants").get_data(as_text=True)
    page = client.get(f"/events/{event.slug}/b2b/participants/{ana.id}")
    assert page.status_code == 200 and b"Request a meeting" not in page.data
    login(client, ana.user)
    assert client.get(f"/events/{event.slug}/b2b/participants/{hidden.id}").status_code == 404
    assert client.get(f"/events/{event.slug}/b2b/participants/99999999999").status_code == 404


# --- API -----------------------------------------------------------------------------


def test_api_catalogue_is_paged_and_filtered(client):
    event = make_b2b_event()
    me = person(event, "Me")
    for i, name in enumerate(["Łukasz Wójcik", "Jörg Weiß", "Søren Østergaard"]):
        person(
            event,
            name,
            organisation=f"Org {i}",
            country=["PL", "DE", "DK"][i],
            profile={"sectors": ["seeds"] if i else ["cider"]},
        )
    auth = api_auth(me.user)
    response = client.get(f"/api/v1/events/{event.slug}/participants?per_page=2", headers=auth)
    body = response.get_json()
    assert response.status_code == 200
    assert (body["total"], body["page"], body["per_page"], len(body["items"])) == (3, 1, 2, 2)
    assert set(body["items"][0]) >= {
        "registration_id",
        "name",
        "organisation",
        "country",
        "cluster",
        "sectors",
        "offers",
        "seeks",
    }
    found = client.get(
        f"/api/v1/events/{event.slug}/participants?q=lukasz+wojcik", headers=auth
    ).get_json()
    assert [p["name"] for p in found["items"]] == ["Łukasz Wójcik"]
    seeds = client.get(
        f"/api/v1/events/{event.slug}/participants?sector=seeds&country=dk", headers=auth
    ).get_json()
    assert [p["name"] for p in seeds["items"]] == ["Søren Østergaard"]
    bad = client.get(f"/api/v1/events/{event.slug}/participants?sector=rice", headers=auth)
    assert bad.status_code == 422 and bad.mimetype == "application/problem+json"


def test_api_lists_what_the_page_lists_in_its_order_and_pages(client):
    event = make_b2b_event()
    me = person(event, "Me")
    for name in ["cy Third", "Ana First", "bo Second", "Di Elsewhere"]:
        country = "PL" if name == "Di Elsewhere" else "DE"
        person(event, name, organisation=f"{name} Org", country=country)
    url = f"/api/v1/events/{event.slug}/participants?country=de&per_page=2"
    auth = api_auth(me.user)

    def listed(page: int) -> tuple:
        body = client.get(f"{url}&page={page}", headers=auth).get_json()
        names = [p["name"] for p in body["items"]]
        return names, body["total"], body["page"], body["per_page"]

    assert listed(1) == (["Ana First", "bo Second"], 3, 1, 2)  # by name, case ignored
    assert listed(2) == (["cy Third"], 3, 2, 2)
    assert listed(3) == ([], 3, 3, 2)  # past the last page: empty, never an error
    login(client, me.user)
    html = client.get(f"/events/{event.slug}/b2b/participants?country=DE").get_data(as_text=True)
    shown = [n for n in ["Ana First", "bo Second", "cy Third"] if n in html]
    assert sorted(shown, key=html.index) == ["Ana First", "bo Second", "cy Third"]
    assert "Di Elsewhere" not in html


def test_api_put_profile_and_errors(client):
    event = make_b2b_event()
    me = person(event, "Me", profile=False)
    auth = api_auth(me.user)
    url = f"/api/v1/events/{event.slug}/profile"
    assert client.get(url, headers=auth).status_code == 404
    ok = client.put(
        url,
        json={"offers": "Drones", "sectors": ["seeds"], "partner_kinds": ["sme"], "listed": True},
        headers=auth,
    )
    assert ok.status_code == 200, ok.get_json()
    assert ok.get_json()["offers"] == "Drones" and ok.get_json()["listed"] is True
    assert client.get(url, headers=auth).get_json()["sectors"] == ["seeds"]
    bad = client.put(url, json={"sectors": ["rice"]}, headers=auth)
    assert bad.status_code == 422 and bad.mimetype == "application/problem+json"
    assert "sectors" in bad.get_json()["errors"]
    assert db.session.scalar(sa.select(MatchProfile.offers)) == "Drones"  # unchanged
    stranger = api_auth(make_user())
    refused = client.put(url, json={"offers": "x"}, headers=stranger)
    assert refused.status_code == 403 and refused.mimetype == "application/problem+json"
    assert client.put(url, json={"offers": "x"}).status_code == 401


def test_api_recommendations_have_score_and_reason(client):
    event = make_b2b_event()
    me = person(
        event,
        "Me",
        country="FR",
        organisation="Mine",
        profile={"offers": "seed phenotyping", "seeks": "cereal breeding"},
    )
    person(
        event,
        "Ana",
        organisation="Theirs",
        country="PL",
        profile={"seeks": "a partner for seed phenotyping", "offers": "cereal breeding"},
    )
    person(event, "Nothing in common", profile={"offers": "cider"})
    body = client.get(
        f"/api/v1/events/{event.slug}/recommendations", headers=api_auth(me.user)
    ).get_json()
    [first] = body["items"]
    assert first["name"] == "Ana" and first["score"] > 0
    assert "seed phenotyping" in first["reason"] and first["reason"].endswith(".")


def test_openapi_documents_the_endpoints(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "get" in paths["/api/v1/events/{slug}/participants"]
    assert "put" in paths["/api/v1/events/{slug}/profile"]
    assert "get" in paths["/api/v1/events/{slug}/recommendations"]


# --- privacy -------------------------------------------------------------------------


def test_profiles_are_exported_and_deleted_with_the_account(client):
    event = make_b2b_event()
    reg = person(event, "Zoé", profile={"offers": "Secret sauce"})
    data = privacy.export_user_data(reg.user)
    [exported] = data["matchmaking_profiles"]
    assert exported["offers"] == "Secret sauce" and exported["event"] == event.slug
    login(client, reg.user)
    assert client.get("/account/my-data.json").status_code == 200
    assert "Secret sauce" in json.dumps(json.loads(client.get("/account/my-data.json").data))
    privacy.delete_account(reg.user)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MatchProfile)) == 0


def test_an_anonymised_registration_loses_its_profile(app):
    event = make_b2b_event()
    reg = person(event, "Zoé", profile={"offers": "Secret sauce"})
    other = person(event, "Kept")
    privacy.anonymise(reg)
    db.session.commit()
    remaining = db.session.scalars(sa.select(MatchProfile.registration_id)).all()
    assert remaining == [other.id]


def test_recommendations_leave_out_hidden_people_and_those_i_meet(app):
    event = make_b2b_event(slots=2)
    me = person(event, "Me", profile={"offers": "seed phenotyping", "seeks": "cereal breeding"})
    match = {"seeks": "seed phenotyping", "offers": "cereal breeding"}
    shown = person(event, "Shown", profile=match)
    person(event, "Hidden", listed=False, profile=match)
    person(event, "Waiting", status="waitlisted", profile=match)
    met = person(event, "Met", profile=match)
    booking.book(event, [me.id, met.id], b2b_slots(event)[0].id)
    ranked = catalogue.recommendations(event, me)
    assert [r.person.registration_id for r in ranked] == [shown.id]
    assert ranked[0].reason == (
        "Seeks a partner for seed phenotyping, which you offer; "
        "offers cereal breeding, which you seek."
    )
    assert catalogue.recommendations(event, person(event, "No profile", profile=False)) == []


def test_recommendations_follow_edited_profiles_and_organisations(app):
    """The ranking keeps each participant's words per worker: an edit is seen at once."""
    event = make_b2b_event()
    me = person(event, "Me", profile={"offers": "seed phenotyping", "seeks": "cereal breeding"})
    other = person(event, "Other", organisation="Agrobio", profile={"seeks": "orchard drones"})
    assert catalogue.recommendations(event, me) == []
    profiles.save_profile(other, profiles.ProfileInput(seeks="seed phenotyping"))
    ranked = catalogue.recommendations(event, me)
    assert [r.person.registration_id for r in ranked] == [other.id]
    assert ranked[0].reason.startswith("Seeks a partner for seed phenotyping")
    other.user.organisation.kind = "research"
    db.session.commit()
    profiles.save_profile(me, profiles.ProfileInput(partner_kinds=["research"]))
    ranked = catalogue.recommendations(event, me)
    assert "kind of partner you look for" in ranked[0].reason


def test_an_unlisted_person_still_gets_recommendations(app):
    event = make_b2b_event()
    me = person(event, "Me", listed=False, profile={"offers": "seed phenotyping"})
    other = person(event, "Other", profile={"seeks": "seed phenotyping"})
    assert [r.person.registration_id for r in catalogue.recommendations(event, me)] == [other.id]


def test_two_first_saves_at_once_leave_one_profile(pg_app):
    """Two tabs saving a new profile at the same moment: one row, no error."""
    import threading

    from pic_events.registration.models import Registration

    event = make_b2b_event()
    registration_id = person(event, "Ana", profile=False).id
    barrier = threading.Barrier(6)
    outcomes = []

    def save(i):
        with pg_app.app_context():
            try:
                barrier.wait()
                registration = db.session.get(Registration, registration_id)
                profiles.save_profile(registration, profiles.ProfileInput(offers=f"offer {i}"))
                outcomes.append("ok")
            except Exception as error:  # noqa: BLE001 (the test reports any failure)
                outcomes.append(repr(error))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=save, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes == ["ok"] * 6
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MatchProfile)) == 1


def test_start_from_last_year_page(client):
    user = make_user(name="Ana")
    last = make_b2b_event()
    profiles.save_profile(make_registration(last, user), profiles.ProfileInput(offers="Drones"))
    event = make_b2b_event()
    make_registration(event, user)
    login(client, user)
    page = client.get(f"/events/{event.slug}/b2b/profile")
    assert b"Start from my profile of last time" in page.data
    done = client.post(f"/events/{event.slug}/b2b/profile/copy", follow_redirects=True)
    assert done.status_code == 200 and b"Drones" in done.data
    assert b"Start from my profile of last time" not in done.data
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MatchProfile)) == 2
