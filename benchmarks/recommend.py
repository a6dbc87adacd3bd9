"""Benchmark of the recommendations (pic_events.matchmaking.recommend.rank): how long one
person's "people you should meet" takes among 300 participants with realistic profiles.

Run alone as ``python benchmarks/recommend.py [--participants N] [--runs N]``; ``run()`` is
what ``make bench`` calls.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pic_events.matchmaking.recommend import Person, rank, stem  # noqa: E402

SEED = 2027
TOPICS = (
    "seed phenotyping",
    "cereal breeding",
    "field trials",
    "drought tolerance",
    "biocontrol of pests",
    "precision irrigation",
    "drone imaging",
    "orchard robotics",
    "cider fermentation",
    "mushroom substrate recycling",
    "medicinal plant extraction",
    "vineyard disease forecasting",
    "greenhouse lighting",
    "soil microbiome analysis",
    "post-harvest storage",
    "packaging made of plant fibre",
    "market access in Asia",
    "training of growers",
    "certification of organic seeds",
    "digital traceability",
    "water reuse in nurseries",
    "ornamental plant breeding",
    "apple scab resistance",
    "consumer studies",
)
SECTORS = (
    "cider",
    "cereals",
    "fruit-vegetables",
    "ornamental",
    "medicinal",
    "mushrooms",
    "seeds",
    "winegrowing",
)
KINDS = ("sme", "large_company", "research", "cluster", "public_body", "end_user", "training")
COUNTRIES = ("FR", "DE", "PL", "ES", "IT", "NL", "DK", "HU", "IE", "CZ", "BE", "PT", "CA", "JP")
CALLS = tuple(f"HORIZON-CL6-2027-0{i}-{j}" for i in (1, 2) for j in range(1, 6)) + (
    "Interreg NWE",
    "Erasmus+ KA2",
    "COSME cluster excellence",
)


def people(n: int, seed: int = SEED) -> list[Person]:
    """`n` seeded participants with offers, seeks, sectors, calls and partner kinds."""
    rng = random.Random(seed)
    result = []
    for i in range(n):
        offers = rng.sample(TOPICS, 3)
        seeks = rng.sample([t for t in TOPICS if t not in offers], 2)
        result.append(
            Person(
                id=i + 1,
                offers="We offer " + ", ".join(offers) + f" with {rng.randint(2, 40)} people.",
                seeks="A partner for " + " and ".join(seeks) + ".",
                sectors=frozenset(rng.sample(SECTORS, rng.randint(1, 3))),
                calls=frozenset(rng.sample(CALLS, rng.randint(0, 2))),
                partner_kinds=frozenset(rng.sample(KINDS, rng.randint(1, 3))),
                kind=rng.choice(KINDS),
                country=rng.choice(COUNTRIES),
                cluster=rng.randint(1, 20),
            )
        )
    return result


def timings(n: int = 300, runs: int = 50) -> list[float]:
    """Milliseconds of `rank` for `runs` different people among `n`, top 20 with reasons;
    each run starts with the stemmer's cache empty (as a fresh worker would)."""
    everyone = people(n)
    result = []
    for me in everyone[:runs]:
        stem.cache_clear()
        start = time.perf_counter()
        rank(me, everyone, limit=20)
        result.append((time.perf_counter() - start) * 1000)
    return result


def run(n: int = 300, runs: int = 50) -> dict[str, Any]:
    ms = sorted(timings(n, runs))
    return {
        "participants": n,
        "runs": runs,
        "median_ms": round(statistics.median(ms), 2),
        "p95_ms": round(ms[int(0.95 * (len(ms) - 1))], 2),
        "max_ms": round(ms[-1], 2),
    }


def print_table(row: dict[str, Any]) -> None:
    print(f"{'participants':>12} {'runs':>5} {'median ms':>10} {'p95 ms':>8} {'max ms':>8}")
    print(
        f"{row['participants']:>12} {row['runs']:>5} {row['median_ms']:>10} "
        f"{row['p95_ms']:>8} {row['max_ms']:>8}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--participants", type=int, default=300)
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    print_table(run(args.participants, args.runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
