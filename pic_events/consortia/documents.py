"""The one-page summary of an idea for the pitch wall: a pure renderer (data in, PDF bytes
out) with WeasyPrint; the view loads what it needs."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import render_template


@dataclass(frozen=True)
class PersonLine:
    name: str
    organisation: str = ""
    country: str = ""
    role: str = ""


@dataclass(frozen=True)
class PitchSummary:
    event_title: str
    title: str
    call: str
    deadline: str
    status: str
    summary: str
    sectors: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    lead: PersonLine | None = None
    partners: list[PersonLine] = field(default_factory=list)
    open_roles: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    url: str = ""
    details: bool = True


def pitch_summary_pdf(data: PitchSummary) -> bytes:
    """One A4 page (long summaries are cut by the template, not spread over two pages)."""
    from weasyprint import HTML  # imported here: pages that never print do not load it

    html = render_template("consortia/pitch_summary.html", data=data)
    return HTML(string=html).write_pdf()
