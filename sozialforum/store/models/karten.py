"""Area geometries, versioned with the Gebietsstand: one row per area and date from which the
border holds (a later file with a new border adds a version; the old maps stay reproducible)."""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from sozialforum.store.models.base import Audit, UTCDateTime


class GebietGeometrie(SQLModel, table=True):
    __tablename__ = "gebiet_geometrie"
    __audit__: ClassVar[Audit] = Audit.MASSENDATEN  # provenance: quelle, geladen_am
    __table_args__ = (sa.UniqueConstraint("gebiet_id", "gueltig_ab", name="uq_gebiet_geometrie"),)

    id: int | None = Field(default=None, primary_key=True)
    gebiet_id: int = Field(foreign_key="gebiet.id", index=True)
    gueltig_ab: date = Field(description="Gebietsstand from which this border holds")
    crs: str = Field(default="EPSG:25832", max_length=40)
    geometrie: bytes = Field(sa_column=sa.Column(sa.LargeBinary, nullable=False), description="WKB, full detail")
    anzeige: bytes = Field(sa_column=sa.Column(sa.LargeBinary, nullable=False), description="WKB, simplified")
    quelle: str = Field(max_length=300)
    geladen_am: datetime = Field(sa_column=sa.Column(UTCDateTime(timezone=True), nullable=False))
