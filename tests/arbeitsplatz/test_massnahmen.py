"""Maßnahmen in the Planungsbestand: created and changed through the forms with German errors,
and a Fachamt sees only those of its own Amt."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from sozialforum.store.db import session_scope
from sozialforum.store.models import Massnahme
from tests.arbeitsplatz.conftest import Bestand
from tests.portal.conftest import csrf_of

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _post(client: TestClient, path: str, data: dict[str, object]):  # type: ignore[no-untyped-def]
    csrf = csrf_of(client.get("/arbeitsplatz/konto").text)
    return client.post(path, data={"csrf": csrf, **data}, follow_redirects=False)


def test_create_change_and_the_fachamt_view(
    clients: dict[str | None, TestClient], bestand: Bestand, engine: Engine
) -> None:
    planerin, amt = clients["planerin"], clients["jugendamt"]
    form = {"kennung": "M-SA-1", "titel": "Schuldnerberatung mobil", "stelle": bestand.amt_b, "budget": "12.500,50"}
    bad = _post(planerin, "/arbeitsplatz/massnahmen/neu", {**form, "budget": "zwölf"})
    assert bad.status_code == 400 and "Budget je Jahr: bitte eine Zahl" in bad.text
    late = _post(
        planerin, "/arbeitsplatz/massnahmen/neu", {**form, "laufzeit_von": "2026-05-01", "laufzeit_bis": "2026-01-01"}
    )
    assert late.status_code == 400 and "liegt vor dem Beginn" in late.text
    created = _post(planerin, "/arbeitsplatz/massnahmen/neu", form)
    assert created.status_code == 303
    with session_scope(engine, actor="test") as session:
        m = session.scalars(sa.select(Massnahme).where(Massnahme.kennung == "M-SA-1")).one()
        assert m.budget_eur_jahr == Decimal("12500.50") and m.verantwortlich_organisation_id == bestand.amt_b
        mid = m.id
    twice = _post(planerin, "/arbeitsplatz/massnahmen/neu", form)
    assert twice.status_code == 400 and "schon vergeben" in twice.text
    changed = _post(planerin, f"/arbeitsplatz/massnahmen/{mid}", {**form, "status": "laufendes_geschaeft"})
    assert changed.status_code == 303
    # The Jugendamt sees its own Maßnahme, not the Sozialamt's, neither listed nor opened.
    liste = amt.get("/arbeitsplatz/massnahmen").text
    assert "Familienhebammen im Quartier" in liste and "Schuldnerberatung mobil" not in liste
    assert amt.get(f"/arbeitsplatz/massnahmen/{mid}").status_code == 404
    assert "laufendes Geschäft" in planerin.get("/arbeitsplatz/massnahmen").text
