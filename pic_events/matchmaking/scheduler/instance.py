"""The instance: data classes, parsing of the JSON format and its validation."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

Id = int | str
Weight = int | float

MAX_TOTAL_PRIORITY = 1e15  # float arithmetic stays exact enough for a sound bound below this


class InstanceError(ValueError):
    """The instance breaks the input contract; the message is a single line."""


@dataclass(frozen=True)
class Participant:
    id: Id
    unavailable: frozenset[Id] = frozenset()


@dataclass(frozen=True)
class Meeting:
    id: Id
    participants: tuple[Id, ...]
    priority: Weight = 1
    slots: tuple[Id, ...] | None = None  # None: any slot


@dataclass(frozen=True)
class Assignment:
    meeting: Id
    slot: Id
    table: Id


@dataclass(frozen=True)
class Instance:
    slots: tuple[Id, ...]
    tables: tuple[Id, ...]
    participants: tuple[Participant, ...]
    meetings: tuple[Meeting, ...]
    fixed: tuple[Assignment, ...] = ()
    blocks: tuple[str | None, ...] | None = None  # each slot's block; None: one block


# Why a meeting is left out (CONTRACT.md): proven facts, checked in this order.
NO_COMMON_SLOT = "no_common_slot"  # no allowed slot where everyone is available and free
NO_TABLE = "no_table"  # in every such slot, fixed meetings hold all the tables
PARTICIPANT_FULL = "participant_full"  # a participant cannot have all their meetings
DISPLACED = "displaced"  # fits alone; where it could go, others of at least its weight sit
REASON_CODES = (NO_COMMON_SLOT, NO_TABLE, PARTICIPANT_FULL, DISPLACED)


@dataclass(frozen=True)
class Schedule:
    assignments: tuple[Assignment, ...]
    unscheduled: tuple[Id, ...]
    upper_bound: Weight
    seconds: float
    weight: Weight
    reasons: dict[Id, str] = field(default_factory=dict)  # unscheduled meeting -> code
    idle_gaps: int = 0
    idle_gaps_bound: int | None = None  # proven: no schedule of this weight has fewer


def _id(value: Any, what: str) -> Id:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise InstanceError(f"{what}: id must be an integer or a string, got {value!r}")
    return value


def _list(data: dict[str, Any], key: str, *, required: bool = True) -> list[Any]:
    if key not in data:
        if required:
            raise InstanceError(f"missing key {key!r}")
        return []
    value = data[key]
    if not isinstance(value, list):
        raise InstanceError(f"{key!r} must be a list")
    return value


def _record(item: Any, what: str) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise InstanceError(f"{what} must be an object, got {item!r}")
    if "id" not in item and what != "fixed entry":
        raise InstanceError(f"{what} without an id: {item!r}")
    return item


def _unique_ids(items: list[Any], what: str) -> tuple[Id, ...]:
    ids = tuple(_id(_record(item, what)["id"], what) for item in items)
    seen: set[Id] = set()
    for ident in ids:
        if ident in seen:
            raise InstanceError(f"duplicate {what} id {ident!r}")
        seen.add(ident)
    return ids


def _known(ident: Any, known: set[Id], what: str, where: str) -> Id:
    ident = _id(ident, f"{where}: {what}")
    if ident not in known:
        raise InstanceError(f"{where}: unknown {what} {ident!r}")
    return ident


def _priority(raw: Any, where: str) -> Weight:
    ok = isinstance(raw, int | float) and not isinstance(raw, bool)
    if not ok or raw <= 0 or not math.isfinite(raw) or raw > MAX_TOTAL_PRIORITY:
        raise InstanceError(
            f"{where}: priority must be a positive number up to {MAX_TOTAL_PRIORITY:g}, got {raw!r}"
        )
    return raw


def _parse_participant(item: dict[str, Any], slots: set[Id]) -> Participant:
    where = f"participant {item['id']!r}"
    raw = item.get("unavailable", [])
    if not isinstance(raw, list):
        raise InstanceError(f"{where}: 'unavailable' must be a list")
    return Participant(item["id"], frozenset(_known(s, slots, "slot", where) for s in raw))


def _parse_meeting(item: dict[str, Any], people: set[Id], slots: set[Id]) -> Meeting:
    where = f"meeting {item['id']!r}"
    raw = item.get("participants")
    if not isinstance(raw, list):
        raise InstanceError(f"{where}: 'participants' must be a list")
    members = tuple(_known(p, people, "participant", where) for p in raw)
    if len(set(members)) != len(members):
        raise InstanceError(f"{where}: a participant is listed twice")
    if len(members) < 2:
        raise InstanceError(f"{where}: needs at least two participants")
    allowed = item.get("slots")
    if allowed is not None:
        if not isinstance(allowed, list):
            raise InstanceError(f"{where}: 'slots' must be a list")
        allowed = tuple(dict.fromkeys(_known(s, slots, "slot", where) for s in allowed))
    return Meeting(item["id"], members, _priority(item.get("priority", 1), where), allowed)


def _parse_fixed(item: Any, meetings: set[Id], slots: set[Id], tables: set[Id]) -> Assignment:
    item = _record(item, "fixed entry")
    for key in ("meeting", "slot", "table"):
        if key not in item:
            raise InstanceError(f"fixed entry without {key!r}: {item!r}")
    where = "fixed entry"
    return Assignment(
        _known(item["meeting"], meetings, "meeting", where),
        _known(item["slot"], slots, "slot", where),
        _known(item["table"], tables, "table", where),
    )


def _check_fixed(instance: Instance) -> None:
    """A fixed meeting must obey every rule a scheduled meeting obeys."""
    meetings = {m.id: m for m in instance.meetings}
    unavailable = {p.id: p.unavailable for p in instance.participants}
    seen_meetings: set[Id] = set()
    tables: dict[tuple[Id, Id], Id] = {}
    people: dict[tuple[Id, Id], Id] = {}
    for a in instance.fixed:
        meeting = meetings[a.meeting]
        where = f"fixed meeting {a.meeting!r}"
        if a.meeting in seen_meetings:
            raise InstanceError(f"{where} is fixed twice")
        seen_meetings.add(a.meeting)
        if meeting.slots is not None and a.slot not in meeting.slots:
            raise InstanceError(f"{where}: slot {a.slot!r} is not one of its allowed slots")
        if (a.slot, a.table) in tables:
            other = tables[a.slot, a.table]
            raise InstanceError(
                f"{where}: table {a.table!r} in slot {a.slot!r} already holds meeting {other!r}"
            )
        tables[a.slot, a.table] = a.meeting
        for p in meeting.participants:
            if a.slot in unavailable[p]:
                raise InstanceError(f"{where}: participant {p!r} is unavailable in slot {a.slot!r}")
            if (p, a.slot) in people:
                other = people[p, a.slot]
                raise InstanceError(
                    f"{where}: participant {p!r} is already in meeting {other!r} in slot {a.slot!r}"
                )
            people[p, a.slot] = a.meeting


def _blocks(raw_slots: list[dict[str, Any]]) -> tuple[str | None, ...] | None:
    """Each slot's optional ``block`` (a string); None when no slot has one."""
    blocks = tuple(item.get("block") for item in raw_slots)
    for item, block in zip(raw_slots, blocks, strict=True):
        if block is not None and not isinstance(block, str):
            raise InstanceError(f"slot {item['id']!r}: 'block' must be a string, got {block!r}")
    return blocks if any(b is not None for b in blocks) else None


