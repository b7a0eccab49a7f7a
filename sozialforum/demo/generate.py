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

from sozialforum.demo.planung_daten import planung

DATA = Path(__file__).parent / "data"
KREIS = "03199000"

REGIONEN = [("REG-N", "Sozialregion Nord"), ("REG-M", "Sozialregion Mitte"), ("REG-S", "Sozialregion Süd")]
# (Sozialraum name, [Gemeinden]); the first Gemeinde names the Sozialraum.
SOZIALRAEUME = [
    ("Lindenau", ["Lindenau", "Birkenfelde", "Hasselbach", "Moorwinkel"]),
    ("Eichhausen", ["Eichhausen", "Kranichsee", "Weidenbrück", "Dornhagen"]),
    ("Hohenstein", ["Hohenstein", "Fichtenau", "Ellerbruch"]),
    ("Auental", ["Auental", "Rabenhorst", "Wiesengrund", "Tannhöfe"]),
    ("Musterstadt-Mitte", ["Musterstadt-Mitte", "Musterstadt-Altstadt", "Musterstadt-Bahnhof"]),
    ("Musterstadt-West", ["Musterstadt-West", "Musterstadt-Gartenfeld", "Musterstadt-Hafen", "Sandkuhle"]),
    ("Bergstedt", ["Bergstedt", "Quellental", "Steinrode"]),
    ("Neustadt am Walde", ["Neustadt am Walde", "Buchholz", "Erlenmoor", "Falkenried"]),
    ("Osterberg", ["Osterberg", "Grünhagen", "Kesselbrunn"]),
    ("Sonnenfeld", ["Sonnenfeld", "Lerchenau", "Mühlental", "Roggenhof"]),
    ("Talheim", ["Talheim", "Bärenfels", "Wolfsgrund"]),
    ("Waldhufen", ["Waldhufen", "Ahornstedt", "Schilfau"]),
]
VORNAMEN = [
    "Anna",
    "Ben",
    "Clara",
    "David",
    "Elif",
    "Finn",
    "Greta",
    "Hannes",
    "Ida",
    "Jonas",
    "Katrin",
    "Lars",
    "Mia",
    "Niklas",
    "Olga",
    "Paul",
    "Quirin",
    "Rosa",
    "Sven",
    "Tara",
    "Ulla",
    "Veit",
    "Wiebke",
    "Yusuf",
    "Zoe",
    "Aylin",
    "Bernd",
    "Carla",
    "Dennis",
    "Emma",
]
NACHNAMEN = [
    "Ahrens",
    "Brandt",
    "Claasen",
    "Dietz",
    "Eggers",
    "Falk",
    "Gerdes",
    "Hollmann",
    "Iversen",
    "Janssen",
    "Kühl",
    "Lorenz",
    "Möller",
    "Nolte",
    "Oltmanns",
    "Peters",
    "Quast",
    "Rieck",
    "Sommer",
    "Timm",
    "Ulrichs",
    "Vogt",
    "Wendt",
    "Xander",
    "Yilmaz",
    "Ziegler",
    "Behrens",
    "Carstens",
    "Dreyer",
    "Engel",
]
TRAEGER_ARTEN = [
    ("kita", "Kita {ort}", None),
    ("schule", "Grundschule {ort}", None),
    ("familienzentrum", "Familienzentrum {ort}", "Paritätischer Wohlfahrtsverband"),
    ("kirche", "Ev.-luth. Kirchengemeinde {ort}", "Diakonie"),
    ("verein", "Nachbarschaftsverein {ort} e. V.", None),
    ("freier_traeger", "Jugend- und Familienhilfe {ort} gGmbH", "Arbeiterwohlfahrt"),
]


