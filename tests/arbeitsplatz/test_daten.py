"""Daten in the workspace over the hand-computable Testkreis of tests/daten (S1 = Ahausen +
Bedorf, …; Bedorf has 2 unemployed, under the confidentiality threshold): the dry run of an
upload (every problem with file, row and column; the store unchanged), the load and the
computation started as runs, the indicator tables, releases to a Kommune and what a Kommune
may read, and a Sozialraumbudget with its derivation."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from sozialforum.arbeitsplatz.app import create_app
from sozialforum.daten import aktualisierung
from sozialforum.daten.ergebnis import lade_monitor
from sozialforum.daten.geheimhaltung import Empfaenger
from sozialforum.daten.katalog import load_for
from sozialforum.daten.sicht import Sicht
from sozialforum.konten import benutzer
from sozialforum.settings import Settings
from sozialforum.store.db import session_scope
from sozialforum.store.models import Arbeitslauf, Budgetanteil, Gebiet, Person
from sozialforum.vocab import BenutzerRolle
from tests.arbeitsplatz.conftest import PASSWORT, login
from tests.daten.conftest import KATALOG, NOW, T22, T23, add_gebiete, alo_datei, bev_datei, counts
from tests.portal.conftest import Clock, csrf_of, make_settings

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
# A budget by need (tests/daten/test_budget.py): children under 15 × (1 + 0,5 × the overall index).
BEDARF = """
[budgets.bedarf]
name = "Bedarfsbudget"

[[budgets.bedarf.anteile]]
name = "Kinder nach Bedarf"
art = "bedarf"
merkmal = "bev[0-15]"
faktor = 0.5
gewicht = 1.0
"""


@pytest.fixture
def ap_settings(tmp_path: Path, engine: Engine) -> Settings:
    """The workspace's settings with the Testkreis catalogue."""
    katalog = tmp_path / "indikatoren.toml"
    katalog.write_text(KATALOG + BEDARF, encoding="utf-8")
    settings = make_settings(tmp_path, engine)
    return settings.model_copy(update={"daten": settings.daten.model_copy(update={"katalog": katalog})})


@pytest.fixture
def gestartet() -> list[int]:
    return []


@pytest.fixture
def app(ap_settings: Settings, engine: Engine, gestartet: list[int]):  # type: ignore[no-untyped-def]
    # The injected runner only notes the run's id: what a run does is the domain function below.
    return create_app(ap_settings, engine, clock=Clock(), laeufe_starter=gestartet.append)


KONTEN = {
    "planerin": BenutzerRolle.GESCHAEFTSSTELLE,
    "planer2": BenutzerRolle.GESCHAEFTSSTELLE,
    "leiterin": BenutzerRolle.LEITUNG,
    "jugendamt": BenutzerRolle.FACHAMT,
    "gemeinde": BenutzerRolle.KOMMUNE,
}
KOMMUNE_PERSON = "P-AHAUSEN"


def kreis_anlegen(engine: Engine) -> dict[str, int]:
    """The Testkreis and one account per role; the Kommune's is bound to a person of Ahausen."""
    ids = add_gebiete(engine)
    with session_scope(engine, actor="test") as session:
        person = Person(kennung=KOMMUNE_PERSON, vorname="Anna", nachname="Amtmann")
        session.add(person)
        session.flush()
        for name, rolle in KONTEN.items():
            benutzer.create_user(
                session,
                name=name,
                anzeigename=name.capitalize(),
                password=PASSWORT,
                now=NOW,
                rolle=rolle,
                # The Fachamt account is bound to the same person: bound, yet without data rights.
                person_id=person.id if rolle in (BenutzerRolle.KOMMUNE, BenutzerRolle.FACHAMT) else None,
            )
    return ids


@pytest.fixture
def kreis(engine: Engine) -> dict[str, int]:
    return kreis_anlegen(engine)


@pytest.fixture
def clients(app, kreis: dict[str, int]) -> Iterator[dict[str, TestClient]]:  # type: ignore[no-untyped-def]
    opened = {name: TestClient(app, base_url="http://testserver") for name in KONTEN}
    for name, client in opened.items():
        client.__enter__()
        login(client, name)
    try:
        yield opened
    finally:
        for client in opened.values():
            client.__exit__(None, None, None)


