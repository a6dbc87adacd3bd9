"""The participant list for the organisers' desk, grouped by cluster."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from pic_events.documents.rendering import render_event_pdf
from pic_events.documents.text import split_name
from pic_events.events.models import Event
from pic_events.registration.models import Registration


def render_participant_list(
    event: Event,
    groups: Sequence[tuple[str, Sequence[Registration]]],
    *,
    generated_at: datetime,
) -> bytes:
    """`groups`: (cluster name or "" for none, registrations) as services.by_cluster gives."""
    return render_event_pdf(
        "documents/participants.html",
        event,
        generated_at=generated_at,
        groups=groups,
        total=sum(len(rows) for _name, rows in groups),
        split_name=split_name,
    )
