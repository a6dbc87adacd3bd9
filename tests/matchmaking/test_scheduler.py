"""Tests of the matchmaking scheduler: validity, optimality on tiny cases, bounds, CLI."""

from __future__ import annotations

import importlib.util
import itertools
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pic_events.matchmaking.scheduler import (
    InstanceError,
    main,
    parse_instance,
    schedule_to_dict,
    solve,
)

ROOT = Path(__file__).resolve().parents[2]


def _load_by_path(name: str, path: Path) -> Any:
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


check_schedule = _load_by_path(
    "scheduler_validator", Path(__file__).with_name("scheduler_validator.py")
).check_schedule
generate_instance = _load_by_path(
    "scheduler_benchmark", ROOT / "benchmarks" / "scheduler.py"
).generate_instance


def run(data: dict[str, Any], time_limit: float = 1.0) -> dict[str, Any]:
    return schedule_to_dict(solve(parse_instance(data), time_limit=time_limit))


@st.composite
def instances(draw: st.DrawFn, max_meetings: int = 8, max_slots: int = 4) -> dict[str, Any]:
    """Random small instances, with a valid set of fixed meetings."""
    n_slots = draw(st.integers(0, max_slots))
    n_tables = draw(st.integers(0, 3))
    n_people = draw(st.integers(2, 6))
    slots, people = list(range(1, n_slots + 1)), list(range(10, 10 + n_people))
    participants = [
        {"id": p, "unavailable": draw(st.lists(st.sampled_from(slots), unique=True))}
        if slots
        else {"id": p}
        for p in people
    ]
    meetings = []
    for k in range(draw(st.integers(0, max_meetings))):
        group = draw(st.lists(st.sampled_from(people), min_size=2, max_size=3, unique=True))
        meeting: dict[str, Any] = {"id": 100 + k, "participants": group}
        meeting["priority"] = draw(st.sampled_from([1, 1, 2, 3]))
        if slots and draw(st.booleans()):
            meeting["slots"] = draw(st.lists(st.sampled_from(slots), unique=True))
        meetings.append(meeting)
    data = {
        "slots": [{"id": s} for s in slots],
        "tables": [{"id": t} for t in range(1, n_tables + 1)],
        "participants": participants,
        "meetings": meetings,
    }
    data["fixed"] = _valid_fixed(data, draw(st.lists(st.booleans(), min_size=len(meetings))))
    return data


def _valid_fixed(data: dict[str, Any], wanted: list[bool]) -> list[dict[str, Any]]:
    away = {p["id"]: set(p.get("unavailable", [])) for p in data["participants"]}
    used: set[tuple[Any, Any]] = set()
    fixed = []
    for meeting, want in zip(data["meetings"], wanted, strict=False):
        if not want:
            continue
        for slot in meeting.get("slots", [s["id"] for s in data["slots"]]):
            table = next(
                (t["id"] for t in data["tables"] if (slot, ("t", t["id"])) not in used), None
            )
            people_free = all(
                slot not in away[p] and (slot, p) not in used for p in meeting["participants"]
            )
            if table is not None and people_free:
                used.add((slot, ("t", table)))
                used.update((slot, p) for p in meeting["participants"])
                fixed.append({"meeting": meeting["id"], "slot": slot, "table": table})
                break
    return fixed


def brute_force(data: dict[str, Any]) -> float:
    """Best weight over every way of giving each free meeting a slot or none."""
    fixed = {f["meeting"]: f["slot"] for f in data["fixed"]}
    away = {p["id"]: set(p.get("unavailable", [])) for p in data["participants"]}
    free = [m for m in data["meetings"] if m["id"] not in fixed]
    slots = [s["id"] for s in data["slots"]]
    n_tables = len(data["tables"])
    base = [(m, fixed[m["id"]]) for m in data["meetings"] if m["id"] in fixed]
    best = 0.0
    for choice in itertools.product([None, *slots], repeat=len(free)):
        placed = base + [(m, s) for m, s in zip(free, choice, strict=True) if s is not None]
        if _feasible(placed, away, n_tables):
            best = max(best, sum(m.get("priority", 1) for m, _ in placed))
    return best


def _feasible(
    placed: list[tuple[dict[str, Any], Any]], away: dict[Any, set], n_tables: int
) -> bool:
    seen: set[tuple[Any, Any]] = set()
    per_slot: dict[Any, int] = {}
    for meeting, slot in placed:
        if "slots" in meeting and slot not in meeting["slots"]:
            return False
        per_slot[slot] = per_slot.get(slot, 0) + 1
        for p in meeting["participants"]:
            if slot in away[p] or (p, slot) in seen:
                return False
            seen.add((p, slot))
    return all(n <= n_tables for n in per_slot.values())


