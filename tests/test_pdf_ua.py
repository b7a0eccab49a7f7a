"""The PDFs a public body hands out pass the PDF/UA check (tests/support/pdf_ua.py): the
Sozialraumprofil with its chart and map, the final minutes, the leadership report and the
sign-in sheet — each made by the product's own path on a small store."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from sozialforum.beschluesse.leitungsbericht import _context, build_leitungsbericht, render_pdf
from sozialforum.channels.rendering import render
from sozialforum.daten.ergebnis import lade_monitor
from sozialforum.daten.geheimhaltung import Empfaenger
from sozialforum.daten.katalog import Katalog
from sozialforum.daten.profil import bereite_profil
from sozialforum.daten.profil_druck import drucke
from sozialforum.karten.speicher import laden
from sozialforum.konferenz import antworten, teilnehmerliste, versand
from sozialforum.protokoll import endfassung
from sozialforum.protokoll.anfordern import request_draft
from sozialforum.protokoll.entwurf import submit_draft
from sozialforum.protokoll.freigabe import decide
from sozialforum.protokoll.lage import get_protokoll
from sozialforum.settings import Settings
from sozialforum.store.db import session_scope
from sozialforum.vocab import Antwort, AntwortQuelle, ProtokollEntscheidung
from tests.daten.conftest import NOW as DATEN_NOW
from tests.daten.conftest import alo_datei, bev_datei, katalog, katalog_pfad, kreis  # noqa: F401  (fixtures)
from tests.daten.test_berechnung import refresh
from tests.fristen.conftest import fristen_settings, welt  # noqa: F401  (fixtures)
from tests.konferenz.conftest import konferenz  # noqa: F401  (fixture)
from tests.konferenz.fixtures import NOW as KONFERENZ_NOW
from tests.konferenz.fixtures import Konferenz
from tests.protokoll.conftest import NACH_SITZUNG, build_world
from tests.protokoll.test_ablauf import entwurf
from tests.support.bilder import pdf_bild
from tests.support.grenzen import quadrate
from tests.support.pdf_text import fliesstext
from tests.support.pdf_ua import assert_pdf_ua


@pytest.fixture
def engine(sqlite_engine: Engine) -> Engine:
    """One backend is enough: the PDFs do not depend on it."""
    return sqlite_engine


def test_profile_with_chart_and_map(
    kreis: tuple[Engine, dict[str, int]],  # noqa: F811
    katalog: Katalog,  # noqa: F811
    settings: Settings,
    tmp_path: Path,
) -> None:
    engine = kreis[0]
    refresh(engine, katalog, [bev_datei(tmp_path / "bev.csv"), alo_datei(tmp_path / "alo.csv")])
    borders = quadrate(tmp_path / "sozialraeume.geojson", ["S1", "S2", "S3"])
    with session_scope(engine, actor="test") as session:
        laden(session, borders, stand=date(2020, 1, 1), now=DATEN_NOW)
        monitor = lade_monitor(session)
        assert monitor is not None
        _, auftrag = bereite_profil(
            session,
            monitor,
            katalog,
            settings.daten,
            "S2",
            Empfaenger.oeffentlich(),
            tmp_path / "aus",
            kommune="Landkreis Test",
            now=DATEN_NOW,
        )
    pdf = drucke(auftrag).read_bytes()
    pdf_bild(pdf, "pdf_profil")
    befund = assert_pdf_ua(pdf, html=auftrag.html)
    figures = [e for e in befund.elemente if e.typ == "/Figure"]
    assert len(figures) == 2  # the trend chart and the map, each with its description
    assert all(len(e.alt or "") > 30 for e in figures), [e.alt for e in figures]
    assert any("Sozialraum Zwei" in (e.alt or "") for e in figures)  # the map names the areas
    assert {"/Table", "/TH", "/TD"} <= set(befund.typen())


def test_final_minutes(sqlite_engine: Engine, settings: Settings, tmp_path: Path) -> None:
    welt_ = build_world(sqlite_engine)
    day = timedelta(days=1)
    with session_scope(sqlite_engine, actor="test") as session:
        pid = request_draft(session, sitzung_id=welt_.sitzung_id, now=NACH_SITZUNG, settings=settings).id
        assert pid is not None
        for nummer, entscheidung in ((1, ProtokollEntscheidung.ZURUECKGEBEN), (2, ProtokollEntscheidung.FREIGEBEN)):
            submit_draft(
                session,
                protokoll_id=pid,
                person_id=welt_.protokollfuehrung_id,
                eingabe=replace(entwurf(welt_), beginn="17:05", ende="18:50"),
                now=NACH_SITZUNG + (nummer * 5) * day,
                settings=settings,
            )
            decide(
                session,
                protokoll_id=pid,
                version_nummer=nummer,
                entscheidung=entscheidung,
                anmerkungen="Interne Anmerkung: Quelle zu TOP 2 ergänzen." if nummer == 1 else "",
                entschieden_von="Gerd Geschäft",
                quelle="test",
                now=NACH_SITZUNG + (nummer * 5 + 1) * day,
                settings=settings,
            )
        protokoll = get_protokoll(session, pid)
        final = endfassung.render_final(session, protokoll, settings=settings)
        body = render(
            "reports/protokoll/endfassung_inhalt.html", **endfassung.context(session, protokoll, settings=settings)
        )
    (tmp_path / "protokoll.pdf").write_bytes(final.pdf)  # to look at (pytest --basetemp)
    pdf_bild(final.pdf, "pdf_protokoll")
    assert_pdf_ua(final.pdf, html=body)
    text = fliesstext(final.pdf)
    assert "Sitzungsleitung Anna Albrecht" in text and "Protokollführung Paula Protokoll" in text
    assert "Beginn 17:05 Uhr Ende 18:50 Uhr" in text  # as recorded, not as invited (17:00–19:00)
    assert "Datum, Unterschrift Sitzungsleitung" in text and "Datum, Unterschrift Protokollführung" in text
    assert "Interne Anmerkung" not in text and "zurückgegeben" not in text  # no internal history


def test_leadership_report(engine: Engine, welt: object, fristen_settings: Settings, tmp_path: Path) -> None:  # noqa: F811
    with session_scope(engine, actor="test") as session:
        report = build_leitungsbericht(
            session,
            today=date(2026, 3, 2),
            now=datetime(2026, 3, 2, 7, 0, tzinfo=UTC),
            settings=fristen_settings,
            filter=None,
        )
    pdf = render_pdf(report)
    (tmp_path / "leitungsbericht.pdf").write_bytes(pdf)
    pdf_bild(pdf, "pdf_leitungsbericht")
    # Its day and its time of writing agree (the README's picture said "Stand: 2. März 2026" but
    # "erstellt am 1. Oktober 2024").
    assert "Stand: Montag, 2. März 2026" in fliesstext(pdf) and "erstellt am Montag, 2. März 2026" in fliesstext(pdf)
    befund = assert_pdf_ua(pdf, html=render("reports/leitung/bericht_pdf.html", **_context(report)))
    assert {"/Table", "/TH", "/TD"} <= set(befund.typen())


def test_sign_in_sheet(engine: Engine, settings: Settings, konferenz: Konferenz, tmp_path: Path) -> None:  # noqa: F811
    with Session(engine) as session:
        versand.send_invitations(session, sitzung_id=konferenz.sitzung_id, now=KONFERENZ_NOW, settings=settings)
        for kennung, antwort in (("P01", Antwort.ZUSAGE), ("P02", Antwort.ABSAGE)):
            antworten.record_answer(
                session,
                sitzung_id=konferenz.sitzung_id,
                person_id=konferenz.person_ids[kennung],
                antwort=antwort,
                quelle=AntwortQuelle.LINK,
                now=KONFERENZ_NOW,
            )
        session.commit()
        liste = teilnehmerliste.build(session, sitzung_id=konferenz.sitzung_id)
    pdf = teilnehmerliste.to_pdf(liste)
    (tmp_path / "anwesenheitsliste.pdf").write_bytes(pdf)
    pdf_bild(pdf, "pdf_anwesenheitsliste")
    befund = assert_pdf_ua(pdf, html=teilnehmerliste.pdf_html(liste))
    assert {"/Table", "/TH", "/TD"} <= set(befund.typen())
    text = fliesstext(pdf)
    assert "Unterschrift" in text and "Erika Mustermann" in text
    assert "Jürgen Öztürk" not in text  # declined


def test_strategy_reports(sqlite_engine: Engine, tmp_path: Path) -> None:
    from sozialforum.settings import load_settings
    from sozialforum.strategie import berichte
    from tests.strategie.test_berichte import _store

    _store(sqlite_engine)
    settings = load_settings(None, data_dir=tmp_path, database_url=str(sqlite_engine.url))
    with session_scope(sqlite_engine, actor="test") as session:
        geschrieben = berichte.schreiben(session, settings, jahr=2020, stand=date(2021, 3, 1))
    paths = [p for p in geschrieben if p.suffix == ".pdf"]
    assert len(paths) == 3
    for path in paths:
        befund = assert_pdf_ua(path.read_bytes())
        assert "/Table" in befund.typen(), path.name