def _csrf(client: TestClient) -> str:
    return csrf_of(client.get("/arbeitsplatz/daten").text)


def _pruefen(client: TestClient, path: Path, name: str | None = None):  # type: ignore[no-untyped-def]
    with path.open("rb") as handle:
        return client.post(
            "/arbeitsplatz/daten/pruefen",
            data={"csrf": _csrf(client)},
            files={"datei": (name or path.name, handle, "text/csv")},
        )


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def berechnet(engine: Engine, settings: Settings, tmp_path: Path, akteur: str = "test") -> None:
    katalog = load_for(settings)
    for datei in (bev_datei(tmp_path / "bev.csv"), alo_datei(tmp_path / "alo.csv")):
        aktualisierung.lade(engine, datei, katalog, now=NOW, akteur=akteur)
    aktualisierung.rechne(engine, katalog, settings, now=NOW, akteur=akteur)


# --- upload: dry run, load and computation as runs ------------------------------------------------


def test_dry_run_lists_every_problem_and_changes_nothing(
    clients: dict[str, TestClient], engine: Engine, tmp_path: Path
) -> None:
    falsch = bev_datei(
        tmp_path / "bevoelkerung.csv",
        extra=[
            [f"{T23:%d.%m.%Y}", "03999009", "        Nirgendwo", "Insgesamt", "120"],  # no such area
            [f"{T23:%d.%m.%Y}", "03999001", "        Ahausen", "unter 3 Jahre", "34O"],  # O for 0
        ],
    )
    vorher = counts(engine)
    page = _pruefen(clients["planerin"], falsch)
    assert page.status_code == 200, page.text
    text = _text(page.text)
    assert "Die Datei wird so nicht geladen" in text and "im Bestand wurde nichts geändert" in text
    rows = re.findall(
        r"<tr><td>([^<]*)</td><td class=\"zahl\">([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td></tr>", page.text
    )
    gesehen = {(datei, spalte) for datei, _, spalte, _ in rows}
    assert ("bevoelkerung.csv", "Schlüssel") in gesehen, rows
    assert any("03999009" in meldung for *_, meldung in rows), rows
    assert any("34O" in meldung and zeile.isdigit() for _, zeile, _, meldung in rows), rows
    assert counts(engine) == vorher == {"datenlieferung": 0, "wertespalte": 0, "vergleichswert": 0}
    assert "Laden und Kennzahlen berechnen" not in page.text
    assert not list((tmp_path / "var" / "hochgeladen").glob("*/*.csv"))  # a refused file is not kept


