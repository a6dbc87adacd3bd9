"""WeasyPrint with the project's own font, shared by every renderer."""

from __future__ import annotations

import gc
import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Any

from babel.dates import format_date, format_interval
from flask import current_app, render_template
from flask_babel import get_locale

if TYPE_CHECKING:  # WeasyPrint itself is imported by the functions that print (about 0.5 s)
    from weasyprint import Document
    from weasyprint.text.fonts import FontConfiguration

FONT_DIR = os.path.join(os.path.dirname(os.path.dirname(__file__)), "static", "fonts")


@cache
def _font_config() -> FontConfiguration:
    """One FontConfiguration for the process: the @font-face files are read once."""
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def font_url(name: str) -> str:
    return "file://" + os.path.join(FONT_DIR, name)


def render_pdf(template: str, **context) -> bytes:
    """The template rendered to HTML, then to PDF. The template extends
    documents/_base.html, which declares the committed DejaVu Sans by @font-face."""
    return render_pages(template, **context).write_pdf()


def render_pdf_in_parts(template: str, parts: Sequence[dict[str, Any]], **context) -> bytes:
    """One PDF from the template rendered once per part (each part's context over the
    shared `context`), the parts' pages in order.

    For long documents whose pages never flow into one another (a badge sheet ends where
    it ends): WeasyPrint does work per page that grows with the size of the whole
    document, so many small documents joined cost less than one large one. The cyclic
    garbage collector is paused meanwhile: WeasyPrint allocates millions of small objects
    that it would otherwise scan over and over (about a sixth of the time for 1,000
    badges); what is freed by reference counting is freed as usual.
    """
    with collector_paused():
        return join_pdf([render_pages(template, **{**context, **part}) for part in parts])


_collector_lock = threading.Lock()
_collector_pauses = 0
_collector_was_enabled = True


@contextmanager
def collector_paused() -> Iterator[None]:
    """gc disabled while at least one thread is inside (the collector is per process), then
    left as it was found."""
    global _collector_pauses, _collector_was_enabled
    with _collector_lock:
        if _collector_pauses == 0:
            _collector_was_enabled = gc.isenabled()
        _collector_pauses += 1
        gc.disable()
    try:
        yield
    finally:
        with _collector_lock:
            _collector_pauses -= 1
            if _collector_pauses == 0 and _collector_was_enabled:
                gc.enable()


def render_pages(template: str, **context) -> Document:
    """As render_pdf, laid out into pages but not written: a part of a long document."""
    from weasyprint import HTML

    html = render_template(template, font_url=font_url, event_dates=event_dates, **context)
    return HTML(string=html, base_url=current_app.static_folder).render(font_config=_font_config())


def join_pdf(parts: list[Document]) -> bytes:
    """The pages of every part, in order, as one PDF (WeasyPrint's Document.copy)."""
    pages = [page for part in parts for page in part.pages]
    return parts[0].copy(pages).write_pdf()


def render_event_pdf(template: str, event, *, generated_at: datetime, **context) -> bytes:
    """render_pdf for an event's document: its zone's label and the generation time in its
    zone come along (`zone`, `generated`)."""
    from pic_events.core.templating import zone_label

    return render_pdf(
        template,
        event=event,
        zone=zone_label(event.timezone, event.starts_on),
        generated=generated_on(generated_at, event.timezone),
        **context,
    )


def event_dates(event) -> str:
    """'Jun 15 – 17, 2027' in the reader's language."""
    locale = str(get_locale() or "en")
    if event.starts_on == event.ends_on:
        return format_date(event.starts_on, "long", locale=locale)
    return format_interval(event.starts_on, event.ends_on, "yMMMMd", locale=locale)


def generated_on(moment: datetime, tz: str) -> str:
    from pic_events.core.timezones import to_zone

    return to_zone(moment, tz).strftime("%Y-%m-%d %H:%M")
