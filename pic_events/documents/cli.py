"""This module's `flask` commands; pic_events.cli registers every command listed here."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask import current_app

from pic_events.documents import services
from pic_events.documents.badges import DEFAULT_LAYOUT, LAYOUTS
from pic_events.events.models import Event
from pic_events.extensions import db
from pic_events.registration.models import Category


@click.command("badges")
@click.argument("slug")
@click.option(
    "--layout", type=click.Choice(list(LAYOUTS)), default=DEFAULT_LAYOUT, show_default=True
)
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), required=True)
@click.option("--category", type=click.Choice([c.value for c in Category]), default=None)
@click.option("--not-printed", is_flag=True, help="Only badges not printed yet.")
@click.option("--sort", type=click.Choice(services.BADGE_SORTS), default="family")
def badges_command(slug, layout, output, category, not_printed, sort) -> None:
    """Badges of the event's confirmed registrations as one PDF (marked as printed)."""
    event = db.session.scalar(sa.select(Event).where(Event.slug == slug))
    if event is None:
        raise click.ClickException(f"No event has the slug {slug!r}.")
    selection = services.BadgeSelection(category=category, not_printed=not_printed, sort=sort)
    # Templates read the request's locale and url_for: give them a request context.
    with current_app.test_request_context():
        pdf, count = services.print_badges(event, selection, layout)
    if not count:
        raise click.ClickException("No confirmed registration matches: no badge to print.")
    with open(output, "wb") as handle:
        handle.write(pdf)
    click.echo(f"{count} badge(s), layout {layout}: {output}")


commands: list[click.Command] = [badges_command]