def test_clean_file_shows_what_would_be_loaded_then_loads_as_a_run(
    clients: dict[str, TestClient], engine: Engine, ap_settings: Settings, gestartet: list[int], tmp_path: Path
) -> None:
    datei = bev_datei(tmp_path / "bev.csv")
    page = _pruefen(clients["planerin"], datei, name="../../etc/Bevölkerung 2023.csv")
    assert page.status_code == 200, page.text
    text = _text(page.text)
    assert "Die Prüfung hat keine Probleme gefunden" in text
    # 7 Gemeinden × 4 values (3 bands and the total) × 2 Stichtage = 56 values; the Land's go aside.
    assert "Geladen würden 56 Werte für 7 Gebiete, Stichtage 31.12.2022, 31.12.2023" in text, text
    merkmale = re.findall(r"<li>([^<]+) <small>\(([^)]+)\)</small></li>", page.text)
    assert sorted(key for _, key in merkmale) == ["bev", "bev[0-15]", "bev[15-65]", "bev[65-]"], merkmale
    assert ("Bevölkerung unter 15 Jahre", "bev[0-15]") in merkmale, merkmale
    assert counts(engine) == {"datenlieferung": 0, "wertespalte": 0, "vergleichswert": 0}
    token = re.search(r'name="token" value="([^"]+)"', page.text)
    assert token is not None
    kept = list((tmp_path / "var" / "hochgeladen" / token.group(1)).iterdir())
    assert sorted(p.name for p in kept) == [".benutzer", "Bev_lkerung 2023.csv"], kept  # no folders, no umlaut
    gespeichert = next(p for p in kept if p.suffix == ".csv")
    assert gespeichert.read_bytes() == datei.read_bytes()

    # Another planner cannot use this token, nor can a made-up one reach outside the folder.
    fremd = clients["planer2"].post(
        "/arbeitsplatz/daten/laden", data={"csrf": _csrf(clients["planer2"]), "token": token.group(1)}
    )
    assert fremd.status_code == 400 and "Diese Prüfung gibt es nicht" in fremd.text
    for falsch in ("../hochgeladen", "x" * 32):
        weg = clients["planerin"].post(
            "/arbeitsplatz/daten/laden", data={"csrf": _csrf(clients["planerin"]), "token": falsch}
        )
        assert weg.status_code == 400
    assert not gestartet

    laden = clients["planerin"].post(
        "/arbeitsplatz/daten/laden",
        data={"csrf": _csrf(clients["planerin"]), "token": token.group(1)},
        follow_redirects=False,
    )
    assert laden.status_code == 303 and re.fullmatch(r"/arbeitsplatz/laeufe/\d+", laden.headers["location"])
    assert len(gestartet) == 1
    with session_scope(engine, actor="test") as session:
        lauf = session.get(Arbeitslauf, gestartet[0])
        assert lauf is not None and lauf.art == "datenlieferung" and lauf.gestartet_von == "planerin"
        pfad = Path(lauf.parameter["pfad"])
    assert pfad == gespeichert
    assert counts(engine)["wertespalte"] == 0  # nothing was loaded inside the request

    # What the run does: the refresh's load of the kept file, then the computation.
    katalog = load_for(ap_settings)
    geladen = aktualisierung.lade(engine, pfad, katalog, now=NOW, akteur="arbeitsplatz")
    assert geladen.status == "geladen" and geladen.werte == 56 and geladen.stichtage == [T22, T23]
    assert counts(engine)["datenlieferung"] == 1

    rechnen = clients["planerin"].post(
        "/arbeitsplatz/daten/berechnen", data={"csrf": _csrf(clients["planerin"])}, follow_redirects=False
    )
    assert rechnen.status_code == 303 and len(gestartet) == 2
    with session_scope(engine, actor="test") as session:
        assert session.get(Arbeitslauf, gestartet[1]).art == "berechnung"  # type: ignore[union-attr]
    # A second dry run of the same file: already loaded, nothing to do, nothing kept.
    again = _pruefen(clients["planerin"], datei)
    assert "bereits geladen" in again.text and 'name="token"' not in again.text


def test_upload_refuses_other_files_and_oversized_ones(
    clients: dict[str, TestClient], engine: Engine, tmp_path: Path
) -> None:
    fremd = tmp_path / "programm.exe"
    fremd.write_bytes(b"MZ\x90\x00")
    page = _pruefen(clients["planerin"], fremd)
    assert page.status_code == 400 and "erwartet wird eine Statistikdatei" in page.text
    leer = clients["planerin"].post("/arbeitsplatz/daten/pruefen", data={"csrf": _csrf(clients["planerin"])})
    assert leer.status_code == 400 and "bitte eine Statistikdatei auswählen" in leer.text
    assert clients["leiterin"].get("/arbeitsplatz/daten").status_code == 200
    assert 'action="/arbeitsplatz/daten/pruefen"' not in clients["leiterin"].get("/arbeitsplatz/daten").text
    assert counts(engine)["datenlieferung"] == 0


