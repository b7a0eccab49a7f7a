"""Writing tables in the GENESIS flat CSV layout (for the demo files, tests and the benchmark).

The layout follows the downloads of regionalstatistik.de byte for byte where it matters:
``GENESIS-Tabelle:`` line, title lines padded with ``;``, header rows starting with ``;``,
names indented by level, a footer with licence and ``Stand:``, ISO-8859-1.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path

AGE_GROUPS = [
    "unter 3 Jahre",
    "3 bis unter 6 Jahre",
    "6 bis unter 10 Jahre",
    "10 bis unter 15 Jahre",
    "15 bis unter 18 Jahre",
    "18 bis unter 20 Jahre",
    "20 bis unter 25 Jahre",
    "25 bis unter 30 Jahre",
    "30 bis unter 35 Jahre",
    "35 bis unter 40 Jahre",
    "40 bis unter 45 Jahre",
    "45 bis unter 50 Jahre",
    "50 bis unter 55 Jahre",
    "55 bis unter 60 Jahre",
    "60 bis unter 65 Jahre",
    "65 bis unter 75 Jahre",
    "75 Jahre und mehr",
]
LIZENZ = (
    '"© Statistische Ämter des Bundes und der Länder, Deutschland, {year}.\n'
    "Dieses Werk ist lizensiert unter der Datenlizenz Deutschland\n"
    '- Namensnennung - Version 2.0."'
)


def indent(key: str, name: str) -> str:
    """GENESIS indents names by regional level: Land 2, Kreis 6, Gemeinde 8 spaces."""
    depth = 2 if len(key) <= 2 else 6 if len(key) <= 5 else 8
    return " " * depth + name


def cell(value: float | int | str | None) -> str:
    if value is None:
        return "."
    if isinstance(value, str):
        return value
    if value == 0:
        return "-"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.1f}".replace(".", ",")
    return str(int(value))


def write_table(
    path: Path,
    *,
    tabelle: str,
    titel: Sequence[str],
    kopf: Sequence[Sequence[str]],
    zeilen: Iterable[Sequence[str]],
    stand: date,
    fussnoten: Sequence[str] = (),
    encoding: str = "iso-8859-1",
) -> None:
    width = max(len(row) for row in kopf)
    pad = ";" * (width - 1)
    lines = [f"GENESIS-Tabelle: {tabelle}", *(f"{text}{pad}" for text in titel)]
    lines += [";".join(row) for row in kopf]
    lines += [";".join(row) for row in zeilen]
    lines.append("__________")
    lines += [f'"{note}"' for note in fussnoten]
    lines.append(LIZENZ.format(year=stand.year))
    lines.append(f"Stand: {stand:%d.%m.%Y} / 10:15:00")
    path.write_text("\n".join(lines) + "\n", encoding=encoding)


def write_genesis(
    path: Path, rows: Sequence[tuple[date, str, str, Sequence[int]]], *, stand: date = date(2024, 9, 27)
) -> None:
    """Population by sex and 17 age groups (12411-02-03-5), long form: one row per age group."""
    body = []
    for day, key, name, counts in rows:
        for group, total in [*zip(AGE_GROUPS, counts, strict=True), ("Insgesamt", sum(counts))]:
            male = round(total * 0.49)
            body.append([f"{day:%d.%m.%Y}", key, indent(key, name), group, cell(total), cell(male), cell(total - male)])
    write_table(
        path,
        tabelle="12411-02-03-5",
        titel=[
            "Bevölkerungsstand: Bevölkerung nach Geschlecht",
            "und Altersgruppen (17) - Stichtag 31.12. -",
            "regionale Tiefe: Gemeinden",
            "Fortschreibung des Bevölkerungsstandes",
            "Bevölkerungsstand (Anzahl)",
        ],
        kopf=[["", "", "", "", "Insgesamt", "männlich", "weiblich"]],
        zeilen=body,
        stand=stand,
        fussnoten=['zu ""gesamter Tabelle"":\nErgebnisse auf Grundlage des Zensus 2011'],
    )
