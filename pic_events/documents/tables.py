"""B2B documents for organisers: the table plan per slot (tables x pairs) and one sheet per
table listing its meetings, to post on the table."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from pic_events.documents.rendering import render_event_pdf
from pic_events.events.models import Event
from pic_events.matchmaking.models import B2BTable, Meeting, Slot


@dataclass(frozen=True)
class TablePlan:
    """Live meetings arranged by slot and by table (what services.table_plan loads)."""

    slots: Sequence[Slot]
    tables: Sequence[B2BTable]
    meetings: Sequence[Meeting]

    def grid(self) -> list[tuple[Slot, list[tuple[B2BTable, Meeting | None]]]]:
        by_cell = {(m.slot_id, m.table_id): m for m in self.meetings}
        return [(s, [(t, by_cell.get((s.id, t.id))) for t in self.tables]) for s in self.slots]

    def sheets(self) -> list[tuple[B2BTable, list[Meeting]]]:
        by_table: dict[int, list[Meeting]] = {t.id: [] for t in self.tables}
        for meeting in sorted(self.meetings, key=lambda m: m.slot.starts_at):
            by_table.setdefault(meeting.table_id, []).append(meeting)
        return [(t, by_table[t.id]) for t in self.tables]


def _render(template: str, event: Event, plan: TablePlan, generated_at: datetime) -> bytes:
    return render_event_pdf(
        template,
        event,
        generated_at=generated_at,
        plan=plan,
    )


def render_table_plan(event: Event, plan: TablePlan, *, generated_at: datetime) -> bytes:
    return _render("documents/table_plan.html", event, plan, generated_at)


def render_table_sheets(event: Event, plan: TablePlan, *, generated_at: datetime) -> bytes:
    return _render("documents/table_sheets.html", event, plan, generated_at)
