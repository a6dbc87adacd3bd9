"""CSV and XLSX exports of the organisers' filtered list: one row per registration,
one column per question. `export_table` loads the table (a fixed number of queries); the
rest are pure functions: rows in, bytes out."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from pic_events.core.countries import country_name
from pic_events.core.timezones import to_zone
from pic_events.events.models import Event
from pic_events.extensions import db
from pic_events.programme.models import ProgrammeSession
from pic_events.registration import listing
from pic_events.registration.capacity import waitlist_positions
from pic_events.registration.models import Question, Registration
from pic_events.registration.questions import display_answer
from pic_events.registration.services import event_questions

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """Spreadsheets run cells starting with = + - @ as formulas: make them plain text."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def xlsx_cell(value: Any) -> Any:
    """A safe cell without the control characters XLSX cannot hold (openpyxl refuses them)."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    value = safe_cell(value)
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def _when(value: datetime | None, event: Event) -> str:
    return to_zone(value, event.timezone).strftime("%Y-%m-%d %H:%M") if value else ""


def headers(questions: Sequence[Question]) -> list[str]:
    fixed = [
        _("Id"),
        _("Name"),
        _("E-mail"),
        _("Organisation"),
        _("Cluster"),
        _("Country"),
        _("Status"),
        _("Waiting list position"),
        _("Category"),
        _("Registered at"),
        _("Consent at"),
        _("Listed"),
        _("Sessions"),
    ]
    return fixed + [question.label for question in questions]


def row(
    registration: Registration,
    event: Event,
    questions: Sequence[Question],
    position: int | None,
    session_titles: dict[int, str],
    session_ids: list[int],
) -> list[Any]:
    user = registration.user
    organisation = user.organisation if user else None
    cluster = organisation.cluster if organisation else None
    country = (user.country if user else None) or (organisation.country if organisation else None)
    answers = registration.answers or {}
    sessions = "; ".join(
        session_titles.get(session_id, str(session_id)) for session_id in session_ids
    )
    return [
        registration.id,
        registration.display_name,
        user.email if user else "",
        organisation.name if organisation else "",
        cluster.name if cluster else "",
        country_name(country) if country else "",
        registration.status_label,
        position or "",
        registration.category_label,
        _when(registration.created_at, event),
        _when(registration.consent_at, event),
        _("Yes") if registration.listed else _("No"),
        sessions,
    ] + [display_answer(question, answers.get(question.key)) for question in questions]


def to_csv(header: list[str], rows: Iterable[list[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for values in rows:
        writer.writerow([safe_cell(value) for value in values])
    # The byte-order mark tells Excel the file is UTF-8, so accents survive.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(header: list[str], rows: Iterable[list[Any]], title: str) -> bytes:
    # openpyxl loads NumPy when it is installed (about 0.3 s): imported when an export is made
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "".join(c for c in title if c not in "[]:*?/\\")[:31] or "Registrations"
    sheet.append([xlsx_cell(h) for h in header])
    widths = [len(str(h)) for h in header]
    for values in rows:
        sheet.append([xlsx_cell(value) for value in values])
        widths = [max(w, len(str(v))) for w, v in zip(widths, values, strict=False)]
    sheet.freeze_panes = "A2"
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(max(width, 6) + 2, 60)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_table(
    event: Event, filters: listing.RegistrationFilters
) -> tuple[list[str], list[list[Any]]]:
    """Header and rows of the filtered list, loaded in a fixed number of queries."""
    questions = event_questions(event)
    registrations = db.session.scalars(listing.filtered_query(event, filters)).unique().all()
    positions = waitlist_positions(event.id)
    titles = dict(
        db.session.execute(
            sa.select(ProgrammeSession.id, ProgrammeSession.title).where(
                ProgrammeSession.event_id == event.id
            )
        ).all()
    )
    chosen = listing.session_ids_by_registration(event)
    rows = [
        row(
            registration,
            event,
            questions,
            positions.get(registration.id),
            titles,
            chosen.get(registration.id, []),
        )
        for registration in registrations
    ]
    return headers(questions), rows
