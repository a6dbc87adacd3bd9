"""PIC Meetings: the web application that runs the Plant InterCluster annual meetings.

The package itself imports nothing heavy, so that pure modules such as the B2B scheduler
(`python -m pic_events.matchmaking.scheduler`) start without loading Flask.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask


def create_app(config_name: str | None = None, overrides: dict[str, Any] | None = None) -> Flask:
    from pic_events.app import create_app as factory

    return factory(config_name, overrides)
