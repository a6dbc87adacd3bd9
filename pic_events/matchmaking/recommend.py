"""People you should meet: complementarity between matchmaking profiles, explained.

Pure: plain dataclasses in, a ranked list out; no Flask, no database. profiles.py maps rows
to `Person` and the reasons' codes to translated sentences.

The score of a candidate, seen from me:
- what they seek against what I offer, and what they offer against what I seek: the words
  both texts share (folded, lightly stemmed, common words dropped), each weighted by its
  rarity among all the profiles (a word everyone uses says little);
- calls or topics we both follow (a call code matches a longer one it begins: HORIZON-CL6-2027
  and HORIZON-CL6-2027-01-3); sectors we share;
- their kind of organisation among the partner kinds I look for (and, less, the reverse);
- then, only if something above matched, a bonus for another country and another cluster
  (consortia need several countries).
Each part that scores gives a `Reason` (a code, what matched, its weight), strongest first.
"""

from __future__ import annotations

import functools
import heapq
import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from pic_events.matchmaking.folding import fold

THEY_SEEK = "they_seek"  # they seek what I offer
THEY_OFFER = "they_offer"  # they offer what I seek
SHARED_CALL = "shared_call"
PARTNER_KIND = "partner_kind"
SHARED_SECTOR = "shared_sector"
OTHER_COUNTRY = "other_country"

CALL_WEIGHT = 2.5
SECTOR_WEIGHT = 0.8
MAX_SECTORS_COUNTED = 2
KIND_WEIGHT = 1.5
KIND_REVERSE_WEIGHT = 0.5
COUNTRY_BONUS = 0.6
CLUSTER_BONUS = 0.3
MAX_PHRASE_WORDS = 8

STOPWORDS = frozenset(
    """a an and are as at be by for from in into is it its of on or our the their this to
    we with who what which us you your new all any also other such more most can will
    partner partners partnership project projects looking look seek seeking seeks offer
    offers offering need needs want wants interested interest company companies
    organisation organisations organization field test tests tested testing
    plant plants sector sectors""".split()  # noqa: SIM905
)
_SUFFIXES = (
    ("ations", ""),
    ("ation", ""),
    ("ings", ""),
    ("ing", ""),
    ("ies", "y"),
    ("ers", ""),
    ("er", ""),
    ("es", ""),
    ("ed", ""),
    ("s", ""),
)
_PHRASE_BREAK = re.compile(r"[,;.:\n()/!?]+")


@functools.lru_cache(maxsize=20000)
def stem(word: str) -> str:
    """A light stemmer for folded English words: seeds -> seed, phenotyping and phenotype
    -> phenotyp, breeders -> breed. Words stay at least four letters long."""
    for suffix, replacement in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            word = word[: -len(suffix)] + replacement
            break
    if word.endswith("e") and len(word) > 4:
        word = word[:-1]
    return word


def _is_word(word: str) -> bool:
    return len(word) >= 3 and word not in STOPWORDS and not word.isdigit()


def terms(text: str) -> frozenset[str]:
    """The stems of a text's meaningful words."""
    return frozenset(stem(w) for w in fold(text).split() if _is_word(w))


def _call_key(call: str) -> str:
    return fold(call).replace(" ", "-")


def calls_match(a: str, b: str) -> bool:
    ka, kb = _call_key(a), _call_key(b)
    return bool(ka and kb) and _keys_match(ka, kb)


@dataclass(frozen=True)
class Person:
    """One participant as the ranking sees it. `kind` is their organisation's kind in the
    PartnerKind codes; `partner_kinds` the kinds they look for."""

    id: int
    offers: str = ""
    seeks: str = ""
    sectors: frozenset[str] = frozenset()
    calls: frozenset[str] = frozenset()
    partner_kinds: frozenset[str] = frozenset()
    kind: str | None = None
    country: str | None = None
    cluster: int | str | None = None


@dataclass(frozen=True)
class Reason:
    kind: str  # one of the codes above
    what: str  # the phrase, call, kind code, sector codes (comma-separated) or country code
    weight: float


@dataclass(frozen=True)
class Ranked:
    person_id: int
    score: float
    reasons: tuple[Reason, ...] = field(default=())


@dataclass(frozen=True)
class _Prepared:
    person: Person
    offers: frozenset[str]
    seeks: frozenset[str]
    calls: tuple[str, ...]  # folded call codes


# Each page ranks everyone against one person: the words of each profile are found once per
# worker and kept while the profile stays the same (a changed profile is another Person).
PREPARED_CACHE_SIZE = 8192


@functools.lru_cache(maxsize=PREPARED_CACHE_SIZE)
def _prepare(person: Person) -> _Prepared:
    calls = tuple(k for k in (_call_key(c) for c in sorted(person.calls)) if k)
    return _Prepared(person, terms(person.offers), terms(person.seeks), calls)


def _keys_match(ka: str, kb: str) -> bool:
    return ka == kb or ka.startswith(kb + "-") or kb.startswith(ka + "-")


def _idf(prepared: Iterable[_Prepared]) -> tuple[Counter, int]:
    frequency: Counter = Counter()
    count = 0
    for p in prepared:
        frequency.update(p.offers | p.seeks)
        count += 1
    return frequency, count


