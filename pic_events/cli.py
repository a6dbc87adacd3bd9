"""Flask CLI: every module lists its commands in its own cli.py; they are mounted here."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from pic_events.accounts.cli import commands as accounts_commands
    from pic_events.calendar.cli import commands as calendar_commands
    from pic_events.demo.cli import commands as demo_commands
    from pic_events.documents.cli import commands as documents_commands
    from pic_events.matchmaking.cli import commands as matchmaking_commands
    from pic_events.notifications.cli import commands as notifications_commands
    from pic_events.programme.cli import commands as programme_commands
    from pic_events.registration.cli import commands as registration_commands

    for command in (
        *accounts_commands,
        *calendar_commands,
        *demo_commands,
        *documents_commands,
        *matchmaking_commands,
        *notifications_commands,
        *programme_commands,
        *registration_commands,
    ):
        app.cli.add_command(command)
