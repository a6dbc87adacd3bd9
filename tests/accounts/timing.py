"""Compare how long two kinds of request take, robustly on a busy machine: the kinds
alternate (so a slow spell hits both) and the fastest run of each counts."""

from __future__ import annotations

import time
from collections.abc import Callable


def fastest_of_each(
    first: Callable[[int], object], second: Callable[[int], object], rounds: int = 5
) -> tuple[float, float]:
    first(-1), second(-2)  # warm up (caches, connections)
    best = [float("inf"), float("inf")]
    for n in range(rounds):
        for i, request in enumerate((first, second)):
            start = time.perf_counter()
            request(n)
            best[i] = min(best[i], time.perf_counter() - start)
    return best[0], best[1]


def assert_alike(first: float, second: float) -> None:
    """Within a factor of 3: leaving out a password hash makes a factor of about 10."""
    assert 1 / 3 < first / second < 3, (first, second)
