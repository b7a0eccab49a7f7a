"""Writes the demo Landkreis's statistics files, in the formats planners receive them, into
``sozialforum/demo/data/statistik/``: ``python -m sozialforum.demo.quellen``.

Synthetic but shaped like the real thing and deterministic (fixed seed):
- GENESIS 12411-02-03-5 (population by 17 age groups, Gemeinden), ISO-8859-1 as downloaded,
  2018–2023, with the Land (Vergleichsgebiet) and the Kreis rows; the Gemeinden Neustadt and
  Walde until 2018, merged into Neustadt am Walde from 2019;
- BA workbooks "nach Gemeinden" for December 2019–2023 with masked ``*`` cells, a "keine
  Angabe" row and the district sum row;
- the Jugendamt's Kita-Monitoring (CSV per Gemeinde) and HzE monitoring (XLSX per Sozialraum).
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sozialforum.daten.genesis_schreiben import write_genesis

DATA = Path(__file__).resolve().parents[1] / "demo" / "data"
OUT = DATA / "statistik"
YEARS = range(2018, 2024)
LAND = ("03", "Niedersachsen", 8_140_000)


@dataclass
class Gemeinde:
    key: str
    name: str
    sozialraum: str
    einwohner: int
    von: date | None
    bis: date | None
    profil: float  # 0 = young and poor (town centre) … 1 = older and better off (villages)


def gemeinden() -> tuple[list[Gemeinde], dict[str, str]]:
    with (DATA / "gebiete.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    raeume = {r["schluessel"]: r["name"] for r in rows if r["ebene"] == "sozialraum"}
    rng = random.Random(3)
    out = []
    for row in rows:
        if row["ebene"] != "gemeinde":
            continue
        town = "Musterstadt" in row["name"] or row["uebergeordnet"] in ("SR05", "SR06")
        out.append(
            Gemeinde(
                row["schluessel"],
                row["name"],
                row["uebergeordnet"],
                int(row["einwohner"]),
                date.fromisoformat(row["gueltig_ab"]) if row["gueltig_ab"] else None,
                date.fromisoformat(row["gueltig_bis"]) if row["gueltig_bis"] else None,
                rng.uniform(0.0, 0.35) if town else rng.uniform(0.35, 1.0),
            )
        )
    return out, raeume


def exists(g: Gemeinde, day: date) -> bool:
    return (g.von is None or g.von <= day) and (g.bis is None or day <= g.bis)


def population(g: Gemeinde, year: int) -> list[int]:
    """17 age groups; older villages, younger towns; a slow ageing over the years."""
    rng = random.Random(f"{g.key}-{year}")
    shares = [3.0, 3.0, 3.8, 4.7, 2.9, 2.0, 5.2, 6.0, 6.2, 6.1, 5.8, 6.4, 7.6, 7.9, 7.0, 10.4, 11.0]
    age = 0.6 * g.profil + 0.04 * (year - 2018)
    weights = [
        s * (1 + (age - 0.4) * (0.5 if i >= 14 else -0.25)) * rng.uniform(0.96, 1.04) for i, s in enumerate(shares)
    ]
    total = g.einwohner * (1 + 0.004 * (year - 2023) * (1 if g.profil < 0.35 else -1))
    counts = [round(total * w / sum(weights)) for w in weights]
    if g.einwohner < 500:
        counts[5] = 0  # a hamlet without 18- to 20-year-olds: GENESIS writes "-"
    return counts


def _write_population(all_gemeinden: list[Gemeinde]) -> None:
    rows = []
    for year in YEARS:
        day = date(year, 12, 31)
        valid = [g for g in all_gemeinden if exists(g, day)]
        table = {g.key: population(g, year) for g in valid}
        kreis = [sum(values[i] for values in table.values()) for i in range(17)]
        land_scale = LAND[2] / sum(kreis)
        rows.append((day, LAND[0], LAND[1], [round(v * land_scale * 0.97) for v in kreis]))
        rows.append((day, "03199", "Landkreis Musterland", kreis))
        rows.extend((day, g.key, g.name, table[g.key]) for g in sorted(valid, key=lambda g: g.key))
    write_genesis(OUT / "12411-02-03-5_bevoelkerung_altersgruppen.csv", rows)


def _unemployment(g: Gemeinde, year: int, pop: list[int]) -> dict[str, int]:
    rng = random.Random(f"ba-{g.key}-{year}")
    working = sum(pop[4:15])
    rate = (0.075 - 0.05 * g.profil) * (1 - 0.03 * (year - 2019)) * rng.uniform(0.9, 1.1)
    alo = round(working * rate)
    children = sum(pop[:4])
    poor = (0.16 - 0.12 * g.profil) * rng.uniform(0.9, 1.1)
    rlb_kids = round(children * poor * 1.4)
    rlb = round(sum(pop[:15]) * poor * 0.75) + rlb_kids
    return {
        "Arbeitslose insgesamt": alo,
        "Arbeitslose unter 25 Jahren": round(alo * 0.1),
        "Langzeitarbeitslose": round(alo * 0.36),
        "Regelleistungsberechtigte insgesamt": rlb,
        "Regelleistungsberechtigte unter 15 Jahren": rlb_kids,
    }


def _write_ba(all_gemeinden: list[Gemeinde]) -> None:
    from sozialforum.daten.ba_schreiben import write_ba

    for year in YEARS[1:]:
        day = date(year, 12, 31)
        valid = sorted((g for g in all_gemeinden if exists(g, day)), key=lambda g: g.key)
        rows = [(g.key, g.name, _unemployment(g, year, population(g, year))) for g in valid]
        write_ba(
            OUT / f"ba_arbeitsmarkt_gemeinden_{year}-12.xlsx",
            year,
            rows,
            unassigned={
                "Arbeitslose insgesamt": 7 + year % 5,
                "Arbeitslose unter 25 Jahren": 1,
                "Langzeitarbeitslose": 3,
                "Regelleistungsberechtigte insgesamt": 12,
                "Regelleistungsberechtigte unter 15 Jahren": 4,
            },
        )


def _write_kita(all_gemeinden: list[Gemeinde]) -> None:
    with (OUT / "kita_monitoring_gemeinden.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";", lineterminator="\n")
        writer.writerow(
            ["Gemeinde", "Stichtag", "Betreute Kinder unter 3 Jahren", "Betreute Kinder 3 bis unter 6 Jahren"]
        )
        for year in YEARS[1:]:
            day = date(year, 12, 31)
            for g in sorted((g for g in all_gemeinden if exists(g, day)), key=lambda g: g.key):
                rng = random.Random(f"kita-{g.key}-{year}")
                pop = population(g, year)
                quote = (0.30 + 0.04 * (year - 2019) + 0.1 * (0.5 - g.profil)) * rng.uniform(0.9, 1.1)
                writer.writerow([g.key, day.strftime("%d.%m.%Y"), round(pop[0] * quote), round(pop[1] * 0.93)])


def _write_hze(all_gemeinden: list[Gemeinde], raeume: dict[str, str]) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "HzE je Sozialraum"
    sheet.append(
        [
            "Sozialraum",
            "Stichtag",
            "Einwohner 0 bis unter 21 Jahre",
            "Ambulante Hilfen",
            "Stationäre Hilfen",
            "Beendete Hilfen",
            "Dauer beendeter Hilfen (Monate, Summe)",
        ]
    )
    for year in YEARS[1:]:
        day = date(year, 12, 31)
        for raum in sorted(raeume):
            members = [g for g in all_gemeinden if g.sozialraum == raum and exists(g, day)]
            young = sum(sum(population(g, year)[:6]) + population(g, year)[6] // 5 for g in members)
            profil = sum(g.profil * g.einwohner for g in members) / sum(g.einwohner for g in members)
            rng = random.Random(f"hze-{raum}-{year}")
            quote = (0.026 - 0.014 * profil) * rng.uniform(0.92, 1.08)
            cases = round(young * quote)
            ambulant = round(cases * (0.84 - 0.08 * (1 - profil)) * rng.uniform(0.97, 1.03))
            ended = max(3, round(cases * 0.4))
            months = round(ended * (24 + 12 * (1 - profil)) * rng.uniform(0.9, 1.1))
            sheet.append([raum, day, young, ambulant, cases - ambulant, ended, months])
    for cell in sheet["B"][1:]:
        cell.number_format = "DD.MM.YYYY"
    book.save(OUT / "jugendamt_hze_sozialraeume.xlsx")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    all_gemeinden, raeume = gemeinden()
    _write_population(all_gemeinden)
    _write_ba(all_gemeinden)
    _write_kita(all_gemeinden)
    _write_hze(all_gemeinden, raeume)


if __name__ == "__main__":
    main()
