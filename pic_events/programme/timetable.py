"""A day's sessions as a grid: rooms as columns, time down the side (pure, no queries).

Rows are the intervals between consecutive start/end times of the day, so a session
spans `rowspan` rows of its room's column. A break, or a session without a room, that
overlaps nothing spans every column. A session that cannot be placed
(two sessions saved into one room at once) goes to `overflow`, shown under the grid.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass
class Cell:
    session: Any
    rowspan: int = 1
    colspan: int = 1


@dataclass
class Row:
    starts_at: datetime
    ends_at: datetime
    cells: list[Cell | None] = field(default_factory=list)  # None: empty cell
    covered: list[bool] = field(default_factory=list)  # True: a span above covers it


@dataclass
class Grid:
    columns: list[Any]  # Room objects, or None for "no room"
    rows: list[Row]
    overflow: list[Any]


def _overlaps(a, b) -> bool:
    return a.starts_at < b.ends_at and b.starts_at < a.ends_at


def build_grid(sessions: list[Any], rooms: list[Any]) -> Grid:
    """`sessions` of one day in time order; `rooms` in display order."""
    spanning = [
        s
        for s in sessions
        if (s.room_id is None or getattr(s, "kind", None) == "break")
        and not any(o is not s and _overlaps(s, o) for o in sessions)
    ]
    used_room_ids = {s.room_id for s in sessions if s.room_id is not None and s not in spanning}
    columns: list[Any] = [r for r in rooms if r.id in used_room_ids]
    lanes = _roomless_lanes([s for s in sessions if s.room_id is None and s not in spanning])
    lane_count = max(lanes.values(), default=-1) + 1
    columns += [None] * max(lane_count, 0 if columns else 1)
    times = sorted({s.starts_at for s in sessions} | {s.ends_at for s in sessions})
    rows = [
        Row(start, end, [None] * len(columns), [False] * len(columns))
        for start, end in zip(times, times[1:], strict=False)
    ]
    index = {moment: i for i, moment in enumerate(times)}
    column_of = {c.id: i for i, c in enumerate(columns) if c is not None}
    first_lane = len(columns) - lane_count
    overflow = []
    for session in sessions:
        first, last = index[session.starts_at], index[session.ends_at]
        if session in spanning:
            wanted = range(len(columns))
        else:
            column = column_of.get(session.room_id, first_lane + lanes.get(id(session), 0))
            wanted = range(column, column + 1)
        if any(_taken(rows[r], c) for r in range(first, last) for c in wanted):
            overflow.append(session)
            continue
        rows[first].cells[wanted.start] = Cell(session, last - first, len(wanted))
        for r in range(first, last):
            for c in wanted:
                if (r, c) != (first, wanted.start):
                    rows[r].covered[c] = True
    return Grid(columns, rows, overflow)


def _roomless_lanes(sessions: list[Any]) -> dict[int, int]:
    """Side-by-side "other places" columns for sessions without a room (three site
    visits at once take three columns)."""
    lane_ends: list[datetime] = []
    lanes: dict[int, int] = {}
    for session in sorted(sessions, key=lambda s: (s.starts_at, s.ends_at)):
        lane = next((i for i, end in enumerate(lane_ends) if end <= session.starts_at), None)
        if lane is None:
            lane = len(lane_ends)
            lane_ends.append(session.ends_at)
        lane_ends[lane] = session.ends_at
        lanes[id(session)] = lane
    return lanes


def _taken(row: Row, column: int) -> bool:
    return row.covered[column] or row.cells[column] is not None
