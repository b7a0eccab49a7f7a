"""The strategy reports from a small store: Leitsätze, verdicts per Handlungsfeld, unused
resources, the growth target against the agreed path, funds per Sozialraum against need."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy.engine import Engine

from sozialforum.settings import Settings
from sozialforum.store.db import session_scope
from sozialforum.store.models import (
    Bewertungsrunde,
    Budgetanteil,
    Budgetverteilung,
    Gebiet,
    Kennzahlwert,
    Massnahme,
    Organisation,
    ProjektGebiet,
    ProjektRessource,
    Strategie,
    Strategieelement,
    Ziel,
)
from sozialforum.strategie import berichte, bewertung
from sozialforum.vocab import GebietEbene, OrganisationArt, StrategieElementArt, Urteil, Zielart, Zielrichtung
from tests.support.pdf_text import text as pdf_inhalt

NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)


def _store(engine: Engine) -> None:
    with session_scope(engine, actor="test") as s:
        strategie = Strategie(kennung="S", titel="Sozialstrategie Landkreis Lörrach", fassung="Fortschreibung 2019")
        traeger = Organisation(kennung="T", name="Lindenau e. V.", art=OrganisationArt.FREIER_TRAEGER)
        altstadt = Gebiet(schluessel="SR1", name="Altstadt", ebene=GebietEbene.SOZIALRAUM)
        nord = Gebiet(schluessel="SR2", name="Nordstadt", ebene=GebietEbene.SOZIALRAUM)
        s.add_all([strategie, traeger, altstadt, nord])
        s.flush()
        s.add(
            Strategieelement(
                strategie_id=strategie.id, art=StrategieElementArt.LEITSATZ, nummer=1, titel="Keine Hartz-IV-Karrieren"
            )
        )
        ziel = Ziel(
            kennung="Z1",
            strategie_id=strategie.id,
            titel="Ausgaben steigen nur wie vereinbart",
            kennzahl="Ausgaben HzE",
            zielart=Zielart.WACHSTUM,
            richtung=Zielrichtung.HOECHSTENS,
            zielwert=Decimal("0.6"),
            toleranz=Decimal("0.2"),
            basisjahr=2015,
        )
        s.add(ziel)
        s.flush()
        s.add_all(
            Kennzahlwert(ziel_id=ziel.id, stichtag=date(j, 12, 31), wert=Decimal(v))
            for j, v in ((2015, "10000000"), (2019, "10400000"), (2020, "10250000"))
        )
        # A Ziel without any figures yet: shown as "keine Daten", not a crash.
        s.add(
            Ziel(
                kennung="Z2",
                strategie_id=strategie.id,
                titel="Früh helfen",
                kennzahl="Hilfen vor HzE",
                zielart=Zielart.ANTEIL,
                richtung=Zielrichtung.MINDESTENS,
                zielwert=Decimal(80),
            )
        )
        paten = Massnahme(
            kennung="P1",
            titel="Familienpaten",
            handlungsfeld="Kinder und Jugend",
            verantwortlich_organisation_id=traeger.id,
        )
        treffs = Massnahme(
            kennung="P2",
            titel="Elterntreffs",
            handlungsfeld="Kinder und Jugend",
            status="beendet",
            verantwortlich_organisation_id=traeger.id,
        )
        neu = Massnahme(
            kennung="P3", titel="Beratung vor der Geburt", handlungsfeld="Kinder und Jugend", status="geplant"
        )
        s.add_all([paten, treffs, neu])
        s.flush()
        s.add_all(
            [
                ProjektRessource(massnahme_id=paten.id, jahr=2020, plan_eur=Decimal(60000), ist_eur=Decimal(39600)),
                ProjektRessource(massnahme_id=treffs.id, jahr=2020, plan_eur=Decimal(96000), ist_eur=Decimal(0)),
                ProjektGebiet(massnahme_id=paten.id, gebiet_id=altstadt.id),
                ProjektGebiet(massnahme_id=treffs.id, gebiet_id=nord.id),
            ]
        )
        verteilung = Budgetverteilung(
            kennung="hze", haushaltsjahr=2020, stichtag=date(2019, 12, 31), gesamt=Decimal(100000), erstellt_am=NOW
        )
        s.add(verteilung)
        s.flush()
        s.add_all(
            [
                Budgetanteil(verteilung_id=verteilung.id, gebiet_id=altstadt.id, betrag=Decimal(75000)),
                Budgetanteil(verteilung_id=verteilung.id, gebiet_id=nord.id, betrag=Decimal(25000)),
            ]
        )
        runde, _ = bewertung.runde_anlegen(
            s,
            kennung="BR",
            titel="Bewertung 2012–2018",
            strategie_id=strategie.id,
            von=2020,
            bis=2020,
            berichtsfrist=date(2026, 3, 31),
            now=NOW,
        )
        bewertung.bewerten(
            s, runde=runde, massnahme=paten, urteil=Urteil.LAUFENDES_GESCHAEFT, begruendung="wirkt", von="SG", now=NOW
        )
        bewertung.bewerten(
            s,
            runde=runde,
            massnahme=treffs,
            urteil=Urteil.BEENDET,
            begruendung="Bedarf in Strukturen",
            von="SG",
            now=NOW,
        )
        assert s.get(Bewertungsrunde, runde.id) is not None


def test_reports_carry_the_figures(sqlite_engine: Engine, tmp_path: Path) -> None:
    from sozialforum.settings import load_settings

    _store(sqlite_engine)
    settings: Settings = load_settings(None, data_dir=tmp_path, database_url=str(sqlite_engine.url))
    with session_scope(sqlite_engine, actor="test") as s:
        paths = berichte.schreiben(s, settings, jahr=2020, stand=date(2021, 3, 1))
    names = sorted(p.name for p in paths)
    expected = [
        f"{n}_2020.{e}"
        for n in ("foerderuebersicht", "kennzahlen_kontrakt", "strategiebericht")
        for e in ("html", "pdf")
    ]
    assert names == sorted([*expected, "foerderuebersicht_2020.xlsx", "strategiebericht_2020.xlsx"])
    sheets = load_workbook(tmp_path / "berichte" / "strategie" / "strategiebericht_2020.xlsx")
    assert sheets.sheetnames == ["Kennzahlen", "Bewertungen", "Nicht verwendet", "Neue Ansätze"]
    unused = list(sheets["Nicht verwendet"].iter_rows(values_only=True))[1:]
    assert sorted((r[0], r[4]) for r in unused) == [("Elterntreffs", 96000), ("Familienpaten", 20400)]
    book = load_workbook(tmp_path / "berichte" / "strategie" / "foerderuebersicht_2020.xlsx")
    assert book.sheetnames == ["Je Träger", "Je Handlungsfeld", "Je Sozialraum"]
    rows = list(book["Je Sozialraum"].iter_rows(values_only=True))
    assert rows[1] == ("Altstadt", 60000, 75000, 117000, -57000)  # numbers stay numbers
    assert book["Je Sozialraum"].freeze_panes == "A2" and book["Je Sozialraum"].auto_filter.ref == "A1:E3"
    bericht = (tmp_path / "berichte" / "strategie" / "strategiebericht_2020.html").read_text(encoding="utf-8")
    assert "Keine Hartz-IV-Karrieren" in bericht
    assert "Elterntreffs" in bericht and "beendet" in bericht and "laufendes Geschäft" in bericht
    # Unused 2020: Elterntreffs 96,000 (ended) + Familienpaten 20,400 (60,000 − 39,600).
    assert "Insgesamt 116.400 € und 0,00 VZÄ" in bericht
    assert "Beratung vor der Geburt" in bericht  # a new approach
    assert "Früh helfen" in bericht and "keine Daten" in bericht
    kontrakt = (tmp_path / "berichte" / "strategie" / "kennzahlen_kontrakt_2020.html").read_text(encoding="utf-8")
    # 2020: (10.25/10)^(1/5) − 1 = 0,4951 %; allowed 10,000,000 × 1.006^5 = 10,303,622 €.
    assert "0,50&nbsp;%" in kontrakt and "10.303.622 €" in kontrakt and "10.250.000 €" in kontrakt
    foerder = (tmp_path / "berichte" / "strategie" / "foerderuebersicht_2020.html").read_text(encoding="utf-8")
    # 156,000 planned in areas; need shares 75/25 → 117,000 / 39,000; Altstadt has 60,000 (−57,000).
    assert "117.000 €" in foerder and "-57.000 €" in foerder
    # Each table ends with its sum; every report says which day its figures are from.
    summen = re.findall(r'<tr class="summe"><td>Summe</td><td class="zahl">([^<]+)</td>', foerder)
    geplant = re.search(r"geplante Mittel ([0-9.]+ €)", foerder)
    assert geplant is not None and summen[:2] == [geplant[1]] * 2 and summen[2] == "156.000 €"
    assert "Stand: 1. März 2021" in foerder and "Stand: 1. März 2021" in bericht
    assert "Stand der Zielerreichung am 1. März 2021" in kontrakt
    fuss = pdf_inhalt(tmp_path / "berichte" / "strategie" / "foerderuebersicht_2020.pdf")
    assert "Stand 1. März 2021 – Seite 1/" in fuss
    assert "Nicht verwendete Ressourcen 2020" in pdf_inhalt(
        tmp_path / "berichte" / "strategie" / "strategiebericht_2020.pdf"
    )


def test_leadership_report_has_the_strategy_section(sqlite_engine: Engine, tmp_path: Path) -> None:
    from sozialforum.beschluesse.leitungsbericht import build_leitungsbericht, render_html, render_markdown
    from sozialforum.settings import load_settings

    _store(sqlite_engine)
    settings = load_settings(None, data_dir=tmp_path, database_url=str(sqlite_engine.url))
    with session_scope(sqlite_engine, actor="test") as s:
        report = build_leitungsbericht(s, today=date(2020, 12, 31), now=NOW, settings=settings)
    html = render_html(report)
    assert "Sozialstrategie: Kennzahlen der Ziele" in html
    assert "Ausgaben steigen nur wie vereinbart" in html and "0,50&nbsp;%" in html
    assert (
        "| Ausgaben steigen nur wie vereinbart | Wachstum höchstens 0,60 % je Jahr seit 2015 | 0,50 | erreicht (2020) |"
        in render_markdown(report)
    )


def test_funding_overview_says_why_the_ist_column_is_empty() -> None:
    from types import SimpleNamespace

    from sozialforum.channels.rendering import render

    zeile = SimpleNamespace(name="Kita Auental", plan=141000, ist=None)
    f = SimpleNamespace(
        jahr=2027, gesamt_plan=141000, gesamt_ist=None, je_traeger=[zeile], je_handlungsfeld=[zeile], je_sozialraum=[]
    )
    html = render(
        "reports/strategie/foerderuebersicht.html",
        f=f,
        stand=date(2026, 12, 7),
        settings=SimpleNamespace(kommune="Landkreis X"),
    )
    assert "verausgabte Mittel sind für 2027 noch nicht gemeldet" in html


def test_a_kennzahl_shows_its_unit_beside_the_value() -> None:
    # "29,16 Monate" beside "höchstens 30 Monate", not a bare "29,16".
    from types import SimpleNamespace

    from sozialforum.channels.rendering import render
    from sozialforum.vocab import Trend, Zielstand

    ziel = SimpleNamespace(titel="Hilfen wirken schneller", kennzahl="Dauer", zielart="dauer", einheit="Monate")
    zeile = SimpleNamespace(
        ziel=ziel,
        vorgabe="höchstens 30 Monate",
        ist=29.16,
        jahr=2023,
        stand=Zielstand.ERREICHT,
        trend=Trend.SCHLECHTER,
        bereiche_verfehlt=0,
    )
    html = render("reports/strategie/_kennzahlen.html", b=SimpleNamespace(kennzahlen=[zeile]))
    assert "29,16&nbsp;Monate" in html


def test_amounts_units_and_legal_forms_do_not_break_across_lines() -> None:
    # The demo's Kontrakt printed "mindestens 80" with "%" on the next line, the Strategiebericht
    # "Neustadt am Walde e." with "V." below it.
    from types import SimpleNamespace

    from sozialforum.channels.rendering import render
    from sozialforum.vocab import Trend, Urteil, Zielstand

    ziel = SimpleNamespace(titel="Ambulant vor stationär", kennzahl="Anteil", zielart="anteil", einheit=None)
    kennzahl = SimpleNamespace(
        ziel=ziel,
        vorgabe="mindestens 80 %",
        ist=80.11,
        wert=None,
        soll=None,
        jahr=2023,
        stand=Zielstand.ERREICHT,
        trend=Trend.SCHLECHTER,
        bereiche_verfehlt=0,
    )
    massnahme = SimpleNamespace(titel="Besuchsdienst Hohenstein", handlungsfeld="Ältere Menschen und Pflege")
    zeile = SimpleNamespace(
        massnahme=massnahme, traeger="Nachbarschaftsverein Neustadt e. V.", urteil=Urteil.FORTSETZEN, begruendung=""
    )
    b = SimpleNamespace(
        strategie=SimpleNamespace(titel="Sozialstrategie", fassung="2025", beschlossen_am=None),
        jahr=2027,
        leitsaetze=[],
        ausrichtungen=[],
        leitlinien=[],
        runde=None,
        handlungsfelder={"Ältere Menschen": [zeile]},
        ungenutzt=[],
        neue_ansaetze=[zeile],
        kennzahlen=[kennzahl],
    )
    settings = SimpleNamespace(kommune="Landkreis X")
    bericht = render("reports/strategie/strategiebericht.html", b=b, stand=date(2026, 12, 7), settings=settings)
    assert "mindestens 80\u00a0%" in bericht and "80,11&nbsp;%" in bericht
    assert bericht.count("Neustadt\u00a0e.\u00a0V.") == 2 and "e. V." not in bericht
