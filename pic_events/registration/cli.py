"""This module's `flask` commands; pic_events.cli registers every command listed here."""

from __future__ import annotations

import click

from pic_events.core.signals import retention_purging
from pic_events.core.types import utcnow
from pic_events.notifications.privacy import delete_old_mail
from pic_events.registration import privacy


@click.command("purge-expired")
def purge_expired_command() -> None:
    """Anonymise registrations of events that have ended and whose retention date
    (retention_until) has passed; delete mail sent more than MAIL_RETENTION_DAYS ago, and
    whatever other modules keep only for a time (retention_purging: document files ...)."""
    count = privacy.purge_expired()
    click.echo(f"{count} registration(s) anonymised.")
    click.echo(f"{delete_old_mail()} old mail(s) deleted.")
    for _receiver, line in retention_purging.send(utcnow()):
        if line:
            click.echo(line)


commands: list[click.Command] = [purge_expired_command]
