"""Matchmaking profiles and the participant catalogue.

Who sees what: the catalogue, the participant pages and the recommendations are for the
event's confirmed participants and for organisers, while matchmaking is on. A person
appears (and can be asked) when their registration is confirmed and `listed`, and they
have written a profile.

The catalogue's list, filters and search (the page and the API alike) run over the event's
cached snapshot in catalogue.py, with CatalogueFilters and search_text from here. Search
ignores case and accents: search_text folds the name, organisation, country, cluster and
profile text to lower-case ASCII (folding.fold), and each word of the query, folded the
same way, must occur in it. The snapshot is rebuilt when the event's b2b_version moves, so
a renamed organisation is found under its new name at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import sqlalchemy as sa
from babel import Locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, defaultload

from pic_events.accounts.models import User
from pic_events.core.countries import country_name
from pic_events.core.limits import fits_integer_column
from pic_events.core.types import utcnow
from pic_events.core.validation import NotFoundError, PermissionDenied, ServiceValidationError
from pic_events.directory.models import Cluster, Organisation, OrganisationKind
from pic_events.directory.sectors import SECTORS, sector_name
from pic_events.events.models import Event
from pic_events.extensions import db
from pic_events.matchmaking import ranking_people, recommend
from pic_events.matchmaking.availability import unavailable_slot_ids
from pic_events.matchmaking.folding import fold
from pic_events.matchmaking.layout import event_slots
from pic_events.matchmaking.models import (
    PARTNER_KIND_LABELS,
    MatchProfile,
    MeetingSeat,
    PartnerKind,
    Slot,
)
from pic_events.matchmaking.settings import settings_of
from pic_events.registration.models import Registration, RegistrationStatus

TEXT_LIMITS = {"summary": 1000, "offers": 2000, "seeks": 2000}
MAX_KEYWORDS = 20
KEYWORD_LENGTH = 60
MAX_CALLS = 10
CALL_LENGTH = 120
MAX_QUERY_WORDS = 10

_ENGLISH = Locale("en")


# --- who may see the catalogue -------------------------------------------------------


def viewer_registration(event: Event, user) -> Registration | None:
    """The user's registration for the event, whatever its status (None for visitors)."""
    if user is None or not user.is_authenticated or user.id is None:
        return None
    return db.session.scalar(
        sa.select(Registration).where(
            Registration.event_id == event.id, Registration.user_id == user.id
        )
    )


def may_browse(event: Event, user, registration: Registration | None) -> bool:
    """Organisers, and confirmed participants while matchmaking is on."""
    if user is not None and user.is_authenticated and user.is_organiser:
        return True
    return (
        registration is not None
        and registration.status == RegistrationStatus.CONFIRMED
        and settings_of(event).enabled
    )


def check_may_browse(event: Event, user) -> Registration | None:
    """The viewer's registration (None for an organiser who has none); PermissionDenied for
    anyone who may not see the participants."""
    registration = viewer_registration(event, user)
    if not may_browse(event, user, registration):
        if not settings_of(event).enabled:
            message = _("B2B matchmaking is not open for this event.")
        else:
            message = _("The participant list is for the event's confirmed participants.")
        raise PermissionDenied({"registration": [message]})
    return registration


def my_registration_for_profile(event: Event, user) -> Registration:
    """The registration whose profile the user edits: confirmed, matchmaking on."""
    registration = viewer_registration(event, user)
    if registration is None or registration.status != RegistrationStatus.CONFIRMED:
        raise PermissionDenied(
            {"registration": [_("Only confirmed participants have a matchmaking profile.")]}
        )
    if not settings_of(event).enabled:
        raise PermissionDenied({"registration": [_("B2B matchmaking is not open for this event.")]})
    return registration


# --- the profile -----------------------------------------------------------------------


@dataclass
class ProfileInput:
    summary: str = ""
    offers: str = ""
    seeks: str = ""
    sectors: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)
    partner_kinds: list[str] = field(default_factory=list)
    listed: bool | None = None  # None: unchanged


def partner_kind_choices() -> list[tuple[str, str]]:
    return [(kind.value, str(label)) for kind, label in PARTNER_KIND_LABELS.items()]


def partner_kind_name(code: str) -> str:
    try:
        return str(PARTNER_KIND_LABELS[PartnerKind(code)])
    except ValueError:
        return code


def split_list(text: str | None) -> list[str]:
    """ "seed phenotyping, field trials; drones" -> the items, trimmed, once each."""
    if not text:
        return []
    items = [item.strip() for item in text.replace(";", ",").replace("\n", ",").split(",")]
    return list(dict.fromkeys(item for item in items if item))


