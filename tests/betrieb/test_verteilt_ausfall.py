"""One bad minute on several machines, both faults at once, and a run told to stop.

A worker machine dies (SIGKILL of the worker and its flow run) while its delivery run waits for
the SMTP slot, which a run lost in a restart of the Prefect server still holds (the issue's
stalled delivery; the kill falls where no message is in flight). The dead run stays Running in
Prefect and holds the deployment's ``concurrency_limit: 1`` until the product's dead-run
detection — the automation and the pool's heartbeat that ``sozialforum doctor --reparieren``
sets up from ``betrieb.herzschlag_sekunden`` (30, the shortest Prefect allows) — sets it
Crashed after three silent heartbeats. Meanwhile another machine delivers and PostgreSQL, the
store's own cluster, is stopped (``pg_ctl stop -m fast``, as an operator or a failover would)
for AUSFALL seconds, 60 as in the issue (``SOZIALFORUM_AUSFALL_SEKUNDEN`` may shorten it by
hand): that run does not end as done while work is left. The waits overlap: the automation's
window runs while the database is away. The repair then gives back the SMTP slot nobody holds.
Then the next run of the deployment starts on the second worker and finishes, and nobody gets
a message twice (counted by a loopback SMTP server).

The run during the outage is the flow's own steps for one Sitzung in a process of its own
(tests/betrieb/lauf_prozess.py: the task bodies ``einladen`` and ``zustellen``, without
Prefect's retries, which would simply wait the outage out). It fails at its first statement
against the missing server and gives its claims back in its ``finally`` as far as it can; what
it cannot give back stays leased in the run's own time ``jetzt``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from sozialforum.betrieb import doktor_prefect, prefect_pflege
from sozialforum.betrieb.prefect_server import PrefectServer
from sozialforum.cli import app
from sozialforum.store.db import make_engine
from sozialforum.store.models import OutboxMessage
from sozialforum.vocab import OutboxStatus
from tests.betrieb.helfer import NOW, einladungen, grosses_gremium, maschine, resolve_uncertain
from tests.betrieb.test_verteilt_abbruch import SCHLUESSEL, Worker, _prefect
from tests.conftest import REPO, require_service
from tests.konferenz.smtp_server import LoopbackSmtp
from tests.support.postgres import start_cluster

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

EMPFAENGER = 30
AUSFALL = float(os.environ.get("SOZIALFORUM_AUSFALL_SEKUNDEN", "60"))
HERZSCHLAG = 30  # the shortest heartbeat Prefect allows: the automation's window is 90 s


def _run(config: Path, sitzung_id: int, moment: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.betrieb.lauf_prozess", str(config), str(sitzung_id), moment],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _herzschlaege(api: str, run_id: object) -> int:
    """How many heartbeats of the flow run the Prefect server has recorded."""
    wanted = {"event": {"name": ["prefect.flow-run.heartbeat"]}, "resource": {"id": [f"prefect.flow-run.{run_id}"]}}
    body = {"filter": wanted}
    return int(httpx.post(api + "/events/filter", json=body, timeout=10).json()["total"])


def test_a_dead_worker_is_crashed_while_postgres_is_away_a_minute_and_the_next_run_finishes(
    server: PrefectServer, tmp_path: Path
) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate, WorkPoolCreate
    from prefect.settings import PREFECT_API_URL, temporary_settings
    from prefect.workers.process import ProcessWorker

    cluster = start_cluster()  # its own: stopping it must not touch the other tests' databases
    if cluster is None:
        require_service("PostgreSQL binaries (initdb, pg_ctl) not found")
    assert cluster is not None
    api = server.api_url
    log: list[str] = []
    started = time.monotonic()
    try:
        url = cluster.url()
        sitzung_id = grosses_gremium(url, EMPFAENGER, planerin="korrekt-pferd-batterie")
        store = make_engine(url)
        with LoopbackSmtp() as smtp:
            base = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "SOZIALFORUM_"))}
            base |= {
                "PREFECT_API_URL": api,
                "PREFECT_SERVER_EPHEMERAL_ENABLED": "false",
                "PREFECT_WORKER_QUERY_SECONDS": "1",
                "SOZIALFORUM_HOME": str(REPO),
                "SOZIALFORUM_PORTAL__SECRET_KEY": SCHLUESSEL,
            }
            configs = {name: maschine(tmp_path, name, url, smtp.port) for name in ("maschine-a", "maschine-b")}
            workers = {
                name: Worker(name, base | {"SOZIALFORUM_CONFIG": str(config)}, tmp_path / f"{name}-lauf")
                for name, config in configs.items()
            }
            with temporary_settings({PREFECT_API_URL: api}), get_client(sync_client=True) as client:
                # As 'prefect work-pool create sozialforum --type process' (docs/betrieb.md, step 3).
                template = ProcessWorker.get_default_base_job_template()
                client.create_work_pool(WorkPoolCreate(name="sozialforum", type="process", base_job_template=template))
                for name in workers:
                    client.create_work_queue(name=name, work_pool_name="sozialforum")
            # The operator's set-up: the automation and the pool's heartbeat, from the configuration.
            eingerichtet = doktor_prefect.reparatur(api, HERZSCHLAG)
            assert [b.stufe for b in eingerichtet] == ["ok", "ok"], eingerichtet
            with temporary_settings({PREFECT_API_URL: api}), get_client(sync_client=True) as client:
                held = GlobalConcurrencyLimitCreate(name="sozialforum-smtp", limit=1, active_slots=1)
                client.create_global_concurrency_limit(held)
            for worker in workers.values():
                worker.start()
            _prefect(base, "--no-prompt", "deploy", "--name", "einladungen-versenden")
            log.append(f"Aufbau {time.monotonic() - started:.0f} s")
            try:
                with temporary_settings({PREFECT_API_URL: api}), get_client(sync_client=True) as client:
                    deployment = client.read_deployment_by_name("einladungen_versenden/einladungen-versenden")

                    def start_run(queue: str, jetzt: str) -> object:
                        return client.create_flow_run_from_deployment(
                            deployment.id,
                            parameters={"sitzung_ids": [sitzung_id], "jetzt": jetzt},
                            work_queue_name=queue,
                        )

                    def state(run_id: object) -> str:
                        return str(client.read_flow_run(run_id).state.type.value)  # type: ignore[arg-type]

                    # 1. Machine A dies while its run waits for the SMTP slot, which a run lost in
                    # a restart of the Prefect server still holds (the stalled delivery).
                    dead = start_run("maschine-a", NOW.isoformat())
                    deadline = time.monotonic() + 120
                    while not _herzschlaege(api, dead.id):  # its heartbeat (from the pool's template) arrives
                        assert time.monotonic() < deadline, workers["maschine-a"].log()
                        assert state(dead.id) not in ("COMPLETED", "FAILED", "CRASHED"), workers["maschine-a"].log()
                        time.sleep(0.5)
                    assert state(dead.id) == "RUNNING" and smtp.collector.messages == []
                    workers["maschine-a"].kill()
                    killed = time.monotonic()
                    log.append(f"maschine-a getötet {killed - started:.0f} s nach Beginn")

                    # 2. Machine B delivers meanwhile (not through Prefect, so without the slot) …
                    second = _run(configs["maschine-b"], sitzung_id, (NOW + timedelta(minutes=2)).isoformat())
                    while len(smtp.collector.messages) < 8:
                        assert second.poll() is None and time.monotonic() < deadline, second.communicate()[0]
                        time.sleep(0.01)
                    # … and the database goes away under it.
                    cluster.ausschalten()
                    stopped = time.monotonic()
                    out, _ = second.communicate(timeout=120)
                    assert second.returncode != 0, out  # not done, with work left
                    assert "OperationalError" in out or "Verbindung" in out or "connection" in out.lower(), out
                    log.append(f"Datenbank weg bei {len(smtp.collector.messages)} Nachrichten")

                    # 3. Meanwhile the automation sets the silent run Crashed (Prefect's own server
                    # and database are unaffected): three heartbeats after its last one.
                    while state(dead.id) != "CRASHED":
                        assert time.monotonic() < killed + 3 * HERZSCHLAG + 60, (state(dead.id), log)
                        time.sleep(1)
                    crashed = client.read_flow_run(dead.id).state
                    assert crashed is not None and "Kein Herzschlag seit 90 s" in str(crashed.message), crashed
                    log.append(f"Crashed {time.monotonic() - killed:.0f} s nach dem Tod")

                    time.sleep(max(0.0, AUSFALL - (time.monotonic() - stopped)))
                    cluster.einschalten()
                    log.append(f"Datenbank {time.monotonic() - stopped:.0f} s weg")
                    with store.connect() as connection:
                        left = connection.scalar(
                            sa.select(sa.func.count()).where(OutboxMessage.status != OutboxStatus.SENT.value)  # type: ignore[arg-type]
                        )
                    assert left and left > 0, "no work left behind: the faults came too late"

                    # 4. The repair finds the dead run already ended and gives back the SMTP slot
                    # that nobody holds; the next run of the deployment starts and finishes.
                    repaired = [b.meldung for b in doktor_prefect.reparatur(api, HERZSCHLAG)]
                    assert repaired == ["Grenze 'sozialforum-smtp': 1 belegter Platz ohne laufenden Lauf freigegeben."]
                    last = start_run("maschine-b", (NOW + timedelta(minutes=4)).isoformat())
                    deadline = time.monotonic() + 120
                    while state(last.id) not in ("COMPLETED", "FAILED", "CRASHED"):
                        assert time.monotonic() < deadline, (state(last.id), workers["maschine-b"].log())
                        time.sleep(0.5)
                    assert state(last.id) == "COMPLETED", workers["maschine-b"].log()
                    # The outage may fall between a hand-over record and its booking: that message is
                    # "Zustellung unklar", decided as a person would after looking at the server's count.
                    config_b = ["--konfiguration", str(configs["maschine-b"])]
                    _, again = resolve_uncertain(store, einladungen(smtp.collector.messages), config_b)
                    if again:
                        result = CliRunner().invoke(app, [*config_b, "konferenz", "zustellen"], catch_exceptions=False)
                        assert result.exit_code == 0, result.output
                received = einladungen(smtp.collector.messages)
            finally:
                for worker in workers.values():
                    worker.stop()
        per_recipient = Counter(message.rcpt_tos[0] for message in received)
        assert set(per_recipient) == {f"person{n}@traeger.example" for n in range(EMPFAENGER)}
        assert [r for r, n in per_recipient.items() if n != 1] == [], (log, out)
        with store.connect() as connection:
            invitations = sa.select(OutboxMessage.status).where(OutboxMessage.art != "zustellprobleme")
            statuses = Counter(connection.scalars(invitations).all())
        assert statuses == {OutboxStatus.SENT.value: EMPFAENGER}
        assert prefect_pflege.reparieren(api, tot_nach=prefect_pflege.frist(HERZSCHLAG)).getan == []
        store.dispose()
        print("\n".join([*log, f"gesamt {time.monotonic() - started:.0f} s"]))
    finally:
        cluster.stop()


def test_a_run_told_to_stop_gives_back_its_claims_at_once(tmp_path: Path) -> None:
    """SIGTERM during a delivery (a worker being stopped): the run ends within seconds and hands
    its claims back — what it handed over booked as sent, the rest queued again — so a run at
    the very same moment (no lease has run out) sends the rest, each message once."""
    url = f"sqlite:///{tmp_path / 'bestand.db'}"
    sitzung_id = grosses_gremium(url, 20, planerin="korrekt-pferd-batterie")
    with LoopbackSmtp() as smtp:
        config = maschine(tmp_path, "maschine-a", url, smtp.port)
        first = _run(config, sitzung_id, NOW.isoformat())
        deadline = time.monotonic() + 120
        while len(smtp.collector.messages) < 5:
            assert first.poll() is None and time.monotonic() < deadline, first.communicate()[0]
            time.sleep(0.01)
        first.send_signal(signal.SIGTERM)
        stopped = time.monotonic()
        out, _ = first.communicate(timeout=60)
        took = time.monotonic() - stopped
        # Seconds, not the 60 s lease: 5.3 s were measured at load 12 on 2 cores (Python's exit
        # and the handback's commit wait for a core), so the bound leaves room below the lease.
        assert first.returncode != 0 and took < 15, (took, out)
        engine = make_engine(url)
        with engine.connect() as connection:
            statuses = Counter(connection.scalars(sa.select(OutboxMessage.status)).all())
        assert OutboxStatus.SENDING.value not in statuses, (statuses, out)
        # The same moment on another machine: nothing is held, everything left goes out.
        other = maschine(tmp_path, "maschine-b", url, smtp.port)
        second = _run(other, sitzung_id, NOW.isoformat())
        out2, _ = second.communicate(timeout=180)
        assert second.returncode == 0, out2
        received = list(smtp.collector.messages)
    per_recipient = Counter(message.rcpt_tos[0] for message in received)
    assert set(per_recipient) == {f"person{n}@traeger.example" for n in range(20)}
    assert [r for r, n in per_recipient.items() if n != 1] == [], (out, out2)
    engine.dispose()
