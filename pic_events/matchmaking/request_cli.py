"""B2B request commands: expire requests, the daily nudge (mounted by pic_events.cli)."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask_babel import gettext as _

from pic_events.events.models import Event
from pic_events.extensions import db
from pic_events.matchmaking import requests
from pic_events.matchmaking.models import B2BSettings


@click.command("expire-requests")
def expire_requests_command() -> None:
    """Expire pending B2B meeting requests past their time (the senders are told)."""
    count = requests.expire_due()
    click.echo(_("%(n)d meeting request(s) expired.", n=count))


@click.command("nudge-b2b")
@click.argument("slug", required=False)
@click.option("--all", "all_events", is_flag=True, help="Every event with matchmaking on.")
def nudge_b2b_command(slug: str | None, all_events: bool) -> None:
    """Mail participants with no B2B meeting and no request yet (once per person; cron-safe)."""
    if bool(slug) == all_events:
        raise click.UsageError(_("Give an event's SLUG or --all."))
    if all_events:
        events = db.session.scalars(
            sa.select(Event)
            .join(B2BSettings, B2BSettings.event_id == Event.id)
            .where(B2BSettings.enabled.is_(True))
            .order_by(Event.id)
        ).all()
    else:
        event = db.session.scalar(sa.select(Event).where(Event.slug == slug))
        if event is None:
            raise click.ClickException(_("No event has the address %(slug)s.", slug=slug))
        events = [event]
    for event in events:
        count = requests.nudge(event)
        click.echo(_("%(slug)s: %(n)d nudge(s) sent.", slug=event.slug, n=count))


commands: list = [expire_requests_command, nudge_b2b_command]
