"""A small Kreis whose figures can be computed by hand, its catalogue, and file writers.

Testkreis (03999000)
├── Region A: S1 = G1 + G2, S2 = G3 + G4
└── Region B: S3 = G5 + G6 + G7
G4 has 250 inhabitants (under the index floor of 300), G2 has 2 unemployed (under the
confidentiality threshold of 3). Gemeinde keys 03999001 … 03999007 keep their leading zero.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from sozialforum.daten.genesis_schreiben import cell, indent, write_table
from sozialforum.daten.katalog import Katalog, load_katalog
from sozialforum.settings import DatenSettings
from sozialforum.store.db import session_scope
from sozialforum.store.models import Datenlieferung, Gebiet, Vergleichswert, Wertespalte

NOW = datetime(2024, 10, 1, 8, 0, tzinfo=UTC)
T22, T23 = date(2022, 12, 31), date(2023, 12, 31)
KREIS = "03999000"
# key: (name, parent, level)
GEBIETE = {
    KREIS: ("Testkreis", None, "kreis"),
    "RA": ("Region A", KREIS, "sozialregion"),
    "RB": ("Region B", KREIS, "sozialregion"),
    "S1": ("Sozialraum Eins", "RA", "sozialraum"),
    "S2": ("Sozialraum Zwei", "RA", "sozialraum"),
    "S3": ("Sozialraum Drei", "RB", "sozialraum"),
    "03999001": ("Ahausen", "S1", "gemeinde"),
    "03999002": ("Bedorf", "S1", "gemeinde"),
    "03999003": ("Cestadt", "S2", "gemeinde"),
    "03999004": ("Deweiler", "S2", "gemeinde"),
    "03999005": ("Efeld", "S3", "gemeinde"),
    "03999006": ("Fehain", "S3", "gemeinde"),
    "03999007": ("Gemark", "S3", "gemeinde"),
}
# Population 2023 by band: under 15, 15 to under 65, 65 and older.
BEV = {
    "03999001": (150, 650, 200),
    "03999002": (80, 320, 100),
    "03999003": (300, 1300, 400),
    "03999004": (40, 150, 60),
    "03999005": (200, 800, 200),
    "03999006": (100, 500, 200),
    "03999007": (90, 390, 120),
}
ALO = {
    T22: {"03999001": 33, "03999002": 4, "03999003": 60, "03999004": 6, "03999005": 44, "03999006": 18, "03999007": 15},
    T23: {"03999001": 30, "03999002": 2, "03999003": 65, "03999004": 5, "03999005": 40, "03999006": 20, "03999007": 12},
}

KATALOG = """
[dimensionen]
arbeit = "Arbeit"
alter = "Alter"

[index]
ebenen = ["sozialraum", "gemeinde"]
bevoelkerung = "bev"

[vergleichsgebiete]
"03" = "Niedersachsen"

[merkmale.bev]
name = "Bevölkerung"

[merkmale.alo]
name = "Arbeitslose"
geheim = true

[merkmale.hze]
name = "Hilfen zur Erziehung"
geheim = true

[indikatoren.einwohner]
name = "Einwohner"
dimension = "alter"
einheit = "Personen"
zaehler = "bev"
faktor = 1
nachkommastellen = 0

[indikatoren.alo_quote]
name = "Arbeitslosenanteil"
dimension = "arbeit"
zaehler = "alo"
nenner = "bev[15-65]"
index = true

[indikatoren.alo_quote.ziel]
hoechstens = 4.0

[indikatoren.alo_quote.vergleich]
name = "Landesdurchschnitt"
gebiet = "03"

[indikatoren.altenquotient]
name = "Altenquotient"
dimension = "alter"
einheit = "je 100"
zaehler = "bev[65-]"
nenner = "bev[15-65]"
index = true

[indikatoren.altenquotient.vergleich]
name = "EU-Durchschnitt"
definition = "65+ je 100 Personen von 15 bis 64 (Eurostat)"
werte = { "2023-12-31" = 33.9 }

[indikatoren.hze_quote]
name = "HzE-Quote"
dimension = "alter"
zaehler = "hze"
nenner = "bev[0-21]"

[[quellen]]
kennung = "genesis-bev"
format = "genesis"
name = "Bevölkerung nach Altersgruppen"
tabelle = "12411-02-03"
spalten = { "Insgesamt" = "bev" }

[[quellen]]
kennung = "genesis-alo"
format = "genesis"
name = "Arbeitslose"
tabelle = "13211-02-05"
spalten = { "Arbeitslose" = "alo" }

