"""Demo project ideas for pic-2027: a handful across the sectors, some partners already in,
roles still open, no consortium meeting booked. Idempotent: an idea is matched by its title.

Rows are written directly (no mails): the demo tells nobody anything."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from pic_events.accounts.models import User
from pic_events.consortia.models import Idea, Interest, Role
from pic_events.consortia.services import person_country
from pic_events.core.types import utcnow
from pic_events.events.models import Event
from pic_events.extensions import db
from pic_events.registration.models import Registration, RegistrationStatus


@dataclass(frozen=True)
class DemoRole:
    kind: str
    description: str
    countries: tuple[str, ...] = ()
    filled_from: str | None = None  # a partner from this country has joined already


@dataclass(frozen=True)
class DemoIdea:
    title: str
    lead_email: str
    call: str
    deadline: date | None
    sectors: tuple[str, ...]
    keywords: tuple[str, ...]
    summary: str
    roles: tuple[DemoRole, ...]
    confidential: bool = False


IDEAS = (
    DemoIdea(
        "Field trials of low-pesticide apple varieties",
        "member01@pic.example",
        "HORIZON-CL6-2027-FARM2FORK-02",
        date(2027, 9, 16),
        ("fruit-vegetables", "cider"),
        ("apple", "scab resistance", "field trials", "integrated pest management"),
        "Scab-resistant apple varieties bred in Anjou need two seasons of field trials under "
        "other climates before nurseries and growers adopt them. We look for research partners "
        "to run the protocols, nurseries to propagate, and growers in southern Europe to host "
        "the trials.",
        (
            DemoRole("research", "plant pathology lab to run the trial protocol", (), "PL"),
            DemoRole("sme", "a nursery to propagate the varieties", (), "BE"),
            DemoRole(
                "end_user",
                "grower cooperatives to host field trials in southern Europe",
                ("ES", "IT", "PT"),
            ),
            DemoRole("public_body", "a regional extension service to spread the results"),
        ),
    ),
    DemoIdea(
        "Cider-waste biorefinery: pectin and fibres from pomace",
        "member07@pic.example",
        "HORIZON-CBE-2027-01",
        date(2027, 4, 22),
        ("cider", "fruit-vegetables"),
        ("pomace", "pectin", "biorefinery", "circular economy"),
        "Cider mills discard thousands of tonnes of pomace each autumn. A pilot line would "
        "extract pectin and dietary fibres; we need an equipment maker, a food company to "
        "take the products, and mills to supply pomace.",
        (
            DemoRole("research", "food-process engineering for extraction", (), "DK"),
            DemoRole("large_company", "a food company to test the fibres in products"),
            DemoRole("sme", "an equipment maker to build the pilot line"),
        ),
    ),
    DemoIdea(
        "A digital twin for greenhouses",
        "member12@pic.example",
        "DIGITAL-2027-AI-04",
        date(2027, 5, 28),
        ("ornamental", "fruit-vegetables"),
        ("greenhouse", "digital twin", "sensors", "energy"),
        "Climate and crop models fed by cheap sensors, so that growers of ornamentals and "
        "vegetables can try a heating or lighting strategy on the twin before the real "
        "greenhouse. Energy savings are the first goal.",
        (
            DemoRole("sme", "a sensor and IoT company", (), "NL"),
            DemoRole("research", "crop and climate modelling"),
            DemoRole("end_user", "growers willing to equip one greenhouse each"),
            DemoRole("cluster", "a cluster to run the growers' panel"),
        ),
    ),
    DemoIdea(
        "Mushroom substrate from vineyard prunings",
        "member20@pic.example",
        "INTERREG-EUROPE-2027",
        None,
        ("mushrooms", "winegrowing"),
        ("substrate", "vine prunings", "circular economy"),
        "Vineyards burn their prunings; mushroom growers import straw. An interregional "
        "project would test prunings as a substrate and organise the supply chain.",
        (
            DemoRole("cluster", "a winegrowing cluster to organise the supply", ("ES", "PT", "IT")),
            DemoRole("end_user", "mushroom growers to test the substrate", (), "HU"),
        ),
        confidential=True,
    ),
    DemoIdea(
        "Skills for medicinal and aromatic plant growers",
        "member33@pic.example",
        "ERASMUS-EDU-2027-PI-ALL-INNO",
        date(2027, 3, 12),
        ("medicinal",),
        ("training", "quality", "distillation"),
        "A blended course on quality and traceability for small growers and distillers of "
        "medicinal and aromatic plants, in five languages.",
        (
            DemoRole("training", "a vocational school or university to write the modules"),
            DemoRole("cluster", "clusters to recruit the first learners", (), "RO"),
            DemoRole("sme", "distillers to host practical days"),
        ),
    ),
)


def _people(event: Event) -> list[Registration]:
    return list(
        db.session.scalars(
            sa.select(Registration)
            .join(User, User.id == Registration.user_id)
            .options(joinedload(Registration.user).joinedload(User.organisation))
            .where(
                Registration.event_id == event.id,
                Registration.status == RegistrationStatus.CONFIRMED,
            )
            .order_by(User.email)
        )
    )


def seed_ideas(event: Event) -> int:
    """Add the demo ideas that are not there yet; returns how many were added."""
    people = _people(event)
    by_email = {r.user.email: r for r in people}
    added = 0
    for spec in IDEAS:
        exists = db.session.scalar(
            sa.select(Idea.id).where(Idea.event_id == event.id, Idea.title == spec.title)
        )
        lead = by_email.get(spec.lead_email)
        if exists is not None or lead is None:
            continue
        idea = Idea(
            event_id=event.id,
            lead=lead,
            title=spec.title,
            summary=spec.summary,
            call=spec.call,
            call_deadline=spec.deadline,
            sectors=list(spec.sectors),
            keywords=list(spec.keywords),
            confidential=spec.confidential,
        )
        used = {lead.id}
        for role_spec in spec.roles:
            role = Role(
                kind=role_spec.kind,
                description=role_spec.description,
                countries=list(role_spec.countries),
            )
            if role_spec.filled_from:
                partner = next(
                    (
                        p
                        for p in people
                        if p.id not in used and person_country(p) == role_spec.filled_from
                    ),
                    None,
                )
                if partner is not None:
                    used.add(partner.id)
                    role.filled_by = partner
                    role.filled_at = utcnow()
                    db.session.add(
                        Interest(
                            role=role,
                            registration=partner,
                            message="",
                            status="accepted",
                            responded_at=utcnow(),
                        )
                    )
            idea.roles.append(role)
        db.session.add(idea)
        added += 1
    db.session.flush()
    return added
