"""The demo Landkreis steers through a Sozialstrategie (#15): eight Leitsätze, a strategic
direction and Leitlinien (Lörrach), Ziele with Kennzahlen and targets (Ulm), about 110 projects at
about 80 Träger from the Sozialamt's Excel list (Leipzig), one funding call with applications and
decisions, and one evaluation round with verdicts.

Everything goes through the planners' paths: the project list is written as an XLSX file and
read by the importer, applications go through the same checks as the portal, decisions produce
real Bescheide. Deterministic (a fixed seed), idempotent on a second run.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from sqlmodel import Session, col, select

from sozialforum.demo import DATA, DemoRun
from sozialforum.problems import ProblemReport
from sozialforum.store.db import session_scope
from sozialforum.store.models import (
    Foerderantrag,
    Foerderaufruf,
    Foerderentscheidung,
    Gebiet,
    Massnahme,
    Organisation,
    Person,
    Strategie,
)
from sozialforum.store.models.base import pk
from sozialforum.strategie import berichte, bewertung, foerderentscheidung, foerderung
from sozialforum.strategie.definition import strategie_laden
from sozialforum.strategie.kennzahlen import aus_atlas, kennzahlen_laden
from sozialforum.strategie.projekte import projekte_importieren
from sozialforum.timeutil import berlin, format_euro
from sozialforum.vocab import (
    GebietEbene,
    OrganisationArt,
    Urteil,
)

KENNUNG = "SOZSTRAT-2025"
DEFINITION = DATA / "strategie.toml"
# Project names per Handlungsfeld (the Handlungsfelder are those of strategie.toml).
HANDLUNGSFELDER = {
    "Kinder- und Jugendhilfe (SGB VIII)": [
        "Familienpaten",
        "Kita Plus",
        "Präventionskette",
        "Elterncafé",
        "Schulsozialarbeit plus",
        "Familiencoaching",
        "Pflegefamilien gewinnen",
    ],
    "Grundsicherung (SGB II)": [
        "Fallmanagement U 25",
        "Praktikumsbörse",
        "Bildungspatenschaften",
        "Schuldnerberatung vor Ort",
        "Tagesstruktur Dritter Arbeitsmarkt",
    ],
    "Ältere Menschen und Pflege": [
        "Besuchsdienst",
        "Steuerungsfachkraft Pflege",
        "Nachbarschaftshilfe",
        "Mittagstisch",
    ],
    "Teilhabe von Menschen mit Behinderungen": [
        "Arbeitgeberberatung Inklusion",
        "Integrierte Hilfen",
        "Freizeitassistenz",
    ],
}
# The Jugendamt's own figures for the Ziele that the atlas does not carry: (start 2020, change a
# year, growth as a factor?), whole Kreis and per Sozialraum.
EIGENE_ZAHLEN = {
    "SOZSTRAT-2025-Z3": (74.0, 1.5, False),
    "SOZSTRAT-2025-Z5": (56.0, -1.2, False),
    "SOZSTRAT-2025-Z6": (24_800_000.0, 0.009, True),
}
JAHRE = range(2020, 2026)


def _kennzahlen_datei(session: Session, folder: Path) -> Path:
    """The Jugendamt's table of its own figures, as it would send it (CSV, German numbers)."""
    raeume = session.exec(
        select(Gebiet.name).where(Gebiet.ebene == GebietEbene.SOZIALRAUM.value).order_by(col(Gebiet.schluessel))
    ).all()
    rng = random.Random(15)
    lines = ["ziel;stichtag;sozialraum;wert;quelle"]
    for kennung, (start, drift, wachstum) in EIGENE_ZAHLEN.items():
        for i, jahr in enumerate(JAHRE):
            ganz = start * (1 + drift) ** i if wachstum else start + drift * i
            lines.append(f"{kennung};31.12.{jahr};;{str(round(ganz, 2)).replace('.', ',')};Jugendamt, Monitoring HzE")
            if not wachstum:
                lines += [
                    f"{kennung};31.12.{jahr};{raum};{str(round(ganz * rng.uniform(0.85, 1.15), 2)).replace('.', ',')};Jugendamt, Monitoring HzE"
                    for raum in raeume
                ]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "Kennzahlen Jugendamt 2020-2025.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _strategie(session: Session, run: DemoRun) -> tuple[Strategie, list[str]]:
    """The strategy from its TOML file, the atlas's figures, the Jugendamt's figures: the
    Geschäftsstelle's own paths (``sozialforum strategie laden`` / ``kennzahlen``)."""
    lines = [strategie_laden(session, DEFINITION).zusammenfassung()]
    atlas = aus_atlas(session)
    geschrieben, gleich = kennzahlen_laden(session, _kennzahlen_datei(session, run.settings.data_dir / "demo"))
    lines.append(
        f"Kennzahlen: {atlas} Werte aus dem Sozialstrukturatlas, {geschrieben} aus der Tabelle des Jugendamts ({gleich} unverändert)"
    )
    strategie = session.exec(select(Strategie).where(Strategie.kennung == KENNUNG)).one()
    return strategie, lines


