from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pic_events.core.types import UTCDateTime, utcnow
from pic_events.extensions import db


class OrganisationKind(enum.StrEnum):
    SME = "sme"
    LARGE = "large"
    RESEARCH = "research"
    CLUSTER = "cluster"
    PUBLIC = "public"
    OTHER = "other"


ORGANISATION_KIND_LABELS = {
    OrganisationKind.SME: _l("SME"),
    OrganisationKind.LARGE: _l("Large company"),
    OrganisationKind.RESEARCH: _l("Research / university"),
    OrganisationKind.CLUSTER: _l("Cluster organisation"),
    OrganisationKind.PUBLIC: _l("Public body"),
    OrganisationKind.OTHER: _l("Other"),
}


class ClusterSector(db.Model):
    __tablename__ = "cluster_sector"
    cluster_id: Mapped[int] = mapped_column(
        sa.ForeignKey("cluster.id", ondelete="CASCADE"), primary_key=True
    )
    sector: Mapped[str] = mapped_column(sa.String(32), primary_key=True)


class Cluster(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    country: Mapped[str] = mapped_column(sa.String(2))
    steering_committee: Mapped[bool] = mapped_column(default=False)
    website: Mapped[str | None] = mapped_column(sa.String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    sector_links: Mapped[list[ClusterSector]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by=ClusterSector.sector
    )
    organisations: Mapped[list[Organisation]] = relationship(back_populates="cluster")

    @property
    def sectors(self) -> list[str]:
        return [link.sector for link in self.sector_links]

    @sectors.setter
    def sectors(self, codes: list[str]) -> None:
        wanted = list(dict.fromkeys(codes))
        self.sector_links = [link for link in self.sector_links if link.sector in wanted]
        have = {link.sector for link in self.sector_links}
        self.sector_links.extend(ClusterSector(sector=c) for c in wanted if c not in have)

    def __repr__(self) -> str:
        return f"<Cluster {self.name}>"


class Organisation(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    cluster_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("cluster.id", ondelete="SET NULL"), index=True
    )
    country: Mapped[str] = mapped_column(sa.String(2))
    kind: Mapped[str] = mapped_column(sa.String(16), default=OrganisationKind.OTHER.value)
    description: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    cluster: Mapped[Cluster | None] = relationship(back_populates="organisations")

    @property
    def kind_label(self) -> str:
        return str(ORGANISATION_KIND_LABELS.get(OrganisationKind(self.kind), self.kind))

    def __repr__(self) -> str:
        return f"<Organisation {self.name}>"


# Names are unique whatever their case ("Vegepolys Valley" and "VEGEPOLYS VALLEY" are one
# cluster): the database decides, so two people saving at once cannot both pass the check.
sa.Index("uq_cluster_name_lower", sa.func.lower(Cluster.name), unique=True)
sa.Index("uq_organisation_name_lower", sa.func.lower(Organisation.name), unique=True)