def test_checked_files_not_loaded_within_a_week_are_removed(clients: dict[str, TestClient], tmp_path: Path) -> None:
    ablage = tmp_path / "var" / "hochgeladen"
    alt, frisch = ablage / ("a" * 32), ablage / ("b" * 32)
    for ordner in (alt, frisch):
        ordner.mkdir(parents=True)
        (ordner / "bev.csv").write_text("x", encoding="utf-8")
    acht_tage = time.time() - 8 * 86400
    os.utime(alt, (acht_tage, acht_tage))
    page = _pruefen(clients["planerin"], bev_datei(tmp_path / "bev.csv"))
    assert "keine Probleme" in page.text
    assert not alt.exists() and frisch.exists() and len(list(ablage.iterdir())) == 2


# --- indicator tables ----------------------------------------------------------------------------


def test_indicator_tables_per_sozialraum_and_stichtag(
    clients: dict[str, TestClient], engine: Engine, ap_settings: Settings, tmp_path: Path
) -> None:
    leer = clients["planerin"].get("/arbeitsplatz/daten/kennzahlen")
    assert leer.status_code == 200 and "noch keine Berechnung" in leer.text
    berechnet(engine, ap_settings, tmp_path, akteur="flow-run:datenaktualisierung/3d2d3c44")
    planerin = clients["planerin"]
    alle = _text(planerin.get("/arbeitsplatz/daten/kennzahlen").text)
    assert all(name in alle for name in ("Sozialraum Eins", "Sozialraum Zwei", "Sozialraum Drei"))

    s1 = planerin.get("/arbeitsplatz/daten/kennzahlen?gebiet=S1")
    text = _text(s1.text)
    assert re.findall(r"<h2 id=\"t-\d+\">([^<]+)", s1.text) == ["Sozialraum Eins "], text
    # S1 2023: 30 + 2 unemployed of 650 + 320 aged 15–65 = 3,3 %; 2022: 37 of 970 = 3,8 %.
    zeile = re.search(r"Arbeitslosenanteil.*?</tr>", s1.text, re.S)
    assert zeile is not None
    cells = _text(zeile.group(0)).split()
    assert "3,3" in cells and "32" in cells and "-0,5" in cells, cells
    assert "gesunken (günstig)" in _text(zeile.group(0)) and "höchstens" in _text(zeile.group(0)).lower()
    assert "erreicht" in cells
    assert re.search(r"Arbeit – Status (hoch|mittel|niedrig|sehr niedrig)", text), text

    vorjahr = planerin.get("/arbeitsplatz/daten/kennzahlen?gebiet=S1&stichtag=2022-12-31")
    zeile = re.search(r"Arbeitslosenanteil.*?</tr>", vorjahr.text, re.S)
    assert zeile is not None and "3,8" in _text(zeile.group(0)).split() and "31.12.2022" in zeile.group(0)
    assert planerin.get("/arbeitsplatz/daten/kennzahlen?gebiet=G9").status_code == 404
    # The Übersicht names the Stichtage as German dates, levels by their German name, a goal with its unit.
    uebersicht = _text(planerin.get("/arbeitsplatz/").text)
    assert "Stichtage 31.12.2022, 31.12.2023" in uebersicht, uebersicht
    assert "(sozialraum)" not in uebersicht and "(gemeinde)" not in uebersicht
    assert "Arbeitslosenanteil 4,80 % (Ziel höchstens 4,0 %)" in uebersicht
    # The data pages name Stichtage in German and a run by its kind, not by its internal id.
    for pfad in ("/arbeitsplatz/daten", "/arbeitsplatz/daten/lieferungen"):
        seite = _text(planerin.get(pfad).text)
        assert "31.12.2022, 31.12.2023" in seite and "2022-12-31" not in seite, pfad
        assert "Ablauf „Datenaktualisierung“" in seite and "flow-run" not in seite, pfad
    # The Leitung reads the same tables; a Fachamt nothing.
    assert "3,3" in clients["leiterin"].get("/arbeitsplatz/daten/kennzahlen?gebiet=S1").text
    assert clients["jugendamt"].get("/arbeitsplatz/daten/kennzahlen").status_code == 403


# --- releases and the Kommune's view -------------------------------------------------------------


