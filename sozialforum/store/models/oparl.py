"""What an OParl import leaves for people: File references and the cases the Geschäftsstelle
has to decide (``oparl_klaerung``). The id map and the list state are in ``fristen``."""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from sozialforum.store.models.base import Audit, instant


class OparlDatei(SQLModel, table=True):
    """An OParl File as a reference (the document stays at the council system): Einladung,
    Niederschrift, Beschlusstext or attachment of a Sitzung, Vorlage, TOP or Beschluss."""

    __tablename__ = "oparl_datei"
    __audit__: ClassVar[Audit] = Audit.MASSENDATEN

    id: int | None = Field(default=None, primary_key=True)
    oparl_id: str = Field(max_length=500, unique=True)
    art: str = Field(max_length=40, description="einladung, niederschrift, beschlusstext, anlage, …")
    name: str = Field(max_length=300)
    dateiname: str | None = Field(default=None, max_length=300)
    mime_typ: str | None = Field(default=None, max_length=100)
    groesse: int | None = Field(default=None, description="bytes")
    url: str = Field(max_length=1000, description="accessUrl")
    download_url: str | None = Field(default=None, max_length=1000)
    datum: date | None = None
    sitzung_id: int | None = Field(default=None, foreign_key="sitzung.id", index=True)
    vorlage_id: int | None = Field(default=None, foreign_key="vorlage.id", index=True)
    tagesordnungspunkt_id: int | None = Field(default=None, foreign_key="tagesordnungspunkt.id", index=True)
    beschluss_id: int | None = Field(default=None, foreign_key="beschluss.id", index=True)


class OparlKlaerung(SQLModel, table=True):
    """A case the import could not decide (a result it cannot read, a decision without deciding
    body, a deleted object still used here): listed for the Geschäftsstelle in one place."""

    __tablename__ = "oparl_klaerung"
    __audit__: ClassVar[Audit] = Audit.VOLL
    __table_args__ = (sa.UniqueConstraint("art", "oparl_id", name="uq_oparl_klaerung"),)

    id: int | None = Field(default=None, primary_key=True)
    art: str = Field(max_length=40, description="ergebnis, entscheidung, loeschung")
    oparl_id: str = Field(max_length=500)
    tabelle: str | None = Field(default=None, max_length=40)
    datensatz_id: int | None = None
    beschreibung: str = Field(max_length=1000)
    erstellt: datetime = instant(nullable=False)
    erledigt: bool = False
