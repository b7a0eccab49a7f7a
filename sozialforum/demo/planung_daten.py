"""Planning content of the demo Landkreis: Fachpläne, Maßnahmen, Vorlagen and Beschlüsse.

The Beschlüsse follow the Leipzig seed's path: a Fraktion's Antrag, the administration's
Verwaltungsstandpunkt with an alternative proposal, the Beratungsfolge, the Beschluss "im Sinne
des Verwaltungsstandpunktes", Aufträge with deadlines in the original wording and reports.
"""

from __future__ import annotations

from typing import Any

# The plans stand as a Geschäftsstelle would find them in December 2026: two Fortschreibungen on
# their way (milestones done or moved below), one not yet begun, and the Wohnungsnotfallhilfe
# overdue, which the Kreistag's Beschluss of 2025 (BESCHLUESSE) asks for.
FACHPLAENE = [
    ("FP-ALT", "Altenhilfeplan Landkreis Musterland 2022", "altenhilfeplan", "2022-06-15", 60, "AMT-SOZ"),
    ("FP-TEI", "Teilhabeplan „Gemeinsam in Musterland“ 2022–2027", "teilhabeplan", "2022-03-10", 60, "AMT-SOZ"),
    ("FP-JUG", "Jugendhilfeplan Teil Kindertagesbetreuung 2023", "jugendhilfeplan", "2023-09-20", 60, "AMT-JUG"),
    ("FP-WNH", "Konzept Wohnungsnotfallhilfe 2020", "wohnungsnotfallhilfe", "2020-11-26", 72, "AMT-SOZ"),
]

# Milestones of the running Fortschreibungen the planners recorded (config/fristen.toml names
# them): (Fachplan, milestone, done on, moved to, reason for moving).
MEILENSTEINE = [
    ("FP-ALT", "datenanalyse", "2026-05-28", None, ""),
    ("FP-ALT", "beteiligung", "2026-10-08", None, ""),
    ("FP-TEI", "datenanalyse", "2026-02-20", None, ""),
    ("FP-TEI", "beteiligung", "2026-07-02", None, ""),
    (
        "FP-TEI",
        "entwurf",
        None,
        "2026-12-18",
        "Die Stellungnahme des Behindertenbeirats vom 28.10.2026 wird in den Entwurf eingearbeitet.",
    ),
    ("FP-WNH", "datenanalyse", "2025-12-10", None, ""),
    ("FP-WNH", "beteiligung", "2026-04-14", None, ""),
    (
        "FP-WNH",
        "entwurf",
        None,
        "2026-12-15",
        "Die Ergebnisse der Bedarfsanalyse Notunterkünfte werden erst mit den Trägern abgestimmt.",
    ),
    ("FP-WNH", "ratsvorlage", None, "2027-02-11", "Folgt dem verschobenen Entwurf; Kreistag am 25.03.2027."),
]