[[quellen]]
kennung = "ba"
format = "ba"
name = "BA nach Gemeinden"
titel = "nach Gemeinden"
spalten = { "Arbeitslose insgesamt" = "alo" }

[[quellen]]
kennung = "hze"
format = "tabelle"
name = "HzE je Sozialraum"
schluessel_spalte = "sozialraum"
spalten = { "hilfen" = "hze", "einwohner unter 21" = "bev[0-21]" }

[budgets.test]
name = "Testbudget"
untergrenze = 0

[[budgets.test.anteile]]
name = "Sockel"
art = "gleich"
gewicht = 0.5

[[budgets.test.anteile]]
name = "Kinder unter 15"
art = "anzahl"
merkmal = "bev[0-15]"
gewicht = 0.5
"""


@pytest.fixture
def katalog_pfad(tmp_path: Path) -> Path:
    path = tmp_path / "indikatoren.toml"
    path.write_text(KATALOG, encoding="utf-8")
    return path


@pytest.fixture
def katalog(katalog_pfad: Path) -> Katalog:
    return load_katalog(katalog_pfad)


@pytest.fixture
def daten_settings() -> DatenSettings:
    return DatenSettings()


def add_gebiete(engine: Engine) -> dict[str, int]:
    ids: dict[str, int] = {}
    with session_scope(engine, actor="test") as session:
        for key, (name, parent, level) in GEBIETE.items():
            bev = sum(BEV[key]) if key in BEV else None
            gebiet = Gebiet(
                schluessel=key,
                name=name,
                ebene=level,
                parent_id=ids.get(parent or ""),
                ags=key if key.startswith("0") else None,
                einwohner=bev,
            )
            session.add(gebiet)
            session.flush()
            ids[key] = gebiet.id  # type: ignore[assignment]
    return ids


@pytest.fixture
def kreis(sqlite_engine: Engine) -> tuple[Engine, dict[str, int]]:
    return sqlite_engine, add_gebiete(sqlite_engine)


def bev_datei(
    path: Path,
    *,
    days: tuple[date, ...] = (T22, T23),
    extra: list[list[str]] | None = None,
    encoding: str = "iso-8859-1",
) -> Path:
    """Population in GENESIS long form (three bands and the total), with the Land row."""
    rows = []
    for day in days:
        drift = 0 if day == T23 else -10
        areas = [
            ("03", "Niedersachsen", (1_100_000, 5_100_000, 1_800_000)),
            *((key, GEBIETE[key][0], values) for key, values in BEV.items()),
        ]
        for key, name, values in areas:
            bands = [values[0] + drift, values[1], values[2]] if key != "03" else list(values)
            for label, value in zip(
                ("unter 15 Jahre", "15 bis unter 65 Jahre", "65 Jahre und mehr"), bands, strict=True
            ):
                rows.append([f"{day:%d.%m.%Y}", key, indent(key, name), label, cell(value)])
            rows.append([f"{day:%d.%m.%Y}", key, indent(key, name), "Insgesamt", cell(sum(bands))])
    rows += extra or []
    write_table(
        path,
        tabelle="12411-02-03-5",
        titel=["Bevölkerung nach Altersgruppen", "Stichtag 31.12."],
        kopf=[["", "", "", "", "Insgesamt"]],
        zeilen=rows,
        stand=date(2024, 9, 27),
        encoding=encoding,
    )
    return path


def alo_datei(
    path: Path, *, days: tuple[date, ...] = (T22, T23), werte: dict | None = None, land: int | None = 240_000
) -> Path:
    """Unemployed (GENESIS wide form with a year column), with the Land row."""
    rows = []
    for day in days:
        if land is not None:
            rows.append([str(day.year), "03", "  Niedersachsen", cell(land)])
        for key, value in (werte or ALO)[day].items():
            rows.append([str(day.year), key, indent(key, GEBIETE[key][0]), cell(value)])
    write_table(
        path,
        tabelle="13211-02-05-5",
        titel=["Arbeitslose - Jahresdurchschnitt -"],
        kopf=[["", "", "", "Arbeitslose"], ["", "", "", "Anzahl"]],
        zeilen=rows,
        stand=date(2024, 3, 1),
    )
    return path


def counts(engine: Engine) -> dict[str, int]:
    with session_scope(engine, actor="test") as session:
        return {
            model.__tablename__: session.scalar(sa.select(sa.func.count()).select_from(model)) or 0
            for model in (Datenlieferung, Wertespalte, Vergleichswert)
        }


Loader = Callable[..., object]
