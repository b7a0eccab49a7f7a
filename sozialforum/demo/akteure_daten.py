"""Actors of the demo Landkreis: organisations, contact persons, Gremien and Mitgliedschaften.

Fictional names only (combinations of common first and last names); mail domains end in
``.example`` so that nothing can ever reach a real mailbox.
"""

from __future__ import annotations

import random
from typing import Any

from sozialforum.demo.gebiete_daten import KREIS, REGIONEN, SOZIALRAEUME

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


def akteure(rng: random.Random) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    orgs: list[dict[str, Any]] = []
    persons: list[dict[str, Any]] = []
    used_names: set[tuple[str, str]] = set()

    def person(org: dict[str, Any], funktion: str, grundlage: str | None) -> dict[str, Any]:
        while True:
            name = (rng.choice(VORNAMEN), rng.choice(NACHNAMEN))
            if name not in used_names:
                used_names.add(name)
                break
        kennung = f"P{len(persons) + 1:04d}"
        domain = str(org["email"]).split("@")[1]
        row: dict[str, Any] = {
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
    # With an address: their Bescheide of the funding procedure are letters.
    adressen = {
        "KV-AWO": "Bahnhofstraße 12, 37000 Musterstadt",
        "KV-DIA": "Kirchplatz 3, 37000 Musterstadt",
        "KV-CAR": "Domstraße 8, 37000 Musterstadt",
        "KV-DRK": "Wallstraße 20, 37000 Musterstadt",
    }
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
            "adresse": adressen[kennung],
        }
        orgs.append(org)
        for funktion in ("Geschäftsführung", "Bereichsleitung"):
            person(org, funktion, "einwilligung")
    for raum_no, (raum_name, _orte) in enumerate(SOZIALRAEUME, start=1):
        for art, pattern, dach in TRAEGER_ARTEN:
            slug = art.replace("_", "")[:6]
            kennung = f"T{raum_no:02d}-{slug.upper()}"
            org = {
                "kennung": kennung,
                "name": pattern.format(ort=raum_name),
                "art": art,
                "dachverband": dach or "",
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
    orgs: list[dict[str, Any]], persons: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    by_org: dict[object, list[dict[str, Any]]] = {}
    for row in persons:
        by_org.setdefault(row["organisation"], []).append(row)
    gremien: list[dict[str, Any]] = [
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
    members: list[dict[str, Any]] = []

    def add(
        gremium: str,
        row: dict[str, Any],
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
                if raum_no == 1 and row["funktion"] == "Schulleitung":
                    rolle = "vorsitz"  # Lindenau elected a chair; the others are led by the Geschäftsstelle
                add(key, row, rolle, stimm=True)
            add(f"RSF-{region[-1]}", by_org[org["kennung"]][0])
    for amt in ("AMT-SOZ", "AMT-JUG", "AMT-GES", "KV-AWO", "KV-DIA", "KV-CAR", "KV-DRK"):
        add("AGSP", by_org[amt][0], stimm=True)
        add("FF-WH", by_org[amt][-1])
    add("AGSP", planer[2], "vorsitz", stimm=True)
    add("AGSP", planer[1], "protokollfuehrung")
    for amt in ("AMT-SOZ", "AMT-JUG", "AMT-SPL"):
        add("STG", by_org[amt][0], stimm=True)
    for fraktion in ("FR-BB", "FR-SM", "FR-GL", "FR-LR"):
        for index, row in enumerate(by_org[fraktion]):
            add("KT", row, stimm=True, von="2021-11-01", bis="2026-10-31" if index == 2 else "")
            if index < 2:
                add("ASG" if index == 0 else "JHA", row, stimm=True, von="2021-11-01")
    # One member who joined after the others: not invited to meetings before her start.
    add("SRK-01", by_org["AMT-JUG"][2], von="2027-01-01")
    return gremien, members