MASSNAHMEN = {
    "FP-ALT": [
        (
            "Quartierstreffs für Seniorinnen und Senioren",
            "Teilhabe im Alter",
            "laufendes_geschaeft",
            "baustein",
            48000,
            "0.75",
        ),
        ("Pflegestützpunkt mobil", "Pflege und Gesundheit", "weiterentwicklung", "teilprojekt", 62000, "1.00"),
        ("Besuchsdienst gegen Einsamkeit", "Teilhabe im Alter", "laufendes_geschaeft", "baustein", 18000, "0.25"),
        ("Wohnberatung und Wohnraumanpassung", "Wohnen", "pruefauftrag", "teilprojekt", 25000, "0.50"),
        ("Digitale Sprechstunde für Ältere", "Teilhabe im Alter", "geplant", "teilprojekt", 12000, "0.20"),
        ("Seniorenbeirat stärken", "Beteiligung", "laufendes_geschaeft", "baustein", 5000, "0.10"),
        ("Fahrdienst ländlicher Raum", "Mobilität", "beendet", "teilprojekt", 30000, "0.50"),
        ("Demenznetzwerk Musterland", "Pflege und Gesundheit", "weiterentwicklung", "baustein", 22000, "0.40"),
    ],
    "FP-TEI": [
        ("Inklusive Sozialraumkonferenzen", "Beteiligung", "laufendes_geschaeft", "baustein", 8000, "0.20"),
        ("Budget für Arbeit bekannt machen", "Arbeit", "weiterentwicklung", "teilprojekt", 15000, "0.30"),
        ("Barrierefreie Kreisverwaltung", "Zugänglichkeit", "pruefauftrag", "teilprojekt", 90000, "0.50"),
        ("Peer-Beratung (EUTB) in der Fläche", "Beratung", "laufendes_geschaeft", "baustein", 40000, "1.00"),
        ("Leichte Sprache in Bescheiden", "Zugänglichkeit", "geplant", "teilprojekt", 10000, "0.10"),
        ("Inklusive Freizeitangebote", "Freizeit", "weiterentwicklung", "baustein", 26000, "0.50"),
        ("Wohnschule für junge Erwachsene", "Wohnen", "pruefauftrag", "teilprojekt", 35000, "0.75"),
        ("Teilhabeforum jährlich", "Beteiligung", "laufendes_geschaeft", "baustein", 6000, "0.10"),
        ("Assistenz im Ehrenamt", "Freizeit", "geplant", "teilprojekt", 9000, "0.20"),
    ],
    "FP-JUG": [
        (
            "Kita-Sozialarbeit in belasteten Sozialräumen",
            "Frühe Hilfen",
            "laufendes_geschaeft",
            "baustein",
            120000,
            "2.00",
        ),
        ("Familienzentren ausbauen", "Familienbildung", "weiterentwicklung", "baustein", 85000, "1.50"),
        ("Sprachkitas fortführen", "Bildung", "laufendes_geschaeft", "baustein", 70000, "1.00"),
        ("Übergang Kita–Grundschule", "Bildung", "pruefauftrag", "teilprojekt", 14000, "0.30"),
        ("Elterncafés in Grundschulen", "Familienbildung", "geplant", "teilprojekt", 11000, "0.25"),
        ("Ambulante Hilfen im Sozialraum", "Hilfen zur Erziehung", "weiterentwicklung", "baustein", 150000, "3.00"),
        ("Kinderschutz-Netzwerk", "Kinderschutz", "laufendes_geschaeft", "baustein", 20000, "0.50"),
        ("Mobile Jugendarbeit ländlicher Raum", "Jugendarbeit", "laufendes_geschaeft", "baustein", 64000, "1.50"),
        ("Platzausbau U3 Musterstadt-West", "Kindertagesbetreuung", "pruefauftrag", "teilprojekt", 250000, "0.00"),
    ],
    "FP-WNH": [
        ("Zentrale Fachstelle Wohnungssicherung", "Prävention", "laufendes_geschaeft", "baustein", 95000, "2.00"),
        ("Notunterkunft mit Beratung", "Unterbringung", "laufendes_geschaeft", "baustein", 180000, "1.50"),
        ("Housing First Modellprojekt", "Wohnen", "pruefauftrag", "teilprojekt", 60000, "1.00"),
        ("Mietschuldenberatung im Jobcenter", "Prävention", "weiterentwicklung", "baustein", 28000, "0.50"),
        ("Frauenschutzwohnungen", "Unterbringung", "geplant", "teilprojekt", 45000, "0.50"),
        (
            "Wohnungslosenstatistik jährlich",
            "Steuerung",
            "laufendes_geschaeft",
            "baustein",
            3000,
            "0.10",
        ),
        ("Kooperationsvertrag Wohnungswirtschaft", "Wohnen", "weiterentwicklung", "teilprojekt", 5000, "0.20"),
        ("Straßensozialarbeit Musterstadt", "Beratung", "laufendes_geschaeft", "baustein", 52000, "1.00"),
    ],
}

