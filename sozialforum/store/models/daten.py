"""The data refresh's store: delivered values and computed results as column chunks, the
published computations, entitlements to Gemeinde detail, and Sozialraumbudgets.

Values are stored as column chunks, one row per delivered column (Merkmal × Stichtag) holding
the area ids, values and missing-value codes as arrays (one blob, see
``sozialforum.daten.speicher.pack``). A Landkreis with 42
Gemeinden has a few hundred rows; all 11,000 Gemeinden of Germany with 80 Merkmale and 10
Stichtage have 800 rows instead of 8.8 million, so a nationwide refresh stays close to the
speed of bare pandas. Every value in a chunk is a ``float`` (NaN when missing) with its code
(``sozialforum.daten.fehlwerte``): missing values are never stored as 0.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import ClassVar

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from sozialforum.store.models.base import Audit, instant, json_field, money


class Wertespalte(SQLModel, table=True):
    """Delivered values of one Merkmal on one Stichtag from one Datenlieferung."""

    __tablename__ = "wertespalte"
    __audit__: ClassVar[Audit] = Audit.MASSENDATEN
    __table_args__ = (sa.UniqueConstraint("datenlieferung_id", "merkmal", "stichtag", name="uq_wertespalte"),)

    id: int | None = Field(default=None, primary_key=True)
    datenlieferung_id: int = Field(foreign_key="datenlieferung.id", index=True)
    merkmal: str = Field(max_length=80, index=True, description="e.g. bevoelkerung[65-]")
    stichtag: date = Field(index=True)
    anzahl: int = 0
    daten: bytes = Field(sa_type=sa.LargeBinary, description="arrays gebiet, wert, code")
    # BLAKE2b-128 of ``daten`` (hex): what the decoded Stichtage are cached by, so that finding a
    # cached one reads 32 characters a column, not the blob (None: written before 0035)
    pruefsumme: str | None = Field(default=None, max_length=32)


class Vergleichswert(SQLModel, table=True):
    """A delivered value of a Vergleichsgebiet (Land, Bund), from which benchmarks are computed
    with the catalogue's own definitions."""

    __tablename__ = "vergleichswert"
    __audit__: ClassVar[Audit] = Audit.MASSENDATEN
    __table_args__ = (
        sa.UniqueConstraint("datenlieferung_id", "schluessel", "merkmal", "stichtag", name="uq_vergleichswert"),
    )

    id: int | None = Field(default=None, primary_key=True)
    datenlieferung_id: int = Field(foreign_key="datenlieferung.id", index=True)
    schluessel: str = Field(max_length=12)
    merkmal: str = Field(max_length=80)
    stichtag: date
    wert: float | None = None
    fehlend: str | None = Field(default=None, max_length=5)


class Berechnung(SQLModel, table=True):
    """One computation of the atlas and monitor over all deliveries; kept, so that what was
    published can be shown again and compared (only under the same definitions)."""

    __tablename__ = "berechnung"
    __audit__: ClassVar[Audit] = Audit.MASSENDATEN

    id: int | None = Field(default=None, primary_key=True)
    berechnet_am: datetime = instant(nullable=False)
    eingaben: str = Field(max_length=64, index=True, description="sha256 of all inputs")
    katalog_pruefsumme: str = Field(max_length=64)
    definitionen: dict[str, str] = json_field(default_factory=dict)
    stichtage: list[str] = json_field(default_factory=list)
    zusammenfassung: dict[str, object] = json_field(default_factory=dict)
    akteur: str | None = Field(default=None, max_length=200)


class Ergebnisspalte(SQLModel, table=True):
    """Computed results of one indicator (or index) on one Stichtag for all areas."""

    __tablename__ = "ergebnisspalte"
    __audit__: ClassVar[Audit] = Audit.MASSENDATEN
    __table_args__ = (sa.UniqueConstraint("berechnung_id", "art", "kennung", "stichtag", name="uq_ergebnisspalte"),)

    id: int | None = Field(default=None, primary_key=True)
    berechnung_id: int = Field(foreign_key="berechnung.id", index=True)
    art: str = Field(max_length=20, description="indikator, index, vergleich")
    kennung: str = Field(max_length=80)
    stichtag: date
    daten: bytes = Field(sa_type=sa.LargeBinary)


class Datenfreigabe(SQLModel, table=True):
    """A person of a Kommune may see the unsuppressed detail of this Gemeinde (Zwickau: the
    monitor is public, the data behind it go only to the Kommune concerned)."""

    __tablename__ = "datenfreigabe"
    __audit__: ClassVar[Audit] = Audit.VOLL
    __table_args__ = (sa.UniqueConstraint("person_id", "gebiet_id", name="uq_datenfreigabe"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    gebiet_id: int = Field(foreign_key="gebiet.id", index=True)
    erteilt_am: date
    bemerkung: str | None = Field(default=None, max_length=300)


class Budgetverteilung(SQLModel, table=True):
    """A Sozialraumbudget (Ulm): a total split into whole euros by a configured formula."""

    __tablename__ = "budgetverteilung"
    __audit__: ClassVar[Audit] = Audit.MASSENDATEN
    __table_args__ = (sa.UniqueConstraint("kennung", "haushaltsjahr", name="uq_budgetverteilung"),)

    id: int | None = Field(default=None, primary_key=True)
    kennung: str = Field(max_length=60)
    haushaltsjahr: int
    stichtag: date
    gesamt: Decimal = money()
    berechnung_id: int | None = Field(default=None, foreign_key="berechnung.id")
    erstellt_am: datetime = instant(nullable=False)
    herleitung: dict[str, object] = json_field(default_factory=dict)


class Budgetanteil(SQLModel, table=True):
    __tablename__ = "budgetanteil"
    __audit__: ClassVar[Audit] = Audit.MASSENDATEN
    __table_args__ = (sa.UniqueConstraint("verteilung_id", "gebiet_id", name="uq_budgetanteil"),)

    id: int | None = Field(default=None, primary_key=True)
    verteilung_id: int = Field(foreign_key="budgetverteilung.id", index=True)
    gebiet_id: int = Field(foreign_key="gebiet.id")
    betrag: Decimal = money()
