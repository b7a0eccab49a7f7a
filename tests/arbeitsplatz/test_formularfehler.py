"""The older forms (Auftrag, Fachplan, Maßnahme, Beschluss, Sitzung neu) answer a bad input on
the form itself, over real HTTP: status 400, what was typed kept, the German message at its
field and in the summary on top, nothing stored. Person anlegen: test_erste_schritte."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from sozialforum.store.models import Auftrag, Beschluss, Fachplan, Massnahme, Sitzung
from tests.arbeitsplatz.conftest import Bestand
from tests.portal.conftest import csrf_of

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _anzahl(engine: Engine, model: type) -> int:
    with engine.connect() as connection:
        return int(connection.scalar(sa.select(sa.func.count()).select_from(model)) or 0)


def _zurueck(
    client: TestClient, engine: Engine, model: type, pfad: str, daten: dict[str, str], feld: str, meldung: str
) -> str:
    """Post a form with one wrong field; the form comes back as described, the store unchanged."""
    vorher = _anzahl(engine, model)
    antwort = client.post(pfad, data={"csrf": csrf_of(client.get(pfad).text), **daten})
    assert antwort.status_code == 400, antwort.text
    seite = antwort.text
    assert f'<p class="feldfehler" id="fehler-{feld}">{meldung}' in seite
    assert f'<a href="#f-{feld}">{meldung}' in seite  # the summary links to the field
    assert 'aria-invalid="true"' in seite.split(f'id="f-{feld}"')[1].split(">")[0]
    assert "Eingabe nicht übernommen" not in seite  # not the separate error page
    assert _anzahl(engine, model) == vorher
    return seite


def test_auftrag_neu(clients: dict[str | None, TestClient], engine: Engine) -> None:
    daten = {"beschreibung": "Jahresbericht Kita-Bedarf", "quelle": "berichtspflicht", "frist": "31.02.2026"}
    seite = _zurueck(clients["planerin"], engine, Auftrag, "/arbeitsplatz/auftraege/neu", daten, "frist", "Frist:")
    assert ">Jahresbericht Kita-Bedarf</textarea>" in seite and 'value="31.02.2026"' in seite
    assert '<option value="berichtspflicht" selected>' in seite
    wortlaut = {"beschreibung": "Konzept", "frist_wortlaut": "irgendwann"}
    seite = _zurueck(
        clients["planerin"], engine, Auftrag, "/arbeitsplatz/auftraege/neu", wortlaut, "frist_wortlaut", "Die Frist"
    )
    assert 'value="irgendwann"' in seite


def test_fachplan_neu(clients: dict[str | None, TestClient], engine: Engine) -> None:
    daten = {"kennung": "FP-JHP", "name": "Jugendhilfeplan", "art": "jugendhilfeplan", "turnus_monate": "fünf"}
    seite = _zurueck(
        clients["planerin"], engine, Fachplan, "/arbeitsplatz/fachplaene/neu", daten, "turnus_monate", "Fortschreibung"
    )
    assert 'value="FP-JHP"' in seite and 'value="Jugendhilfeplan"' in seite and 'value="fünf"' in seite
    assert '<option value="jugendhilfeplan" selected>' in seite
    ohne_name = {**daten, "name": "", "turnus_monate": "60"}
    _zurueck(clients["planerin"], engine, Fachplan, "/arbeitsplatz/fachplaene/neu", ohne_name, "name", "Name: bitte")


def test_massnahme_neu(clients: dict[str | None, TestClient], engine: Engine) -> None:
    daten = {"kennung": "M-2026-07", "titel": "Quartiersladen", "laufzeit_von": "2026-03-01", "budget": "12.500,00"}
    pfad = "/arbeitsplatz/massnahmen/neu"
    spaet = {**daten, "laufzeit_bis": "2026-01-31"}
    seite = _zurueck(clients["planerin"], engine, Massnahme, pfad, spaet, "laufzeit_bis", "Laufzeit bis: liegt vor")
    assert 'value="M-2026-07"' in seite and 'value="Quartiersladen"' in seite and 'value="12.500,00"' in seite
    assert 'value="2026-01-31"' in seite
    _zurueck(clients["planerin"], engine, Massnahme, pfad, {**daten, "budget": "viel"}, "budget", "Budget je Jahr")


def test_beschluss_neu(clients: dict[str | None, TestClient], engine: Engine) -> None:
    """One date mistyped in the second Auftrag: the whole Beschluss with its text comes back."""
    daten = {
        "kennung": "B-7/2026",
        "titel": "Wohnungsnotfallhilfe",
        "datum": "2026-02-10",
        "text": "Die Verwaltung wird beauftragt …",
        "auftrag1": "Konzept vorlegen",
        "frist1": "2026-06-30",
        "auftrag2": "Bericht im Ausschuss",
        "frist2": "30.13.2026",
    }
    pfad = "/arbeitsplatz/beschluesse/neu"
    auftraege = _anzahl(engine, Auftrag)
    seite = _zurueck(clients["planerin"], engine, Beschluss, pfad, daten, "frist2", "Frist von Auftrag 2:")
    assert 'value="B-7/2026"' in seite and ">Die Verwaltung wird beauftragt …</textarea>" in seite
    assert ">Bericht im Ausschuss</textarea>" in seite and 'value="30.13.2026"' in seite
    assert _anzahl(engine, Auftrag) == auftraege  # not the first Auftrag either
    wortlaut = {**daten, "frist2": "", "wortlaut2": "irgendwann bald"}
    seite = _zurueck(clients["planerin"], engine, Beschluss, pfad, wortlaut, "wortlaut2", "Die Frist „irgendwann")
    assert 'value="irgendwann bald"' in seite


def test_sitzung_neu(clients: dict[str | None, TestClient], bestand: Bestand, engine: Engine) -> None:
    daten = {
        "gremium": str(bestand.welt.gremium),
        "titel": "Sozialraumkonferenz Nord",
        "tag": "2026-11-18",
        "uhrzeit": "16.30 Uhr",
        "ort": "Kreishaus, Sitzungssaal 2",
    }
    pfad = "/arbeitsplatz/sitzungen/neu"
    seite = _zurueck(clients["planerin"], engine, Sitzung, pfad, daten, "uhrzeit", "Uhrzeit: bitte als HH:MM")
    assert 'value="Sozialraumkonferenz Nord"' in seite and 'value="Kreishaus, Sitzungssaal 2"' in seite
    assert 'value="16.30 Uhr"' in seite and f'<option value="{bestand.welt.gremium}" selected>' in seite
    _zurueck(
        clients["planerin"], engine, Sitzung, pfad, {**daten, "uhrzeit": "16:30", "tag": "18.11."}, "tag", "Datum:"
    )
