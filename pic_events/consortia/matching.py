"""'Ideas that need someone like me': a pure scorer of one person against an idea's open roles.

No Flask, no database: plain facts in, a score and the reasons (codes with their values) out;
services.py turns the reasons into a sentence in the reader's language.

The matchmaking recommendations (pic_events/matchmaking/recommend.py, people against people)
were written at the same time; the two share the idea (complementarity, shared sectors, a
bonus for a country a consortium still lacks) and should be unified into one scorer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from pic_events.matchmaking.folding import fold

# Words too common in the plant sector's profiles to say anything about a match.
STOPWORDS = frozenset(
    [
        "with",
        "from",
        "that",
        "this",
        "their",
        "them",
        "they",
        "have",
        "will",
        "also",
        "into",
        "such",
        "than",
        "more",
        "most",
        "over",
        "under",
        "about",
        "which",
        "what",
        "when",
        "where",
        "while",
        "other",
        "others",
        "some",
        "able",
        "partner",
        "partners",
        "project",
        "projects",
        "europe",
        "european",
        "company",
        "companies",
        "research",
        "plant",
        "plants",
        "sector",
        "sectors",
        "work",
        "working",
        "looking",
        "seek",
        "seeks",
        "offer",
        "offers",
        "need",
        "needs",
        "based",
        "development",
        "new",
        "services",
    ]
)

WORD = re.compile(r"[a-z0-9]+")
ORGANISATION_KIND_TO_ROLE = {
    "sme": "sme",
    "large": "large_company",
    "research": "research",
    "cluster": "cluster",
    "public": "public_body",
    "other": "other",
}


def words(*texts: str | Iterable[str]) -> frozenset[str]:
    """The meaningful words of some texts (four letters or more, no stop-words), folded."""
    found: set[str] = set()
    for text in texts:
        if not isinstance(text, str):
            text = " ".join(text)
        for word in WORD.findall(fold(text)):
            if len(word) >= 4 and word not in STOPWORDS:
                plural = word.endswith("s") and not word.endswith("ss") and len(word) > 4
                found.add(word[:-1] if plural else word)
    return frozenset(found)


@dataclass(frozen=True)
class Seeker:
    """The person reading the list: their kind of organisation, country, profile."""

    registration_id: int | None
    kind: str | None = None  # a role kind code (sme, research ...)
    country: str | None = None
    sectors: frozenset[str] = frozenset()
    offer_words: frozenset[str] = frozenset()  # what they offer, their keywords
    calls: frozenset[str] = frozenset()  # folded call identifiers they follow


@dataclass(frozen=True)
class OpenRole:
    id: int
    kind: str
    countries: tuple[str, ...] = ()
    description_words: frozenset[str] = frozenset()


@dataclass(frozen=True)
class IdeaFacts:
    id: int
    lead_id: int
    sectors: frozenset[str] = frozenset()
    keyword_words: frozenset[str] = frozenset()
    call: str = ""
    open_roles: tuple[OpenRole, ...] = ()
    countries_covered: frozenset[str] = frozenset()
    member_ids: frozenset[int] = frozenset()  # the lead and partners


@dataclass(frozen=True)
class Match:
    """How well a seeker fits an idea: `score` (0: not at all), the best role's id, and the
    reasons as (code, value) pairs, strongest first."""

    score: float
    role_id: int | None = None
    reasons: tuple[tuple[str, object], ...] = field(default_factory=tuple)


KIND_WEIGHT = 4.0
COUNTRY_WANTED_WEIGHT = 2.0
NEW_COUNTRY_WEIGHT = 1.0
SECTOR_WEIGHT = 1.0
WORD_WEIGHT = 1.0
CALL_WEIGHT = 1.5
MAX_SECTORS = 2
MAX_WORDS = 3


def _role_fit(seeker: Seeker, role: OpenRole, idea: IdeaFacts) -> tuple[float, list]:
    score = 0.0
    reasons: list[tuple[str, object]] = []
    if seeker.kind and seeker.kind == role.kind:
        score += KIND_WEIGHT
        reasons.append(("kind", role.kind))
    if seeker.country and role.countries:
        if seeker.country in role.countries:
            score += COUNTRY_WANTED_WEIGHT
            reasons.append(("country_wanted", seeker.country))
        else:
            return 0.0, []  # the role wants partners from elsewhere
    if seeker.country and seeker.country not in idea.countries_covered:
        score += NEW_COUNTRY_WEIGHT
        reasons.append(("new_country", seeker.country))
    shared_words = sorted(seeker.offer_words & (role.description_words | idea.keyword_words))
    if shared_words:
        score += WORD_WEIGHT * min(len(shared_words), MAX_WORDS)
        reasons.append(("words", tuple(shared_words[:MAX_WORDS])))
    return score, reasons


def score_idea(seeker: Seeker, idea: IdeaFacts) -> Match:
    """The best open role of the idea for the seeker; no match for the idea's own people."""
    if seeker.registration_id is not None and seeker.registration_id in idea.member_ids:
        return Match(0.0)
    if not idea.open_roles:
        return Match(0.0)
    best: tuple[float, int | None, list] = (0.0, None, [])
    for role in idea.open_roles:
        score, reasons = _role_fit(seeker, role, idea)
        if score > best[0]:
            best = (score, role.id, reasons)
    score, role_id, reasons = best
    if role_id is None:
        return Match(0.0)
    shared_sectors = sorted(seeker.sectors & idea.sectors)
    if shared_sectors:
        score += SECTOR_WEIGHT * min(len(shared_sectors), MAX_SECTORS)
        reasons.append(("sectors", tuple(shared_sectors)))
    call = fold(idea.call).strip()
    if call and any(c and (c in call or call in c) for c in seeker.calls):
        score += CALL_WEIGHT
        reasons.append(("call", idea.call))
    # A role open to anyone with nothing else in common is not a recommendation.
    if not any(code in ("kind", "words", "sectors", "call") for code, _ in reasons):
        return Match(0.0)
    return Match(round(score, 2), role_id, tuple(reasons))


def rank(seeker: Seeker, ideas: Iterable[IdeaFacts]) -> list[tuple[IdeaFacts, Match]]:
    """The ideas that match at all, best first (ties: the newest idea first)."""
    scored = [(idea, score_idea(seeker, idea)) for idea in ideas]
    matching = [pair for pair in scored if pair[1].score > 0]
    return sorted(matching, key=lambda pair: (-pair[1].score, -pair[0].id))
