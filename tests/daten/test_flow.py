"""The flow ``datenaktualisierung`` for real under the Prefect harness, over the demo Landkreis's
statistics files: loads, computation, budget, outputs and the two artifacts; a rerun changes
nothing; a bad file fails the run before anything is computed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
from sozialforum.flows.datenaktualisierung import DEMO_QUELLEN, datenaktualisierung
from sqlalchemy.engine import Engine

from sozialforum.demo import load_demo
from sozialforum.store.db import session_scope
from sozialforum.store.models import Berechnung, Budgetanteil, Datenlieferung
from tests.daten.conftest import NOW

pytestmark = [pytest.mark.prefect, pytest.mark.slow]


def _config(tmp_path: Path, engine: Engine) -> str:
    url = engine.url.render_as_string(hide_password=False)
    path = tmp_path / "sozialforum.toml"
    path.write_text(f'data_dir = "{tmp_path / "var"}"\ndatabase_url = "{url}"\n', encoding="utf-8")
    return str(path)


def _artifact(key: str) -> str:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    with get_client(sync_client=True) as client:
        found = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key])), limit=1, sort="CREATED_DESC"
        )
    return str(found[0].data)


def test_refresh_over_the_demo_landkreis(prefect_harness: None, sqlite_engine: Engine, tmp_path: Path) -> None:
    with session_scope(sqlite_engine, actor="test") as session:
        load_demo(session)
    config = _config(tmp_path, sqlite_engine)
    result = datenaktualisierung(
        config=config,
        quellen=str(DEMO_QUELLEN),
        jetzt=NOW,
        budget_gesamt=2_400_000,
        haushaltsjahr=2025,
        sozialraeume=["SR05", "SR08"],
    )
    assert [f["status"] for f in result["dateien"]] == ["geladen"] * 8
    summary = result["berechnung"]
    assert summary["neu"] and summary["letzter_stichtag"] == "2023-12-31" and summary["stichtage"] == 6
    assert any(m["indikator"].startswith("Anteil 0- bis unter 21") for m in summary["ziele_verfehlt"])
    assert sum(result["budget"]["anteile"].values()) == 2_400_000
    pdfs = [p for p in result["ausgaben"] if p.endswith(".pdf")]
    assert len(pdfs) == 2 and all(Path(p).stat().st_size > 20_000 for p in pdfs)
    assert any(p.endswith(".xlsx") for p in result["ausgaben"])
    markdown = _artifact("datenaktualisierung")
    assert "# Datenaktualisierung" in markdown and "## Klassenwechsel" in markdown
    assert "## Verfehlte Ziele" in markdown and "Sozialraumbudget hze 2025" in markdown
    assert "12411-02-03-5_bevoelkerung_altersgruppen.csv" in _artifact("datenaktualisierung-dateien")

    again = datenaktualisierung(
        config=config,
        quellen=str(DEMO_QUELLEN),
        jetzt=NOW,
        budget_gesamt=2_400_000,
        haushaltsjahr=2025,
        sozialraeume=["SR05", "SR08"],
    )
    assert {f["status"] for f in again["dateien"]} == {"unverändert"}
    assert not again["berechnung"]["neu"] and not again["budget"]["geaendert"]
    with session_scope(sqlite_engine, actor="test") as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Datenlieferung)) == 8
        assert session.scalar(sa.select(sa.func.count()).select_from(Berechnung)) == 1
        assert session.scalar(sa.select(sa.func.count()).select_from(Budgetanteil)) == 12


def test_a_bad_file_fails_the_run_and_nothing_is_computed(
    prefect_harness: None, sqlite_engine: Engine, tmp_path: Path
) -> None:
    with session_scope(sqlite_engine, actor="test") as session:
        load_demo(session)
    folder = tmp_path / "quellen"
    folder.mkdir()
    shutil.copy(DEMO_QUELLEN / "kita_monitoring_gemeinden.csv", folder)
    (folder / "kaputt.csv").write_text(
        "Gemeinde;Stichtag;Betreute Kinder unter 3 Jahren\n03199001;31.12.2023;viele\n", encoding="utf-8"
    )
    with pytest.raises(RuntimeError, match="1 Datei\\(en\\) abgelehnt"):
        datenaktualisierung(config=_config(tmp_path, sqlite_engine), quellen=str(folder), jetzt=NOW)
    assert "„viele“ ist keine Zahl" in _artifact("datenaktualisierung")
    with session_scope(sqlite_engine, actor="test") as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Datenlieferung)) == 1  # the good file
        assert session.scalar(sa.select(sa.func.count()).select_from(Berechnung)) == 0
