"""The table assistant in the workspace: upload, the proposal with the first rows as they would be
stored, a correction, a refused confirmation that saves nothing, a confirmation that saves the
reading and loads the file (then the computation as a run), and the saved reading listed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from sozialforum.store.db import session_scope
from sozialforum.store.models import Arbeitslauf, Datenlieferung, Gebiet, Tabellenzuordnung
from tests.arbeitsplatz.test_daten import _text, ap_settings, app, clients, gestartet, kreis  # noqa: F401
from tests.daten.conftest import counts
from tests.portal.conftest import csrf_of

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
DATEI = Path(__file__).parents[1] / "data" / "tabellen" / "stadt_bevoelkerung_2023.csv"
STADTTEILE = ["Altstadt", "Nordstadt", "Oststadt", "Südstadt", "Weststadt", "Am Hafen", "Bergheim"]
STADTTEILE += ["Eichenau", "Feldmark", "Grünhof", "Heideweg", "Westliche Höhe", "Südliche Aue"]


def _musterstadt(engine: Engine) -> None:
    with session_scope(engine, actor="test") as session:
        city = Gebiet(schluessel="09999000", name="Musterstadt", ebene="kreis", ags="09999000")
        session.add(city)
        session.flush()
        for i, name in enumerate(STADTTEILE, start=1):
            session.add(Gebiet(schluessel=f"ST{i:02d}", name=name, ebene="sozialraum", parent_id=city.id))


def _csrf(client: TestClient) -> str:
    return csrf_of(client.get("/arbeitsplatz/daten/assistent").text)


def test_upload_correct_confirm_and_load(
    clients: dict[str, TestClient],  # noqa: F811
    engine: Engine,
    gestartet: list[int],  # noqa: F811
) -> None:
    _musterstadt(engine)
    planerin = clients["planerin"]
    start = planerin.get("/arbeitsplatz/daten/assistent")
    assert start.status_code == 200 and "Noch keine Zuordnung gespeichert" in start.text
    assert clients["leiterin"].get("/arbeitsplatz/daten/assistent").status_code == 403
    with DATEI.open("rb") as handle:
        page = planerin.post(
            "/arbeitsplatz/daten/assistent/vorschau",
            data={"csrf": _csrf(planerin)},
            files={"datei": (DATEI.name, handle, "text/csv")},
        )
    assert page.status_code == 200, page.text
    text = _text(page.text)
    assert "Stichtag: 31.12.2023 aus dem Titel („Stand 31.12.2023“)" in text
    assert "Nicht übernommen: „Einwohner“, „Anteil unter 21“" in text
    assert "5 1 Altstadt ST01 Altstadt 31.12.2023 421" in text
    token = re.search(r'name="token" value="([^"]+)"', page.text)
    assert token is not None
    fields = dict(re.findall(r'name="(etikett_\d+)" value="([^"]+)"', page.text))
    einwohner = next(key.removeprefix("etikett_") for key, label in fields.items() if label == "Einwohner")
    form = {"csrf": _csrf(planerin), "token": token.group(1), "kopfzeilen": "1", "schluessel": "Nr."}
    form |= {"namen": "Stadtteil", "name": "", f"etikett_{einwohner}": "Einwohner", f"spalte_{einwohner}": "bev"}
    corrected = planerin.post("/arbeitsplatz/daten/assistent/vorschau", data=form)
    assert corrected.status_code == 200 and "2.634" in corrected.text

    before = counts(engine)
    unnamed = planerin.post("/arbeitsplatz/daten/assistent/bestaetigen", data=form)
    assert unnamed.status_code == 400 and "Name der Zuordnung: bitte angeben" in unnamed.text
    bad = planerin.post("/arbeitsplatz/daten/assistent/bestaetigen", data=form | {"name": "Stadt", "kopfzeilen": "0"})
    assert bad.status_code == 200 and "So wird die Tabelle nicht geladen" in bad.text
    assert counts(engine) == before
    with session_scope(engine, actor="test") as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Tabellenzuordnung)) == 0

    done = planerin.post(
        "/arbeitsplatz/daten/assistent/bestaetigen", data=form | {"name": "Stadt Bevölkerung"}, follow_redirects=False
    )
    assert done.status_code == 303 and re.fullmatch(r"/arbeitsplatz/laeufe/\d+", done.headers["location"])
    with session_scope(engine, actor="test") as session:
        lieferung = session.scalars(sa.select(Datenlieferung)).one()
        assert lieferung.zuordnung == "Stadt Bevölkerung" and lieferung.akteur == "planerin" and lieferung.werte == 26
        lauf = session.get(Arbeitslauf, gestartet[0])
        assert lauf is not None and lauf.art == "berechnung"
    listed = _text(planerin.get("/arbeitsplatz/daten/assistent").text)
    assert "Stadt Bevölkerung" in listed and "einwohner → bev" in listed


def test_withdraw_a_delivery_with_a_reason(
    clients: dict[str, TestClient],  # noqa: F811
    engine: Engine,
    ap_settings,  # noqa: F811
    gestartet: list[int],  # noqa: F811
    tmp_path: Path,
) -> None:
    from sozialforum.daten import aktualisierung
    from sozialforum.daten.katalog import load_for
    from tests.daten.conftest import NOW, alo_datei

    geladen = aktualisierung.lade(engine, alo_datei(tmp_path / "alo.csv"), load_for(ap_settings), now=NOW, akteur="t")
    planerin = clients["planerin"]
    liste = planerin.get("/arbeitsplatz/daten/lieferungen")
    assert liste.status_code == 200 and "alo.csv" in liste.text and "Zurückziehen" in liste.text
    lesen = clients["leiterin"].get("/arbeitsplatz/daten/lieferungen")
    assert lesen.status_code == 200 and "Zurückziehen" not in lesen.text  # reading only
    csrf = csrf_of(liste.text)
    leer = planerin.post(
        "/arbeitsplatz/daten/lieferungen/zurueckziehen",
        data={"csrf": csrf, "lieferung": str(geladen.datenlieferung_id)},
    )
    assert leer.status_code == 400 and "Bitte einen Grund angeben" in leer.text
    assert counts(engine)["wertespalte"] > 0
    done = planerin.post(
        "/arbeitsplatz/daten/lieferungen/zurueckziehen",
        data={"csrf": csrf, "lieferung": str(geladen.datenlieferung_id), "grund": "Gebiete waren unvollständig"},
        follow_redirects=False,
    )
    assert done.status_code == 303 and re.fullmatch(r"/arbeitsplatz/laeufe/\d+", done.headers["location"])
    assert counts(engine)["wertespalte"] == 0 and counts(engine)["vergleichswert"] == 0
    with session_scope(engine, actor="test") as session:
        lieferung = session.get(Datenlieferung, geladen.datenlieferung_id)
        assert lieferung is not None and lieferung.zurueckgezogen_von == "planerin"
        lauf = session.get(Arbeitslauf, gestartet[0])
        assert lauf is not None and lauf.art == "berechnung"
    text = _text(planerin.get("/arbeitsplatz/daten/lieferungen").text)
    assert "von Planerin: Gebiete waren unvollständig" in text