def _projektliste(session: Session, folder: Path, planjahr: int) -> Path:
    """The Sozialamt's list: about 110 projects at about 80 Träger, one row per year from 2024 to
    the coming budget year (``planjahr``: planned money only)."""
    arten = (OrganisationArt.AMT.value, OrganisationArt.FRAKTION.value)
    traeger = session.exec(
        select(Organisation.kennung).where(col(Organisation.art).not_in(arten)).order_by(col(Organisation.kennung))
    ).all()
    raeume = session.exec(
        select(Gebiet.name).where(Gebiet.ebene == GebietEbene.SOZIALRAUM.value).order_by(col(Gebiet.schluessel))
    ).all()
    rng = random.Random(110)
    book = Workbook()
    sheet = book.active
    sheet.title = "Projekte"
    sheet.append(
        [
            "kennung",
            "titel",
            "traeger",
            "handlungsfeld",
            "sozialraeume",
            "leitsaetze",
            "jahr",
            "plan_eur",
            "ist_eur",
            "plan_vzae",
            "ist_vzae",
            "status",
        ]
    )
    nummer = 0
    felder = list(HANDLUNGSFELDER.items())
    while nummer < 110:
        feld, titel = felder[nummer % len(felder)]
        raum = raeume[nummer % len(raeume)]
        nummer += 1
        name = f"{titel[(nummer // len(felder)) % len(titel)]} {raum.removeprefix('Sozialraum ')}"
        plan = rng.choice([18_000, 24_000, 39_600, 45_000, 60_000, 72_000, 96_000])
        vzae = rng.choice([0, 0.5, 0.5, 1.0])
        status = rng.choices(["laufendes_geschaeft", "beendet", "geplant"], weights=[85, 8, 7])[0]
        leitsaetze = ", ".join(str(n) for n in sorted(rng.sample(range(1, 9), 2)))
        for jahr in range(2024, planjahr + 1):
            vorbei = status == "beendet" and jahr > 2024
            ist = None if jahr == planjahr else 0 if vorbei else round(plan * rng.choice([1.0, 1.0, 0.9, 0.66]), 2)
            ist_vzae = None if jahr == planjahr else 0 if vorbei else rng.choice([vzae, vzae, 0])
            sheet.append(
                [
                    f"PR-{nummer:03d}",
                    name,
                    traeger[nummer % len(traeger)],
                    feld,
                    f"{raum}: 100",
                    leitsaetze,
                    jahr,
                    plan,
                    ist,
                    vzae,
                    ist_vzae,
                    status,
                ]
            )
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"Projektliste Sozialamt 2024-{planjahr}.xlsx"
    book.save(path)
    return path


