"""Calendar commands (mounted by pic_events.cli)."""

from __future__ import annotations

import json

import click
from flask.cli import with_appcontext

from pic_events.calendar import reminders


@click.command("send-reminders")
@with_appcontext
def send_reminders_command() -> None:
    """Queue the reminder mail of the events that are due, once per person (cron: hourly)."""
    click.echo(json.dumps({"sent": reminders.send_reminders()}))


commands = [send_reminders_command]
