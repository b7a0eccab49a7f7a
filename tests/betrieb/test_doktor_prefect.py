"""``doctor`` asks the Prefect server what a scaled-out set-up needs: deployments registered, a
worker of their pool online, the concurrency limits there and no slot held by a dead run, no run
hanging in Running. Against a real server on PostgreSQL and a real process worker."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from sozialforum.betrieb import doktor_prefect
from sozialforum.betrieb.befund import Befund
from sozialforum.betrieb.prefect_server import PrefectServer
from tests.conftest import REPO

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


def _by_area(found: list[Befund]) -> dict[str, list[tuple[str, str]]]:
    areas: dict[str, list[tuple[str, str]]] = {}
    for befund in found:
        areas.setdefault(befund.bereich, []).append((befund.stufe, befund.meldung))
    return areas


def test_doctor_checks_deployments_workers_limits_and_hanging_runs(server: PrefectServer, tmp_path: Path) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate, WorkPoolCreate
    from prefect.settings import PREFECT_API_URL, temporary_settings
    from prefect.states import Pending, Running
    from prefect.workers.process import ProcessWorker

    api = server.api_url
    fresh = _by_area(doktor_prefect.prefect_betrieb(api))
    assert fresh["Deployments"][0][0] == "fehler" and "nicht angelegt: planungszyklus" in fresh["Deployments"][0][1]
    assert [stufe for stufe, _ in fresh["Grenzen"]] == ["hinweis", "hinweis"]
    assert "'sozialforum-smtp' fehlt" in fresh["Grenzen"][0][1]
    assert fresh["Läufe"] == [("ok", "0 laufen, keiner hängt")]

    with temporary_settings({PREFECT_API_URL: api}), get_client(sync_client=True) as client:
        template = ProcessWorker.get_default_base_job_template()  # as 'prefect work-pool create --type process'
        client.create_work_pool(WorkPoolCreate(name="sozialforum", type="process", base_job_template=template))
        flow_id = client.create_flow_from_name("einladungen_versenden")
        deployment_id = client.create_deployment(
            flow_id=flow_id,
            name="einladungen-versenden",
            entrypoint="flows/einladungen_versenden.py:einladungen_versenden",
            work_pool_name="sozialforum",
            concurrency_limit=1,
        )
        assert isinstance(deployment_id, object)
        client.create_global_concurrency_limit(GlobalConcurrencyLimitCreate(name="sozialforum-datenbank", limit=4))
        # A slot taken by a run that died holding it.
        client.create_global_concurrency_limit(
            GlobalConcurrencyLimitCreate(name="sozialforum-smtp", limit=1, active_slots=1)
        )
    found = _by_area(doktor_prefect.prefect_betrieb(api))
    assert found["Worker"] == [
        ("fehler", "kein Worker im Pool 'sozialforum' erreichbar: geplante Läufe bleiben liegen.")
    ]
    smtp, datenbank = found["Grenzen"]
    assert smtp[0] == "hinweis" and "1 von 1 Plätzen belegt, obwohl kein Lauf läuft" in smtp[1]
    assert datenbank == ("ok", "'sozialforum-datenbank': 0 von 4 Plätzen belegt")

    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")} | {
        "PREFECT_API_URL": api,
        "PREFECT_SERVER_EPHEMERAL_ENABLED": "false",
    }
    with (tmp_path / "worker.log").open("wb") as log:
        worker = subprocess.Popen(
            [sys.executable, "-m", "prefect", "worker", "start", "--pool", "sozialforum", "--name", "kreis-1"],
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 120
        while (worker_found := _by_area(doktor_prefect.prefect_betrieb(api))["Worker"])[0][0] != "ok":
            assert time.monotonic() < deadline, (tmp_path / "worker.log").read_text()
            time.sleep(1)
        assert worker_found == [("ok", "Pool 'sozialforum': 1 erreichbar (kreis-1)")]
    finally:
        worker.terminate()
        worker.wait(60)

    # A run that stays Running (its machine went away): named with the time it started.
    with temporary_settings({PREFECT_API_URL: api}), get_client(sync_client=True) as client:
        deployment = client.read_deployment_by_name("einladungen_versenden/einladungen-versenden")
        run = client.create_flow_run_from_deployment(deployment.id)
        client.set_flow_run_state(run.id, Pending())
        client.set_flow_run_state(run.id, Running())
    later = datetime.now(UTC) + timedelta(hours=7)  # seven hours on
    hanging = _by_area(doktor_prefect.prefect_betrieb(api, now=later))
    stufe, meldung = hanging["Läufe"][0]
    assert stufe == "hinweis", meldung
    assert f"1 laufen seit über 6 Stunden: {run.name} (seit " in meldung
    assert hanging["Grenzen"][0][0] == "ok"  # a run is running: the held slot may be its own
    assert _by_area(doktor_prefect.prefect_betrieb(api))["Läufe"] == [("ok", "1 laufen, keiner hängt")]
    absturz = _by_area(doktor_prefect.prefect_betrieb(api))["Absturzerkennung"]
    assert absturz[0][0] == "hinweis" and "es fehlt die Automation" in absturz[0][1], absturz
    assert "der Herzschlag im Arbeitspool 'sozialforum'" in absturz[0][1]

    # --reparieren, seven hours on: the automation and the pool's heartbeat are set up, the silent
    # run is Crashed (which gives back its deployment's slot) and the SMTP slot nobody holds is free.
    repaired = _by_area(
        doktor_prefect.reparatur(api, 30, now=later)
        + doktor_prefect.prefect_betrieb(api, herzschlag_sekunden=30, now=later)
    )
    done = [meldung for _, meldung in repaired["Reparatur"]]
    assert done[0].startswith("Automation „sozialforum: Lauf ohne Herzschlag ist abgestürzt“ angelegt (Frist 90 s)")
    assert done[1] == "Arbeitspool 'sozialforum': Läufe senden alle 30 s einen Herzschlag."
    assert done[2].startswith(f"Lauf {run.name} auf „Crashed“ gesetzt (letztes Lebenszeichen ")
    assert done[3] == "Grenze 'sozialforum-smtp': 1 belegter Platz ohne laufenden Lauf freigegeben."
    assert len(done) == 4, done
    assert repaired["Absturzerkennung"] == [("ok", "Läufe ohne Herzschlag seit 90 s werden „Crashed“ gesetzt")]
    assert repaired["Läufe"] == [("ok", "0 laufen, keiner hängt")]
    assert repaired["Grenzen"][0] == ("ok", "'sozialforum-smtp': 0 von 1 Plätzen belegt")
    with temporary_settings({PREFECT_API_URL: api}), get_client(sync_client=True) as client:
        assert client.read_flow_run(run.id).state.type.value == "CRASHED"
        pool_env = client.read_work_pool("sozialforum").base_job_template["variables"]["properties"]["env"]
        assert pool_env["default"] == {"PREFECT_FLOWS_HEARTBEAT_FREQUENCY": "30"}
    # Twice is harmless: nothing left to do.
    assert doktor_prefect.reparatur(api, 30) == [Befund("Reparatur", "ok", "nichts zu tun")]
    # A restarted server forgot who held the deployment's slot; the counter stayed.
    leaked = httpx.patch(f"{api}/v2/concurrency_limits/deployment:{deployment_id}", json={"active_slots": 1})
    assert leaked.status_code == 204, leaked.text
    freed = "Deployment 'einladungen-versenden': 1 belegter Platz ohne laufenden Lauf freigegeben."
    assert doktor_prefect.reparatur(api, 30) == [Befund("Reparatur", "ok", freed)]

    # The command as an operator runs it, with the configured heartbeat (90 s by default).
    out = subprocess.run(
        [sys.executable, "-m", "sozialforum", "doctor", "--prefect-api", api, "--reparieren"],
        cwd=REPO,
        env=env | {"SOZIALFORUM_DATA_DIR": str(tmp_path / "var"), "COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    assert "✔ Reparatur: Automation „sozialforum: Lauf ohne Herzschlag ist abgestürzt“ angepasst (Frist 270 s)." in out
    assert "✔ Reparatur: Arbeitspool 'sozialforum': Läufe senden alle 90 s einen Herzschlag." in out
    assert "✔ Absturzerkennung: Läufe ohne Herzschlag seit 270 s werden „Crashed“ gesetzt" in out
