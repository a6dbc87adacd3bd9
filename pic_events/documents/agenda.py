"""My agenda on paper: my sessions and B2B meetings in time order, and a QR code of my
calendar feed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from pic_events.agenda.services import AgendaEntry
from pic_events.documents.qr import qr_svg
from pic_events.documents.rendering import render_event_pdf
from pic_events.events.models import Event
from pic_events.registration.models import Registration


def render_agenda(
    event: Event,
    registration: Registration,
    days: Sequence[tuple[date, Sequence[AgendaEntry]]],
    *,
    calendar_url: str,
    generated_at: datetime,
) -> bytes:
    """`days`: agenda_entries grouped by local day (programme.services.by_day)."""
    return render_event_pdf(
        "documents/agenda.html",
        event,
        generated_at=generated_at,
        registration=registration,
        days=days,
        calendar_url=calendar_url,
        calendar_qr=qr_svg(calendar_url, css_class="qr"),
    )
