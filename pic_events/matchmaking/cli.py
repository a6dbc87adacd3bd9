"""B2B commands (mounted by pic_events.cli)."""

from __future__ import annotations

commands: list = []
