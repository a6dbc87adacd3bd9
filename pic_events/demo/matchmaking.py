"""Demo B2B matchmaking for pic-2027: self-booking on, eight 20-minute slots in the day-2
"B2B one-to-one meetings" session (09:00-12:30, 5-minute gaps), tables T1..T30 in the
"Espace B2B" room (T27..T30 seat six, for consortium meetings), and a believable profile for
every confirmed member, listed. No meeting is booked.

Idempotent: settings, slots (by start), tables (by label) and profiles (by registration) are
only added when missing, so a second run changes nothing. Rows are written directly (no
mail is sent).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from babel import Locale

from pic_events.accounts.models import User
from pic_events.core.countries import country_name
from pic_events.directory.models import Organisation, OrganisationKind
from pic_events.events.models import Event
from pic_events.extensions import db
from pic_events.matchmaking.models import B2BSettings, B2BTable, BookingStyle, MatchProfile, Slot
from pic_events.matchmaking.profiles import ProfileInput
from pic_events.programme.models import ProgrammeSession, Room, SessionKind
from pic_events.registration.models import Registration, RegistrationStatus

B2B_SESSION = "B2B one-to-one meetings"
B2B_ROOM = "Espace B2B"
SLOT_MINUTES = 20
GAP_MINUTES = 5
SLOT_COUNT = 8  # 09:00 ... 11:55, the last ends at 12:15
TABLE_COUNT = 30
LARGE_TABLES = {"T27", "T28", "T29", "T30"}  # six seats

# What organisations of each sector offer and seek (pairs that complement each other).
SECTOR_OFFERS = {
    "seeds": (
        "high-throughput seed phenotyping with imaging and germination tests",
        "seed coating with biological agents",
        "a gene bank of old vegetable varieties",
    ),
    "cereals": (
        "cereal breeding for drought tolerance and field trials on 400 ha",
        "grain quality analysis and milling tests",
        "low-input wheat and barley varieties",
    ),
    "fruit-vegetables": (
        "greenhouse trials of biocontrol against whitefly and thrips",
        "post-harvest storage and cold-chain monitoring",
        "precision irrigation with soil moisture sensors",
    ),
    "ornamental": (
        "ornamental plant breeding and in-vitro propagation",
        "peat-free growing media tested in commercial nurseries",
        "LED lighting recipes for pot plants",
    ),
    "medicinal": (
        "extraction and standardisation of medicinal plant compounds",
        "organic cultivation of aromatic and medicinal herbs",
        "laboratory analysis of essential oils",
    ),
    "mushrooms": (
        "mushroom substrate recycling into compost and packaging",
        "shiitake and oyster mushroom spawn production",
        "climate control for mushroom farms",
    ),
    "winegrowing": (
        "vineyard disease forecasting with weather stations",
        "drone imaging of vineyards for precision spraying",
        "resistant grape varieties and their vinification",
    ),
    "cider": (
        "cider fermentation with local yeasts",
        "apple scab resistant orchards and their monitoring",
        "perry and low-alcohol cider product development",
    ),
}
SECTOR_SEEKS = {
    "seeds": (
        "breeders of cereals for field trials in several climates",
        "partners for seed phenotyping of vegetable varieties",
    ),
    "cereals": (
        "a partner for seed phenotyping and drought tolerance screening",
        "millers and bakers to test new wheat varieties",
    ),
    "fruit-vegetables": (
        "biocontrol start-ups for greenhouse trials",
        "digital traceability for the fresh produce chain",
    ),
    "ornamental": (
        "peat-free growing media suppliers",
        "greenhouse lighting experts for energy savings",
    ),
    "medicinal": (
        "growers of organic medicinal herbs",
        "partners for clinical studies of plant extracts",
    ),
    "mushrooms": (
        "packaging made of mushroom substrate",
        "research on mushroom climate control",
    ),
    "winegrowing": (
        "drone imaging and precision spraying in vineyards",
        "resistant grape varieties for trials",
    ),
    "cider": (
        "apple scab resistant orchards for cider",
        "markets for craft cider in Northern Europe",
    ),
}
SUMMARIES = {
    OrganisationKind.SME.value: (
        "{org} is a company of {n} people in {country}, member of {cluster}."
    ),
    OrganisationKind.LARGE.value: "{org} is a leading producer in {country} with its own R&D team.",
    OrganisationKind.RESEARCH.value: (
        "{org} is a research centre with laboratories, experimental fields and PhD students."
    ),
    OrganisationKind.CLUSTER.value: "{org} runs innovation projects for the members of {cluster}.",
    OrganisationKind.PUBLIC.value: "{org} is a public experimental station serving growers.",
    OrganisationKind.OTHER.value: "{org} works with growers across {country}.",
}
CALLS = (
    "HORIZON-CL6-2027-01-FARM2FORK-03",
    "HORIZON-CL6-2027-02-BIODIV-01",
    "HORIZON-CL6-2027-01-CIRCBIO-05",
    "Interreg North-West Europe",
    "Erasmus+ KA2 cooperation partnerships",
    "COSME cluster excellence",
)
WANTED_KINDS = {
    OrganisationKind.SME.value: ["research", "cluster"],
    OrganisationKind.LARGE.value: ["sme", "research"],
    OrganisationKind.RESEARCH.value: ["sme", "end_user", "large_company"],
    OrganisationKind.CLUSTER.value: ["sme", "research", "public_body"],
    OrganisationKind.PUBLIC.value: ["research", "end_user"],
    OrganisationKind.OTHER.value: ["sme"],
}
KEYWORDS = {
    "seeds": ["phenotyping", "germination", "seed health"],
    "cereals": ["drought tolerance", "wheat", "field trials"],
    "fruit-vegetables": ["biocontrol", "greenhouse", "post-harvest"],
    "ornamental": ["nursery", "peat-free", "propagation"],
    "medicinal": ["plant extracts", "essential oils"],
    "mushrooms": ["substrate", "shiitake"],
    "winegrowing": ["vineyard", "drones", "disease forecasting"],
    "cider": ["orchards", "fermentation", "apple scab"],
}


def _b2b_session(event: Event) -> ProgrammeSession | None:
    return db.session.scalar(
        sa.select(ProgrammeSession).where(
            ProgrammeSession.event_id == event.id,
            ProgrammeSession.kind == SessionKind.B2B.value,
            ProgrammeSession.title == B2B_SESSION,
        )
    )


def seed_settings(event: Event) -> None:
    if db.session.get(B2BSettings, event.id) is None:
        db.session.add(
            B2BSettings(
                event_id=event.id,
                enabled=True,
                booking_style=BookingStyle.SELF.value,
                request_lifetime_hours=72,
                self_booking_open=True,
            )
        )


def seed_slots(event: Event) -> None:
    """Eight 20-minute slots from 09:00 on day 2 (the B2B session's start), 5-minute gaps."""
    session = _b2b_session(event)
    zone = ZoneInfo(event.timezone)
    if session is not None:
        start = session.starts_at
    else:
        day = event.starts_on + timedelta(days=1)
        start = datetime.combine(day, datetime.min.time().replace(hour=9), tzinfo=zone)
    existing = set(db.session.scalars(sa.select(Slot.starts_at).where(Slot.event_id == event.id)))
    for i in range(SLOT_COUNT):
        begins = start + timedelta(minutes=i * (SLOT_MINUTES + GAP_MINUTES))
        if begins in existing:
            continue
        db.session.add(
            Slot(
                event_id=event.id,
                starts_at=begins,
                ends_at=begins + timedelta(minutes=SLOT_MINUTES),
            )
        )


def seed_tables(event: Event) -> None:
    room = db.session.scalar(
        sa.select(Room).where(Room.event_id == event.id, Room.name == B2B_ROOM)
    )
    existing = set(
        db.session.scalars(sa.select(B2BTable.label).where(B2BTable.event_id == event.id))
    )
    for i in range(1, TABLE_COUNT + 1):
        label = f"T{i}"
        if label in existing:
            continue
        db.session.add(
            B2BTable(
                event_id=event.id,
                label=label,
                seats=6 if label in LARGE_TABLES else 2,
                room_id=room.id if room else None,
                position=i,
            )
        )


def demo_profile(index: int, organisation: Organisation | None) -> ProfileInput:
    """A deterministic, believable profile for the index-th member of `organisation`."""
    cluster = organisation.cluster if organisation else None
    sectors = list(cluster.sectors) if cluster and cluster.sectors else ["fruit-vegetables"]
    main = sectors[index % len(sectors)]
    second = sectors[(index + 1) % len(sectors)]
    offers = SECTOR_OFFERS[main][index % len(SECTOR_OFFERS[main])]
    extra = SECTOR_OFFERS[second][(index + 1) % len(SECTOR_OFFERS[second])]
    # Seek in a neighbouring sector, so that the sectors complement each other.
    all_sectors = list(SECTOR_SEEKS)
    wanted = all_sectors[(all_sectors.index(main) + 1 + index % 3) % len(all_sectors)]
    seeks = SECTOR_SEEKS[wanted][index % 2]
    kind = organisation.kind if organisation else OrganisationKind.OTHER.value
    summary = SUMMARIES.get(kind, SUMMARIES[OrganisationKind.OTHER.value]).format(
        org=organisation.name if organisation else "Our organisation",
        n=8 + (index * 7) % 60,
        country=country_name(organisation.country, Locale("en")) if organisation else "Europe",
        cluster=cluster.name if cluster else "the PIC network",
    )
    offered = offers[0].upper() + offers[1:]
    if extra != offers:
        offered += f"; {extra}"
    return ProfileInput(
        summary=summary,
        offers=offered + ".",
        seeks=f"We are looking for {seeks}.",
        sectors=list(dict.fromkeys([main, second])),
        keywords=KEYWORDS[main][:2] + KEYWORDS[wanted][:1],
        calls=[CALLS[index % len(CALLS)], CALLS[(index + 2) % len(CALLS)]][: 1 + index % 2],
        partner_kinds=WANTED_KINDS.get(kind, ["sme"]),
    )


def seed_profiles(event: Event) -> int:
    """A listed profile for every confirmed registration that has none. Returns how many."""
    rows = db.session.execute(
        sa.select(Registration, User)
        .join(User, User.id == Registration.user_id)
        .outerjoin(MatchProfile, MatchProfile.registration_id == Registration.id)
        .where(
            Registration.event_id == event.id,
            Registration.status == RegistrationStatus.CONFIRMED.value,
            MatchProfile.id.is_(None),
        )
        .order_by(User.email)
    ).all()
    for registration, user in rows:
        organisation = user.organisation
        data = demo_profile(user.id, organisation)
        profile = MatchProfile(
            registration_id=registration.id,
            summary=data.summary,
            offers=data.offers,
            seeks=data.seeks,
            sectors=data.sectors,
            keywords=data.keywords,
            calls=data.calls,
            partner_kinds=data.partner_kinds,
        )
        db.session.add(profile)
    return len(rows)


def seed_matchmaking(event: Event) -> None:
    """Settings, slots, tables and profiles for `event`. Commits."""
    seed_settings(event)
    seed_slots(event)
    seed_tables(event)
    db.session.flush()
    seed_profiles(event)
    db.session.commit()
