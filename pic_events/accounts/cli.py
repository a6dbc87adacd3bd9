"""This module's `flask` commands; pic_events.cli registers every command listed here."""

from __future__ import annotations

import click

commands: list[click.Command] = []