def parse_instance(data: Any) -> Instance:
    """Validate a decoded JSON instance; raise ``InstanceError`` on any contract breach."""
    if not isinstance(data, dict):
        raise InstanceError("the instance must be a JSON object")
    raw_slots = _list(data, "slots")
    raw_tables = _list(data, "tables")
    raw_people = _list(data, "participants")
    raw_meetings = _list(data, "meetings")
    raw_fixed = _list(data, "fixed", required=False)
    slots = _unique_ids(raw_slots, "slot")
    tables = _unique_ids(raw_tables, "table")
    people_ids = _unique_ids(raw_people, "participant")
    meeting_ids = _unique_ids(raw_meetings, "meeting")
    slot_set, people_set = set(slots), set(people_ids)
    participants = tuple(_parse_participant(p, slot_set) for p in raw_people)
    meetings = tuple(_parse_meeting(m, people_set, slot_set) for m in raw_meetings)
    if sum(m.priority for m in meetings) > MAX_TOTAL_PRIORITY:
        raise InstanceError(f"the priorities add up to more than {MAX_TOTAL_PRIORITY:g}")
    meeting_set, table_set = set(meeting_ids), set(tables)
    fixed = tuple(_parse_fixed(f, meeting_set, slot_set, table_set) for f in raw_fixed)
    instance = Instance(slots, tables, participants, meetings, fixed, _blocks(raw_slots))
    _check_fixed(instance)
    return instance
