from sqlalchemy import select

from pic_events.accounts import services
from pic_events.accounts.models import User
from pic_events.extensions import db
from tests.factories import make_user


def run(app, args, password):
    return app.test_cli_runner().invoke(args=args, input=password + "\n")


def test_create_user_reads_password_from_stdin(app):
    result = run(
        app,
        ["create-user", "Org@PIC.example", "--name", "Olga Organiser", "--role", "organiser"],
        "a strong password",
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User))
    assert (user.email, user.name, user.role) == ("org@pic.example", "Olga Organiser", "organiser")
    assert services.authenticate("org@pic.example", "a strong password") == user


def test_create_user_defaults_to_member(app):
    result = run(app, ["create-user", "m@pic.example", "--name", "M"], "a strong password")
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(User)).role == "member"


def test_create_user_existing_email(app):
    make_user("taken@pic.example")
    result = run(app, ["create-user", "TAKEN@pic.example", "--name", "X"], "a strong password")
    assert result.exit_code == 1
    assert "already uses this e-mail address" in result.output


def test_create_user_short_password(app):
    result = run(app, ["create-user", "new@pic.example", "--name", "X"], "short")
    assert result.exit_code == 1
    assert "at least 10 characters" in result.output
    assert db.session.scalar(select(User)) is None


def test_create_user_bad_role(app):
    result = run(app, ["create-user", "new@pic.example", "--name", "X", "--role", "god"], "pw")
    assert result.exit_code == 2
