"""WeasyPrint with the project's own font, shared by every renderer."""

from __future__ import annotations

import os
from datetime import datetime
from functools import cache

from babel.dates import format_date, format_interval
from flask import current_app, render_template
from flask_babel import get_locale
from weasyprint import HTML
from weasyprint.document import Document
from weasyprint.text.fonts import FontConfiguration

FONT_DIR = os.path.join(os.path.dirname(os.path.dirname(__file__)), "static", "fonts")


@cache
def _font_config() -> FontConfiguration:
    """One FontConfiguration for the process: the @font-face files are read once."""
    return FontConfiguration()


def font_url(name: str) -> str:
    return "file://" + os.path.join(FONT_DIR, name)


def render_pdf(template: str, **context) -> bytes:
    """The template rendered to HTML, then to PDF. The template extends
    documents/_base.html, which declares the committed DejaVu Sans by @font-face."""
    html = render_template(template, font_url=font_url, event_dates=event_dates, **context)
    document = HTML(string=html, base_url=current_app.static_folder)
    return document.write_pdf(font_config=_font_config())


def render_pages(template: str, **context) -> Document:
    """As render_pdf, laid out into pages but not written: a part of a long document."""
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
