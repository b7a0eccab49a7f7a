"""Writes the demo Landkreis ("Landkreis Musterland") into ``sozialforum/demo/data/``.

Fictional names only, no real persons. Deterministic (fixed seed), so the shipped files can be
regenerated and diffed: ``python -m sozialforum.demo.generate``.

Shape: Landkreis (re-formed 2016 from two predecessors, like Göttingen/Osterode) → 3
Sozialregionen → 12 Sozialräume → 42 Gemeinden (one formed 2019 by merging two); 84
organisations, ~220 contact persons, the Gremien on every level with memberships, 4 Fachpläne
with 34 Maßnahmen and 11 Beschlüsse following the Leipzig path (Antrag → Verwaltungsstandpunkt →
Beratungsfolge → Beschluss → Aufträge → Umsetzungsberichte).
"""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path
from typing import Any

from sozialforum.demo import grenzen
from sozialforum.demo.akteure_daten import akteure, gremien_und_mitglieder
from sozialforum.demo.gebiete_daten import KREIS, REGIONEN, SOZIALRAEUME
from sozialforum.demo.planung_daten import planung

DATA = Path(__file__).parent / "data"


def _write(ziel: Path, name: str, header: list[str], rows: list[dict[str, Any]]) -> None:
    with (ziel / name).open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, delimiter=";", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def gebiete(rng: random.Random) -> tuple[list[dict[str, Any]], dict[str, list[str]]]:
    rows: list[dict[str, Any]] = [
        {
            "schluessel": "03152000",
            "name": "Landkreis Musterland (bis 2016)",
            "ebene": "kreis",
            "ags": "03152000",
            "gueltig_bis": "2016-10-31",
        },
        {
            "schluessel": "03156000",
            "name": "Landkreis Osterberg (bis 2016)",
            "ebene": "kreis",
            "ags": "03156000",
            "gueltig_bis": "2016-10-31",
        },
    ]
    kreis: dict[str, Any] = {
        "schluessel": KREIS,
        "name": "Landkreis Musterland",
        "ebene": "kreis",
        "ags": KREIS,
        "ars": "031990000000",
        "gueltig_ab": "2016-11-01",
        "vorgaenger": "03152000,03156000",
    }
    rows.append(kreis)
    gemeinden_by_raum: dict[str, list[str]] = {}
    number = 0
    kreis_total = 0
    for region_index, (region_key, region_name) in enumerate(REGIONEN):
        region: dict[str, Any] = {
            "schluessel": region_key,
            "name": region_name,
            "ebene": "sozialregion",
            "uebergeordnet": KREIS,
        }
        rows.append(region)
        region_total = 0
        for raum_index in range(4):
            raum_no = region_index * 4 + raum_index + 1
            raum_name, orte = SOZIALRAEUME[raum_no - 1]
            raum_key = f"SR{raum_no:02d}"
            raum: dict[str, Any] = {
                "schluessel": raum_key,
                "name": f"Sozialraum {raum_name}",
                "ebene": "sozialraum",
                "uebergeordnet": region_key,
            }
            rows.append(raum)
            raum_total = 0
            for ort in orte:
                number += 1
                ags = f"03199{number:03d}"
                einwohner = 250 if ort == "Schilfau" else rng.randrange(1500, 25000, 10)
                row = {
                    "schluessel": ags,
                    "name": ort,
                    "ebene": "gemeinde",
                    "uebergeordnet": raum_key,
                    "ags": ags,
                    "ars": f"03199{5000 + raum_no:04d}{number:03d}",
                    "einwohner": einwohner,
                }
                if ort == "Neustadt am Walde":
                    # Formed 2019 from two Gemeinden; their versions end the day before.
                    row.update({"gueltig_ab": "2019-01-01", "vorgaenger": "03199901,03199902"})
                    for old, old_name in (("03199901", "Neustadt"), ("03199902", "Walde")):
                        rows.append(
                            {
                                "schluessel": old,
                                "name": old_name,
                                "ebene": "gemeinde",
                                "uebergeordnet": raum_key,
                                "ags": old,
                                "einwohner": einwohner // 2,
                                "gueltig_bis": "2018-12-31",
                            }
                        )
                rows.append(row)
                gemeinden_by_raum.setdefault(raum_key, []).append(ort)
                raum_total += einwohner
            raum["einwohner"] = raum_total
            region_total += raum_total
        region["einwohner"] = region_total
        kreis_total += region_total
    kreis["einwohner"] = kreis_total
    return rows, gemeinden_by_raum


def main(ziel: Path = DATA) -> None:
    """Write the lists and the planning data into ``ziel`` (the shipped folder by default)."""
    rng = random.Random(20161101)
    ziel.mkdir(parents=True, exist_ok=True)
    gebiete_rows, _ = gebiete(rng)
    _write(
        ziel,
        "gebiete.csv",
        [
            "schluessel",
            "name",
            "ebene",
            "uebergeordnet",
            "ags",
            "ars",
            "einwohner",
            "gueltig_ab",
            "gueltig_bis",
            "vorgaenger",
        ],
        gebiete_rows,
    )
    orgs, persons = akteure(rng)
    _write(
        ziel,
        "organisationen.csv",
        ["kennung", "name", "art", "dachverband", "gebiet", "email", "telefon", "adresse", "dezernat"],
        orgs,
    )
    _write(
        ziel,
        "personen.csv",
        [
            "kennung",
            "anrede",
            "vorname",
            "nachname",
            "email",
            "telefon",
            "funktion",
            "organisation",
            "rechtsgrundlage",
            "einwilligung_am",
            "einwilligung_quelle",
            "abgemeldet_am",
        ],
        persons,
    )
    gremien, members = gremien_und_mitglieder(orgs, persons)
    _write(
        ziel,
        "gremien.csv",
        ["kennung", "name", "art", "gebiet", "uebergeordnet", "einladung_vorlauf_tage", "erinnerung_tage"],
        gremien,
    )
    _write(
        ziel,
        "mitgliedschaften.csv",
        ["gremium", "person", "organisation", "rolle", "stimmberechtigt", "von", "bis"],
        members,
    )
    (ziel / grenzen.DATEI).write_text(grenzen.geojson(), encoding="utf-8")
    (ziel / "planung.json").write_text(
        json.dumps(planung(orgs, persons), ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    print(
        f"{len(gebiete_rows)} Gebiete, {len(orgs)} Organisationen, {len(persons)} Personen, "
        f"{len(gremien)} Gremien, {len(members)} Mitgliedschaften → {ziel}"
    )


if __name__ == "__main__":
    main()
