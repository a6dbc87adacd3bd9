"""The demo PIC network: 12 European steering clusters, international partners, 60 members.

Names are fictional (VEGEPOLYS VALLEY apart, the network's founder and the demo host) and
deliberately use accents and non-ASCII letters, so that every screen, export and PDF is
tried with them.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from pic_events.accounts.models import Role, User
from pic_events.core.types import utcnow
from pic_events.directory.models import Cluster, Organisation, OrganisationKind
from pic_events.extensions import db

ORGANISER_EMAIL = "organiser@pic.example"
ORGANISER_PASSWORD = "organiser"
MEMBER_PASSWORD = "member"
MEMBER_COUNT = 60


@dataclass(frozen=True)
class DemoCluster:
    name: str
    country: str
    steering: bool
    sectors: tuple[str, ...]
    organisations: tuple[tuple[str, OrganisationKind], ...]


K = OrganisationKind
CLUSTERS = (
    DemoCluster(
        "VEGEPOLYS VALLEY",
        "FR",
        True,
        ("ornamental", "seeds", "fruit-vegetables", "cider"),
        (("Pépinières de l'Authion", K.SME), ("Institut Végétal d'Angers", K.RESEARCH)),
    ),
    DemoCluster(
        "Klaster Rolno-Spożywczy Łódź",
        "PL",
        True,
        ("cereals", "mushrooms"),
        (("Grzyby Łęczyca Sp. z o.o.", K.SME), ("Uniwersytet Przyrodniczy Łódź", K.RESEARCH)),
    ),
    DemoCluster(
        "Dél-Alföldi Kertészeti Klaszter",
        "HU",
        True,
        ("fruit-vegetables", "medicinal"),
        (("Győri Gyógynövény Kft.", K.SME), ("Szegedi Paprika Zrt.", K.LARGE)),
    ),
    DemoCluster(
        "Nordisk Plantenetværk",
        "DK",
        True,
        ("seeds", "ornamental"),
        (("Frø & Sø ApS", K.SME), ("Aarhus Plantevidenskab", K.RESEARCH)),
    ),
    DemoCluster(
        "Clusterul Horticol Dobrogea",
        "RO",
        True,
        ("fruit-vegetables", "winegrowing"),
        (("Vinăria Dealul Ștefănești", K.SME), ("Institutul de Horticultură Iași", K.RESEARCH)),
    ),
    DemoCluster(
        "Saatgut-Netzwerk Weißenburg",
        "DE",
        True,
        ("seeds", "cereals"),
        (("Großmann Saaten GmbH", K.LARGE), ("Hochschule Weißenburg", K.RESEARCH)),
    ),
    DemoCluster(
        "Vlaams Sierteeltcluster",
        "BE",
        True,
        ("ornamental",),
        (("Boomkwekerij Van Daële", K.SME), ("Provinciaal Proefcentrum Sierteelt", K.PUBLIC)),
    ),
    DemoCluster(
        "Clúster Hortofrutícola del Ebro",
        "ES",
        True,
        ("fruit-vegetables", "winegrowing"),
        (("Frutas Peñalba S.L.", K.SME), ("Centro Tecnológico Agroalimentario", K.RESEARCH)),
    ),
    DemoCluster(
        "Distretto Ortofrutticolo di Romagna",
        "IT",
        True,
        ("fruit-vegetables", "winegrowing"),
        (("Cantina Sangiovese Società Agricola", K.SME), ("Università di Forlì", K.RESEARCH)),
    ),
    DemoCluster(
        "Greenport Noord-Holland",
        "NL",
        True,
        ("ornamental", "fruit-vegetables"),
        (("Kwekerij De Tulp B.V.", K.SME), ("Greenport Innovatiehuis", K.CLUSTER)),
    ),
    DemoCluster(
        "Cluster Hortícola do Oeste",
        "PT",
        True,
        ("fruit-vegetables", "cider"),
        (("Pêra Rocha do Oeste Lda.", K.SME), ("Instituto Politécnico de Leiria", K.RESEARCH)),
    ),
    DemoCluster(
        "Vestlandet Frukt og Bær",
        "NO",
        True,
        ("cider", "fruit-vegetables"),
        (("Hardanger Sideri AS", K.SME), ("Fjordsøk Forskning", K.RESEARCH)),
    ),
    DemoCluster(
        "Ege Tıbbi Bitkiler Kümesi",
        "TR",
        False,
        ("medicinal",),
        (("Doğa Bitki Özleri A.Ş.", K.SME),),
    ),
    DemoCluster(
        "Grappe cidricole du Québec", "CA", False, ("cider",), (("Cidrerie Val-Brûlé", K.SME),)
    ),
    DemoCluster(
        "Tōhoku Kinoko Network", "JP", False, ("mushrooms",), (("Sendai Shiitake Kōbō", K.SME),)
    ),
    DemoCluster(
        "Naivasha Flower Cluster",
        "KE",
        False,
        ("ornamental",),
        (("Lake Naivasha Roses Ltd", K.LARGE),),
    ),
    DemoCluster(
        "Polo de Sementes do Cerrado",
        "BR",
        False,
        ("seeds", "cereals"),
        (("Sementes São João Ltda.", K.SME),),
    ),
)

FIRST_NAMES = (
    "Łukasz",
    "Zsófia",
    "Søren",
    "Ștefan",
    "Gökhan",
    "Jürgen",
    "Hélène",
    "Ørjan",
    "Begoña",
    "Agnieszka",
    "Ákos",
    "Mette",
    "Ioana",
    "Ayşe",
    "Björn",
    "François",
    "Inês",
    "Dagný",
    "Małgorzata",
    "Gergő",
    "Kirsten",
    "Răzvan",
    "Çağla",
    "Grete",
    "Léa",
    "João",
    "Åse",
    "Wojciech",
    "Réka",
    "Asbjørn",
)
LAST_NAMES = (
    "Wiśniewski",
    "Kovács",
    "Jørgensen",
    "Popescu",
    "Yılmaz",
    "Groß",
    "Lefèvre",
    "Sæther",
    "Muñoz",
    "Dąbrowska",
    "Szőke",
    "Mølgaard",
    "Țurcanu",
    "Öztürk",
    "Weiß",
    "Bérenger",
    "Gonçalves",
    "Hansen",
    "Kowalczyk",
    "Nagy",
    "Østergaard",
    "Mureșan",
    "Doğan",
    "Strauß",
    "Ménard",
    "Araújo",
    "Lindqvist",
    "Zieliński",
    "Horváth",
    "Brøndum",
)


def _member_name(index: int) -> str:
    first = FIRST_NAMES[index % len(FIRST_NAMES)]
    last = LAST_NAMES[(index * 7 + index // len(FIRST_NAMES)) % len(LAST_NAMES)]
    return f"{first} {last}"


def seed_network() -> list[Organisation]:
    """Clusters and organisations, matched by name: running twice adds nothing."""
    organisations: list[Organisation] = []
    for spec in CLUSTERS:
        cluster = db.session.scalar(select(Cluster).where(Cluster.name == spec.name))
        if cluster is None:
            cluster = Cluster(
                name=spec.name, country=spec.country, steering_committee=spec.steering
            )
            cluster.sectors = list(spec.sectors)
            db.session.add(cluster)
        for org_name, kind in spec.organisations:
            organisation = db.session.scalar(
                select(Organisation).where(Organisation.name == org_name)
            )
            if organisation is None:
                organisation = Organisation(
                    name=org_name,
                    cluster=cluster,
                    country=spec.country,
                    kind=kind.value,
                    description=f"Demo member of {spec.name}.",
                )
                db.session.add(organisation)
            organisations.append(organisation)
    db.session.flush()
    return organisations


def seed_people(organisations: list[Organisation]) -> tuple[User, list[User]]:
    """The demo organiser and member01 ... member60, spread over the organisations."""
    organiser = _ensure_user(
        ORGANISER_EMAIL,
        "Claire Organiser",
        Role.ORGANISER,
        generate_password_hash(ORGANISER_PASSWORD, method="scrypt"),
        organisations[0],
    )
    member_hash = generate_password_hash(MEMBER_PASSWORD, method="scrypt")
    members = [
        _ensure_user(
            f"member{n:02d}@pic.example",
            _member_name(n - 1),
            Role.MEMBER,
            member_hash,
            organisations[(n - 1) % len(organisations)],
        )
        for n in range(1, MEMBER_COUNT + 1)
    ]
    db.session.flush()
    return organiser, members


def _ensure_user(
    email: str, name: str, role: Role, password_hash: str, organisation: Organisation
) -> User:
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        user = User(
            email=email,
            name=name,
            role=role.value,
            password_hash=password_hash,
            organisation=organisation,
            country=organisation.country,
            email_verified_at=utcnow(),  # demo accounts count as verified
        )
        db.session.add(user)
    return user


def steering_representatives(members: list[User]) -> list[User]:
    """The first demo member of each steering-committee cluster: its representative."""
    seen: set[int] = set()
    representatives = []
    for member in members:
        cluster = member.cluster
        if cluster is not None and cluster.steering_committee and cluster.id not in seen:
            seen.add(cluster.id)
            representatives.append(member)
    return representatives


def seed_steering_standing(organiser: User, members: list[User]) -> list[User]:
    """The representatives are marked as steering-committee members (by the demo organiser);
    the other members of steering clusters are not. Idempotent."""
    db.session.flush()
    representatives = steering_representatives(members)
    for member in representatives:
        if member.steering_member_since is None:
            member.steering_member_since = utcnow()
            member.steering_marked_by_id = organiser.id
    db.session.flush()
    return representatives