# (topic, Fraktion, Antrag date, VSP date, Beschluss date, Amt, Dezernat, [(Auftrag, due, wording, status)])
BESCHLUESSE = [
    (
        "Einführung einer Strategischen Sozialplanung",
        "FR-SM",
        "2024-01-25",
        "2024-03-13",
        "2024-09-19",
        "Stabsstelle Sozialplanung",
        "Dezernat III",
        [
            ("Konzept Strategische Sozialplanung vorlegen", "2025-06-30", "bis Mitte 2025", "umgesetzt"),
            ("Forum Sozialplanung mit freien Trägern durchführen", "2024-12-31", "im 2. Halbjahr 2024", "umgesetzt"),
        ],
    ),
    (
        "Sozialraumkonferenzen in allen Sozialräumen",
        "FR-BB",
        "2024-02-10",
        "2024-04-02",
        "2024-06-27",
        "Stabsstelle Sozialplanung",
        "Dezernat III",
        [
            (
                "Sozialraumkonferenzen in allen zwölf Sozialräumen einrichten",
                "2025-03-31",
                "bis Ende des ersten Quartals 2025",
                "umgesetzt",
            ),
            (
                "Jährlich über die Ergebnisse der Konferenzen berichten",
                "2026-12-31",
                "jährlich zum Jahresende",
                "in_arbeit",
            ),
        ],
    ),
    (
        "Fortschreibung des Konzepts Wohnungsnotfallhilfe",
        "FR-GL",
        "2025-01-15",
        "2025-02-20",
        "2025-05-22",
        "Sozialamt",
        "Dezernat III",
        [
            (
                "Fortschreibung des Konzepts Wohnungsnotfallhilfe vorlegen",
                "2026-09-30",
                "bis Ende des III. Quartals 2026",
                "verzoegert",
            ),
            ("Bedarfsanalyse Notunterkünfte erstellen", "2026-03-31", "bis März 2026", "umgesetzt"),
        ],
    ),
    (
        "Housing First im Landkreis erproben",
        "FR-SM",
        "2025-03-01",
        "2025-04-15",
        "2025-07-10",
        "Sozialamt",
        "Dezernat III",
        [
            ("Modellprojekt Housing First konzipieren", "2026-06-30", "bis Mitte 2026", "in_arbeit"),
            ("Kooperationspartner aus der Wohnungswirtschaft gewinnen", "2026-12-31", "bis Ende 2026", "offen"),
        ],
    ),
    (
        "Kita-Sozialarbeit verstetigen",
        "FR-BB",
        "2025-02-01",
        "2025-03-05",
        "2025-06-26",
        "Jugendamt",
        "Dezernat III",
        [
            (
                "Finanzierung der Kita-Sozialarbeit im Haushalt 2026 sichern",
                "2025-12-31",
                "mit dem Haushalt 2026",
                "umgesetzt",
            ),
            ("Wirkungsbericht Kita-Sozialarbeit vorlegen", "2027-03-31", "im I. Quartal 2027", "offen"),
        ],
    ),
    (
        "Barrierefreiheit der Kreisverwaltung",
        "FR-LR",
        "2024-10-10",
        "2024-11-20",
        "2025-02-27",
        "Sozialamt",
        "Dezernat III",
        [
            ("Begehung aller Dienstgebäude mit dem Behindertenbeirat", "2025-09-30", "bis September 2025", "umgesetzt"),
            ("Maßnahmenplan Barrierefreiheit vorlegen", "2026-11-30", "bis Ende November 2026", "in_arbeit"),
        ],
    ),
    (
        "Pflegestützpunkt mobil in die Fläche",
        "FR-GL",
        "2025-05-05",
        "2025-06-10",
        "2025-09-25",
        "Sozialamt",
        "Dezernat III",
        [
            (
                "Standorte und Tourenplan des mobilen Pflegestützpunkts festlegen",
                "2026-02-28",
                "bis Februar 2026",
                "umgesetzt",
            ),
            ("Evaluation nach einem Jahr Betrieb", "2027-04-30", "ein Jahr nach Start", "offen"),
        ],
    ),
    (
        "Sozialraumbudgets für die Jugendhilfe",
        "FR-SM",
        "2025-06-12",
        "2025-07-30",
        "2025-11-27",
        "Jugendamt",
        "Dezernat III",
        [
            (
                "Verteilschlüssel für Sozialraumbudgets nach Indikatoren entwickeln",
                "2026-06-30",
                "bis Mitte 2026",
                "verzoegert",
            ),
            (
                "Sozialraumbudgets erstmals im Haushalt 2027 ausweisen",
                "2026-12-15",
                "mit dem Haushaltsentwurf 2027",
                "offen",
            ),
        ],
    ),
    (
        "Gegen Einsamkeit im Alter",
        "FR-BB",
        "2025-08-20",
        "2025-09-30",
        "2026-01-29",
        "Sozialamt",
        "Dezernat III",
        [("Besuchsdienste kreisweit koordinieren", "2026-10-31", "bis Herbst 2026", "in_arbeit")],
    ),
    (
        "Digitale Teilhabe älterer Menschen",
        "FR-LR",
        "2025-10-01",
        "2025-11-12",
        "2026-03-26",
        "Sozialamt",
        "Dezernat III",
        [
            ("Digitale Sprechstunden in fünf Sozialräumen starten", "2026-12-31", "bis Jahresende 2026", "offen"),
            ("Bericht an den Ausschuss für Soziales und Gesundheit", "2027-06-30", "zur Jahresmitte 2027", "offen"),
        ],
    ),
    (
        "Sozialstrukturatlas veröffentlichen",
        "FR-GL",
        "2026-01-20",
        "2026-02-25",
        "2026-06-25",
        "Stabsstelle Sozialplanung",
        "Dezernat III",
        [
            ("Sozialstrukturatlas mit Sozialraumprofilen veröffentlichen", "2026-12-31", "bis Ende 2026", "in_arbeit"),
            ("Datenweitergabe an die Gemeinden regeln", "2027-03-31", "bis Ende März 2027", "offen"),
        ],
    ),
]