def test_kommune_reads_only_the_gemeinden_released_to_it(
    clients: dict[str, TestClient], engine: Engine, ap_settings: Settings, kreis: dict[str, int], tmp_path: Path
) -> None:
    berechnet(engine, ap_settings, tmp_path)
    kommune, planerin = clients["gemeinde"], clients["planerin"]
    assert "keine Gemeindedaten freigegeben" in kommune.get("/arbeitsplatz/daten").text
    assert kommune.get("/arbeitsplatz/daten/kennzahlen?gebiet=03999001").status_code == 404

    kennung = KOMMUNE_PERSON
    csrf = csrf_of(planerin.get("/arbeitsplatz/daten/freigaben").text)
    falsch = planerin.post("/arbeitsplatz/daten/freigaben", data={"csrf": csrf, "person": kennung, "gemeinde": "S1"})
    assert falsch.status_code == 400 and "ist keine Gemeinde" in falsch.text
    erteilt = planerin.post(
        "/arbeitsplatz/daten/freigaben",
        data={"csrf": csrf, "person": kennung, "gemeinde": "03999001", "bemerkung": "Bürgermeisteramt"},
    )
    assert erteilt.status_code == 200 and "Die Freigabe ist erteilt." in erteilt.text
    liste = _text(erteilt.text)
    assert "Ahausen (03999001)" in liste and kennung in liste and "Bürgermeisteramt" in liste
    again = planerin.post(
        "/arbeitsplatz/daten/freigaben", data={"csrf": csrf, "person": kennung, "gemeinde": "03999001"}
    )
    assert "Nichts geändert" in again.text

    start = kommune.get("/arbeitsplatz/daten").text
    assert "Ahausen" in start and "Bedorf" not in start and "Datenlieferungen" not in start
    assert 'href="/arbeitsplatz/daten"' in start  # the navigation leads a Kommune here
    eigene = kommune.get("/arbeitsplatz/daten/kennzahlen?gebiet=03999001")
    assert eigene.status_code == 200
    zeile = re.search(r"Arbeitslosenanteil.*?</tr>", eigene.text, re.S)
    assert zeile is not None
    # Its own Gemeinde unsuppressed (30 of 650 = 4,6 %, target missed) although the public sees
    # "." there (Ahausen hides Bedorf's 2 in S1 = Ahausen + Bedorf); Sozialraum Eins stays
    # suppressed for the Kommune, as in the public atlas; the Kreis is shown (4,2).
    assert "4,6 30 -0,5 gesunken (günstig) . 4,2 höchstens 4,0 verfehlt" in _text(zeile.group(0)), zeile.group(0)
    with session_scope(engine, actor="test") as session:
        monitor = lade_monitor(session)
        assert monitor is not None
        public = Sicht(monitor, load_for(ap_settings), ap_settings.daten, Empfaenger.oeffentlich())
        assert public.wert("alo_quote", T23, kreis["03999001"]).geheim
    intern = _text(planerin.get("/arbeitsplatz/daten/kennzahlen?gebiet=S1").text)
    assert "3,3" in intern

    # Another Gemeinde: not found, and its figures appear nowhere.
    fremd = kommune.get("/arbeitsplatz/daten/kennzahlen?gebiet=03999002")
    assert fremd.status_code == 404 and "Bedorf" not in fremd.text
    alle = kommune.get("/arbeitsplatz/daten/kennzahlen").text
    assert "Ahausen" in alle and "Bedorf" not in alle and "Sozialraum Zwei" not in alle
    assert kommune.get("/arbeitsplatz/daten/kennzahlen?gebiet=S1").status_code == 404
    for path in ("/arbeitsplatz/daten/freigaben", "/arbeitsplatz/daten/budget"):
        assert kommune.get(path).status_code == 403, path

    entzogen = planerin.post(
        "/arbeitsplatz/daten/freigaben/entziehen", data={"csrf": csrf, "person": kennung, "gemeinde": "03999001"}
    )
    assert "Die Freigabe ist entzogen." in entzogen.text and "Noch keine Freigaben" in entzogen.text
    assert kommune.get("/arbeitsplatz/daten/kennzahlen?gebiet=03999001").status_code == 404


# --- Sozialraumbudget ----------------------------------------------------------------------------