def _foerderung(session: Session, run: DemoRun, strategie: Strategie) -> list[str]:
    heute = berlin(run.now).date()
    aufruf = session.exec(select(Foerderaufruf).where(Foerderaufruf.kennung == "FA-PRAEVENTION")).first()
    if aufruf is None:
        aufruf = Foerderaufruf(
            kennung="FA-PRAEVENTION",
            titel=f"Förderaufruf Prävention {heute.year + 1}",
            strategie_id=strategie.id,
            frist=heute + timedelta(days=30),
            haushaltsstelle="PSP 1.31.3.1.01.01",
            mittel_eur=Decimal(250_000),
            foerderjahr=heute.year + 1,
        )
        session.add(aufruf)
        session.flush()
    kontakte = session.exec(
        select(Person)
        .join(Organisation, col(Organisation.id) == Person.organisation_id)
        .where(Organisation.art == OrganisationArt.FREIER_TRAEGER.value)
        .order_by(col(Person.id))
    ).all()
    eingeladen = foerderung.einladen(
        session, aufruf=aufruf, person_ids=[pk(p) for p in kontakte], now=run.now, settings=run.settings
    )
    if session.exec(select(Foerderantrag).where(Foerderantrag.aufruf_id == aufruf.id)).first() is None:
        rng = random.Random(2026)
        kriterien = foerderung.kriterien(session, aufruf)
        seen: set[int] = set()
        for person in kontakte:
            if person.organisation_id is None or person.organisation_id in seen or len(seen) == 4:
                continue
            seen.add(person.organisation_id)
            vzae = rng.choice(["0,5", "0,75", "1,0"])
            plan = {
                "stellen": [
                    {
                        "bezeichnung": "Fachkraft Soziale Arbeit",
                        "entgeltgruppe": "S 11b",
                        "vzae": vzae,
                        "jahresbetrag_vollzeit": "68.400,00",
                    }
                ],
                "sachkosten": [
                    {"bezeichnung": "Miete und Nebenkosten", "betrag": "4.800,00"},
                    {"bezeichnung": "Material und Öffentlichkeitsarbeit", "betrag": "1.250,00"},
                ],
                "eigenmittel": "2.500,00",
                "drittmittel": "0",
            }
            antrag = foerderung.antrag_einreichen(
                session,
                aufruf=aufruf,
                traeger_id=person.organisation_id,
                person_id=person.id,
                titel=rng.choice(
                    [
                        "Elterncafé mit Beratung",
                        "Lotsendienst Übergang Schule–Beruf",
                        "Aufsuchende Familienhilfe",
                        "Treffpunkt für Alleinerziehende",
                    ]
                ),
                kostenplan=plan,
                beantragt=None,
                now=run.now,
            )
            foerderung.bewerten(
                session,
                antrag=antrag,
                punkte={pk(k): rng.randint(1, 5) for k in kriterien[:4]},
                notizen={},
                max_punkte=5,
            )
            if len(seen) <= 2:
                decision = foerderentscheidung.Entscheidung(
                    True,
                    antrag.beantragt_eur,
                    date(aufruf.foerderjahr, 1, 1),
                    date(aufruf.foerderjahr, 12, 31),
                    auflagen="Halbjahresbericht zum 31.07.",
                    raten=4,
                )
            elif len(seen) == 3:
                decision = foerderentscheidung.Entscheidung(
                    False,
                    Decimal(0),
                    date(aufruf.foerderjahr, 1, 1),
                    date(aufruf.foerderjahr, 12, 31),
                    begruendung="Das Vorhaben trägt zu den Leitsätzen der Sozialstrategie zu wenig bei; die Mittel des Aufrufs sind ausgeschöpft.",
                )
            else:
                continue  # still open: the Geschäftsstelle decides later
            foerderentscheidung.entscheiden(
                session,
                antrag=antrag,
                entscheidung=decision,
                entschieden_von="Paula Planerin",
                now=run.now,
                settings=run.settings,
            )
    antraege = session.exec(select(Foerderantrag).where(Foerderantrag.aufruf_id == aufruf.id)).all()
    bewilligt = session.exec(select(Foerderentscheidung).where(col(Foerderentscheidung.bewilligt).is_(True))).all()
    folder = run.settings.reports_dir / "foerderung"
    folder.mkdir(parents=True, exist_ok=True)
    for row in session.exec(
        select(Foerderentscheidung, Foerderantrag).join(
            Foerderantrag, col(Foerderantrag.id) == Foerderentscheidung.antrag_id
        )
    ):
        (folder / f"bescheid_{row[1].kennung}.pdf").write_bytes(row[0].bescheid_pdf or b"")
    return [
        f"{aufruf.titel}: {eingeladen} Träger eingeladen, {len(antraege)} Anträge, {len(bewilligt)} bewilligt "
        f"({format_euro(sum((b.betrag_eur for b in bewilligt), Decimal(0)), 0)}); Bescheide in {folder}",
    ]