def profile_errors(data: ProfileInput) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for name, limit in TEXT_LIMITS.items():
        if len(getattr(data, name) or "") > limit:
            errors[name] = [_("At most %(n)d characters.", n=limit)]
    unknown = [code for code in data.sectors if code not in SECTORS]
    if unknown:
        errors["sectors"] = [_("Unknown sector: %(codes)s.", codes=", ".join(unknown))]
    kinds = {kind.value for kind in PartnerKind}
    unknown = [code for code in data.partner_kinds if code not in kinds]
    if unknown:
        errors["partner_kinds"] = [
            _("Unknown kind of partner: %(codes)s.", codes=", ".join(unknown))
        ]
    for name, most, length in (
        ("keywords", MAX_KEYWORDS, KEYWORD_LENGTH),
        ("calls", MAX_CALLS, CALL_LENGTH),
    ):
        values = getattr(data, name)
        if len(values) > most:
            errors[name] = [_("At most %(n)d items.", n=most)]
        elif any(len(value) > length for value in values):
            errors[name] = [_("Each item has at most %(n)d characters.", n=length)]
    return errors


def profile_of(registration: Registration) -> MatchProfile | None:
    return db.session.scalar(
        sa.select(MatchProfile).where(MatchProfile.registration_id == registration.id)
    )


def search_text(
    profile: MatchProfile,
    *,
    name: str | None,
    organisation: str | None,
    country: str | None,
    cluster: str | None,
) -> str:
    """What the catalogue's search looks in, folded (English country names, sector names)."""
    parts = [
        name,
        organisation,
        country_name(country, _ENGLISH) if country else "",
        cluster,
        profile.summary,
        profile.offers,
        profile.seeks,
        " ".join(profile.keywords or []),
        " ".join(profile.calls or []),
        " ".join(str(SECTORS[c]) for c in profile.sectors or [] if c in SECTORS),
    ]
    return fold(" ".join(part for part in parts if part))


def save_profile(registration: Registration, data: ProfileInput) -> MatchProfile:
    """Write my profile (created on first save) and its search text; commits."""
    data.sectors = list(dict.fromkeys(data.sectors))
    data.partner_kinds = list(dict.fromkeys(data.partner_kinds))
    data.keywords = list(dict.fromkeys(k.strip() for k in data.keywords if k.strip()))
    data.calls = list(dict.fromkeys(c.strip() for c in data.calls if c.strip()))
    errors = profile_errors(data)
    if errors:
        raise ServiceValidationError(errors)
    registration_id = registration.id
    try:
        return _write_profile(registration, data)
    except IntegrityError:
        # Two first saves at once (two tabs): the other created the row; write over it.
        db.session.rollback()
        return _write_profile(db.session.get(Registration, registration_id), data)


def _write_profile(registration: Registration, data: ProfileInput) -> MatchProfile:
    profile = profile_of(registration)
    if profile is None:
        profile = MatchProfile(registration_id=registration.id)
        db.session.add(profile)
    profile.summary = (data.summary or "").strip()
    profile.offers = (data.offers or "").strip()
    profile.seeks = (data.seeks or "").strip()
    profile.sectors = [c for c in SECTORS if c in data.sectors]  # the network's order
    profile.keywords = data.keywords
    profile.calls = data.calls
    profile.partner_kinds = [k.value for k in PartnerKind if k.value in data.partner_kinds]
    profile.updated_at = utcnow()
    if data.listed is not None:
        registration.listed = data.listed
    db.session.commit()
    return profile


def previous_profile(registration: Registration) -> MatchProfile | None:
    """My most recent profile at another event ("start from my profile of last year")."""
    if registration.user_id is None:
        return None
    return db.session.scalar(
        sa.select(MatchProfile)
        .join(Registration, Registration.id == MatchProfile.registration_id)
        .where(
            Registration.user_id == registration.user_id,
            Registration.event_id != registration.event_id,
        )
        .order_by(MatchProfile.updated_at.desc(), MatchProfile.id.desc())
        .limit(1)
    )


def copy_previous_profile(registration: Registration) -> MatchProfile:
    """My profile filled from my most recent one at another event; NotFoundError if none."""
    source = previous_profile(registration)
    if source is None:
        raise NotFoundError(_("You have no profile from another event to start from."))
    data = ProfileInput(
        summary=source.summary,
        offers=source.offers,
        seeks=source.seeks,
        sectors=list(source.sectors or []),
        keywords=list(source.keywords or []),
        calls=list(source.calls or []),
        partner_kinds=list(source.partner_kinds or []),
    )
    return save_profile(registration, data)


