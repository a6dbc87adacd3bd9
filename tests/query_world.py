"""A world that grows: everything the members' and organisers' pages list, `grow(world, k)`
adding k more of each, so that one page can be measured at size n and again at 10n.

Ana is the member whose pages are read: confirmed at the B2B event `queries`, with a
profile, answers, chosen workshops, meetings, requests sent and received, an idea she leads
(roles, interests, partners), interests in others' ideas, registrations at other events and
API tokens. Olga is the organiser. Each unit of growth adds a cluster, an organisation, an
event Ana is registered at, a question with options, a room, a workshop with a speaker, a
B2B slot and table, and people: one Ana meets, one who asks her, one she asks, one on the
waiting list and one pending approval, plus an idea with a role Ana is interested in, a role
on Ana's idea with an interest, and an accepted request waiting for the scheduler.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from pic_events.accounts.models import Role, User
from pic_events.consortia import services as consortia
from pic_events.core.types import utcnow
from pic_events.events.models import Event
from pic_events.extensions import db
from pic_events.matchmaking import booking, profiles
from pic_events.matchmaking.models import B2BTable, MeetingRequest, Slot
from pic_events.matchmaking.scheduling_models import ScheduleRun
from pic_events.programme.models import Speaker
from pic_events.registration.models import OptionPick, Registration, SessionChoice
from tests.factories import (
    api_auth,
    make_b2b_event,
    make_cluster,
    make_event,
    make_organisation,
    make_organiser,
    make_programme_session,
    make_question,
    make_registration,
    make_room,
    make_user,
)

SLOT_MINUTES = 20
SESSION_MINUTES = 10
# An idea has at most 20 roles: Ana's grows by one per unit up to this many.
ROLES_GROWN = 10
SECTORS = ["seeds", "cereals", "cider", "ornamental"]


@dataclass
class World:
    """The fixed things the URLs name, and the counter of units grown so far."""

    event_id: int
    organiser_id: int
    ana_id: int
    ana_registration_id: int
    params: dict[str, object] = field(default_factory=dict)
    bearer: dict[str, dict[str, str]] = field(default_factory=dict)
    units: int = 0


def build_world() -> World:
    """The fixed part: the event, Olga, Ana and one of each thing a URL names."""
    from pic_events.calendar import services as calendar

    organiser = make_organiser(name="Olga Organiser")
    cluster = make_cluster("Queries Cluster")
    organisation = make_organisation("Queries Org", cluster=cluster)
    event = make_b2b_event(slots=2, tables=1)
    event.slug = "queries"
    event.programme_published = True
    ana = make_user("ana@example.org", name="Ana Member", organisation=organisation)
    mine = make_registration(event, ana)
    _profile(mine, 0)
    bob = make_registration(event, make_user(name="Bob Partner", organisation=organisation))
    _profile(bob, 1)
    zoe = make_registration(event, make_user(name="Zoe Stranger", organisation=organisation))
    _profile(zoe, 2)
    first, second = _slots(event)
    meeting = booking.book(event, [mine.id, bob.id], first.id)
    request = _request(bob, zoe, "accepted", "Place us", None)
    db.session.add(request)
    idea = consortia.create_idea(
        event,
        ana,
        consortia.IdeaInput(title="Ana's idea", call="HORIZON-CL6-2027-01", sectors=["seeds"]),
        [consortia.RoleInput(kind="research", description="A lab")],
    )
    room = make_room(event, "Room 0")
    session = _session(event, room, 0)
    question = make_question(event, "Site visit", "single_choice", options=["A", "B"])
    _answer(mine, question)
    run = ScheduleRun(event_id=event.id, status="done", time_limit=1.0, result={})
    db.session.add(run)
    db.session.commit()
    world = World(
        event_id=event.id,
        organiser_id=organiser.id,
        ana_id=ana.id,
        ana_registration_id=mine.id,
    )
    world.bearer = {"member": api_auth(ana), "organiser": api_auth(organiser)}
    world.params = {
        "slug": event.slug,
        "registration_id": mine.id,
        "registration_id@participant": bob.id,
        "registration_id@new_request": zoe.id,
        "meeting_id": meeting.id,
        "request_id": request.id,
        "idea_id": idea.id,
        "session_id": session.id,
        "room_id": room.id,
        "question_id": question.id,
        "slot_id": second.id,
        "table_id": db.session.scalar(sa.select(sa.func.min(B2BTable.id))),
        "cluster_id": cluster.id,
        "organisation_id": organisation.id,
        "token": calendar.reset_token(ana),
    }
    return world


def grow(world: World, count: int) -> None:
    """Adds `count` units of everything (see the module's docstring)."""
    for _ in range(count):
        world.units += 1
        _grow_once(world, world.units)
    db.session.commit()
    db.session.expunge_all()


def _grow_once(world: World, k: int) -> None:
    event = db.session.get(Event, world.event_id)
    ana = db.session.get(Registration, world.ana_registration_id)
    cluster = make_cluster(f"Cluster {k}", steering=k % 2 == 0, sectors=[SECTORS[k % 4]])
    organisation = make_organisation(f"Organisation {k}", cluster=cluster, country="DE")
    other_event = make_event(f"other-{k}", title=f"Other meeting {k}")
    make_registration(other_event, db.session.get(User, world.ana_id))
    question = make_question(event, f"Question {k}", "single_choice", options=["Yes", "No"])
    _answer(ana, question)
    room = make_room(event, f"Room {k}")
    session = _session(event, room, k)
    ana.session_choices.append(SessionChoice(session_id=session.id))
    slot = _new_slot(event, k)
    db.session.add(B2BTable(event_id=event.id, label=f"T{k + 1}", seats=2, position=k))
    people = [_person(event, organisation, question, session, f"{k}-{role}") for role in "mqrs"]
    met, asker, asked, scheduled = people
    met.checked_in_at = utcnow()
    db.session.commit()
    booking.book(event, [ana.id, met.id], slot.id)
    spare = world.params["slot_id"]
    db.session.add_all(
        [
            _request(asker, ana, "pending", f"Meet me {k}?", spare),
            _request(ana, asked, "pending", f"May we meet {k}?", spare),
            _request(scheduled, asked, "accepted", "Scheduler, place us", None),
        ]
    )
    make_registration(event, _member(f"Waiting {k}", organisation), status="waitlisted")
    make_registration(event, _member(f"Pending {k}", organisation), status="pending")
    _ideas(world, event, met, asker, k)
    api_auth(db.session.get(User, world.ana_id))


def _ideas(world: World, event: Event, met: Registration, asker: Registration, k: int) -> None:
    """An idea of `met` Ana is interested in; a role on Ana's idea `asker` wants or fills."""
    lead = db.session.get(User, met.user_id)
    idea = consortia.create_idea(
        event,
        lead,
        consortia.IdeaInput(title=f"Idea {k}", call="HORIZON-CL6-2027-02", sectors=["cereals"]),
        [consortia.RoleInput(kind="sme", description=f"Role {k}")],
    )
    ana_user = db.session.get(User, world.ana_id)
    consortia.express_interest(idea.roles[0], ana_user, f"Count me in {k}")
    anas_idea = consortia.get_idea(world.params["idea_id"])
    asker_user = db.session.get(User, asker.user_id)
    consortia.express_interest(anas_idea.roles[0], asker_user, f"Me {k}")
    if k <= ROLES_GROWN:
        role = consortia.add_role(anas_idea, ana_user, consortia.RoleInput(kind="large_company"))
        consortia.accept_interest(consortia.express_interest(role, asker_user), ana_user)


def _request(sender, recipient, status: str, message: str, slot_id) -> MeetingRequest:
    """A request written directly (the rules are tested in matchmaking)."""
    return MeetingRequest(
        event_id=sender.event_id,
        sender_id=sender.id,
        recipient_id=recipient.id,
        pair_low=min(sender.id, recipient.id),
        pair_high=max(sender.id, recipient.id),
        status=status,
        message=message,
        proposed_slot_id=slot_id,
        expires_at=utcnow() + timedelta(days=2),
    )


def _member(name: str, organisation) -> User:
    """A member without a usable password (hashing one per person would be most of the
    set-up's time)."""
    user = User(
        email=f"{name.lower().replace(' ', '.')}@example.org",
        name=name,
        role=Role.MEMBER.value,
        organisation=organisation,
        email_verified_at=utcnow(),
        password_hash="!",
    )
    db.session.add(user)
    return user


def _person(event, organisation, question, session, tag: str) -> Registration:
    user = _member(f"Person {tag}", organisation)
    registration = make_registration(event, user)
    _profile(registration, len(tag))
    _answer(registration, question)
    registration.session_choices.append(SessionChoice(session_id=session.id))
    return registration


def _profile(registration: Registration, i: int) -> None:
    profiles.save_profile(
        registration,
        profiles.ProfileInput(
            summary=f"{registration.user.name} offers",
            offers="seed phenotyping",
            seeks="cereal breeding",
            sectors=[SECTORS[i % 4]],
            calls=["HORIZON-CL6-2027-01"],
        ),
    )


def _answer(registration: Registration, question) -> None:
    option = question.options[0]
    registration.answers = {**(registration.answers or {}), question.key: option.id}
    db.session.add(OptionPick(registration_id=registration.id, option_id=option.id))
    db.session.commit()


def _day_start(event: Event, day: int, hour: int) -> datetime:
    start = datetime.combine(event.starts_on + timedelta(days=day), datetime.min.time())
    return start.replace(hour=hour, tzinfo=ZoneInfo(event.timezone))


def _session(event: Event, room, k: int):
    start = _day_start(event, 1, 8) + timedelta(minutes=15 * k)
    session = make_programme_session(
        event,
        start,
        start + timedelta(minutes=SESSION_MINUTES),
        room=room,
        kind="workshop",
        must_choose=True,
        capacity=500,
        title=f"Workshop {k}",
    )
    db.session.add(Speaker(session_id=session.id, name=f"Speaker {k}", organisation="Lab"))
    db.session.commit()
    return session


def _slots(event: Event) -> list[Slot]:
    return list(
        db.session.scalars(
            sa.select(Slot).where(Slot.event_id == event.id).order_by(Slot.starts_at)
        )
    )


def _new_slot(event: Event, k: int) -> Slot:
    start = _day_start(event, 0, 11) + timedelta(minutes=(SLOT_MINUTES + 5) * k)
    slot = Slot(event_id=event.id, starts_at=start, ends_at=start + timedelta(minutes=SLOT_MINUTES))
    db.session.add(slot)
    db.session.commit()
    return slot