def _keys(word: str) -> list[str]:
    """The stems of the meaningful parts of one written word ("peat-free" -> peat, free)."""
    return [stem(part) for part in fold(word).split() if _is_word(part)]


def best_phrase(text: str, wanted: frozenset[str], weights: dict[str, float]) -> str:
    """The words of `text` that carry the matched stems: the best run of matched words
    (up to two common words may sit between them), e.g. "seed phenotyping" in "Partners for
    seed phenotyping; trials in Spain". A single matched word takes the meaningful word
    after it along ("precision irrigation"), so that the phrase reads as a thing."""
    best: tuple[float, int, str] = (0.0, 0, "")
    for piece in _PHRASE_BREAK.split(text):
        words = piece.split()
        keys = [_keys(word) for word in words]
        runs: list[tuple[float, int, int]] = []  # score, first, last word
        first = last = -1
        score = 0.0
        for i, word_keys in enumerate(keys):
            matched = [key for key in word_keys if key in wanted]
            if matched:
                first = i if first < 0 else first
                last = i
                score += sum(weights.get(key, 1.0) for key in matched)
            elif first >= 0 and (word_keys or i - last > 2):
                runs.append((score, first, last))
                first, score = -1, 0.0
        if first >= 0:
            runs.append((score, first, last))
        for score, first, last in runs:
            if first == last and last + 1 < len(words) and keys[last + 1]:
                last += 1
            chosen = words[first : min(last + 1, first + MAX_PHRASE_WORDS)]
            phrase = " ".join(chosen).strip(" -–'\"")
            candidate = (score, -len(chosen), phrase)
            if candidate[:2] > best[:2]:
                best = candidate
    phrase = best[2]
    if len(phrase) > 1 and phrase[0].isupper() and phrase[1].islower():
        phrase = phrase[0].lower() + phrase[1:]  # "Drone imaging" inside a sentence
    return phrase


def _score(
    me: _Prepared, other: _Prepared, weights: dict[str, float], explain: bool
) -> tuple[float, list[Reason]]:
    reasons: list[Reason] = []
    base = 0.0
    they_seek = other.seeks & me.offers
    if they_seek:
        weight = sum(weights[t] for t in they_seek)
        base += weight
        if explain:
            what = best_phrase(other.person.seeks, they_seek, weights)
            reasons.append(Reason(THEY_SEEK, what, weight))
    they_offer = other.offers & me.seeks
    if they_offer:
        weight = sum(weights[t] for t in they_offer)
        base += weight
        if explain:
            what = best_phrase(other.person.offers, they_offer, weights)
            reasons.append(Reason(THEY_OFFER, what, weight))
    a, b = me.person, other.person
    shared = [kb for kb in other.calls if any(_keys_match(ka, kb) for ka in me.calls)]
    if shared:
        shared_calls = sorted(c for c in b.calls if _call_key(c) in shared)
        weight = CALL_WEIGHT * len(shared_calls)
        base += weight
        reasons.append(Reason(SHARED_CALL, ", ".join(shared_calls), weight))
    if b.kind and b.kind in a.partner_kinds:
        base += KIND_WEIGHT
        reasons.append(Reason(PARTNER_KIND, b.kind, KIND_WEIGHT))
    if a.kind and a.kind in b.partner_kinds:
        base += KIND_REVERSE_WEIGHT
    shared_sectors = sorted(a.sectors & b.sectors)
    if shared_sectors:
        weight = SECTOR_WEIGHT * min(len(shared_sectors), MAX_SECTORS_COUNTED)
        base += weight
        reasons.append(Reason(SHARED_SECTOR, ",".join(shared_sectors), weight))
    if base <= 0:
        return 0.0, []
    score = base
    if b.country and a.country and b.country != a.country:
        score += COUNTRY_BONUS
        reasons.append(Reason(OTHER_COUNTRY, b.country, COUNTRY_BONUS))
    if b.cluster is not None and a.cluster is not None and b.cluster != a.cluster:
        score += CLUSTER_BONUS
    reasons.sort(key=lambda r: -r.weight)
    return score, reasons


def rank(
    me: Person,
    others: Iterable[Person],
    *,
    exclude: Iterable[int] = (),
    limit: int | None = 20,
) -> list[Ranked]:
    """The people `me` should meet, best first (score, then id), with their reasons; never
    `me`, nobody in `exclude` (people I already meet), nobody with nothing in common.
    `others` are the people I may see: the caller leaves out the rest."""
    skip = set(exclude) | {me.id}
    candidates = [_prepare(p) for p in others if p.id not in skip]
    mine = _prepare(me)
    frequency, count = _idf([mine, *candidates])
    weights = {t: math.log(1 + (count + 1) / (n + 1)) for t, n in frequency.items()}
    scored = []
    for other in candidates:
        score, _reasons = _score(mine, other, weights, explain=False)
        if score > 0:
            scored.append((score, other))
    if limit is not None:
        best = heapq.nsmallest(limit, scored, key=lambda pair: (-pair[0], pair[1].person.id))
    else:
        best = sorted(scored, key=lambda pair: (-pair[0], pair[1].person.id))
    ranked = []
    for score, other in best:
        _score_again, reasons = _score(mine, other, weights, explain=True)
        ranked.append(Ranked(other.person.id, round(score, 3), tuple(reasons)))
    return ranked