# --- the catalogue -----------------------------------------------------------------------


@dataclass
class CatalogueFilters:
    q: str = ""
    sector: str = ""
    country: str = ""
    cluster: int | None = None
    kind: str = ""  # Organisation.kind
    common_free: bool = False  # has free slots in common with me

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> CatalogueFilters:
        cluster = str(args.get("cluster") or "")
        sector = str(args.get("sector") or "")
        kind = str(args.get("kind") or "")
        return cls(
            q=str(args.get("q") or "").strip()[:200],
            sector=sector if sector in SECTORS else "",
            country=str(args.get("country") or "").strip().upper()[:2],
            cluster=int(cluster)
            if cluster.isdigit() and fits_integer_column(int(cluster))
            else None,
            kind=kind if kind in {k.value for k in OrganisationKind} else "",
            common_free=str(args.get("common_free") or "") in ("1", "on", "true", "yes"),
        )

    @property
    def active(self) -> bool:
        return bool(
            self.q or self.sector or self.country or self.cluster or self.kind or self.common_free
        )


def _visible_query(event: Event) -> sa.Select:
    """Profiles of listed, confirmed registrations of the event, with their registration,
    user, organisation and cluster loaded in the same query."""
    return (
        sa.select(MatchProfile)
        .join(MatchProfile.registration)
        .join(Registration.user)
        .outerjoin(User.organisation)
        .outerjoin(Organisation.cluster)
        .where(
            Registration.listed_at(event.id),
        )
        .options(
            contains_eager(MatchProfile.registration)
            .contains_eager(Registration.user)
            .contains_eager(User.organisation)
            .contains_eager(Organisation.cluster),
            # A card shows the cluster's name, not its sectors (selectin by default).
            defaultload(MatchProfile.registration)
            .defaultload(Registration.user)
            .defaultload(User.organisation)
            .defaultload(Organisation.cluster)
            .lazyload(Cluster.sector_links),
        )
    )


def free_slot_ids(
    event: Event, registration_ids: Iterable[int], slots: list[Slot] | None = None
) -> dict[int, set[int]]:
    """{registration id: ids of the event's slots in which the person has no live meeting and
    is not unavailable}. A fixed number of queries (slots, two for availability, seats)
    whatever the number of people. (BOOK's slots.py gives a person's status per slot; this
    is the catalogue's own batch version of "free".)"""
    ids = list(set(registration_ids))
    slots = event_slots(event) if slots is None else slots
    all_slots = {slot.id for slot in slots}
    if not ids or not all_slots:
        return {rid: set() for rid in ids}
    blocked = unavailable_slot_ids(event.id, ids, all_slots)
    busy = db.session.execute(
        sa.select(MeetingSeat.registration_id, MeetingSeat.slot_id).where(
            MeetingSeat.live.is_(True), MeetingSeat.registration_id.in_(ids)
        )
    )
    taken: dict[int, set[int]] = {rid: set(blocked.get(rid, ())) for rid in ids}
    for registration_id, slot_id in busy:
        taken[registration_id].add(slot_id)
    return {rid: all_slots - taken[rid] for rid in ids}


@dataclass(frozen=True)
class ProfileData:
    """What a card shows of a profile, as plain data (the cached catalogue keeps these, not
    model objects)."""

    summary: str = ""
    offers: str = ""
    seeks: str = ""
    sectors: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    calls: tuple[str, ...] = ()
    partner_kinds: tuple[str, ...] = ()


@dataclass(frozen=True)
class Participant:
    """One card of the catalogue (and the API's Participant)."""

    registration_id: int
    name: str
    organisation: str | None
    organisation_kind: str | None
    country: str | None
    cluster: str | None
    cluster_id: int | None
    profile: MatchProfile | ProfileData

    @property
    def sectors(self) -> list[str]:
        return list(self.profile.sectors or [])

    @property
    def sector_names(self) -> list[str]:
        return [sector_name(code) for code in self.sectors]

    @property
    def partner_kind_names(self) -> list[str]:
        return [partner_kind_name(code) for code in self.profile.partner_kinds or []]

    @property
    def organisation_kind_label(self) -> str:
        if not self.organisation_kind:
            return ""
        from pic_events.directory.models import ORGANISATION_KIND_LABELS

        try:
            return str(ORGANISATION_KIND_LABELS[OrganisationKind(self.organisation_kind)])
        except ValueError:
            return self.organisation_kind

    @property
    def country_name(self) -> str:
        return country_name(self.country)


