"""Ideas, roles and interests in the data export and the account deletion."""

from __future__ import annotations

from pic_events.consortia import services
from pic_events.consortia.models import Interest
from pic_events.extensions import db
from pic_events.registration import privacy
from tests.consortia.helpers import idea, join, mails_to, person
from tests.factories import make_event


def test_the_export_holds_my_ideas_roles_and_interests(app):
    event = make_event()
    ana, ben = person(event, "Ana"), person(event, "Ben")
    mine = idea(event, ana, title="Apple trials", summary="field trials")
    theirs = idea(event, ben, title="Seed bank", roles=[("sme", "", []), ("research", "", [])])
    join(theirs.roles[0], ana, "we breed apples")
    services.express_interest(theirs.roles[1], person(event, "Cleo").user, "")
    data = privacy.export_user_data(ana.user)["project_ideas"]
    assert [i["title"] for i in data["led"]] == ["Apple trials"]
    assert data["led"][0]["summary"] == "field trials"
    assert [p["idea"] for p in data["partner_in"]] == ["Seed bank"]
    assert [(i["idea"], i["message"]) for i in data["interests"]] == [
        ("Seed bank", "we breed apples")
    ]
    assert mine.lead_id == ana.id


def test_a_deleted_leads_idea_passes_to_the_first_partner(app):
    event = make_event()
    ana, ben, cleo = person(event, "Ana"), person(event, "Ben"), person(event, "Cleo")
    posted = idea(event, ana, title="Twin", roles=[("sme", "", []), ("research", "", [])])
    join(posted.roles[0], ben)
    join(posted.roles[1], cleo)
    idea_id = posted.id
    privacy.delete_account(ana.user)
    posted = services.get_idea(idea_id)
    assert posted.lead_id == ben.id and posted.status == "open"
    assert mails_to(ben.user.email)[-1] == "New lead for the idea: Twin"
    assert mails_to(cleo.user.email)[-1] == "New lead for the idea: Twin"


def test_a_deleted_leads_idea_without_partners_is_withdrawn_and_candidates_told(app):
    event = make_event()
    ana, ben = person(event, "Ana"), person(event, "Ben")
    posted = idea(event, ana, title="Lonely")
    services.express_interest(posted.roles[0], ben.user, "hi")
    idea_id = posted.id
    privacy.delete_account(ana.user)
    posted = services.get_idea(idea_id)
    assert posted.status == "withdrawn"
    assert mails_to(ben.user.email)[-1] == "Idea withdrawn: Lonely"


def test_a_deleted_partners_role_opens_again_and_their_interests_go(app):
    event = make_event()
    ana, ben = person(event, "Ana"), person(event, "Ben")
    posted = idea(event, ana, title="Cider", roles=[("sme", "", []), ("research", "", [])])
    join(posted.roles[0], ben)
    other = idea(event, person(event, "Cleo"))
    services.express_interest(other.roles[0], ben.user, "message")
    privacy.delete_account(ben.user)
    posted = services.get_idea(posted.id)
    assert posted.roles[0].filled_by_id is None
    assert mails_to(ana.user.email)[-1] == "A role is open again: Cider"
    assert db.session.scalar(db.select(db.func.count()).select_from(Interest)) == 0
