"""The Übersicht lists each deadline once and counts it once: a Fachplan's overdue steps appeared
twice (once beside the Aufträge, once on their own) and the headline counted them double."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pytest
from sqlalchemy.engine import Engine

from sozialforum.arbeitsplatz import uebersicht
from sozialforum.fristen.konfiguration import load_meilensteine
from sozialforum.store.db import session_scope
from sozialforum.vocab import Ampel
from tests.conftest import REPO
from tests.fristen.conftest import build_welt

NOW = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_each_deadline_once(engine: Engine) -> None:
    build_welt(engine)
    meilensteine = load_meilensteine(REPO / "config" / "fristen.toml")
    with session_scope(engine, actor="test") as session:
        daten = uebersicht.build(session, now=NOW, meilensteine=meilensteine, bald_tage=30)
    refs = Counter(z.frist.ref for z in daten.fristen)
    assert any(ref.startswith("meilenstein:") for ref in refs)  # the fixture's Altenhilfeplan is late
    assert [ref for ref, n in refs.items() if n > 1] == []
    ueberfaellig = [z for z in daten.fristen if z.ampel is Ampel.UEBERFAELLIG]
    assert daten.fristen_gesamt[Ampel.UEBERFAELLIG] == len(ueberfaellig)