def _runde(session: Session, run: DemoRun, strategie: Strategie) -> list[str]:
    heute = berlin(run.now).date()
    runde, stand = bewertung.runde_anlegen(
        session,
        kennung="BR-2024-2025",
        titel="Bewertungsrunde 2024–2025",
        strategie_id=strategie.id,
        von=2024,
        bis=2025,
        berichtsfrist=heute + timedelta(days=28),
        now=run.now,
    )
    angefragt = bewertung.anfragen(session, runde, now=run.now, settings=run.settings)
    rng = random.Random(2025)
    projekte = session.exec(
        select(Massnahme).where(col(Massnahme.kennung).like("PR-%")).order_by(col(Massnahme.kennung))
    ).all()
    urteile = (
        [Urteil.LAUFENDES_GESCHAEFT] * 6
        + [Urteil.FORTSETZEN] * 3
        + [Urteil.PRUEFAUFTRAG, Urteil.WEITERENTWICKLUNG, Urteil.NICHT_RELEVANT]
    )
    for m in projekte:
        if m.status == "geplant":
            continue  # new approaches: no verdict yet
        urteil = Urteil.BEENDET if m.status == "beendet" else rng.choice(urteile)
        try:
            bewertung.bewerten(
                session,
                runde=runde,
                massnahme=m,
                urteil=urteil,
                begruendung={Urteil.BEENDET: "Projekt beendet, Bedarf in bestehenden Strukturen weiterbearbeitet."}.get(
                    urteil, f"{urteil.label} laut Projektbericht und Kennzahlen."
                ),
                von="Steuerungsgruppe Sozialstrategie",
                now=run.now,
                folge_frist=heute + timedelta(days=180) if urteil.folgeauftrag else None,
            )
        except ProblemReport:
            continue
    stand = bewertung.stand(session, runde)
    return [f"{runde.titel}: {stand.projekte} Projekte angefragt ({angefragt} E-Mails), {stand.bewertet} bewertet"]


def demo_step(run: DemoRun) -> list[str]:
    with session_scope(run.engine, actor="demo:strategie") as session:
        strategie, lines = _strategie(session, run)
        if session.exec(select(Massnahme.id).where(col(Massnahme.kennung).like("PR-%"))).first() is None:
            liste = _projektliste(session, run.settings.data_dir / "demo", berlin(run.now).year + 1)
            lines.append(projekte_importieren(session, liste, strategie_kennung=KENNUNG).zusammenfassung())
        lines += _foerderung(session, run, strategie)
        lines += _runde(session, run, strategie)
        heute = berlin(run.now).date()
        paths = berichte.schreiben(session, run.settings, jahr=heute.year + 1, stand=heute, strategie_kennung=KENNUNG)
    lines.append(f"Strategiebericht, Kennzahlen-Kontrakt und Förderübersicht: {paths[0].parent}")
    return lines
