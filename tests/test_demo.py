from sqlalchemy import func, select

from pic_events.accounts.models import User
from pic_events.demo import seed_demo
from pic_events.directory.models import Cluster, Organisation
from pic_events.events.models import Event
from pic_events.extensions import db


def _counts() -> tuple[int, ...]:
    return tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (Cluster, Organisation, User, Event)
    )


def test_seed_demo_is_idempotent(app):
    seed_demo()
    first = _counts()
    seed_demo()
    assert _counts() == first


def test_demo_network_and_logins(app):
    seed_demo()
    steering = db.session.scalars(select(Cluster).where(Cluster.steering_committee)).all()
    assert len(steering) == 12
    assert (
        db.session.scalar(
            select(func.count()).select_from(Cluster).where(~Cluster.steering_committee)
        )
        >= 3
    )
    members = db.session.scalars(select(User).where(User.role == "member")).all()
    assert len(members) == 60
    names = "".join(m.name for m in members)
    for letter in "Łőøșğßé":
        assert letter in names
    member = db.session.scalar(select(User).where(User.email == "member01@pic.example"))
    organiser = db.session.scalar(select(User).where(User.email == "organiser@pic.example"))
    assert member.check_password("member")
    assert organiser.check_password("organiser") and organiser.is_organiser
    event = db.session.scalar(select(Event).where(Event.slug == "pic-2027"))
    assert event.timezone == "Europe/Paris" and event.city == "Angers" and event.is_published


def test_seed_demo_command(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "organiser@pic.example" in result.output
    again = runner.invoke(args=["seed-demo", "--if-empty"])
    assert "not seeded" in again.output
