"""The rules of ideas, roles and interest, through the service functions."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from pic_events.consortia import services
from pic_events.consortia.models import Idea, Interest, Role
from pic_events.consortia.services import ConsortiumConflict, IdeaFilters, IdeaInput, RoleInput
from pic_events.core.validation import NotFoundError, PermissionDenied, ServiceValidationError
from pic_events.extensions import db
from tests.consortia.helpers import idea, join, mails_to, person
from tests.factories import make_event, make_organiser, make_user


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_a_registered_participant_posts_an_idea_and_leads_it(app):
    event = make_event()
    ana = person(event, "Ana", "ES")
    posted = idea(
        event,
        ana,
        roles=[("sme", "a seed company for field trials", ["IT", "es"]), ("research", "", [])],
        keywords=[" apple ", "Apple", "low pesticide"],
    )
    assert posted.lead_id == ana.id and posted.status == "open"
    assert posted.keywords == ["apple", "low pesticide"]
    assert [(r.kind, r.countries) for r in posted.roles] == [
        ("sme", ["ES", "IT"]),
        ("research", []),
    ]
    assert services.countries_covered(posted) == ["ES"]


@pytest.mark.parametrize("status", ["pending", "waitlisted", "cancelled"])
def test_only_confirmed_participants_post_ideas(app, status):
    event = make_event()
    someone = person(event, "Ben", status=status)
    with pytest.raises(PermissionDenied):
        idea(event, someone)
    with pytest.raises(PermissionDenied):
        services.create_idea(event, make_organiser(), IdeaInput(title="Organisers' idea"))
    assert count(Idea) == 0


def test_bad_input_is_refused_field_by_field_and_nothing_is_written(app):
    event = make_event()
    ana = person(event, "Ana")
    with pytest.raises(ServiceValidationError) as refused:
        services.create_idea(
            event,
            ana.user,
            IdeaInput(title=" ", sectors=["bananas"], keywords=["x" * 61]),
            [RoleInput(kind="astronaut", countries=["XX"])],
        )
    assert set(refused.value.errors) == {
        "title",
        "sectors",
        "keywords",
        "roles.0.kind",
        "roles.0.countries",
    }
    assert count(Idea) == 0 and count(Role) == 0


def test_only_the_lead_edits_and_adds_roles(app):
    event = make_event()
    ana, ben = person(event, "Ana"), person(event, "Ben")
    posted = idea(event, ana)
    with pytest.raises(PermissionDenied):
        services.update_idea(posted, ben.user, IdeaInput(title="Mine now"))
    with pytest.raises(PermissionDenied):
        services.add_role(posted, ben.user, RoleInput(kind="sme"))
    services.update_idea(posted, ana.user, IdeaInput(title="Cider-waste biorefinery"))
    services.add_role(posted, ana.user, RoleInput(kind="end_user", description="a cider mill"))
    db.session.refresh(posted)
    assert posted.title == "Cider-waste biorefinery" and len(posted.roles) == 2


def test_interest_mails_the_lead_and_a_second_ask_is_a_conflict(app):
    event = make_event()
    ana, ben = person(event, "Ana"), person(event, "Ben")
    role = idea(event, ana, title="Greenhouse twin").roles[0]
    interest = services.express_interest(role, ben.user, "Our lab does sensors")
    assert interest.status == "pending" and not interest.invited
    assert mails_to(ana.user.email) == ["Interest in your idea: Greenhouse twin"]
    with pytest.raises(ConsortiumConflict) as refused:
        services.express_interest(role, ben.user, "again")
    assert refused.value.code == "already_asked"
    with pytest.raises(ConsortiumConflict) as refused:
        services.express_interest(role, ana.user, "")
    assert refused.value.code == "own_idea"
    assert count(Interest) == 1


def test_accepting_fills_the_role_and_closes_the_other_candidates(app):
    event = make_event()
    ana, ben, cleo = person(event, "Ana"), person(event, "Ben", "DE"), person(event, "Cleo")
    role = idea(event, ana, title="Apple trials").roles[0]
    for_ben = services.express_interest(role, ben.user, "")
    for_cleo = services.express_interest(role, cleo.user, "")
    with pytest.raises(PermissionDenied):
        services.accept_interest(for_ben, cleo.user)
    services.accept_interest(for_ben, ana.user)
    db.session.refresh(role)
    db.session.refresh(for_cleo)
    assert role.filled_by_id == ben.id and for_cleo.status == "declined"
    assert mails_to(ben.user.email) == ["You joined the idea: Apple trials"]
    assert mails_to(cleo.user.email) == ["Role filled: Apple trials"]
    assert services.countries_covered(role.idea) == ["DE", "FR"]
    with pytest.raises(ConsortiumConflict) as refused:
        services.express_interest(role, make_user_in(event), "")
    assert refused.value.code == "role_filled"


def make_user_in(event):
    return person(event, "Dan").user


def test_a_filled_role_cannot_be_accepted_twice(app):
    event = make_event()
    ana, ben, cleo = person(event, "Ana"), person(event, "Ben"), person(event, "Cleo")
    role = idea(event, ana).roles[0]
    for_ben = services.express_interest(role, ben.user, "")
    for_cleo = services.express_interest(role, cleo.user, "")
    services.accept_interest(for_ben, ana.user)
    with pytest.raises(ConsortiumConflict) as refused:
        services.accept_interest(for_cleo, ana.user)
    assert refused.value.code == "answered"
    db.session.refresh(role)
    assert role.filled_by_id == ben.id


def test_one_person_fills_one_role_of_an_idea_even_without_the_service(app):
    event = make_event()
    ana, ben = person(event, "Ana"), person(event, "Ben")
    posted = idea(event, ana, roles=[("sme", "", []), ("research", "", [])])
    join(posted.roles[0], ben)
    with pytest.raises(ConsortiumConflict) as refused:
        services.express_interest(posted.roles[1], ben.user, "")
    assert refused.value.code == "already_partner"
    posted.roles[1].filled_by_id = ben.id
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_the_lead_invites_and_the_invitee_answers(app):
    event = make_event()
    ana, ben = person(event, "Ana"), person(event, "Ben")
    role = idea(event, ana, title="Seed bank").roles[0]
    invitation = services.invite(role, ana.user, ben.id, "Join us?")
    assert invitation.invited and mails_to(ben.user.email) == [
        "Invitation to a project idea: Seed bank"
    ]
    with pytest.raises(PermissionDenied):
        services.accept_interest(invitation, ana.user)  # the invitee answers, not the lead
    services.accept_interest(invitation, ben.user)
    assert mails_to(ana.user.email)[-1] == "Invitation accepted: Seed bank"
    db.session.refresh(role)
    assert role.filled_by_id == ben.id


def test_ideas_are_for_the_events_participants_and_confidential_details_for_partners(app):
    event = make_event()
    ana, ben, cleo = person(event, "Ana"), person(event, "Ben"), person(event, "Cleo")
    outsider = person(make_event(), "Olga")
    posted = idea(event, ana, confidential=True, summary="secret sauce")
    join(posted.roles[0], ben)
    with pytest.raises(NotFoundError):
        services.access_to(posted, outsider.user)
    with pytest.raises(PermissionDenied):
        services.list_ideas(event, outsider.user)
    assert not services.shows_details(posted, services.access_to(posted, cleo.user))
    assert services.shows_details(posted, services.access_to(posted, ben.user))
    assert services.shows_details(posted, services.access_to(posted, make_organiser()))
    (row,) = services.list_ideas(event, cleo.user).all
    assert not row.details
    # Cleo's search cannot reach the hidden summary.
    assert services.list_ideas(event, cleo.user, IdeaFilters(q="sauce")).all == []
    assert len(services.list_ideas(event, ben.user, IdeaFilters(q="SAUCE")).all) == 1


def test_filters_call_sector_role_kind_and_missing_country(app):
    event = make_event()
    ana, ben = person(event, "Ana", "FR"), person(event, "Ben", "ES")
    cider = idea(
        event,
        ana,
        title="Cider",
        call="HORIZON-CL6-2027",
        sectors=["cider"],
        roles=[("sme", "", [])],
    )
    seeds = idea(
        event,
        ben,
        title="Seeds",
        call="INTERREG-SUDOE",
        sectors=["seeds"],
        roles=[("research", "", ["PT", "ES"])],
    )

    def titles(**kw):
        return sorted(
            r.idea.title for r in services.list_ideas(event, ana.user, IdeaFilters(**kw)).all
        )

    assert titles() == ["Cider", "Seeds"]
    assert titles(call="horizon") == ["Cider"]
    assert titles(sector="seeds") == ["Seeds"]
    assert titles(role_kind="sme") == ["Cider"]
    assert titles(country="PT") == ["Cider", "Seeds"]
    assert titles(country="ES") == ["Cider"]  # Seeds has Spain already (its lead)
    assert titles(country="DE") == ["Cider"]  # Seeds' role wants Portugal or Spain only
    services.update_idea(seeds, ben.user, None, status="withdrawn")
    assert titles() == ["Cider"]
    assert cider.status == "open"


def test_ideas_that_need_someone_like_me_come_first_with_a_reason(app):
    event = make_event()
    lead = person(event, "Ana", "FR")
    me = person(
        event,
        "Ben",
        "ES",
        kind="research",
        offers="Field trials of apple varieties, orchard phenotyping",
        sectors=["fruit-vegetables"],
    )
    other = idea(event, lead, title="Mushroom packaging", sectors=["mushrooms"], roles=[])
    services.add_role(other, lead.user, RoleInput(kind="large_company"))
    fit = idea(
        event,
        lead,
        title="Low-pesticide apples",
        sectors=["fruit-vegetables"],
        roles=[("research", "field trials in southern Europe", ["ES", "IT"])],
    )
    listing = services.list_ideas(event, me.user)
    assert [r.idea.id for r in listing.recommended] == [fit.id]
    assert [r.idea.id for r in listing.others] == [other.id]
    reason = listing.recommended[0].reason
    assert reason.startswith("It needs a partner of your kind (Research or university)")
    assert "it wants a partner from Spain" in reason and "“trial”" in reason
    assert "same sectors: Fruit and vegetables" in reason


def test_withdrawing_tells_partners_and_candidates(app):
    event = make_event()
    ana, ben, cleo = person(event, "Ana"), person(event, "Ben"), person(event, "Cleo")
    posted = idea(event, ana, title="Biorefinery", roles=[("sme", "", []), ("research", "", [])])
    join(posted.roles[0], ben)
    pending = services.express_interest(posted.roles[1], cleo.user, "")
    services.update_idea(posted, ana.user, None, status="withdrawn")
    db.session.refresh(pending)
    assert pending.status == "declined"
    assert mails_to(ben.user.email)[-1] == "Idea withdrawn: Biorefinery"
    assert mails_to(cleo.user.email)[-1] == "Idea withdrawn: Biorefinery"
    with pytest.raises(ConsortiumConflict):
        services.express_interest(posted.roles[1], person(event, "Dan").user, "")


def test_status_changes_follow_the_life_of_a_proposal(app):
    event = make_event()
    ana = person(event, "Ana")
    posted = idea(event, ana)
    with pytest.raises(ServiceValidationError):
        services.update_idea(posted, ana.user, None, status="funded")
    services.update_idea(posted, ana.user, None, status="submitted")
    services.update_idea(posted, ana.user, None, status="funded")
    assert posted.status == "funded" and posted.status_changed_at is not None


def test_statistics(app):
    event = make_event()
    ana, ben, cleo = (
        person(event, "Ana", "FR"),
        person(event, "Ben", "ES"),
        person(event, "C", "IT"),
    )
    posted = idea(event, ana, roles=[("sme", "", []), ("research", "", []), ("cluster", "", [])])
    join(posted.roles[0], ben)
    join(posted.roles[1], cleo)
    idea(event, ben)
    stats = services.statistics(event)
    assert (stats.ideas, stats.roles, stats.roles_filled, stats.multinational) == (2, 4, 2, 1)


def test_removing_a_role(app):
    event = make_event()
    ana, ben = person(event, "Ana"), person(event, "Ben")
    posted = idea(event, ana, roles=[("sme", "", []), ("research", "", [])])
    join(posted.roles[0], ben)
    with pytest.raises(ConsortiumConflict):
        services.remove_role(posted.roles[0], ana.user)
    services.remove_role(posted.roles[1], ana.user)
    assert count(Role) == 1
    _ = make_user


def test_an_idea_is_carried_over_to_the_next_edition_with_its_roles_open(app):
    this_year, next_year = make_event(), make_event()
    ana, ben = person(this_year, "Ana"), person(this_year, "Ben")
    posted = idea(this_year, ana, title="Seed bank", roles=[("sme", "", []), ("research", "", [])])
    join(posted.roles[0], ben)
    with pytest.raises(PermissionDenied):
        services.carry_over(posted, ana.user, next_year)  # not registered there yet
    assert services.carry_over_targets(posted, ana.user) == []
    from tests.factories import make_registration

    make_registration(next_year, ana.user)
    assert services.carry_over_targets(posted, ben.user) == []
    copy = services.carry_over(posted, ana.user, next_year)
    assert copy.event_id == next_year.id and copy.carried_from_id == posted.id
    assert copy.title == "Seed bank" and [r.filled_by_id for r in copy.roles] == [None, None]
    with pytest.raises(ConsortiumConflict):
        services.carry_over(posted, ana.user, next_year)
    assert services.statistics(next_year).carried_over == 1
