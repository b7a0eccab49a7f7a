"""The scaled-out set-up, for real: a Prefect server on loopback with its own PostgreSQL database
(pg_trgm created first), the sozialforum store on PostgreSQL, the deployments registered from
prefect.yaml with ``prefect deploy --all``, the global concurrency limits created with
``prefect gcl create``, and a process worker that runs one flow run of every deployment to
completion. Every command is the one docs/betrieb.md gives."""

from __future__ import annotations

import inspect
import os
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
import sqlalchemy as sa

from sozialforum.betrieb.deployments import lade_deployments
from sozialforum.betrieb.prefect_server import PrefectServer
from sozialforum.demo import load_demo
from sozialforum.demo.protokoll import hold_demo_sitzung
from sozialforum.settings import load_settings
from sozialforum.store.db import make_engine, migrate, session_scope
from sozialforum.store.models import Arbeitslauf
from sozialforum.timeutil import utcnow
from tests.conftest import REPO, new_pg_database
from tests.support.postgres import PgCluster

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

DEMO_STATISTIK = REPO / "sozialforum" / "demo" / "data" / "statistik"
TIMEOUT = 300


def _prefect(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "prefect", *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=180
    )
    assert result.returncode == 0, f"prefect {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
    return result


def _store(pg_cluster: PgCluster, tmp_path: Path) -> tuple[Path, int]:
    """The store on PostgreSQL with the demo Landkreis and one held Sitzung; the config file."""
    url = new_pg_database(pg_cluster)
    engine = make_engine(url)
    migrate(engine)
    (tmp_path / "statistik").mkdir()
    config = tmp_path / "sozialforum.toml"
    config.write_text(
        f'data_dir = "{tmp_path / "var"}"\ndatabase_url = "{url}"\n\n[daten]\n'
        f'quellen_ordner = "{tmp_path / "statistik"}"\n',
        encoding="utf-8",
    )
    settings = load_settings(config)
    with session_scope(engine, actor="test") as session:
        load_demo(session)
        sitzung = hold_demo_sitzung(session, now=datetime.now(UTC), settings=settings)
        sitzung_id = sitzung.id or 0
    engine.dispose()
    return config, sitzung_id


def _parameters(entrypoint: str, known: dict[str, Any]) -> dict[str, Any]:
    """What a run of this flow needs: its required parameters from ``known``."""
    from prefect.flows import load_flow_from_entrypoint

    target = load_flow_from_entrypoint(str(REPO / entrypoint))
    required = [name for name, p in inspect.signature(target.fn).parameters.items() if p.default is p.empty]
    missing = [name for name in required if name not in known]
    assert not missing, f"{entrypoint}: no test value for required parameters {missing}"
    return {name: known[name] for name in required}


def _wait(client: Any, runs: dict[str, UUID], worker_log: Path) -> dict[str, str]:
    deadline = time.monotonic() + TIMEOUT
    states: dict[str, str] = {}
    while time.monotonic() < deadline:
        states = {name: client.read_flow_run(run_id).state.type.value for name, run_id in runs.items()}
        if all(state in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED") for state in states.values()):
            return states
        time.sleep(2)
    pytest.fail(f"runs not finished after {TIMEOUT} s: {states}\n{worker_log.read_text()[-4000:]}")


def test_server_on_postgres_deploy_worker_runs_every_deployment(
    server: PrefectServer, pg_cluster: PgCluster, tmp_path: Path
) -> None:
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    config, sitzung_id = _store(pg_cluster, tmp_path)
    # Work started from the workspace: on a server it runs through the deployment on the worker.
    engine = make_engine(load_settings(config).db_url)
    with session_scope(engine, actor="test") as session:
        lauf = Arbeitslauf(art="zustellen", titel="Postausgang zustellen", gestartet_von="test", gestartet_am=utcnow())
        session.add(lauf)
        session.flush()
        lauf_id = lauf.id
    engine.dispose()
    (tmp_path / "quelle").mkdir()
    shutil.copy(DEMO_STATISTIK / "12411-02-03-5_bevoelkerung_altersgruppen.csv", tmp_path / "quelle")
    env = {key: value for key, value in os.environ.items() if not key.startswith("PREFECT_")}
    env.update(
        {
            "PREFECT_API_URL": server.api_url,
            "SOZIALFORUM_HOME": str(REPO),
            "SOZIALFORUM_CONFIG": str(config),
            "PREFECT_SERVER_EPHEMERAL_ENABLED": "false",
        }
    )
    _prefect(env, "work-pool", "create", "sozialforum", "--type", "process")
    _prefect(env, "--no-prompt", "deploy", "--all")
    _prefect(env, "gcl", "create", "sozialforum-smtp", "--limit", "1")
    _prefect(env, "gcl", "create", "sozialforum-datenbank", "--limit", "4")

    worker_log = tmp_path / "worker.log"
    with worker_log.open("wb") as log:
        worker = subprocess.Popen(
            [sys.executable, "-m", "prefect", "worker", "start", "--pool", "sozialforum", "--limit", "3"],
            cwd=tmp_path,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        known = {"sitzung_id": sitzung_id, "lauf_id": lauf_id}
        deployments = lade_deployments(REPO / "prefect.yaml")
        with temporary_settings({PREFECT_API_URL: server.api_url}), get_client(sync_client=True) as client:
            registered = {d.name: d for d in client.read_deployments()}
            assert set(registered) == {d.name for d in deployments}
            # The cycle last, so that it finds the state the other runs left (it is idempotent anyway).
            first = [d for d in deployments if d.name != "planungszyklus"]
            runs = {}
            for deployment in first:
                parameters = _parameters(deployment.entrypoint, known)
                if "quellen" in inspect.signature(_flow(deployment.entrypoint).fn).parameters:
                    parameters["quellen"] = str(tmp_path / "quelle")  # one small file: a quick refresh
                runs[deployment.name] = client.create_flow_run_from_deployment(
                    registered[deployment.name].id, parameters=parameters
                ).id
            states = _wait(client, runs, worker_log)
            cycle = {"planungszyklus": client.create_flow_run_from_deployment(registered["planungszyklus"].id).id}
            states |= _wait(client, cycle, worker_log)
        assert all(state == "COMPLETED" for state in states.values()), f"{states}\n{worker_log.read_text()[-6000:]}"
    finally:
        worker.terminate()
        try:
            worker.wait(30)
        except subprocess.TimeoutExpired:
            worker.kill()
    settings = load_settings(config)
    engine = make_engine(settings.db_url)
    with engine.connect() as connection:
        booked = connection.execute(sa.text("SELECT count(*) FROM zyklus_aktion WHERE status = 'erledigt'")).scalar()
        minutes = connection.execute(
            sa.text("SELECT count(*) FROM protokoll WHERE sitzung_id = :s"), {"s": sitzung_id}
        ).scalar()
        arbeit = connection.execute(sa.text("SELECT zustand FROM arbeitslauf WHERE id = :i"), {"i": lauf_id}).scalar()
    engine.dispose()
    assert booked and booked >= 3 and minutes == 1 and arbeit == "fertig"
    assert (settings.reports_dir / "fristen.ics").is_file()


def _flow(entrypoint: str) -> Any:
    from prefect.flows import load_flow_from_entrypoint

    return load_flow_from_entrypoint(str(REPO / entrypoint))
