"""The versioned area hierarchy: Landkreis/Stadt → Sozialregion → Sozialraum → Gemeinde/Ortsteil.

Areas get re-formed (Landkreis Göttingen merged with Osterode am Harz in 2016), so an area is a
version with ``gueltig_ab``/``gueltig_bis``; a re-formed area points to its predecessors.
Official keys are strings: AGS has 8 digits, ARS 12, and both may start with 0.
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from sozialforum.store.models.base import Audit, slug
from sozialforum.vocab import GebietEbene

# An area without a known start: valid since always (lists show no date for it).
GUELTIG_SEIT_JEHER = date(1900, 1, 1)


class Gebiet(SQLModel, table=True):
    __tablename__ = "gebiet"
    __audit__: ClassVar[Audit] = Audit.VOLL
    __table_args__ = (sa.UniqueConstraint("schluessel", "gueltig_ab", name="uq_gebiet_version"),)

    id: int | None = Field(default=None, primary_key=True)
    schluessel: str = Field(max_length=40, index=True, description="natural key: ARS/AGS or own code")
    name: str = Field(max_length=200)
    ebene: GebietEbene = slug()
    ags: str | None = Field(default=None, max_length=8, index=True)
    ars: str | None = Field(default=None, max_length=12, index=True)
    parent_id: int | None = Field(default=None, foreign_key="gebiet.id", index=True)
    einwohner: int | None = None
    gueltig_ab: date = Field(default=GUELTIG_SEIT_JEHER)
    gueltig_bis: date | None = None

    def valid_on(self, day: date) -> bool:
        return self.gueltig_ab <= day and (self.gueltig_bis is None or day <= self.gueltig_bis)


class GebietVorgaenger(SQLModel, table=True):
    """``gebiet`` was formed (wholly or partly) from ``vorgaenger``."""

    __tablename__ = "gebiet_vorgaenger"
    __audit__: ClassVar[Audit] = Audit.TEIL

    gebiet_id: int = Field(foreign_key="gebiet.id", primary_key=True)
    vorgaenger_id: int = Field(foreign_key="gebiet.id", primary_key=True)
