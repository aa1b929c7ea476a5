"""Zones (区), blocks (块), enterprises, people and their certificates."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from sqlalchemy import Boolean, Date, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.core.db import TimestampMixin
from backend.core.search import LONGEST_TERM, searchable
from backend.extensions import Model


class EnterpriseRole(StrEnum):
    user = "user"
    producer = "producer"
    maintainer = "maintainer"


class PublicPlace(StrEnum):
    """Public gathering places (公众聚集场所): key objects whatever the grade."""

    school = "school"
    kindergarten = "kindergarten"
    nursing_home = "nursing_home"
    hospital = "hospital"
    station = "station"
    passenger_dock = "passenger_dock"
    mall = "mall"
    stadium = "stadium"
    exhibition_hall = "exhibition_hall"
    park = "park"


class ModelStatus(StrEnum):
    """Model-enterprise (示范单位) status."""

    none = "none"
    candidate = "candidate"
    accepted = "accepted"


class CertificateKind(StrEnum):
    """Certificates the state issues (国家统一颁发的证书): checked by a regulator before they count."""

    safety_manager = "safety_manager"
    block_supervisor = "block_supervisor"
    operator = "operator"


class Verification(StrEnum):
    """A certificate entered by an enterprise is self-declared until a regulator checks its photo."""

    pending = "pending"
    verified = "verified"
    rejected = "rejected"


class Zone(TimestampMixin, Model):
    """A district sub-bureau's jurisdiction (分局辖区)."""

    __tablename__ = "zones"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)


class Block(TimestampMixin, Model):
    """A group of 5–10 enterprises in one zone that check each other (块)."""

    __tablename__ = "blocks"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    zone_id: Mapped[int] = mapped_column(ForeignKey("zones.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    zone: Mapped[Zone] = relationship()


class Enterprise(TimestampMixin, Model):
    __tablename__ = "enterprises"
    __table_args__ = (
        #: an inspector's scope, `enterprise_id IN (the zone's enterprises)`, read from the index alone
        Index("ix_enterprises_zone_id_id", "zone_id", "id"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    credit_code: Mapped[str] = mapped_column(String(18), unique=True)
    zone_id: Mapped[int] = mapped_column(ForeignKey("zones.id"))
    block_id: Mapped[int | None] = mapped_column(ForeignKey("blocks.id"), index=True)
    address: Mapped[str] = mapped_column(String(300), default="")
    established_on: Mapped[date | None] = mapped_column(Date)
    #: comma-separated EnterpriseRole values, e.g. "user,maintainer"
    roles: Mapped[str] = mapped_column(String(60), default="user")
    public_place: Mapped[str | None] = mapped_column(String(30))
    model_status: Mapped[str] = mapped_column(String(20), default=ModelStatus.none)
    model_accepted_on: Mapped[date | None] = mapped_column(Date)
    contact_phone: Mapped[str] = mapped_column(String(30), default="")
    zone: Mapped[Zone] = relationship()
    block: Mapped[Block | None] = relationship()

    @property
    def role_list(self) -> list[str]:
        return [r for r in self.roles.split(",") if r]


class Person(TimestampMixin, Model):
    """A safety manager, supervisor or operator of an enterprise, or an inspector."""

    __tablename__ = "people"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    phone: Mapped[str] = mapped_column(String(30), default="")
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id"), index=True)
    zone_id: Mapped[int | None] = mapped_column(ForeignKey("zones.id"), index=True)
    #: the day they left the enterprise (离职); their certificates then count no more
    left_on: Mapped[date | None] = mapped_column(Date)
    enterprise: Mapped[Enterprise | None] = relationship()
    trainings: Mapped[list[Training]] = relationship(back_populates="person", order_by="Training.id")
    certificates: Mapped[list[Certificate]] = relationship(back_populates="person", order_by="Certificate.id")


class Certificate(TimestampMixin, Model):
    __tablename__ = "certificates"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    number: Mapped[str] = mapped_column(String(60))
    issued_on: Mapped[date | None] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date)
    #: the photo of the certificate a regulator checks it against
    photo_sha256: Mapped[str | None] = mapped_column(String(64))
    verification: Mapped[str] = mapped_column(String(20), default=Verification.pending, index=True)
    verified_by: Mapped[str] = mapped_column(String(60), default="")
    verified_on: Mapped[date | None] = mapped_column(Date)
    rejection_reason: Mapped[str] = mapped_column(String(300), default="")
    #: a renewal names the certificate it replaces; that one is superseded once the renewal is verified
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("certificates.id"))
    superseded_on: Mapped[date | None] = mapped_column(Date)
    person: Mapped[Person] = relationship(back_populates="certificates")

    def is_valid_on(self, as_of: date) -> bool:
        return self.expires_on is None or self.expires_on >= as_of

    @property
    def in_force(self) -> bool:
        """Verified and not replaced by a verified renewal: counts in the two lists and the grade."""
        return self.verification == Verification.verified and self.superseded_on is None


class Training(TimestampMixin, Model):
    """A safety-training record (安全培训档案, seed 001 附件一(六))."""

    __tablename__ = "trainings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    trained_on: Mapped[date] = mapped_column(Date)
    topic: Mapped[str] = mapped_column(String(200))
    hours: Mapped[float] = mapped_column(Float, default=0)
    provider: Mapped[str] = mapped_column(String(200), default="")
    passed: Mapped[bool | None] = mapped_column(Boolean)
    person: Mapped[Person] = relationship(back_populates="trainings")


class EnterpriseSearchTerm(Model):
    """One index term (core.search) of an enterprise's name or address: its devices, hazards and
    complaints are found through it, so a rename rewrites one enterprise's terms, not its devices'."""

    __tablename__ = "enterprise_search_terms"
    term: Mapped[str] = mapped_column(String(LONGEST_TERM), primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprises.id", ondelete="CASCADE"), primary_key=True
    )


searchable(Enterprise, EnterpriseSearchTerm, "enterprise_id", ("name", "address"))
