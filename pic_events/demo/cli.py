from __future__ import annotations

import click
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
@with_appcontext
def seed_demo_command(if_empty: bool) -> None:
    """Create the demo meeting pic-2027 (idempotent: running twice changes nothing)."""
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
