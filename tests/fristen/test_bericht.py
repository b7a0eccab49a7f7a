"""The leadership report (HTML, PDF, Markdown) and the deadline feed, on a small fixture."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from ical.calendar_stream import IcsCalendarStream
from sqlalchemy.engine import Engine

from sozialforum.beschluesse.aemter import Aemter
from sozialforum.beschluesse.feed import fristen_feed
from sozialforum.beschluesse.leitungsbericht import (
    Filter,
    build_leitungsbericht,
    render_html,
    render_markdown,
    write_leitungsbericht,
)
from sozialforum.settings import Settings
from sozialforum.store.db import session_scope
from sozialforum.store.models import Auftrag, Gremium, Organisation, Sitzung
from sozialforum.vocab import Ampel, AuftragQuelle, AuftragStatus, GremiumArt
from tests.fristen.conftest import Welt
from tests.fristen.golden import assert_golden
from tests.support.pdf_text import seitentexte
from tests.support.pdf_text import text as pdf_inhalt

TODAY = date(2026, 3, 2)
NOW = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)


def _report(engine: Engine, settings: Settings, keep: Filter | None = None):  # type: ignore[no-untyped-def]
    with session_scope(engine, actor="test") as session:
        return build_leitungsbericht(session, today=TODAY, now=NOW, settings=settings, filter=keep)


def test_report_lights_and_lists(engine: Engine, welt: Welt, fristen_settings: Settings) -> None:
    report = _report(engine, fristen_settings)
    assert [b.ampel for b in report.beschluesse] == [Ampel.BALD_FAELLIG]
    (plan,) = report.fachplaene
    assert plan.ampel is Ampel.UEBERFAELLIG  # three milestones are past
    assert plan.naechster is not None and plan.naechster.titel.startswith("Datenanalyse")
    assert [z.frist.ref for z in report.ueberfaellig] == [
        f"meilenstein:{welt.fachplan_id}:{k}" for k in ("datenanalyse", "beteiligung", "entwurf")
    ]
    assert [z.frist.faellig_am for z in report.naechste] == sorted(z.frist.faellig_am for z in report.naechste)
    assert report.naechste[0].frist.ref == f"auftrag:{welt.auftraege['bericht']}"
    assert report.zaehler[Ampel.UEBERFAELLIG] == 1 and report.zaehler[Ampel.BALD_FAELLIG] == 1


def test_report_filters(engine: Engine, welt: Welt, fristen_settings: Settings) -> None:
    assert len(_report(engine, fristen_settings, Filter(dezernat="dezernat iii")).beschluesse) == 1
    assert len(_report(engine, fristen_settings, Filter(gremium="KT")).beschluesse) == 1
    assert len(_report(engine, fristen_settings, Filter(gremium="Kreistag")).fachplaene) == 1
    other = _report(engine, fristen_settings, Filter(dezernat="Dezernat I"))
    assert (other.beschluesse, other.fachplaene, other.naechste, other.ueberfaellig) == ([], [], [], [])
    assert "Dezernat „Dezernat I“" in render_html(other)


def test_summary_says_what_it_counts_and_beschluesse_come_first(
    engine: Engine, welt: Welt, fristen_settings: Settings, tmp_path: Path
) -> None:
    report = _report(engine, fristen_settings)
    texts = [a.text for a in report.zusammenfassung]
    assert texts[:2] == [
        "0 Beschlüsse mit überfälliger Umsetzung",
        "1 Beschluss mit bald fälliger Frist oder gemeldeter Verzögerung",
    ]
    # the Fortschreibung (15.06.2026) is not yet due, three of its milestones are
    assert "0 Fachpläne mit überfälliger Fortschreibung" in texts
    assert "1 Fachplan mit überfälligem Schritt der Fortschreibung" in texts
    assert any(t.startswith("3 überfällige Fristen insgesamt") for t in texts)
    html, markdown = render_html(report), render_markdown(report)
    for text in (html, markdown):
        assert "Überfällig (" not in text  # no bare count without what it counts
        assert text.index("Beschlüsse (1)") < text.index("Fachpläne und ihre Fortschreibung (1)")
    # the milestones are listed under their plan, by their own name, with their state
    plan_part = markdown[markdown.index("### Altenhilfeplan 2021") :]
    assert "| Datenanalyse abgeschlossen |" in plan_part and "| überfällig |" in plan_part
    # the Beschluss's Aufträge are under the Beschluss, the responsible Amt named as the organisation
    beschluss_part = markdown[markdown.index("### B-1/2024") : markdown.index("## Fachpläne")]
    assert "Konzept Strategische Sozialplanung vorlegen" in beschluss_part and "Sozialamt" in beschluss_part
    paths = write_leitungsbericht(report, tmp_path)
    pages = seitentexte(paths["pdf"])
    assert "Auf einen Blick" in pages[0] and "1 Beschluss mit bald fälliger Frist" in pages[0]
    assert len(pages[-1].split()) > 20  # the last page is not a lone date


def test_amt_filter_matches_the_organisation(engine: Engine, welt: Welt, fristen_settings: Settings) -> None:
    """``Beschluss.amt`` says "Sozialamt"; the Fachplan's responsible unit is the Organisation
    "Sozialamt Landkreis Musterland": one Amt, one filter value."""
    with session_scope(engine, actor="test") as session:
        session.get(Organisation, welt.amt_id).name = "Sozialamt Landkreis Musterland"
    for wanted in ("Sozialamt", "sozialamt landkreis musterland", "AMT-SOZ", "Sozialamt  Landkreis-Musterland"):
        report = _report(engine, fristen_settings, Filter(amt=wanted))
        assert (len(report.beschluesse), len(report.fachplaene)) == (1, 1), wanted
        assert report.aemter[welt.beschluss_id] == "Sozialamt Landkreis Musterland"
    other = _report(engine, fristen_settings, Filter(amt="Jugendamt"))
    assert (other.beschluesse, other.fachplaene) == ([], [])
    with session_scope(engine, actor="test") as session:
        aemter = Aemter(session, "Landkreis Musterland")
        assert aemter.name("Jugendamt") == "Jugendamt"  # no such Amt: kept as written
        assert aemter.name("sozialamt") == "Sozialamt Landkreis Musterland"


def test_deadlines_without_beschluss_are_named_by_their_sitzung(
    engine: Engine, welt: Welt, fristen_settings: Settings
) -> None:
    with session_scope(engine, actor="test") as session:
        gremium = Gremium(kennung="SRK-L", name="Sozialraumkonferenz Lindenau", art=GremiumArt.SOZIALRAUMKONFERENZ)
        session.add(gremium)
        session.flush()
        sitzung = Sitzung(
            gremium_id=gremium.id,
            titel="Frühjahrssitzung",
            beginn=datetime(2026, 2, 10, 16, 0, tzinfo=UTC),
            ende=datetime(2026, 2, 10, 18, 0, tzinfo=UTC),
            ical_uid="sitzung-l-1@test",
        )
        session.add(sitzung)
        session.flush()
        session.add(
            Auftrag(
                kennung="protokoll-1-auftrag-1",
                quelle=AuftragQuelle.PROTOKOLL,
                sitzung_id=sitzung.id,
                beschreibung="Spielplatzbegehung mit dem Ortsbeirat organisieren",
                frist=date(2026, 2, 28),
                status=AuftragStatus.OFFEN,
                verantwortlich_organisation_id=welt.amt_id,
            )
        )
    report = _report(engine, fristen_settings)
    (gruppe,) = report.weitere
    assert gruppe.titel == "Aufträge aus der Sitzung Sozialraumkonferenz Lindenau: Frühjahrssitzung am 10.02.2026"
    assert [z.ampel for z in gruppe.dringlich] == [Ampel.UEBERFAELLIG]
    assert "1 überfälliger Auftrag ohne Beschluss" in " ".join(a.text for a in report.zusammenfassung)
    for text in (render_html(report), render_markdown(report)):
        assert "protokoll-1-auftrag-1" not in text
        assert "Spielplatzbegehung mit dem Ortsbeirat organisieren" in text and "Frühjahrssitzung" in text


def test_report_golden_and_files(engine: Engine, welt: Welt, fristen_settings: Settings, tmp_path: Path) -> None:
    report = _report(engine, fristen_settings)
    assert_golden("leitungsbericht.html", render_html(report))
    assert_golden("leitungsbericht.md", render_markdown(report))
    paths = write_leitungsbericht(report, tmp_path)
    assert {p.name for p in paths.values()} == {f"leitungsbericht-2026-03-02-alle.{s}" for s in ("html", "pdf", "md")}
    text = pdf_inhalt(paths["pdf"])
    assert "Leitungsbericht Beschlüsse und Fristen" in text
    assert "überfällig" in text and "B-1/2024" in text and "Altenhilfeplan 2021" in text
    assert text.index("Einführung einer Strategischen Sozialplanung") < text.index("Fachpläne und ihre Fortschreibung")


def test_feed_all_day_events_with_stable_uids(engine: Engine, welt: Welt, fristen_settings: Settings) -> None:
    with session_scope(engine, actor="test") as session:
        feed = fristen_feed(session, today=TODAY, now=NOW, settings=fristen_settings)
    assert_golden("fristen.ics", feed.decode("utf-8"))
    calendar = IcsCalendarStream.calendar_from_ics(feed.decode("utf-8"))  # a strict parser
    by_uid = {event.uid: event for event in calendar.events}
    konzept = by_uid[f"auftrag-{welt.auftraege['konzept']}@landkreis-musterland.example"]
    assert konzept.dtstart == date(2026, 6, 30) and konzept.dtend == date(2026, 7, 1)
    assert "„bis Mitte 2026“" in (konzept.description or "")
    assert "ORGANIZER;CN=" in feed.decode("utf-8").replace("\r\n ", "")
    assert feed.decode("utf-8").count("ORGANIZER") == feed.decode("utf-8").count("BEGIN:VEVENT")
    done = by_uid[f"auftrag-{welt.auftraege['erledigt']}@landkreis-musterland.example"]
    assert done.summary.startswith("Erledigt: ")
    with session_scope(engine, actor="test") as session:
        session.get(Auftrag, welt.auftraege["konzept"]).frist = date(2026, 9, 30)
        moved = fristen_feed(session, today=TODAY, now=NOW, settings=fristen_settings)
    calendar = IcsCalendarStream.calendar_from_ics(moved.decode("utf-8"))
    again = [e for e in calendar.events if e.uid == konzept.uid]
    assert len(again) == 1 and again[0].dtstart == date(2026, 9, 30)


def test_a_step_of_the_fortschreibung_due_soon_is_bald_faellig(
    engine: Engine, welt: Welt, fristen_settings: Settings, tmp_path: Path
) -> None:
    # The legend promises "bald fällig" within 30 days; a step of a Fortschreibung 26 days ahead
    # is that in all three formats, not an unexplained "offen".
    day = date(2026, 3, 20)
    with session_scope(engine, actor="test") as session:
        report = build_leitungsbericht(session, today=day, now=NOW, settings=fristen_settings)
    paths = write_leitungsbericht(report, tmp_path)
    zeile = "Beschlussvorlage eingereicht"
    assert "| Beschlussvorlage eingereicht | 15.04.2026 | bald fällig |" in render_markdown(report)
    assert f'<td>{zeile}</td><td class="nowrap">15.04.2026</td><td><span class="ampel ampel-bald_faellig">' in (
        render_html(report)
    )
    pdf = " ".join(pdf_inhalt(paths["pdf"]).split())
    assert f"{zeile} 15.04.2026 bald fällig" in pdf and "offen" not in pdf.split(zeile)[1][:40]
