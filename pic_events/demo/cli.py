from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select

from pic_events.accounts.models import User
from pic_events.demo import seed_demo
from pic_events.demo.network import (
    MEMBER_COUNT,
    MEMBER_PASSWORD,
    ORGANISER_EMAIL,
    ORGANISER_PASSWORD,
)
from pic_events.extensions import db


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Seed only when the database has no user yet.")
@click.option("--force", is_flag=True, help="Seed even under the production configuration.")
@with_appcontext
def seed_demo_command(if_empty: bool, force: bool) -> None:
    """Create the demo meeting pic-2027 (idempotent: running twice changes nothing)."""
    if current_app.config.get("PRODUCTION") and not force:
        raise click.ClickException(
            "Refusing to seed the demo under the production configuration: it creates "
            "accounts whose passwords are public. Use --force if you really mean it."
        )
    if if_empty and db.session.scalar(select(func.count(User.id))):
        click.echo("Database already has data: demo not seeded.")
        return
    summary = seed_demo()
    click.echo(
        f"Demo ready: event {summary.event_slug}, {summary.clusters} clusters, "
        f"{summary.organisations} organisations, {summary.members} members."
    )
    click.echo(f"  organiser: {ORGANISER_EMAIL} / {ORGANISER_PASSWORD}")
    click.echo(
        f"  members:   member01@pic.example ... member{MEMBER_COUNT:02d}@pic.example"
        f" / {MEMBER_PASSWORD}"
    )


commands: list[click.Command] = [seed_demo_command]
