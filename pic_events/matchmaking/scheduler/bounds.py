"""Proven upper bounds on the placed weight: LP relaxations certified by their duals."""

from __future__ import annotations

import math
from typing import Any

import highspy
import numpy as np

from pic_events.matchmaking.scheduler.instance import Weight
from pic_events.matchmaking.scheduler.problem import Problem

LP_ITERATION_LIMIT = 200_000  # a work limit, so that a cut-short LP still cuts the same way
TIME_INDEXED_LP_LIMIT = 15_000  # (meeting, slot) pairs up to which that LP is cheap enough


def matching_size(options: list[tuple[int, ...]]) -> int:
    """Maximum bipartite matching of items to slots (Kuhn's augmenting paths)."""
    owner: dict[int, int] = {}

    def augment(i: int, seen: set[int]) -> bool:
        for s in options[i]:
            if s not in seen:
                seen.add(s)
                if s not in owner or augment(owner[s], seen):
                    owner[s] = i
                    return True
        return False

    return sum(augment(i, set()) for i in range(len(options)))


def lp_dual_bound(
    weights: np.ndarray, cols: list[list[int]], rhs: list[float], time_limit: float
) -> tuple[float, np.ndarray]:
    """Bound on max w.x s.t. A x <= rhs, 0 <= x <= 1, A binary, ``cols[j]`` = rows of x_j.

    Any y >= 0 gives the bound y.rhs + sum_j max(0, w_j - (A^T y)_j), so the duals HiGHS
    returns certify the bound exactly, whether or not the LP solved to optimality.
    """
    n, m = len(cols), len(rhs)
    if n == 0:
        return 0.0, np.zeros(0)
    starts = np.zeros(n + 1, dtype=np.int32)
    starts[1:] = np.cumsum([len(c) for c in cols])
    index = np.fromiter((r for c in cols for r in c), dtype=np.int32, count=int(starts[-1]))
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n, m
    lp.col_cost_ = -weights.astype(float)
    lp.col_lower_, lp.col_upper_ = np.zeros(n), np.ones(n)
    lp.row_lower_, lp.row_upper_ = np.full(m, -highspy.kHighsInf), np.array(rhs, dtype=float)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_, lp.a_matrix_.index_ = starts, index
    lp.a_matrix_.value_ = np.ones(len(index))
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    h.setOptionValue("random_seed", 0)
    h.setOptionValue("time_limit", max(0.05, time_limit))
    h.setOptionValue("simplex_iteration_limit", LP_ITERATION_LIMIT)
    h.passModel(lp)
    h.run()
    solution = h.getSolution()
    dual = np.asarray(solution.row_dual, dtype=float)
    primal = np.asarray(solution.col_value, dtype=float)
    if len(dual) != m or len(primal) != n:
        return float(weights.sum()), np.zeros(n)
    b = np.array(rhs, dtype=float)
    column = np.repeat(np.arange(n), np.diff(starts))
    best = float(weights.sum())
    for y in (np.maximum(dual, 0.0), np.maximum(-dual, 0.0)):
        reduced = weights - np.bincount(column, weights=y[index], minlength=n)
        best = min(best, float(y @ b + np.maximum(reduced, 0.0).sum()))
    return best, primal


def cap_lp(pb: Problem, time_limit: float) -> tuple[float, list[float]]:
    """Each person capped by the most of their meetings that fit distinct slots; total tables.

    Returns the bound and the LP value of each meeting (which meetings are worth placing).
    """
    caps = [matching_size([pb.feas[m] for m in ms]) for ms in pb.by_person]
    usable = [m for m in range(pb.n_meetings) if pb.feas[m]]
    rows = {
        p: r for r, p in enumerate(p for p in range(pb.n_people) if caps[p] < len(pb.by_person[p]))
    }
    total_row = len(rows)
    cols = [[rows[p] for p in pb.parts[m] if p in rows] + [total_row] for m in usable]
    rhs = [float(caps[p]) for p in rows] + [float(sum(pb.cap))]
    weights = np.array([pb.weights[m] for m in usable], dtype=float)
    bound, values = lp_dual_bound(weights, cols, rhs, time_limit)
    value = [0.0] * pb.n_meetings
    for m, v in zip(usable, values, strict=True):
        value[m] = float(v)
    return bound, value


def time_indexed_lp(pb: Problem, time_limit: float) -> float:
    """Bound from the LP relaxation of the slot model (x[meeting, slot])."""
    pairs = [(m, s) for m in range(pb.n_meetings) for s in pb.feas[m]]
    load: dict[tuple[int, int], int] = {}
    per_slot = [0] * pb.n_slots
    for m, s in pairs:
        per_slot[s] += 1
        for p in pb.parts[m]:
            load[p, s] = load.get((p, s), 0) + 1
    rows: dict[tuple[Any, ...], int] = {}
    for m in range(pb.n_meetings):
        if len(pb.feas[m]) > 1:
            rows["m", m] = len(rows)
    for (p, s), k in sorted(load.items()):
        if k > 1:
            rows["p", p, s] = len(rows)
    for s in range(pb.n_slots):
        if per_slot[s] > pb.cap[s]:
            rows["s", s] = len(rows)
    rhs = [float(pb.cap[key[1]]) if key[0] == "s" else 1.0 for key in rows]
    cols = []
    for m, s in pairs:
        keys = [("m", m), ("s", s)] + [("p", p, s) for p in pb.parts[m]]
        cols.append([rows[k] for k in keys if k in rows])
    weights = np.array([pb.weights[m] for m, _ in pairs], dtype=float)
    return lp_dual_bound(weights, cols, rhs, time_limit)[0]


def final_bound(bound: float, pb: Problem, fixed_weight: Weight) -> Weight:
    """The bound on the whole schedule: fixed weight plus the (rounding-safe) LP/CP bound,
    never above the weight of all placeable meetings, which is summed exactly."""
    total = sum(pb.weights[m] for m in range(pb.n_meetings) if pb.feas[m])
    if not math.isfinite(bound):
        bound = math.inf
    slack = 1e-6 + abs(bound) * 1e-12 if math.isfinite(bound) else 0.0  # float rounding
    if pb.integral and isinstance(fixed_weight, int):
        if bound + slack >= total:
            return fixed_weight + total
        return fixed_weight + int(math.floor(bound + slack))
    # Float priorities: any order of summing a schedule's weights may round up by a few
    # units in the last place, so the bound keeps a relative margin above the exact sum.
    free = min(
        bound * (1 + 1e-9) + 1e-9,
        math.fsum(pb.weights[m] for m in range(pb.n_meetings) if pb.feas[m]),
    )
    return math.fsum([fixed_weight, free]) * (1 + 1e-10) + 1e-12
