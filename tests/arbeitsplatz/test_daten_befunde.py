"""Plausibility findings in the workspace: the dry run shows them and still offers the load; the
Plausibilität page lists the open ones, and a planner accepts one with a reason (audited under
the planner's name); without a reason or without the right nothing changes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import col

from sozialforum.daten import aktualisierung
from sozialforum.daten.katalog import load_for
from sozialforum.settings import Settings
from sozialforum.store.db import session_scope
from sozialforum.store.models import AuditEntry, Plausibilitaetsbefund
from tests.arbeitsplatz.test_daten import _csrf, _pruefen, _text, ap_settings, app, clients, gestartet, kreis
from tests.daten.conftest import ALO, NOW, T23, alo_datei, bev_datei
from tests.portal.conftest import csrf_of

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
__all__ = ["ap_settings", "app", "clients", "gestartet", "kreis"]  # fixtures of the workspace's data tests

BEFUND = "„Arbeitslosenanteil“ in Deweiler (03999004) am 31.12.2023: 151 von 150"


def _zu_viele(tmp_path: Path) -> Path:
    return alo_datei(tmp_path / "zu_viele.csv", days=(T23,), werte={T23: {**ALO[T23], "03999004": 151}})


def test_the_dry_run_shows_findings_and_still_offers_the_load(
    clients: dict[str, TestClient], engine: Engine, ap_settings: Settings, tmp_path: Path
) -> None:
    aktualisierung.lade(engine, bev_datei(tmp_path / "bev.csv"), load_for(ap_settings), now=NOW, akteur="test")
    page = _pruefen(clients["planerin"], _zu_viele(tmp_path))
    assert page.status_code == 200, page.text
    text = _text(page.text)
    assert "Plausibilität: 1 Befund" in text and BEFUND in text, text
    assert "Anteil über 100 %" in text
    assert "Laden und Kennzahlen berechnen" in page.text  # reported, not refused
    with session_scope(engine, actor="test") as session:  # the dry run stored nothing
        assert session.scalars(sa.select(Plausibilitaetsbefund)).all() == []


def test_a_planner_accepts_a_finding_with_a_reason(
    clients: dict[str, TestClient], engine: Engine, ap_settings: Settings, tmp_path: Path
) -> None:
    katalog = load_for(ap_settings)
    aktualisierung.lade(engine, bev_datei(tmp_path / "bev.csv"), katalog, now=NOW, akteur="test")
    aktualisierung.lade(engine, _zu_viele(tmp_path), katalog, now=NOW, akteur="test")
    planerin = clients["planerin"]
    page = planerin.get("/arbeitsplatz/daten/befunde")
    assert page.status_code == 200
    assert BEFUND in _text(page.text) and "zu_viele.csv" in page.text
    befund = re.search(r'name="befund" value="(\d+)"', page.text)
    assert befund is not None
    csrf = _csrf(planerin)
    leer = planerin.post("/arbeitsplatz/daten/befunde/akzeptieren", data={"csrf": csrf, "befund": befund.group(1)})
    assert leer.status_code == 400 and "Begründung: bitte angeben" in _text(leer.text)
    fremd = clients["jugendamt"].post(
        "/arbeitsplatz/daten/befunde/akzeptieren",
        data={"csrf": csrf_of(clients["jugendamt"].get("/arbeitsplatz/konto").text), "befund": befund.group(1)},
    )
    assert fremd.status_code == 403
    with session_scope(engine, actor="test") as session:
        assert session.scalars(sa.select(Plausibilitaetsbefund)).one().akzeptiert_am is None
    ok = planerin.post(
        "/arbeitsplatz/daten/befunde/akzeptieren",
        data={"csrf": csrf, "befund": befund.group(1), "begruendung": "Tippfehler der Quelle, Korrektur angefordert"},
        follow_redirects=False,
    )
    assert ok.status_code == 303 and ok.headers["location"].endswith("meldung=befund_akzeptiert")
    with session_scope(engine, actor="test") as session:
        stored = session.scalars(sa.select(Plausibilitaetsbefund)).one()
        assert stored.akzeptiert_von == "Planerin" and stored.begruendung.startswith("Tippfehler")  # type: ignore[union-attr]
        audit = session.scalars(
            sa.select(AuditEntry).where(
                col(AuditEntry.tabelle) == "plausibilitaetsbefund", col(AuditEntry.aktion) == "update"
            )
        ).one()
        assert audit.akteur == "benutzer:planerin" and "begruendung" in audit.aenderungen
    page = _text(planerin.get("/arbeitsplatz/daten/befunde?meldung=befund_akzeptiert").text)
    assert "Der Befund ist akzeptiert" in page and "Keine offenen Befunde" in page
    assert "Tippfehler der Quelle" in page
