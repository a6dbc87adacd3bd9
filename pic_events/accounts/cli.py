"""This module's `flask` commands; pic_events.cli registers every command listed here."""

from __future__ import annotations

import sys

import click

from pic_events.accounts import services
from pic_events.accounts.models import Role
from pic_events.core.validation import ServiceValidationError

commands: list[click.Command] = []


def _read_password() -> str:
    """Prompt on a terminal; read one line when piped (`echo secret | flask create-user ...`)."""
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return sys.stdin.readline().rstrip("\r\n")


@click.command("create-user")
@click.argument("email")
@click.option("--name", required=True, help="Full name")
@click.option(
    "--role",
    type=click.Choice([role.value for role in Role]),
    default=Role.MEMBER.value,
    show_default=True,
)
def create_user(email: str, name: str, role: str) -> None:
    """Create an account; the password is read from standard input."""
    try:
        user = services.register_user(
            email=email, name=name, password=_read_password(), role=Role(role), verified=True
        )
    except ServiceValidationError as error:
        for field, messages in error.errors.items():
            for message in messages:
                click.echo(f"Error: {field}: {message}", err=True)
        sys.exit(1)
    click.echo(f"Created {user.role} {user.email} (id {user.id}).")


@click.command("create-token")
@click.argument("email")
@click.option("--name", default="CLI", show_default=True, help="What the token is for")
def create_token(email: str, name: str) -> None:
    """Print a new API token for an existing user."""
    user = services.get_user_by_email(email)
    if user is None:
        click.echo(f"Error: no account uses the e-mail address {email}.", err=True)
        sys.exit(1)
    try:
        _, plaintext = services.create_api_token(user, name)
    except ServiceValidationError as error:
        click.echo(f"Error: {' '.join(error.errors.get('name', []))}", err=True)
        sys.exit(1)
    click.echo(plaintext)


commands.extend([create_user, create_token])
