"""Gremien, their time-bounded Mitgliedschaften, Sitzungen and ordered Tagesordnungspunkte."""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from sozialforum.store.models.base import Audit, instant, json_field, slug
from sozialforum.vocab import GremiumArt, MitgliedRolle, SitzungStatus, TopQuelle


class Gremium(SQLModel, table=True):
    __tablename__ = "gremium"
    __audit__: ClassVar[Audit] = Audit.VOLL

    id: int | None = Field(default=None, primary_key=True)
    kennung: str = Field(max_length=60, unique=True)
    name: str = Field(max_length=300)
    art: GremiumArt = slug()
    gebiet_id: int | None = Field(default=None, foreign_key="gebiet.id", index=True)
    parent_id: int | None = Field(default=None, foreign_key="gremium.id")
    # Invitation lead time and reminder offsets (days before the Sitzung); configurable per body.
    einladung_vorlauf_tage: int = 21
    erinnerung_tage: list[int] = json_field(default_factory=lambda: [7, 1])
    # Places per Sitzung (the room, a funded number); None: no limit. Zusagen beyond it wait on
    # a list and move up when places free (konferenz.plaetze).
    plaetze: int | None = None
    oparl_id: str | None = Field(default=None, max_length=500, unique=True)
    # Part of the Gremium's calendar feed token (konferenz.feeds): one up withdraws the old address.
    kalender_generation: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class Mitgliedschaft(SQLModel, table=True):
    __tablename__ = "mitgliedschaft"
    __audit__: ClassVar[Audit] = Audit.VOLL
    __table_args__ = (sa.UniqueConstraint("gremium_id", "person_id", "von", name="uq_mitgliedschaft"),)

    id: int | None = Field(default=None, primary_key=True)
    gremium_id: int = Field(foreign_key="gremium.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id")
    rolle: MitgliedRolle = slug(default=MitgliedRolle.MITGLIED)
    stimmberechtigt: bool = False
    von: date
    bis: date | None = None
    oparl_id: str | None = Field(default=None, max_length=500, unique=True)

    def valid_on(self, day: date) -> bool:
        return self.von <= day and (self.bis is None or day <= self.bis)


class Sitzung(SQLModel, table=True):
    __tablename__ = "sitzung"
    __audit__: ClassVar[Audit] = Audit.VOLL

    id: int | None = Field(default=None, primary_key=True)
    gremium_id: int = Field(foreign_key="gremium.id", index=True)
    titel: str = Field(max_length=300)
    beginn: datetime = instant(nullable=False, index=True)
    ende: datetime = instant(nullable=False)
    ort: str | None = Field(default=None, max_length=300)
    adresse: str | None = Field(default=None, max_length=300)
    status: SitzungStatus = slug(default=SitzungStatus.GEPLANT)
    # iCalendar: one stable UID per Sitzung for its whole life; SEQUENCE rises with every change
    # that attendees must see (RFC 5545 §3.8.7.4).
    ical_uid: str = Field(max_length=200, unique=True)
    ical_sequence: int = 0
    serie: str | None = Field(default=None, max_length=60, description="series key, if part of one")
    oparl_id: str | None = Field(default=None, max_length=500, unique=True)
    # the source's created/modified of an imported Meeting (the export gives them back)
    oparl_erstellt: datetime | None = instant()
    oparl_modified: datetime | None = instant()


class Tagesordnungspunkt(SQLModel, table=True):
    __tablename__ = "tagesordnungspunkt"
    __audit__: ClassVar[Audit] = Audit.VOLL
    __table_args__ = (sa.UniqueConstraint("sitzung_id", "reihenfolge", name="uq_top_order"),)

    id: int | None = Field(default=None, primary_key=True)
    sitzung_id: int = Field(foreign_key="sitzung.id", index=True)
    reihenfolge: int = Field(description="sort order; the displayed number is separate")
    nummer: str = Field(max_length=20, description="displayed number, e.g. '3.1' or 'Ö 4'")
    titel: str = Field(max_length=500)
    beschreibung: str | None = None
    oeffentlich: bool = True
    quelle: TopQuelle = slug(default=TopQuelle.STANDARD)
    ergebnis: str | None = None
    vorlage_id: int | None = Field(default=None, foreign_key="vorlage.id")
    oparl_id: str | None = Field(default=None, max_length=500, unique=True)
    oparl_erstellt: datetime | None = instant()  # the source's created/modified
    oparl_modified: datetime | None = instant()


class TopDokument(SQLModel, table=True):
    """A document for an agenda item (a Vorlage, a presentation, a table), uploaded in the
    workspace; the invitation carries it when it is small enough for a mail."""

    __tablename__ = "top_dokument"
    __audit__: ClassVar[Audit] = Audit.VOLL

    id: int | None = Field(default=None, primary_key=True)
    top_id: int = Field(foreign_key="tagesordnungspunkt.id", index=True)
    dateiname: str = Field(max_length=200)
    mimetype: str = Field(max_length=120)
    groesse: int
    inhalt: bytes = Field(sa_type=sa.LargeBinary)
    hochgeladen_am: datetime = instant(nullable=False)
    hochgeladen_von: str = Field(max_length=200)
