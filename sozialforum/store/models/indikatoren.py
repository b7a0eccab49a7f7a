"""Indicator catalogue, loads (provenance) and values per area and Stichtag.

Shaped by the foundation, filled by the data refresh (``sozialforum.daten``). A value that is
missing stays missing:
``wert`` is NULL and ``fehlend`` holds the GENESIS symbol that says why (``-``, ``.``, ``x``,
``/``, ``...``) or ``*`` for a value masked by the Bundesagentur für Arbeit.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from sozialforum.store.models.base import Audit, instant, json_field


class Indikator(SQLModel, table=True):
    __tablename__ = "indikator"
    __audit__: ClassVar[Audit] = Audit.MASSENDATEN

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=60, unique=True)
    name: str = Field(max_length=300)
    dimension: str = Field(max_length=100)
    einheit: str = Field(max_length=20)
    # +1: higher means more need; -1: higher means less need.
    richtung: int = 1
    definition: dict[str, object] = json_field(default_factory=dict)
    quelle: str | None = Field(default=None, max_length=200)
    # Hash of numerator, denominator (with age bands) and factor: values of different
    # definitions are never compared (see sozialforum.daten.katalog).
    definitionsschluessel: str | None = Field(default=None, max_length=16)
    aktualisierung: str | None = Field(default=None, max_length=100)
    im_index: bool = False
    ziel: dict[str, object] | None = Field(default=None, sa_type=sa.JSON)
    vergleich: dict[str, object] | None = Field(default=None, sa_type=sa.JSON)


class Datenlieferung(SQLModel, table=True):
    """One loaded source file: what, from whom, as of when, under which licence."""

    __tablename__ = "datenlieferung"
    __audit__: ClassVar[Audit] = Audit.PROTOKOLL

    id: int | None = Field(default=None, primary_key=True)
    datei: str = Field(max_length=500)
    pruefsumme: str = Field(max_length=64, unique=True, description="sha256 of the file")
    datenstand: date | None = None
    herausgeber: str | None = Field(default=None, max_length=300)
    lizenz: str | None = Field(default=None, max_length=300)
    geladen_am: datetime = instant(nullable=False)
    format: str | None = Field(default=None, max_length=20, description="genesis, ba, tabelle")
    quelle: str | None = Field(default=None, max_length=80, description="source in the catalogue")
    tabelle: str | None = Field(default=None, max_length=40, description="GENESIS table code")
    werte: int = 0
    stichtage: list[str] = json_field(default_factory=list)
    hinweise: list[str] = json_field(default_factory=list)
    akteur: str | None = Field(default=None, max_length=200)
    zuordnung: str | None = Field(default=None, max_length=120, description="saved reading of the table assistant")
    # Withdrawn (a wrong Stichtag, areas incomplete): its values are removed, the row stays as the
    # record; ``pruefsumme`` then holds "zurueckgezogen-<id>" (so the same file may be loaded
    # again) and the file's checksum moves to ``zurueckgezogen_pruefsumme``.
    zurueckgezogen_am: datetime | None = instant()
    zurueckgezogen_grund: str | None = Field(default=None, max_length=500)
    zurueckgezogen_von: str | None = Field(default=None, max_length=200)
    zurueckgezogen_pruefsumme: str | None = Field(default=None, max_length=64)
    ersetzt_durch: int | None = Field(default=None, description="id of the delivery that replaced it")


class Tabellenzuordnung(SQLModel, table=True):
    """A confirmed reading of a publisher's table (the table assistant): header rows, key column,
    layout, Stichtag, columns to Merkmale. The next delivery whose header has the same
    fingerprint is read the same way, unattended."""

    __tablename__ = "tabellenzuordnung"
    __audit__: ClassVar[Audit] = Audit.VOLL

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120, unique=True)
    fingerabdruck: str = Field(max_length=64, index=True, description="sha256 of the normalised header")
    herausgeber: str | None = Field(default=None, max_length=300)
    lesart: dict[str, object] = json_field(default_factory=dict)
    bestaetigt_am: datetime = instant(nullable=False)
    akteur: str | None = Field(default=None, max_length=200)


class Plausibilitaetsbefund(SQLModel, table=True):
    """A finding of the plausibility report of one delivery (a total against its parts, a jump,
    an area without values, …): reported, never a block; accepted by a person with a reason."""

    __tablename__ = "plausibilitaetsbefund"
    __audit__: ClassVar[Audit] = Audit.VOLL

    id: int | None = Field(default=None, primary_key=True)
    datenlieferung_id: int = Field(foreign_key="datenlieferung.id", index=True)
    art: str = Field(max_length=20, description="summe, anteil, sprung, ohne_werte, bruch, bevoelkerung")
    gebiet: str | None = Field(default=None, max_length=40, description="key of the area")
    merkmal: str | None = Field(default=None, max_length=80, description="Merkmal key or indicator code")
    stichtag: date | None = None
    zeile: int | None = None
    spalte: str | None = Field(default=None, max_length=200)
    meldung: str = Field(sa_type=sa.Text)
    akzeptiert_am: datetime | None = instant(nullable=True)
    akzeptiert_von: str | None = Field(default=None, max_length=200)
    begruendung: str | None = Field(default=None, max_length=1000)


class Indikatorwert(SQLModel, table=True):
    __tablename__ = "indikatorwert"
    __audit__: ClassVar[Audit] = Audit.MASSENDATEN
    __table_args__ = (sa.UniqueConstraint("indikator_id", "gebiet_id", "stichtag", name="uq_indikatorwert"),)

    id: int | None = Field(default=None, primary_key=True)
    indikator_id: int = Field(foreign_key="indikator.id", index=True)
    gebiet_id: int = Field(foreign_key="gebiet.id", index=True)
    stichtag: date = Field(index=True)
    wert: float | None = None
    zaehler: float | None = None
    nenner: float | None = None
    fehlend: str | None = Field(default=None, max_length=5)
    datenlieferung_id: int | None = Field(default=None, foreign_key="datenlieferung.id")
    # Filled by the data refresh for the planning areas (Kreis, Sozialregion, Sozialraum): the
    # latest computation, one row per value, for SQL readers. Gemeinde detail stays in the
    # column store (sozialforum.store.models.daten).
    berechnung_id: int | None = Field(default=None, foreign_key="berechnung.id", index=True)
    definitionsschluessel: str | None = Field(default=None, max_length=16)
    veraenderung: float | None = None