def _write(name: str, header: list[str], rows: list[dict[str, object]]) -> None:
    with (DATA / name).open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, delimiter=";", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def gebiete(rng: random.Random) -> tuple[list[dict[str, object]], dict[str, list[str]]]:
    rows: list[dict[str, object]] = [
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
    kreis = {
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
        region = {"schluessel": region_key, "name": region_name, "ebene": "sozialregion", "uebergeordnet": KREIS}
        rows.append(region)
        region_total = 0
        for raum_index in range(4):
            raum_no = region_index * 4 + raum_index + 1
            raum_name, orte = SOZIALRAEUME[raum_no - 1]
            raum_key = f"SR{raum_no:02d}"
            raum = {
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


def akteure(rng: random.Random) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    orgs: list[dict[str, object]] = []
    persons: list[dict[str, object]] = []
    used_names: set[tuple[str, str]] = set()

    def person(org: dict[str, object], funktion: str, grundlage: str | None) -> dict[str, object]:
        while True:
            name = (rng.choice(VORNAMEN), rng.choice(NACHNAMEN))
            if name not in used_names:
                used_names.add(name)
                break
        kennung = f"P{len(persons) + 1:04d}"
        domain = str(org["email"]).split("@")[1]
        row: dict[str, object] = {
            "kennung": kennung,
            "vorname": name[0],
            "nachname": name[1],
            "email": f"{name[0].lower()}.{name[1].lower()}@{domain}".replace("ü", "ue").replace("ö", "oe"),
            "telefon": f"05551 {rng.randrange(100, 999)}-{rng.randrange(10, 99)}",
            "funktion": funktion,
            "organisation": org["kennung"],
        }
        if grundlage == "einwilligung":
            row.update(
                {
                    "rechtsgrundlage": "einwilligung",
                    "einwilligung_am": f"2025-{rng.randrange(1, 13):02d}-{rng.randrange(1, 28):02d}",
                    "einwilligung_quelle": "Anmeldebogen Sozialraumkonferenz",
                }
            )
        elif grundlage:
            row["rechtsgrundlage"] = grundlage
        persons.append(row)
        return row

    aemter = [
        ("AMT-SOZ", "Sozialamt", "Dezernat III"),
        ("AMT-JUG", "Jugendamt", "Dezernat III"),
        ("AMT-GES", "Gesundheitsamt", "Dezernat II"),
        ("AMT-SPL", "Stabsstelle Sozialplanung", "Dezernat III"),
    ]
    for kennung, name, dezernat in aemter:
        org = {
            "kennung": kennung,
            "name": f"{name} Landkreis Musterland",
            "art": "amt",
            "gebiet": KREIS,
            "email": f"{kennung.lower()}@landkreis-musterland.example",
            "dezernat": dezernat,
        }
        orgs.append(org)
        for funktion in ("Amtsleitung", "Sachgebietsleitung", "Sozialplanerin"):
            person(org, funktion, "oeffentliche_aufgabe")
    for kennung, name in (
        ("FR-BB", "Fraktion Bürgerbündnis"),
        ("FR-SM", "Fraktion Soziale Mitte"),
        ("FR-GL", "Fraktion Grüne Liste Musterland"),
        ("FR-LR", "Fraktion Liberale Runde"),
    ):
        org = {
            "kennung": kennung,
            "name": name,
            "art": "fraktion",
            "gebiet": KREIS,
            "email": f"{kennung.lower()}@kreistag-musterland.example",
        }
        orgs.append(org)
        for funktion in ("Fraktionsvorsitz", "Kreistagsmitglied", "Kreistagsmitglied"):
            person(org, funktion, "oeffentliche_aufgabe")
    for kennung, name, verband in (
        ("KV-AWO", "Kreisverband Wohlfahrt Musterland e. V.", "Arbeiterwohlfahrt"),
        ("KV-DIA", "Diakonisches Werk Musterland", "Diakonie"),
        ("KV-CAR", "Caritasverband Musterland e. V.", "Caritas"),
        ("KV-DRK", "Kreisverband Rettung und Pflege e. V.", "Deutsches Rotes Kreuz"),
    ):
        org = {
            "kennung": kennung,
            "name": name,
            "art": "freier_traeger",
            "dachverband": verband,
            "gebiet": KREIS,
            "email": f"info@{kennung.lower()}.example",
        }
        orgs.append(org)
        for funktion in ("Geschäftsführung", "Bereichsleitung"):
            person(org, funktion, "einwilligung")
    for raum_no, (raum_name, _orte) in enumerate(SOZIALRAEUME, start=1):
        for art, pattern, verband in TRAEGER_ARTEN:
            slug = art.replace("_", "")[:6]
            kennung = f"T{raum_no:02d}-{slug.upper()}"
            org = {
                "kennung": kennung,
                "name": pattern.format(ort=raum_name),
                "art": art,
                "dachverband": verband or "",
                "gebiet": f"SR{raum_no:02d}",
                "email": f"kontakt@{kennung.lower()}.example",
                "adresse": f"Hauptstraße {rng.randrange(1, 120)}, {raum_name}",
            }
            orgs.append(org)
            funktionen = {
                "schule": ("Schulleitung",),
                "verein": ("Vorsitz", "Ehrenamtskoordination", "Kassenwart"),
                "freier_traeger": ("Leitung", "Fachkraft", "Fachkraft Sozialraum"),
                "kita": ("Leitung", "Fachkraft", "Elternarbeit"),
            }.get(art, ("Leitung", "Fachkraft"))
            for funktion in funktionen:
                person(org, funktion, "einwilligung")
            if art == "familienzentrum":
                person(org, "Koordination Sozialraum", "einwilligung")
    # A few realistic gaps: no consent yet, opted out, no e-mail address.
    for row in persons[40:45]:
        for field in ("rechtsgrundlage", "einwilligung_am", "einwilligung_quelle"):
            row.pop(field, None)
    persons[50]["abgemeldet_am"] = "2026-02-01"
    persons[51]["abgemeldet_am"] = "2026-05-15"
    persons[60]["email"] = ""
    return orgs, persons


def gremien_und_mitglieder(
    orgs: list[dict[str, object]], persons: list[dict[str, object]]
) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    by_org: dict[object, list[dict[str, object]]] = {}
    for row in persons:
        by_org.setdefault(row["organisation"], []).append(row)
    gremien: list[dict[str, object]] = [
        {"kennung": "KT", "name": "Kreistag", "art": "kreistag", "gebiet": KREIS},
        {
            "kennung": "ASG",
            "name": "Ausschuss für Soziales und Gesundheit",
            "art": "ausschuss",
            "gebiet": KREIS,
            "uebergeordnet": "KT",
            "einladung_vorlauf_tage": 14,
        },
        {
            "kennung": "JHA",
            "name": "Jugendhilfeausschuss",
            "art": "ausschuss",
            "gebiet": KREIS,
            "uebergeordnet": "KT",
            "einladung_vorlauf_tage": 14,
        },
        {"kennung": "STG", "name": "Steuerungsgruppe Sozialplanung", "art": "steuerungsgruppe", "gebiet": KREIS},
        {"kennung": "AGSP", "name": "AG Sozialplanung", "art": "ag_sozialplanung", "gebiet": KREIS},
        {
            "kennung": "FF-WH",
            "name": "Fachforum Wohnhilfen",
            "art": "fachgremium",
            "gebiet": KREIS,
            "erinnerung_tage": "7",
        },
    ]
    members: list[dict[str, object]] = []

    def add(
        gremium: str,
        row: dict[str, object],
        rolle: str = "mitglied",
        *,
        stimm: bool = False,
        von: str = "2024-01-01",
        bis: str = "",
    ) -> None:
        members.append(
            {
                "gremium": gremium,
                "person": row["kennung"],
                "organisation": row["organisation"],
                "rolle": rolle,
                "stimmberechtigt": "ja" if stimm else "nein",
                "von": von,
                "bis": bis,
            }
        )

    planer = by_org["AMT-SPL"]
    for kennung, _name in REGIONEN:
        gremien.append(
            {
                "kennung": f"RSF-{kennung[-1]}",
                "name": f"Regionales Sozialforum {_name.split()[-1]}",
                "art": "regionales_sozialforum",
                "gebiet": kennung,
                "uebergeordnet": "AGSP",
            }
        )
    for raum_no, (raum_name, _orte) in enumerate(SOZIALRAEUME, start=1):
        region = REGIONEN[(raum_no - 1) // 4][0]
        key = f"SRK-{raum_no:02d}"
        gremien.append(
            {
                "kennung": key,
                "name": f"Sozialraumkonferenz {raum_name}",
                "art": "sozialraumkonferenz",
                "gebiet": f"SR{raum_no:02d}",
                "uebergeordnet": f"RSF-{region[-1]}",
                "einladung_vorlauf_tage": 21,
                "erinnerung_tage": "7,1",
            }
        )
        add(key, planer[raum_no % 3], "geschaeftsstelle")
        for org in (o for o in orgs if o["gebiet"] == f"SR{raum_no:02d}"):
            for row in by_org[org["kennung"]]:
                rolle = "protokollfuehrung" if row["funktion"] == "Koordination Sozialraum" else "mitglied"
                add(key, row, rolle, stimm=True)
            add(f"RSF-{region[-1]}", by_org[org["kennung"]][0])
    for org in ("AMT-SOZ", "AMT-JUG", "AMT-GES", "KV-AWO", "KV-DIA", "KV-CAR", "KV-DRK"):
        add("AGSP", by_org[org][0], stimm=True)
        add("FF-WH", by_org[org][-1])
    add("AGSP", planer[2], "vorsitz", stimm=True)
    add("AGSP", planer[1], "protokollfuehrung")
    for org in ("AMT-SOZ", "AMT-JUG", "AMT-SPL"):
        add("STG", by_org[org][0], stimm=True)
    for org in ("FR-BB", "FR-SM", "FR-GL", "FR-LR"):
        for index, row in enumerate(by_org[org]):
            add("KT", row, stimm=True, von="2021-11-01", bis="2026-10-31" if index == 2 else "")
            if index < 2:
                add("ASG" if index == 0 else "JHA", row, stimm=True, von="2021-11-01")
    # One member who joined after the others: not invited to meetings before her start.
    add("SRK-01", by_org["AMT-JUG"][2], von="2027-01-01")
    return gremien, members


def main() -> None:
    rng = random.Random(20161101)
    DATA.mkdir(parents=True, exist_ok=True)
    gebiete_rows, _ = gebiete(rng)
    _write(
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
        "organisationen.csv",
        ["kennung", "name", "art", "dachverband", "gebiet", "email", "telefon", "adresse", "dezernat"],
        orgs,
    )
    _write(
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
        "gremien.csv",
        ["kennung", "name", "art", "gebiet", "uebergeordnet", "einladung_vorlauf_tage", "erinnerung_tage"],
        gremien,
    )
    _write(
        "mitgliedschaften.csv", ["gremium", "person", "organisation", "rolle", "stimmberechtigt", "von", "bis"], members
    )
    (DATA / "planung.json").write_text(
        json.dumps(planung(orgs, persons), ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    print(
        f"{len(gebiete_rows)} Gebiete, {len(orgs)} Organisationen, {len(persons)} Personen, "
        f"{len(gremien)} Gremien, {len(members)} Mitgliedschaften → {DATA}"
    )


if __name__ == "__main__":
    main()
