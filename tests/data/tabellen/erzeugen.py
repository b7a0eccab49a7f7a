"""Writes the test tables of the table assistant (#18) in the shapes cities and Landesämter publish.

Made here, not copied: the numbers are invented for "Musterstadt" (13 Stadtteile in two Bezirke).
Run ``python tests/data/tabellen/erzeugen.py`` to write them again; the files are committed.

- ``stadt_bevoelkerung_<jahr>.csv``: two title lines ("Stand 31.12.<jahr>"), keys 1..13 beside
  the names, percent strings ("19,29%").
- ``sozialatlas_arbeit_<jahr>.csv``: no header at all, "01 Altstadt" in one cell, decimal commas
  beside whole numbers and percent strings ("43,00%"); the Stichtag is not in the file.
- ``hze_stadtteile_<jahr>.xlsx``: long layout (Stadtteil, Jahr, Merkmal, Wert), names written
  "Westliche_Höhe".
- ``stadtteile_<jahr>.geojson``: an open-data portal's GeoJSON, the attributes per Stadtteil
  (number, name, year, inhabitants) beside a geometry.
- ``landesamt_stadtteilprofile_<jahr>.xlsx``: a title row ("Jahr: <jahr>"), a two-level header
  (merged upper cells), Stadtteile, Bezirke and the city total in one column, names but no keys,
  ``.`` for suppressed values, a footnote.
"""

from __future__ import annotations

import json
from pathlib import Path

from openpyxl import Workbook

HIER = Path(__file__).parent
STADTTEILE = [
    "Altstadt",
    "Nordstadt",
    "Oststadt",
    "Südstadt",
    "Weststadt",
    "Am Hafen",
    "Bergheim",
    "Eichenau",
    "Feldmark",
    "Grünhof",
    "Heideweg",
    "Westliche Höhe",
    "Südliche Aue",
]
BEZIRKE = {"Bezirk Nord": STADTTEILE[:6], "Bezirk Süd": STADTTEILE[6:]}


def einwohner(i: int, jahr: int) -> int:
    return 2000 + 317 * i + (jahr - 2023) * 11


def unter21(i: int, jahr: int) -> int:
    return 380 + 41 * i + (jahr - 2023) * 3


def arbeitslose(i: int, jahr: int) -> int:
    return 60 + 13 * i + (jahr - 2023) * 2


def hilfen(i: int, jahr: int) -> int:
    return 8 + i + (jahr - 2023)


def komma(value: float, stellen: int = 2) -> str:
    return f"{value:.{stellen}f}".replace(".", ",")


def bevoelkerung_csv(jahr: int) -> None:
    lines = ["Bevölkerung in Musterstadt nach Stadtteilen;;;;", f"Stand 31.12.{jahr};;;;", ""]
    lines.append("Nr.;Stadtteil;Einwohner;Einwohner unter 21;Anteil unter 21")
    for i, name in enumerate(STADTTEILE, start=1):
        total, young = einwohner(i, jahr), unter21(i, jahr)
        lines.append(f"{i};{name};{total};{young};{komma(100 * young / total)}%")
    (HIER / f"stadt_bevoelkerung_{jahr}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def arbeit_csv(jahr: int) -> None:
    lines = []
    for i, name in enumerate(STADTTEILE, start=1):
        count = arbeitslose(i, jahr)
        share = 100 * count / einwohner(i, jahr)
        # whole numbers and decimal commas in one column, as the office's export writes them
        written = f"{round(share)}%" if i % 4 == 0 else f"{komma(share)}%"
        lines.append(f"{i:02d} {name};{count};{written}")
    lines[0] = lines[0].rsplit(";", 1)[0] + ";43,00%"  # the published outlier, as written
    (HIER / f"sozialatlas_arbeit_{jahr}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def hze_xlsx(jahr: int) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["Stadtteil", "Jahr", "Merkmal", "Wert"])
    for i, name in enumerate(STADTTEILE, start=1):
        written = name.replace(" ", "_")
        sheet.append([written, jahr, "Hilfen", hilfen(i, jahr)])
        sheet.append([written, jahr, "Einwohner unter 21", unter21(i, jahr)])
    book.save(HIER / f"hze_stadtteile_{jahr}.xlsx")


def landesamt_xlsx(jahr: int) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append([f"Stadtteilprofile Musterstadt – Jahr: {jahr}"])
    sheet.append([])
    sheet.append(["Gebiet", "Bevölkerung", None, "Arbeitslose", None])
    sheet.append([None, "insgesamt", "unter 21 Jahren", "Anzahl", "Anteil in %"])
    sheet.merge_cells("B3:C3")
    sheet.merge_cells("D3:E3")
    totals = [0, 0, 0]
    for bezirk, teile in BEZIRKE.items():
        sums = [0, 0, 0]
        for name in teile:
            i = STADTTEILE.index(name) + 1
            values = [einwohner(i, jahr), unter21(i, jahr), arbeitslose(i, jahr)]
            sums = [a + b for a, b in zip(sums, values, strict=True)]
            suppressed = name == "Feldmark"  # too few cases: "." (secret)
            sheet.append(
                [
                    name,
                    values[0],
                    values[1],
                    "." if suppressed else values[2],
                    "." if suppressed else round(100 * values[2] / values[0], 1),
                ]
            )
        sheet.append([bezirk, sums[0], sums[1], sums[2], round(100 * sums[2] / sums[0], 1)])
        totals = [a + b for a, b in zip(totals, sums, strict=True)]
    sheet.append(["Musterstadt insgesamt", totals[0], totals[1], totals[2], round(100 * totals[2] / totals[0], 1)])
    sheet.append([])
    sheet.append(["Quelle: Statistisches Landesamt. Zeichenerklärung: . = Zahlenwert unbekannt oder geheimzuhalten"])
    book.save(HIER / f"landesamt_stadtteilprofile_{jahr}.xlsx")


def geojson(jahr: int) -> None:
    features = []
    for i, name in enumerate(STADTTEILE, start=1):
        x, y = 9.0 + 0.01 * (i % 5), 52.0 + 0.01 * (i // 5)
        ring = [[x, y], [x + 0.01, y], [x + 0.01, y + 0.01], [x, y + 0.01], [x, y]]
        features.append(
            {
                "type": "Feature",
                "properties": {"STT_NR": i, "STT_NAME": name, "JAHR": jahr, "EW": einwohner(i, jahr)},
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        )
    text = json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False, indent=1)
    (HIER / f"stadtteile_{jahr}.geojson").write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    for year in (2023, 2024):
        bevoelkerung_csv(year)
        arbeit_csv(year)
        hze_xlsx(year)
        landesamt_xlsx(year)
        geojson(year)
