"""The printed programme: a cover, then one section per day."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from pic_events.documents.rendering import render_event_pdf
from pic_events.events.models import Event
from pic_events.programme.models import ProgrammeSession


def render_programme(
    event: Event,
    days: Sequence[tuple[date, Sequence[ProgrammeSession]]],
    *,
    generated_at: datetime,
) -> bytes:
    """`days`: the sessions to print grouped by local day (programme.services.by_day)."""
    return render_event_pdf(
        "documents/programme.html",
        event,
        generated_at=generated_at,
        days=days,
    )
