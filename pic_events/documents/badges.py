"""Badges: one view model per registration, three layouts, one renderer."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l

from pic_events.core.countries import country_name
from pic_events.documents.qr import qr_svg
from pic_events.documents.rendering import render_pages, render_pdf_in_parts
from pic_events.documents.text import fit_size, split_name
from pic_events.events.models import Event
from pic_events.registration.models import Category, Registration

if TYPE_CHECKING:
    from weasyprint.document import Document

PT_PER_MM = 72 / 25.4


@dataclass(frozen=True)
class Layout:
    """A badge size and how badges sit on the sheet. Text widths in points."""

    code: str
    label: str
    badges_per_page: int
    page_size: str  # CSS @page size
    first_name: tuple[float, float, float]  # (line width, largest, smallest) in pt
    family_name: tuple[float, float, float]
    organisation: tuple[float, float, float]


LAYOUTS: dict[str, Layout] = {
    "a6": Layout(
        "a6",
        _l("A6, one badge per page"),
        1,
        "A6",
        first_name=(89 * PT_PER_MM, 40, 16),
        family_name=(89 * PT_PER_MM, 22, 11),
        organisation=(89 * PT_PER_MM, 14, 8),
    ),
    "a4-2x2": Layout(
        "a4-2x2",
        _l("A4, four badges per sheet with cut marks"),
        4,
        "A4",
        first_name=(84 * PT_PER_MM, 38, 16),
        family_name=(84 * PT_PER_MM, 21, 11),
        organisation=(84 * PT_PER_MM, 13, 8),
    ),
    "label-4x3": Layout(
        "label-4x3",
        _l("4 × 3 inch labels (badge printers)"),
        1,
        "4in 3in",
        first_name=(2.6 * 72, 30, 12),
        family_name=(2.6 * 72, 17, 9),
        organisation=(2.6 * 72, 11, 7),
    ),
}
DEFAULT_LAYOUT = "a6"
# Sheets per WeasyPrint document, joined into one PDF (see render_pdf_in_parts): small
# enough that the per-page work stays cheap, large enough that each part's stylesheet and
# fonts are worth setting up.
SHEETS_PER_PART = 25

# Category bands: the colour is backed by the printed word, never read alone.
BAND_COLOURS = {
    Category.STEERING.value: ("#1b5e20", "#ffffff"),
    Category.PARTICIPANT.value: ("#0d47a1", "#ffffff"),
    Category.SPEAKER.value: ("#b71c1c", "#ffffff"),
    Category.ORGANISER.value: ("#212121", "#ffffff"),
    Category.PRESS.value: ("#f9a825", "#000000"),
}


@dataclass(frozen=True)
class Badge:
    registration_id: int
    first_name: str
    family_name: str
    organisation: str
    cluster: str
    country: str
    category: str
    category_label: str
    band_colour: str
    band_text: str
    checkin_code: str
    qr: str
    sizes: dict[str, str]  # CSS class suffixes: "21_5" is 21.5 pt


def badge_for(registration: Registration, layout: Layout) -> Badge:
    user = registration.user
    first, family = split_name(registration.display_name)
    organisation = user.organisation if user else None
    cluster = organisation.cluster if organisation else None
    country_code = (user.country if user else None) or (
        organisation.country if organisation else ""
    )
    band, ink = BAND_COLOURS.get(registration.category, ("#424242", "#ffffff"))
    org_name = organisation.name if organisation else ""
    return Badge(
        registration_id=registration.id,
        first_name=first,
        family_name=family,
        organisation=org_name,
        cluster=cluster.name if cluster else "",
        country=country_name(country_code) if country_code else "",
        category=registration.category,
        category_label=registration.category_label,
        band_colour=band,
        band_text=ink,
        checkin_code=registration.checkin_code,
        qr=qr_svg(registration.checkin_code),
        sizes={
            "first": _fit(first, layout.first_name, bold=True),
            "family": _fit(family, layout.family_name, bold=False),
            "organisation": _fit(org_name, layout.organisation, bold=True),
        },
    )


def _fit(text: str, spec: tuple[float, float, float], *, bold: bool) -> str:
    """The size as a CSS class suffix: 0.5 pt steps, rounded down ("21_5" for 21.5 pt)."""
    width, largest, smallest = spec
    size = max(
        smallest, int(fit_size(text, width, largest=largest, smallest=smallest, bold=bold) * 2) / 2
    )
    return f"{size:g}".replace(".", "_")


def _chunks(items: Sequence, size: int) -> list[Sequence]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def badges_of(registrations: Iterable[Registration], layout: str) -> list[Badge]:
    chosen = LAYOUTS[layout]
    return [badge_for(r, chosen) for r in registrations]


def _sheet_context(event: Event, badges: Sequence[Badge], layout: str) -> dict:
    chosen = LAYOUTS[layout]
    return {
        "event": event,
        "layout": chosen,
        "sheets": _chunks(badges, chosen.badges_per_page),
        "sizes": sorted({size for badge in badges for size in badge.sizes.values()}),
        "band_colours": BAND_COLOURS,
    }


def render_badges(event: Event, registrations: Iterable[Registration], layout: str) -> bytes:
    """The badges of these registrations (in this order) as one PDF."""
    badges = badges_of(registrations, layout)
    per_part = SHEETS_PER_PART * LAYOUTS[layout].badges_per_page
    parts = [_sheet_context(event, part, layout) for part in _chunks(badges, per_part)] or [
        _sheet_context(event, [], layout)
    ]
    return render_pdf_in_parts("documents/badges.html", parts)


def render_badge_sheets(event: Event, badges: Sequence[Badge], layout: str) -> Document:
    """Some badges laid out on their sheets: a part of a long badge document (join_pdf)."""
    return render_pages("documents/badges.html", **_sheet_context(event, badges, layout))


def page_count(badges: int, layout: str) -> int:
    per_page = LAYOUTS[layout].badges_per_page
    return -(-badges // per_page)
