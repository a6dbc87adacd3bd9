"""The participant catalogue (the page and the API's list), cheap per request, never stale.

What is the same for every viewer of an event (the listed participants' cards, in the
catalogue's order, with what the filters and the ranking read of them) is one snapshot per
`b2b_version`: one query when the version moves, then the page cache, and each worker keeps
the last few snapshots it used in memory (their keys carry the version, so a kept snapshot
is never stale either). The filters, the search and the pager run over that list: matching()
is the one place their rules live. What is personal (the ranking of
suggestions for me, the people with a free slot in common with me) is cached per
registration under the same version: any change of a profile, a name, a meeting, a request,
a slot or a registration gives the event a new b2b_version (events.versions), so the next
request builds again.
"""

from __future__ import annotations

import functools
import json
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

import sqlalchemy as sa
from flask import current_app, request, session
from flask_babel import get_locale
from flask_wtf.csrf import generate_csrf

from pic_events.accounts.models import User
from pic_events.core import page_cache
from pic_events.core.conditional import Validators, viewer_parts
from pic_events.core.countries import country_name
from pic_events.directory.models import ORGANISATION_KIND_LABELS, Cluster, Organisation
from pic_events.directory.sectors import SECTORS
from pic_events.events.models import Event
from pic_events.extensions import db
from pic_events.matchmaking import profiles, ranking_people, recommend
from pic_events.matchmaking.folding import fold, folded_words
from pic_events.matchmaking.models import MatchProfile
from pic_events.registration.models import Registration

T = TypeVar("T")
RANKED_KEPT = 20  # the recommendations page's length; the catalogue shows the first three
MEMO_SIZE = 16  # snapshots and indexes kept in each worker's memory


@dataclass(frozen=True)
class Entry:
    person: profiles.Participant
    country_key: str | None  # coalesce(user's, organisation's): what ?country= compares
    ranked: recommend.Person


@dataclass(frozen=True)
class Snapshot:
    entries: tuple[Entry, ...]  # the catalogue's order: lower(name), registration id

    def by_id(self) -> dict[int, Entry]:
        return {entry.person.registration_id: entry for entry in self.entries}


_memo: dict[str, object] = {}
_memo_lock = threading.Lock()


def _kept(key: str, build: Callable[[], T]) -> T:
    """The value under `key` from this worker's memory, else from the page cache (else
    built). Keys carry versions read from the database: nothing here can go stale."""
    value = _memo.get(key)
    if value is None:
        value = page_cache.cached(key, build)
        with _memo_lock:
            if len(_memo) >= MEMO_SIZE:
                _memo.clear()
            _memo[key] = value
    return value  # type: ignore[return-value]


def snapshot(event: Event) -> Snapshot:
    """The event's listed participants with a profile (one query per b2b_version)."""
    key = page_cache.cache_key("b2b-catalogue", event.id, event.b2b_version)
    return _kept(key, lambda: _build_snapshot(event))


def _as_text(column) -> sa.ColumnElement:
    return sa.cast(column, sa.Text)


def _build_snapshot(event: Event) -> Snapshot:
    rows = db.session.execute(
        sa.select(
            Registration.id,
            User.name,
            User.country,
            Organisation.name,
            Organisation.kind,
            Organisation.country,
            Organisation.cluster_id,
            Cluster.name,
            MatchProfile.summary,
            MatchProfile.offers,
            MatchProfile.seeks,
            _as_text(MatchProfile.sectors),
            _as_text(MatchProfile.keywords),
            _as_text(MatchProfile.calls),
            _as_text(MatchProfile.partner_kinds),
        )
        .select_from(MatchProfile)
        .join(MatchProfile.registration)
        .join(Registration.user)
        .outerjoin(User.organisation)
        .outerjoin(Organisation.cluster)
        .where(Registration.listed_at(event.id))
        .order_by(sa.func.lower(User.name), Registration.id)
    )
    return Snapshot(tuple(_entry_of_row(tuple(row)) for row in rows))


def _json_tuple(text: str | None) -> tuple[str, ...]:
    return tuple(json.loads(text) or ()) if text else ()


@functools.lru_cache(maxsize=ranking_people.ROW_CACHE_SIZE)
def _entry_of_row(row: tuple) -> Entry:
    """One card from its row; kept per worker while the row stays the same (a changed
    profile or name is another row), so a new b2b_version only reads the rows again."""
    (rid, name, user_country, org_name, kind, org_country, cluster_id, cluster_name,
     summary, offers, seeks, sectors, keywords, calls, partner_kinds) = row  # fmt: skip
    data = profiles.ProfileData(
        summary=summary or "",
        offers=offers or "",
        seeks=seeks or "",
        sectors=_json_tuple(sectors),
        keywords=_json_tuple(keywords),
        calls=_json_tuple(calls),
        partner_kinds=_json_tuple(partner_kinds),
    )
    person = profiles.Participant(
        registration_id=rid,
        name=name,
        organisation=org_name,
        organisation_kind=kind,
        country=user_country or org_country,
        cluster=cluster_name,
        cluster_id=cluster_id,
        profile=data,
    )
    country_key = user_country if user_country is not None else org_country
    return Entry(person, country_key, profiles.ranked(person))


