"""The life of a council resolution (Leipzig seed): Vorlage/Antrag → Beratungsfolge → Beschluss
with Beschlusspunkte → Aufträge with deadlines → Umsetzungsberichte.

OParl models Vorlagen and Beratungen but has no implementation status: Auftrag and
Umsetzungsbericht are ours.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from sozialforum.store.models.base import Audit, instant, slug
from sozialforum.vocab import AuftragQuelle, AuftragStatus, BeratungErgebnis, BeratungRolle, VorlageArt


class Vorlage(SQLModel, table=True):
    __tablename__ = "vorlage"
    __audit__: ClassVar[Audit] = Audit.VOLL

    id: int | None = Field(default=None, primary_key=True)
    kennung: str = Field(max_length=60, unique=True, description="Drucksachennummer, e.g. VI-A-05385")
    art: VorlageArt = slug()
    titel: str = Field(max_length=500)
    datum: date
    einreicher: str | None = Field(default=None, max_length=300)
    einreicher_organisation_id: int | None = Field(default=None, foreign_key="organisation.id")
    bezug_vorlage_id: int | None = Field(
        default=None, foreign_key="vorlage.id", description="e.g. the Antrag a Verwaltungsstandpunkt answers"
    )
    text: str | None = None
    oparl_id: str | None = Field(default=None, max_length=500, unique=True)
    # the source's created/modified of an imported Paper (the export gives them back)
    oparl_erstellt: datetime | None = instant()
    oparl_modified: datetime | None = instant()


class Beratung(SQLModel, table=True):
    """One step of the Beratungsfolge (OParl: Consultation)."""

    __tablename__ = "beratung"
    __audit__: ClassVar[Audit] = Audit.VOLL

    id: int | None = Field(default=None, primary_key=True)
    vorlage_id: int = Field(foreign_key="vorlage.id", index=True)
    gremium_id: int | None = Field(default=None, foreign_key="gremium.id")
    sitzung_id: int | None = Field(default=None, foreign_key="sitzung.id")
    reihenfolge: int = 0
    rolle: BeratungRolle = slug(default=BeratungRolle.VORBERATUNG)
    datum: date | None = None
    ergebnis: BeratungErgebnis = slug(default=BeratungErgebnis.OFFEN)
    oparl_id: str | None = Field(default=None, max_length=500, unique=True)
    oparl_erstellt: datetime | None = instant()  # the source's created/modified
    oparl_modified: datetime | None = instant()


class Beschluss(SQLModel, table=True):
    __tablename__ = "beschluss"
    __audit__: ClassVar[Audit] = Audit.VOLL

    id: int | None = Field(default=None, primary_key=True)
    kennung: str = Field(max_length=60, unique=True)
    vorlage_id: int | None = Field(default=None, foreign_key="vorlage.id", index=True)
    gremium_id: int | None = Field(default=None, foreign_key="gremium.id")
    datum: date
    titel: str = Field(max_length=500)
    text: str | None = Field(default=None, description="the adopted wording")
    fassung: str | None = Field(
        default=None, max_length=300, description="e.g. 'im Sinne der Neufassung des Verwaltungsstandpunktes'"
    )
    dezernat: str | None = Field(default=None, max_length=100)
    amt: str | None = Field(default=None, max_length=100)


class Beschlusspunkt(SQLModel, table=True):
    __tablename__ = "beschlusspunkt"
    __audit__: ClassVar[Audit] = Audit.VOLL

    id: int | None = Field(default=None, primary_key=True)
    beschluss_id: int = Field(foreign_key="beschluss.id", index=True)
    nummer: str = Field(max_length=20)
    text: str


class Auftrag(SQLModel, table=True):
    """A tracked task with an owner and a deadline, from a Beschluss, minutes or a duty to report."""

    __tablename__ = "auftrag"
    # The workspace counts what is due or late among tens of thousands of Aufträge on every
    # Übersicht: (frist, status) answers those counts from the index alone.
    __table_args__ = (sa.Index("ix_auftrag_frist_status", "frist", "status"),)
    __audit__: ClassVar[Audit] = Audit.VOLL

    id: int | None = Field(default=None, primary_key=True)
    kennung: str = Field(max_length=80, unique=True)
    quelle: AuftragQuelle = slug(default=AuftragQuelle.BESCHLUSS)
    beschluss_id: int | None = Field(default=None, foreign_key="beschluss.id", index=True)
    beschlusspunkt_id: int | None = Field(default=None, foreign_key="beschlusspunkt.id")
    sitzung_id: int | None = Field(default=None, foreign_key="sitzung.id", index=True)
    massnahme_id: int | None = Field(default=None, foreign_key="massnahme.id")
    beschreibung: str
    verantwortlich_organisation_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    verantwortlich_person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    frist: date | None = Field(default=None, index=True)
    frist_wortlaut: str | None = Field(
        default=None, max_length=200, description="the original wording, e.g. 'bis Mitte 2020'"
    )
    status: AuftragStatus = slug(default=AuftragStatus.OFFEN, index=True)
    begonnen_am: date | None = None
    erledigt_am: date | None = None
    fortschritt_prozent: int = 0


class Umsetzungsbericht(SQLModel, table=True):
    __tablename__ = "umsetzungsbericht"
    __audit__: ClassVar[Audit] = Audit.VOLL

    id: int | None = Field(default=None, primary_key=True)
    # None for an Auftrag from minutes (no Beschluss): its Sachstand is kept all the same.
    beschluss_id: int | None = Field(default=None, foreign_key="beschluss.id", index=True)
    auftrag_id: int | None = Field(default=None, foreign_key="auftrag.id", index=True)
    datum: date
    status: AuftragStatus = slug()
    text: str