# --------------------------------------------------------------------------- properties

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(instances())
def test_every_schedule_is_valid(data: dict[str, Any]) -> None:
    check_schedule(data, run(data, time_limit=0.5))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances(max_meetings=6, max_slots=3))
def test_tiny_instances_are_solved_to_optimality(data: dict[str, Any]) -> None:
    output = run(data, time_limit=0.5)
    optimum = brute_force(data)
    assert check_schedule(data, output) == optimum
    assert output["upper_bound"] >= optimum


def test_generated_instances_are_valid_and_close_to_bound() -> None:
    data = generate_instance(40, 160, 8, (1, 2, 3), seed=5, trio_rate=0.2)
    output = run(data, time_limit=2.0)
    weight = check_schedule(data, output)
    assert weight >= 0.97 * output["upper_bound"]


# --------------------------------------------------------------------------- fixed meetings


def test_fixed_meetings_are_kept_and_new_ones_placed() -> None:
    data = generate_instance(30, 90, 6, (1, 2), seed=3)
    first = run(data, time_limit=1.0)
    data["fixed"] = first["assignments"][: len(first["assignments"]) // 2]
    data["meetings"].append({"id": "late", "participants": [1, 2], "priority": 3})
    # A slot added with the late request: free for everyone, so the late meeting fits even if
    # the fixed meetings fill its participants' other slots.
    data["slots"].append({"id": max(slot["id"] for slot in data["slots"]) + 1})
    second = run(data, time_limit=1.0)
    check_schedule(data, second)  # every fixed meeting where it was
    assert "late" in [a["meeting"] for a in second["assignments"]]
    assert "late" not in second["unscheduled"]


def test_all_meetings_fixed() -> None:
    data = generate_instance(12, 20, 4, (1,), seed=9)
    data["fixed"] = run(data, time_limit=0.5)["assignments"]
    output = run(data, time_limit=0.5)
    assert check_schedule(data, output) == output["upper_bound"]


BASE: dict[str, Any] = {
    "slots": [{"id": 1}, {"id": 2}],
    "tables": [{"id": 1}, {"id": 2}],
    "participants": [{"id": 10, "unavailable": [2]}, {"id": 11}, {"id": 12}],
    "meetings": [
        {"id": 100, "participants": [10, 11]},
        {"id": 101, "participants": [11, 12], "slots": [2]},
    ],
}


def with_changes(**changes: Any) -> dict[str, Any]:
    return {**json.loads(json.dumps(BASE)), **changes}


@pytest.mark.parametrize(
    "fixed",
    [
        [{"meeting": 100, "slot": 2, "table": 1}],  # participant 10 unavailable in slot 2
        [{"meeting": 101, "slot": 1, "table": 1}],  # outside the meeting's allowed slots
        [{"meeting": 100, "slot": 1, "table": 1}, {"meeting": 101, "slot": 1, "table": 2}],
        [{"meeting": 100, "slot": 1, "table": 1}, {"meeting": 100, "slot": 1, "table": 2}],
        [{"meeting": 999, "slot": 1, "table": 1}],
        [{"meeting": 100, "slot": 9, "table": 1}],
        [{"meeting": 100, "slot": 1, "table": 9}],
        [{"meeting": 100, "slot": 1}],
    ],
)
def test_fixed_set_breaking_a_rule_is_rejected(fixed: list[dict[str, Any]]) -> None:
    with pytest.raises(InstanceError):
        parse_instance(with_changes(fixed=fixed))


def test_fixed_table_used_twice_is_rejected() -> None:
    data = with_changes(
        participants=[{"id": p} for p in (10, 11, 12, 13)],
        meetings=[{"id": 1, "participants": [10, 11]}, {"id": 2, "participants": [12, 13]}],
        fixed=[{"meeting": 1, "slot": 1, "table": 1}, {"meeting": 2, "slot": 1, "table": 1}],
    )
    with pytest.raises(InstanceError, match="table"):
        parse_instance(data)


@pytest.mark.parametrize(
    "changes",
    [
        {"meetings": [{"id": 1, "participants": [10]}]},
        {"meetings": [{"id": 1, "participants": [10, 99]}]},
        {"meetings": [{"id": 1, "participants": [10, 11], "priority": 0}]},
        {"meetings": [{"id": 1, "participants": [10, 11], "priority": "high"}]},
        {"meetings": [{"id": 1, "participants": [10, 11], "priority": True}]},
        {"meetings": [{"id": 1, "participants": [10, 10, 11]}]},
        {"meetings": [{"id": 1, "participants": [10, 11], "slots": [7]}]},
        {"meetings": [{"id": 1, "participants": [10, 11]}, {"id": 1, "participants": [11, 12]}]},
        {"slots": [{"id": 1}, {"id": 1}]},
        {"tables": [{"id": 1}, {"id": 1}]},
        {"participants": [{"id": 10}, {"id": 10}]},
        {"participants": [{"id": 10, "unavailable": [5]}, {"id": 11}, {"id": 12}]},
        {"slots": "many"},
        {"meetings": [{"id": [1], "participants": [10, 11]}]},
        # a priority past float precision made the bound fall below the schedule's weight
        {"meetings": [{"id": 1, "participants": [10, 11], "priority": 10**22 + 1}]},
        {"meetings": [{"id": 1, "participants": [10, 11], "priority": 1e308}]},
        {
            "meetings": [
                {"id": 1, "participants": [10, 11], "priority": 9e14},
                {"id": 2, "participants": [11, 12], "priority": 9e14},
            ]
        },
    ],
)
def test_bad_instances_are_rejected_with_one_line(changes: dict[str, Any]) -> None:
    with pytest.raises(InstanceError) as error:
        parse_instance(with_changes(**changes))
    assert "\n" not in str(error.value)


# --------------------------------------------------------------------------- edge cases


@pytest.mark.parametrize(
    "changes",
    [
        {"meetings": []},
        {"tables": []},
        {
            "slots": [],
            "participants": [{"id": 10}, {"id": 11}, {"id": 12}],
            "meetings": [{"id": 1, "participants": [10, 11, 12]}],
        },
        {"participants": [{"id": 10, "unavailable": [1, 2]}, {"id": 11}, {"id": 12}]},
    ],
)
def test_degenerate_instances(changes: dict[str, Any]) -> None:
    data = with_changes(**changes)
    output = run(data, time_limit=0.5)
    assert check_schedule(data, output) == output["upper_bound"]


@pytest.mark.parametrize("priorities", [(10**15 - 1, 1), (999_999_999_999.37, 0.01)])
def test_bound_is_sound_for_large_priorities(priorities: tuple[float, float]) -> None:
    """Float rounding of the total must not put the bound below the schedule's weight."""
    data = with_changes(
        participants=[{"id": p} for p in (10, 11, 12, 13)],
        meetings=[
            {"id": 1, "participants": [10, 11], "priority": priorities[0]},
            {"id": 2, "participants": [12, 13], "priority": priorities[1]},
        ],
    )
    output = run(data, time_limit=0.5)
    assert output["upper_bound"] >= check_schedule(data, output) == sum(priorities)


def test_float_bound_is_above_every_order_of_summing() -> None:
    priorities = [0.1, 0.7, 0.2, 0.1, 0.3, 0.1, 1.1, 0.3]
    data = {
        "slots": [{"id": 1}],
        "tables": [{"id": t} for t in range(8)],
        "participants": [{"id": p} for p in range(16)],
        "meetings": [
            {"id": k, "participants": [2 * k, 2 * k + 1], "priority": w}
            for k, w in enumerate(priorities)
        ],
        "fixed": [{"meeting": k, "slot": 1, "table": k} for k in range(0, 8, 2)],
    }
    output = run(data, time_limit=0.5)
    check_schedule(data, output)
    assert output["upper_bound"] >= max(sum(p) for p in itertools.permutations(priorities))


def test_string_ids_and_float_priorities_round_trip() -> None:
    data = {
        "slots": [{"id": "a"}, {"id": "b"}],
        "tables": [{"id": "t1"}],
        "participants": [{"id": "x"}, {"id": "y"}, {"id": "z"}],
        "meetings": [
            {"id": "m1", "participants": ["x", "y"], "priority": 1.5},
            {"id": "m2", "participants": ["y", "z"], "priority": 0.5},
            {"id": "m3", "participants": ["x", "z"], "priority": 2.25},
        ],
    }
    output = run(data)
    assert check_schedule(data, output) == pytest.approx(3.75)
    assert output["upper_bound"] >= 3.75 - 1e-9


# --------------------------------------------------------------------------- runtime


def test_same_input_gives_same_output() -> None:
    # The work budgets end (about 3 s here) long before the wall-clock safety net of a 10 s
    # limit, so a busy machine (the other test worker) cannot cut one run short.
    data = generate_instance(60, 240, 10, (1, 2, 3), seed=11)
    first, second = run(data, time_limit=10.0), run(data, time_limit=10.0)
    first.pop("seconds")
    second.pop("seconds")
    assert first == second


@pytest.mark.parametrize("time_limit", [0.05, 0.1, 0.2])
def test_bound_holds_when_cp_sat_is_cut_short(time_limit: float) -> None:
    """CP-SAT stopped before any solution reports an objective bound of 0: not a bound."""
    data = generate_instance(100, 450, 12, (1, 2, 3), seed=1, trio_rate=0.2)
    output = run(data, time_limit=time_limit)
    assert output["upper_bound"] >= check_schedule(data, output) > 0


def test_huge_time_limit_and_a_clock_started_earlier() -> None:
    data = generate_instance(40, 160, 8, (1, 2, 3), seed=5, trio_rate=0.2)
    instance = parse_instance(data)
    check_schedule(data, schedule_to_dict(solve(instance, time_limit=1e308)))
    started = time.perf_counter()
    late = solve(instance, time_limit=1.0, clock_start=started - 5.0)  # already over time
    assert time.perf_counter() - started < 0.5
    assert late.seconds >= 5.0
    check_schedule(data, schedule_to_dict(late))


def test_time_limit_is_respected_on_a_large_instance() -> None:
    instance = parse_instance(generate_instance(1000, 5500, 16, (1, 2, 3), seed=1))
    started = time.perf_counter()
    output = schedule_to_dict(solve(instance, time_limit=1.0))
    assert time.perf_counter() - started < 2.0
    assert output["assignments"]


# --------------------------------------------------------------------------- command line


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pic_events.matchmaking.scheduler", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )


def test_cli_prints_the_schedule_as_json(tmp_path: Path) -> None:
    data = generate_instance(20, 50, 6, (1, 2), seed=2)
    path = tmp_path / "instance.json"
    path.write_text(json.dumps(data))
    result = cli(str(path), "--time-limit", "1")
    assert result.returncode == 0, result.stderr
    output = json.loads(result.stdout)
    check_schedule(data, output)
    assert {"assignments", "unscheduled", "reasons", "upper_bound", "idle_gaps", "seconds"} <= set(
        output
    )


@pytest.mark.parametrize(
    "content",
    [
        "{not json",
        json.dumps(with_changes(meetings=[{"id": 1, "participants": [10, 42]}])),
        json.dumps(with_changes(fixed=[{"meeting": 100, "slot": 2, "table": 1}])),
        json.dumps([1, 2, 3]),
        None,  # missing file
    ],
)
def test_cli_rejects_bad_input_with_one_line(tmp_path: Path, content: str | None) -> None:
    path = tmp_path / "instance.json"
    if content is not None:
        path.write_text(content)
    result = cli(str(path))
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("content", "args"),
    [
        ("[" * 100_000 + "]" * 100_000, []),  # RecursionError in the JSON decoder
        ('{"slots": [{"id": ' + "9" * 5000 + "}]}", []),  # int past the 4300-digit limit
        (json.dumps(BASE), ["--time-limit", "0"]),
        (json.dumps(BASE), ["--time-limit", "-1"]),
        (json.dumps(BASE), ["--time-limit", "abc"]),
        (json.dumps(BASE), ["--time-limit", "nan"]),
        (json.dumps(BASE), ["--unknown"]),
        (json.dumps(BASE), ["second-file.json"]),
    ],
)
def test_main_rejects_bad_input_and_arguments_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, args: list[str]
) -> None:
    path = tmp_path / "instance.json"
    path.write_text(content)
    try:
        status = main([str(path), *args])
    except SystemExit as stop:  # argparse's own exit
        status = stop.code
    out, err = capsys.readouterr()
    assert status == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_main_without_arguments_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main([])
    assert stop.value.code == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


# --------------------------------------------------------------------------- package


def test_importing_the_scheduler_loads_neither_flask_nor_sqlalchemy() -> None:
    code = (
        "import sys, pic_events.matchmaking.scheduler as s; "
        "assert s.solve and s.parse_instance and s.greedy_schedule and s.main; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('flask', 'sqlalchemy')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