def participant(registration: Registration, profile: MatchProfile) -> Participant:
    user = registration.user
    organisation = user.organisation if user else None
    return Participant(
        registration_id=registration.id,
        name=registration.display_name,
        organisation=organisation.name if organisation else None,
        organisation_kind=organisation.kind if organisation else None,
        country=(user.country if user else None)
        or (organisation.country if organisation else None),
        cluster=organisation.cluster.name if organisation and organisation.cluster else None,
        cluster_id=organisation.cluster_id if organisation else None,
        profile=profile,
    )


def participant_json(person: Participant) -> dict:
    profile = person.profile
    return {
        "registration_id": person.registration_id,
        "name": person.name,
        "organisation": person.organisation,
        "organisation_kind": person.organisation_kind,
        "country": person.country,
        "cluster": person.cluster,
        "sectors": person.sectors,
        "summary": profile.summary,
        "offers": profile.offers,
        "seeks": profile.seeks,
        "keywords": list(profile.keywords or []),
        "calls": list(profile.calls or []),
        "partner_kinds": list(profile.partner_kinds or []),
    }


# --- one participant -------------------------------------------------------------------


def visible_participant(event: Event, registration_id: int) -> Participant:
    """A listed participant with a profile, else NotFoundError (the same for all others)."""
    if not fits_integer_column(registration_id):
        raise NotFoundError(_("No such participant."))
    profile = db.session.scalar(_visible_query(event).where(Registration.id == registration_id))
    if profile is None:
        raise NotFoundError(_("No such participant."))
    return participant(profile.registration, profile)


def common_free_slots(event: Event, me: Registration | None, other_id: int) -> list[Slot]:
    """The slots in which both of us are still free, in time order (none for an organiser
    who is not registered)."""
    if me is None:
        return []
    slots = event_slots(event)
    free = free_slot_ids(event, [me.id, other_id], slots)
    common = free[me.id] & free[other_id]
    return [slot for slot in slots if slot.id in common]


def request_url(event: Event, registration_id: int) -> str:
    """Where "Request a meeting" leads (the request page belongs to views.py)."""
    return f"/events/{event.slug}/b2b/request/{registration_id}"


# --- recommendations ------------------------------------------------------------------

REASON_TEXTS = {
    recommend.THEY_SEEK: _l("seeks a partner for %(what)s, which you offer"),
    recommend.THEY_OFFER: _l("offers %(what)s, which you seek"),
    recommend.SHARED_CALL: _l("is also interested in %(what)s"),
    recommend.PARTNER_KIND: _l("is the kind of partner you look for (%(what)s)"),
    recommend.SHARED_SECTOR: _l("works in %(what)s too"),
    recommend.OTHER_COUNTRY: _l("would bring another country to your consortium (%(what)s)"),
}


def reason_text(reasons: list[recommend.Reason], limit: int = 2) -> str:
    """The one-line reason: the strongest one or two, in words ("Seeks a partner for seed
    phenotyping, which you offer; is also interested in HORIZON-CL6-2027-01.")."""
    phrases = []
    for reason in reasons[:limit]:
        what = reason.what
        if reason.kind == recommend.SHARED_SECTOR:
            what = ", ".join(sector_name(code) for code in reason.what.split(","))
        elif reason.kind == recommend.PARTNER_KIND:
            what = partner_kind_name(reason.what)
        elif reason.kind == recommend.OTHER_COUNTRY:
            what = country_name(reason.what)
        phrases.append(str(REASON_TEXTS[reason.kind]) % {"what": what})
    if not phrases:
        return ""
    line = "; ".join(phrases)
    return line[0].upper() + line[1:] + "."


def ranked(person: Participant) -> recommend.Person:
    """A participant as the ranking sees them."""
    profile = person.profile
    return ranking_people.ranked_person(
        person.registration_id,
        offers=profile.offers,
        keywords=profile.keywords,
        seeks=profile.seeks,
        sectors=profile.sectors,
        calls=profile.calls,
        partner_kinds=profile.partner_kinds,
        kind=person.organisation_kind,
        country=person.country,
        cluster=person.cluster_id,
    )


def met_ids(me: Registration) -> set[int]:
    """The people I already have a live meeting with (one query)."""
    mine = sa.select(MeetingSeat.meeting_id).where(
        MeetingSeat.registration_id == me.id, MeetingSeat.live.is_(True)
    )
    return set(
        db.session.scalars(
            sa.select(MeetingSeat.registration_id).where(
                MeetingSeat.meeting_id.in_(mine), MeetingSeat.registration_id != me.id
            )
        )
    )


@dataclass(frozen=True)
class Recommendation:
    person: Participant
    score: float
    reason: str
