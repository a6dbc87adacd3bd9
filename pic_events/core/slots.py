"""Slots in cached HTML: a fragment rendered once for many visitors holds `<!--pic:NAME-->`
or `<!--pic:NAME:ID-->` markers where each request puts its own bits (forms with their CSRF
token, a visitor's choices); a slot without a bit is left empty."""

from __future__ import annotations

import re
from collections.abc import Mapping

from markupsafe import Markup

SLOT = re.compile(r"<!--pic:(\w+)(?::(\d+))?-->")


def slot_name(name: str, key: int | str | None = None) -> str:
    """The name a bit goes under: "notice", or "drop:12" for a slot with an id."""
    return name if key is None else f"{name}:{key}"


def fill_slots(html: str, bits: Mapping[str, str]) -> Markup:
    """`html` (trusted: rendered by a template) with each slot replaced by its bit."""
    return Markup(SLOT.sub(lambda match: bits.get(slot_name(*match.groups()), ""), html))
