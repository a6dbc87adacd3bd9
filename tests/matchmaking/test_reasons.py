"""Every left-out meeting gets a reason code, and each code's fact holds (section 2)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from tests.matchmaking.scheduler_validator import check_reasons
from tests.matchmaking.test_scheduler import check_schedule, instances, run


def _people(*ids: int, unavailable: dict[int, list[int]] | None = None) -> list[dict[str, Any]]:
    unavailable = unavailable or {}
    return [{"id": p, "unavailable": unavailable.get(p, [])} for p in ids]


CASES: dict[str, dict[str, Any]] = {
    # 10 is away in slot 1, 11 in slot 2: they never share a slot.
    "no_common_slot": {
        "slots": [{"id": 1}, {"id": 2}],
        "tables": [{"id": 1}, {"id": 2}],
        "participants": _people(10, 11, unavailable={10: [1], 11: [2]}),
        "meetings": [{"id": 100, "participants": [10, 11]}],
    },
    # One table, held in slot 1 by a fixed meeting; 12 is away in slot 2.
    "no_table": {
        "slots": [{"id": 1}, {"id": 2}],
        "tables": [{"id": 1}],
        "participants": _people(10, 11, 12, 13, unavailable={12: [2]}),
        "meetings": [
            {"id": 100, "participants": [10, 11]},
            {"id": 101, "participants": [12, 13]},
        ],
        "fixed": [{"meeting": 100, "slot": 1, "table": 1}],
    },
    # 10 wants three meetings in two slots; tables are plenty.
    "participant_full": {
        "slots": [{"id": 1}, {"id": 2}],
        "tables": [{"id": t} for t in range(1, 4)],
        "participants": _people(10, 11, 12, 13),
        "meetings": [
            {"id": 100, "participants": [10, 11]},
            {"id": 101, "participants": [10, 12]},
            {"id": 102, "participants": [10, 13]},
        ],
    },
    # One slot, one table, two meetings of four different people: the heavier one sits.
    "displaced": {
        "slots": [{"id": 1}],
        "tables": [{"id": 1}],
        "participants": _people(10, 11, 12, 13),
        "meetings": [
            {"id": 100, "participants": [10, 11], "priority": 1},
            {"id": 101, "participants": [12, 13], "priority": 2},
        ],
    },
}
EXPECTED = {"no_common_slot": 100, "no_table": 101, "participant_full": None, "displaced": 100}


@pytest.mark.parametrize("code", list(CASES))
def test_each_code_is_given_where_its_fact_holds(code: str) -> None:
    data = CASES[code]
    output = run(data, time_limit=0.5)
    check_schedule(data, output)
    codes = check_reasons(data, output)
    assert list(codes.values()) == [code]
    if EXPECTED[code] is not None:
        assert list(codes) == [EXPECTED[code]]


def test_scheduled_meetings_have_no_reason() -> None:
    data = CASES["participant_full"]
    output = run(data, time_limit=0.5)
    assert len(output["assignments"]) == 2
    assert set(output["reasons"]) == {str(m) for m in output["unscheduled"]}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_reasons_hold_on_random_instances(data: dict[str, Any]) -> None:
    output = run(data, time_limit=0.3)
    check_schedule(data, output)
    check_reasons(data, output)