def test_budget_computed_as_the_cli_does_with_its_derivation(
    clients: dict[str, TestClient], engine: Engine, ap_settings: Settings, tmp_path: Path
) -> None:
    planerin = clients["planerin"]
    csrf = csrf_of(planerin.get("/arbeitsplatz/daten/budget").text)
    ohne = planerin.post(
        "/arbeitsplatz/daten/budget", data={"csrf": csrf, "kennung": "test", "gesamt": "100000", "jahr": "2025"}
    )
    assert ohne.status_code == 400 and "noch keine Berechnung" in ohne.text
    berechnet(engine, ap_settings, tmp_path)
    falsch = planerin.post(
        "/arbeitsplatz/daten/budget", data={"csrf": csrf, "kennung": "test", "gesamt": "100.000", "jahr": "2025"}
    )
    assert falsch.status_code == 400 and "Gesamtbetrag" in falsch.text
    page = planerin.post(
        "/arbeitsplatz/daten/budget", data={"csrf": csrf, "kennung": "test", "gesamt": "100000", "jahr": "2025"}
    )
    assert page.status_code == 200 and "Gespeichert." in page.text
    text = _text(page.text)
    # tests/daten/test_budget.py: S1 28.645,83 € exact, 28.646 € with the largest remainder.
    s1 = re.search(r"Sozialraum Eins \(S1\).*?</tr>", page.text, re.S)
    assert s1 is not None
    cells = _text(s1.group(0))
    assert "28.645,83 €" in cells and "28.646 €" in cells and "+1 €" in cells, cells
    assert "230" in cells.split() and "23,96 %" in cells and "33,33 %" in cells, cells
    assert "Summe" in text and "100.000 €" in text

    # The CLI's use case over the same computation finds nothing to change: the same euros.
    budget, changed = aktualisierung.budget(
        engine, load_for(ap_settings), "test", gesamt=100_000, haushaltsjahr=2025, now=NOW
    )
    assert not changed
    with session_scope(engine, actor="test") as session:
        stored = dict(session.execute(sa.select(Budgetanteil.gebiet_id, Budgetanteil.betrag)).all())
        ids = dict(session.execute(sa.select(Gebiet.schluessel, Gebiet.id)).all())
    assert stored[ids["S1"]] == 28_646 and {row.gebiet_id: row.betrag for row in budget.zeilen} == stored
    liste = planerin.get("/arbeitsplatz/daten/budget").text
    assert "Testbudget" in liste and "kennung=test&amp;jahr=2025" in liste
    assert planerin.get("/arbeitsplatz/daten/budget?kennung=test&jahr=1999").status_code == 404
    assert "28.646 €" in clients["leiterin"].get("/arbeitsplatz/daten/budget?kennung=test&jahr=2025").text


def test_budget_by_need_shows_the_index_it_used(
    clients: dict[str, TestClient], engine: Engine, ap_settings: Settings, tmp_path: Path
) -> None:
    berechnet(engine, ap_settings, tmp_path)
    planerin = clients["planerin"]
    csrf = csrf_of(planerin.get("/arbeitsplatz/daten/budget").text)
    page = planerin.post(
        "/arbeitsplatz/daten/budget",
        data={"csrf": csrf, "kennung": "bedarf", "gesamt": "100000", "jahr": "2026", "stichtag": "2023-12-31"},
    )
    assert page.status_code == 200 and "Bedarfsindex" in page.text, page.text
    rows = {
        key: _text(row)
        for key, row in re.findall(r"<tr><th scope=\"row\">[^<]*\((S\d)\)</th>(.*?)</tr>", page.text, re.S)
    }
    # S1: 230 children, index −0,99608 → 230 × (1 − 0,49804) = 115,45, of 1.005,50 in all = 11,48 %;
    # S2: 340 × (1 + 0,68372) = 572,47.
    assert rows["S1"].split()[:3] == ["115,45", "-1,00", "11,48"], rows
    assert rows["S2"].split()[:2] == ["572,47", "1,37"], rows
    assert rows["S3"].split()[1] == "-0,37", rows