def search_index(event: Event, snap: Snapshot) -> dict[int, str]:
    """{registration id: folded search text} as profiles.search_text makes it (sector names
    in the request's language, hence one index per locale)."""
    key = page_cache.cache_key("b2b-search", event.id, event.b2b_version, str(get_locale()))

    def build() -> dict[int, str]:
        return {
            e.person.registration_id: profiles.search_text(
                e.person.profile,
                name=e.person.name,
                organisation=e.person.organisation,
                country=e.person.country,
                cluster=e.person.cluster,
            )
            for e in snap.entries
        }

    return _kept(key, build)


def common_free_ids(event: Event, snap: Snapshot, me: Registration) -> frozenset[int]:
    """The listed people with a free slot in common with me (per registration and version)."""
    key = page_cache.cache_key("b2b-common-free", event.id, event.b2b_version, me.id)

    def build() -> frozenset[int]:
        ids = [e.person.registration_id for e in snap.entries if e.person.registration_id != me.id]
        free = profiles.free_slot_ids(event, [*ids, me.id])
        mine = free[me.id]
        return frozenset(rid for rid in ids if free[rid] & mine)

    return page_cache.cached(key, build)


def matching(
    event: Event, snap: Snapshot, filters: profiles.CatalogueFilters, me: Registration | None
) -> list[profiles.Participant]:
    """The catalogue's people for these filters, in its order: not me; every word of `q`
    (folded) in the search text; the sector, the country (the person's, else their
    organisation's), the cluster and the kind of organisation; with `common_free`, only
    people with a free slot in common with me."""
    entries: Sequence[Entry] = snap.entries
    if me is not None:
        entries = [e for e in entries if e.person.registration_id != me.id]
    words = folded_words(filters.q)[: profiles.MAX_QUERY_WORDS]
    if words:
        texts = search_index(event, snap)
        entries = [e for e in entries if all(w in texts[e.person.registration_id] for w in words)]
    if filters.sector:
        entries = [e for e in entries if filters.sector in e.person.profile.sectors]
    if filters.country:
        entries = [e for e in entries if e.country_key == filters.country]
    if filters.cluster is not None:
        entries = [e for e in entries if e.person.cluster_id == filters.cluster]
    if filters.kind:
        entries = [e for e in entries if e.person.organisation_kind == filters.kind]
    if filters.common_free and me is not None:
        keep = common_free_ids(event, snap, me)
        entries = [e for e in entries if e.person.registration_id in keep]
    return [e.person for e in entries]


def filter_choices(snap: Snapshot) -> dict[str, list[tuple[str, str]]]:
    """The values the filters offer: those of the listed participants (no query)."""
    countries = {e.country_key for e in snap.entries if e.country_key}
    clusters = {
        (e.person.cluster_id, e.person.cluster)
        for e in snap.entries
        if e.person.cluster_id and e.person.cluster is not None
    }
    named = sorted((country_name(c), c) for c in countries)
    return {
        "sectors": [(code, str(name)) for code, name in SECTORS.items()],
        "countries": [(c, name) for name, c in named],
        "clusters": [(str(i), n) for i, n in sorted(clusters, key=lambda pair: fold(pair[1]))],
        "kinds": [(k.value, str(label)) for k, label in ORGANISATION_KIND_LABELS.items()],
    }


def ranking(
    event: Event, snap: Snapshot, me: Registration, my_profile: MatchProfile
) -> tuple[recommend.Ranked, ...]:
    """My best matches (RANKED_KEPT of them), per registration and b2b_version."""
    key = page_cache.cache_key("b2b-ranking", event.id, event.b2b_version, me.id)

    def build() -> tuple[recommend.Ranked, ...]:
        people = [e.ranked for e in snap.entries]
        mine = next((p for p in people if p.id == me.id), None)
        if mine is None:  # not listed: not in the snapshot
            mine = profiles.ranked(profiles.participant(me, my_profile))
        exclude = profiles.met_ids(me)
        return tuple(recommend.rank(mine, people, exclude=exclude, limit=RANKED_KEPT))

    return page_cache.cached(key, build)


def recommendations(
    event: Event, me: Registration, limit: int = RANKED_KEPT, my_profile: MatchProfile | None = None
) -> list[profiles.Recommendation]:
    """People I should meet, best first: among the listed participants, not me and not those
    I already meet, each with a one-line reason; none until I have a profile. The one rule
    for the catalogue's suggestions, the recommendations page and the API."""
    my_profile = my_profile or profiles.profile_of(me)
    if my_profile is None:
        return []
    return suggestions(event, snapshot(event), me, my_profile, limit)


def suggestions(
    event: Event, snap: Snapshot, me: Registration, my_profile: MatchProfile, limit: int
) -> list[profiles.Recommendation]:
    by_id = snap.by_id()
    return [
        profiles.Recommendation(
            by_id[r.person_id].person, r.score, profiles.reason_text(list(r.reasons))
        )
        for r in ranking(event, snap, me, my_profile)[:limit]
    ]


def validators(event: Event, me: Registration | None, user: User) -> Validators:
    """The page's ETag: everything its body depends on. The page has forms (the language and
    log-out buttons): the CSRF period and this session's token are part of it."""
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    if field not in session:
        generate_csrf()
    parts = [
        "b2b-catalogue-page",
        event.id,
        event.content_version,
        event.b2b_version,
        str(get_locale()),
        *viewer_parts(user),
        user.email,
        session.get(field),
        me.id if me is not None else None,
        request.full_path,
    ]
    return Validators(etag=page_cache.fingerprint(parts), private=True)
