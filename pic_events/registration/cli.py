"""This module's `flask` commands; pic_events.cli registers every command listed here."""

from __future__ import annotations

import click

from pic_events.registration import privacy


@click.command("purge-expired")
def purge_expired_command() -> None:
    """Anonymise registrations of events whose retention date (retention_until) has passed."""
    count = privacy.purge_expired()
    click.echo(f"{count} registration(s) anonymised.")


commands: list[click.Command] = [purge_expired_command]
