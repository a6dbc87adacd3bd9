"""B2B commands (mounted by pic_events.cli)."""

from __future__ import annotations

import json

import click
from flask.cli import with_appcontext

from pic_events.core.validation import Conflict
from pic_events.events.models import Event
from pic_events.extensions import db


@click.command("schedule-meetings")
@click.argument("slug")
@click.option(
    "--time-limit",
    type=click.FloatRange(min=0.5, max=300),
    default=10.0,
    show_default=True,
    help="Seconds the scheduler may take.",
)
@click.option("--dry-run", is_flag=True, help="Only say how many would fit; book nothing.")
@with_appcontext
def schedule_meetings_command(slug: str, time_limit: float, dry_run: bool) -> None:
    """Place the event's accepted, unscheduled meeting requests in slots and at tables
    (published meetings stay where they are) and publish them, which mails both sides.
    Prints {"requested", "scheduled", "upper_bound", "seconds"} as JSON."""
    from pic_events.matchmaking import scheduling

    event = db.session.scalar(db.select(Event).where(Event.slug == slug))
    if event is None:
        raise click.ClickException(f"No event with the slug {slug!r}.")
    result = scheduling.plan(event, time_limit)
    if not dry_run and (result["assignments"] or result["group_assignments"]):
        try:
            scheduling.publish_plan(event, result)
        except Conflict as error:
            raise click.ClickException(str(error)) from None
    summary = {key: result[key] for key in ("requested", "scheduled", "upper_bound", "seconds")}
    click.echo(json.dumps(summary))


commands: list = [schedule_meetings_command]