BERICHT_TEXT = {
    "umgesetzt": "Der Auftrag ist erledigt. Die Ergebnisse wurden im Ausschuss vorgestellt.",
    "in_arbeit": "Die Verwaltung erarbeitet derzeit die Grundlagen; ein Zwischenstand liegt vor.",
    "verzoegert": "Die Bearbeitung verzögert sich wegen fehlender Personalkapazität; neuer Termin folgt.",
}


def planung(orgs: list[dict[str, Any]], persons: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    org_of_amt = {str(o["name"]).removesuffix(" Landkreis Musterland"): o["kennung"] for o in orgs if o["art"] == "amt"}
    lead = {o: next(p["kennung"] for p in persons if p["organisation"] == o) for o in org_of_amt.values()}
    traeger = [o["kennung"] for o in orgs if o["art"] in ("freier_traeger", "familienzentrum", "verein")]
    fachplaene = [
        {"kennung": k, "name": n, "art": a, "beschlossen_am": d, "turnus_monate": t, "zustaendig": z}
        for k, n, a, d, t, z in FACHPLAENE
    ]
    massnahmen: list[dict[str, Any]] = []
    for plan, items in MASSNAHMEN.items():
        for index, (titel, feld, status, art, budget, vzae) in enumerate(items, start=1):
            raum = (index * 5 + len(massnahmen)) % 12 + 1
            massnahmen.append(
                {
                    "kennung": f"{plan}-M{index:02d}",
                    "fachplan": plan,
                    "titel": titel,
                    "handlungsfeld": feld,
                    "status": status,
                    "art": art,
                    "budget_eur_jahr": budget,
                    "vzae": vzae,
                    "verantwortlich": traeger[(index + len(massnahmen)) % len(traeger)],
                    "gebiet": f"SR{raum:02d}" if index % 3 else "03199000",
                    # Reviews spread over 2027; the sixth Maßnahme of each plan is a month overdue.
                    "naechste_pruefung": "2026-11-01" if index == 6 else f"2027-{(index * 2) % 12 + 1:02d}-01",
                }
            )
    vorlagen, beschluesse = [], []
    for number, (thema, fraktion, antrag, vsp, datum, amt, dezernat, auftraege) in enumerate(BESCHLUESSE, start=1):
        a_key, v_key, b_key = (
            f"A-{number:03d}/{antrag[:4]}",
            f"VSP-{number:03d}/{vsp[:4]}",
            f"B-{number:03d}/{datum[:4]}",
        )
        vorlagen.append(
            {
                "kennung": a_key,
                "art": "antrag",
                "titel": f"Antrag: {thema}",
                "datum": antrag,
                "einreicher": next(o["name"] for o in orgs if o["kennung"] == fraktion),
                "einreicher_organisation": fraktion,
                "text": f"Der Landrat wird beauftragt, {thema.lower()} vorzubereiten und dem Kreistag zu berichten.",
                "beratungen": [
                    {"gremium": "ASG", "reihenfolge": 1, "rolle": "vorberatung", "datum": vsp, "ergebnis": "empfohlen"},
                    {
                        "gremium": "KT",
                        "reihenfolge": 2,
                        "rolle": "entscheidung",
                        "datum": datum,
                        "ergebnis": "geaendert_beschlossen",
                    },
                ],
            }
        )
        vorlagen.append(
            {
                "kennung": v_key,
                "art": "verwaltungsstandpunkt",
                "titel": f"Verwaltungsstandpunkt: {thema}",
                "datum": vsp,
                "einreicher": amt,
                "einreicher_organisation": org_of_amt[amt],
                "bezug": a_key,
                "text": "Alternativvorschlag: Die Verwaltung legt ein Konzept vor und beteiligt die freien Träger.",
                "beratungen": [],
            }
        )
        punkte = [{"nummer": str(i), "text": text} for i, (text, *_rest) in enumerate(auftraege, start=1)]
        auftrag_rows, berichte = [], []
        for i, (text, frist, wortlaut, status) in enumerate(auftraege, start=1):
            key = f"{b_key}-{i}"
            auftrag_rows.append(
                {
                    "kennung": key,
                    "punkt": str(i),
                    "beschreibung": text,
                    "verantwortlich_organisation": org_of_amt[amt],
                    "verantwortlich_person": lead[org_of_amt[amt]],
                    "frist": frist,
                    "frist_wortlaut": wortlaut,
                    "status": status,
                    "begonnen_am": datum if status != "offen" else None,
                    "erledigt_am": frist if status == "umgesetzt" else None,
                    "fortschritt_prozent": {"umgesetzt": 100, "in_arbeit": 50, "verzoegert": 30}.get(status, 0),
                }
            )
            if status in BERICHT_TEXT:
                berichte.append(
                    {
                        "auftrag": key,
                        "datum": frist if status == "umgesetzt" else "2026-09-15",
                        "status": status,
                        "text": BERICHT_TEXT[status],
                    }
                )
        beschluesse.append(
            {
                "kennung": b_key,
                "vorlage": a_key,
                "gremium": "KT",
                "datum": datum,
                "titel": thema,
                "text": "; ".join(p["text"] for p in punkte),
                "fassung": "im Sinne des Verwaltungsstandpunktes beschlossen",
                "dezernat": dezernat,
                "amt": amt,
                "punkte": punkte,
                "auftraege": auftrag_rows,
                "berichte": berichte,
            }
        )
    return {"fachplaene": fachplaene, "massnahmen": massnahmen, "vorlagen": vorlagen, "beschluesse": beschluesse}
