"""A delivery that carries an internal licence of its own ("intern (nur für die Sozialplanung)")
while the catalogue names its source as public: every output reads the licence from the one
place (the monitor read from the store, ``Sicht``), not only those whose caller remembered to
pass it — the workspace's Kennzahlen page for a Kommune and the map export for QGIS among them."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pyogrio
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import col

from sozialforum.arbeitsplatz.seiten.daten_kennzahlen import Auswahl, tafeln
from sozialforum.daten.ergebnis import Monitor, lade_monitor
from sozialforum.daten.geheimhaltung import Empfaenger
from sozialforum.daten.kartenexport import exportiere
from sozialforum.daten.katalog import Katalog, load_katalog
from sozialforum.daten.veroeffentlichung import interne_indikatoren
from sozialforum.karten.speicher import laden as grenzen_laden
from sozialforum.settings import DatenSettings
from sozialforum.store.db import session_scope
from sozialforum.store.models import Datenlieferung
from tests.daten.conftest import NOW, alo_datei, bev_datei
from tests.daten.test_berechnung import refresh
from tests.support.grenzen import quadrate

INTERN = "intern (nur für die Sozialplanung)"
GEMEINDEN = [f"0399900{n}" for n in range(1, 8)]


def _monitor(engine: Engine) -> Monitor:
    with session_scope(engine, actor="test") as session:
        monitor = lade_monitor(session)
    assert monitor is not None
    return monitor


def _kennzahlen_seite(monitor: Monitor, katalog: Katalog, view: Empfaenger) -> dict[str, str]:
    """The unemployment rate per Gemeinde as the workspace's Kennzahlen page shows it."""
    shown = {}
    for tafel in tafeln(monitor, katalog, view, Auswahl(), DatenSettings()):
        zeilen = [z for d in tafel["dimensionen"] for z in d["zeilen"] if z["name"] == "Arbeitslosenanteil"]
        shown[tafel["gebiet"].schluessel] = zeilen[0]["wert"].text
    return shown


def _karte(engine: Engine, monitor: Monitor, katalog: Katalog, view: Empfaenger, path: Path) -> list[float]:
    """The unemployment rate per Gemeinde in the GeoPackage for QGIS."""
    with session_scope(engine, actor="test") as session:
        exportiere(session, monitor, katalog, DatenSettings(), view, "alo_quote", path, ebene="gemeinde")
    meta, _, _geoms, values = pyogrio.raw.read(path)
    return [float(v) for v in dict(zip(meta["fields"], values, strict=True))["alo_quote"]]


def test_a_deliverys_internal_licence_holds_in_the_workspace_page_and_the_map_export(
    kreis: tuple[Engine, dict[str, int]], katalog_pfad: Path, tmp_path: Path
) -> None:
    engine, ids = kreis
    # Unemployment comes from GENESIS (public in the catalogue) or the BA (internal here).
    text = katalog_pfad.read_text(encoding="utf-8")
    katalog_pfad.write_text(text.replace('kennung = "ba"\n', f'kennung = "ba"\nlizenz = "{INTERN}"\n'), "utf-8")
    katalog = load_katalog(katalog_pfad)
    assert interne_indikatoren(katalog) == set()  # a public source delivers the Merkmal too
    refresh(engine, katalog, [bev_datei(tmp_path / "bev.csv"), alo_datei(tmp_path / "alo.csv")])
    grenzen = quadrate(tmp_path / "gemeinden.geojson", GEMEINDEN, feld="schluessel", seite=0.02)
    with session_scope(engine, actor="test") as session:
        grenzen_laden(session, grenzen, stand=date(2020, 1, 1), now=NOW, ebene="gemeinde")
    # Cestadt's Kommune has its Gemeinde released: with a public licence it sees the value.
    kommune = Empfaenger("Stadt Cestadt", frozenset({ids["03999003"]}))
    before = _monitor(engine)
    assert _kennzahlen_seite(before, katalog, kommune)["03999003"] == "5,0"
    assert not np.isnan(_karte(engine, before, katalog, Empfaenger.oeffentlich(), tmp_path / "vorher.gpkg")).all()

    # The unemployment file carried an internal licence of its own (stored with the delivery).
    with session_scope(engine, actor="test") as session:
        session.execute(
            sa.update(Datenlieferung).where(col(Datenlieferung.quelle) == "genesis-alo").values(lizenz=INTERN)
        )
    monitor = _monitor(engine)
    assert monitor.interne_quellen == {"genesis-alo"}
    assert _kennzahlen_seite(monitor, katalog, kommune) == {"03999003": "."}
    assert np.isnan(_karte(engine, monitor, katalog, Empfaenger.oeffentlich(), tmp_path / "public.gpkg")).all()
    assert np.isnan(_karte(engine, monitor, katalog, kommune, tmp_path / "kommune.gpkg")).all()
    # The Geschäftsstelle still sees every value.
    intern = _karte(engine, monitor, katalog, Empfaenger.geschaeftsstelle(), tmp_path / "intern.gpkg")
    assert not np.isnan(intern).any()
