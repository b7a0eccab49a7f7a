"""Two machines for real, one of them killed again and again during an invitation delivery.

A Prefect server on PostgreSQL, the store on PostgreSQL, a real S3-compatible object store
(SeaweedFS), the deployment registered with ``prefect deploy``, and two process workers
(``sozialforum worker``, as docs/betrieb.md starts them), each
with its own ``data_dir`` and configuration and nothing shared on disk ("maschine-a" and
"maschine-b", each on its own work queue of the pool, so the test decides which one runs a
flow run). The delivery is paced (``mail.nachrichten_pro_sekunde``) so that kill points fall
inside it. At each point the worker that runs the delivery is killed with SIGKILL, together
with its flow-run process (the machine is gone); the run is marked Crashed (what the
heartbeat-missing automation does in operations after its timeout — done at once here to fit
the time) and the next run goes to the other machine. The last run completes.

Every recipient gets exactly one message, counted by a loopback SMTP server; the participant
list the finishing worker wrote is downloaded in the workspace of a third machine.

Kill points are chosen by the number of messages the SMTP server has received (random, spread
over the delivery) and once while the run is still starting; each kill falls 0–100 ms after
that receipt, anywhere in the next message's transaction (the pacing leaves 100 ms between two),
without waiting for anything the store records. Nothing is ever sent twice: a message killed
after its hand-over record is set aside as "Zustellung unklar"; at the end the test looks at
the SMTP server's count for each such recipient and decides with the product's command
(``sozialforum konferenz unklar``), as a person would, and delivers what it sent again.

Before the last run, the flow-run process of a run gets SIGTERM two messages into its delivery
(what Prefect's cancellation and an operator stopping the run send): it stops after the message
on the wire and gives its claims back, and the engine ends the run as Crashed, within seconds,
with nothing left "sending". Then a machine is stopped as ``systemctl stop`` stops its unit (the
default KillMode=control-group): SIGTERM to the worker and its flow-run process at once, two
messages into a delivery. The worker waits for its run, which gives back the same way; both are
gone within seconds (``prefect worker start`` SIGKILLed the run 30–50 ms after the signal,
before it could give anything back: flows/worker.py).
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote
from uuid import UUID

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from sozialforum.ablage import s3
from sozialforum.arbeitsplatz.app import create_app
from sozialforum.betrieb import prefect_pflege
from sozialforum.betrieb.prefect_server import PrefectServer
from sozialforum.cli import app
from sozialforum.settings import load_settings
from sozialforum.store.db import make_engine
from sozialforum.store.models import OutboxMessage
from sozialforum.vocab import OutboxStatus
from tests.arbeitsplatz.conftest import login
from tests.betrieb.helfer import NOW, einladungen, grosses_gremium, maschine, resolve_uncertain
from tests.conftest import REPO, new_pg_database
from tests.konferenz.smtp_server import LoopbackSmtp
from tests.portal.conftest import Clock
from tests.support.objektspeicher import Objektspeicher
from tests.support.postgres import PgCluster

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

EMPFAENGER = 48
SCHLUESSEL = "verteilt-test-" + "k" * 40
PASSWORT = "korrekt-pferd-batterie"


def _prefect(env: dict[str, str], *args: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "prefect", *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=180
    )
    assert result.returncode == 0, f"prefect {' '.join(args)}:\n{result.stdout}\n{result.stderr}"


class Worker:
    """``sozialforum worker`` for one machine: its queue, its configuration, its own folder."""

    def __init__(self, name: str, env: dict[str, str], folder: Path) -> None:
        self.name, self.env, self.folder = name, env, folder
        self.process: subprocess.Popen[bytes] | None = None
        folder.mkdir(parents=True, exist_ok=True)

    def start(self) -> None:
        with (self.folder / "worker.log").open("ab") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "sozialforum",
                    "worker",
                    "--pool",
                    "sozialforum",
                    "--work-queue",
                    self.name,
                    "--name",
                    self.name,
                ],
                cwd=self.folder,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def kill(self) -> None:
        """SIGKILL the worker and every process below it (its flow runs): the machine is gone."""
        assert self.process is not None
        for pid in [self.process.pid, *_descendants(self.process.pid)]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.kill()

    def log(self) -> str:
        return (self.folder / "worker.log").read_text(errors="replace")[-3000:]


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _two_messages_in(client: Any, smtp: LoopbackSmtp, worker: Worker, run_id: UUID) -> int:
    deadline = time.monotonic() + 90
    target = len(smtp.collector.messages) + 2
    while len(smtp.collector.messages) < target:
        assert time.monotonic() < deadline and _state(client, run_id) != "COMPLETED", worker.log()
        time.sleep(0.002)
    return target


def _engines(worker: Worker) -> list[int]:
    assert worker.process is not None
    return [p for p in _descendants(worker.process.pid) if b"prefect.engine" in Path(f"/proc/{p}/cmdline").read_bytes()]


def _given_back(client: Any, store: Engine, worker: Worker, run_id: UUID, stopped: float) -> float:
    """The run has ended Crashed (not Running, not Completed) within seconds, nothing is left
    "sending"; returns the seconds since ``stopped``."""
    while _state(client, run_id) == "RUNNING":
        assert time.monotonic() - stopped < 40, f"Lauf nach 40 s noch Running\n{worker.log()}"
        time.sleep(0.05)
    took = time.monotonic() - stopped
    with store.connect() as connection:
        sending = connection.scalar(
            sa.select(sa.func.count()).where(OutboxMessage.status == OutboxStatus.SENDING.value)  # type: ignore[arg-type]
        )
    state = _state(client, run_id)
    assert sending == 0 and state == "CRASHED", (sending, state, worker.log())
    return took


def _terminate(client: Any, store: Engine, smtp: LoopbackSmtp, worker: Worker, run_id: UUID) -> str:
    """SIGTERM to the flow-run process two messages into the delivery: it ends within seconds,
    the run is Crashed (not Running, not Completed), and nothing is left "sending"."""
    target = _two_messages_in(client, smtp, worker, run_id)
    engines = _engines(worker)
    assert len(engines) == 1, engines
    stopped = time.monotonic()
    os.kill(engines[0], signal.SIGTERM)
    while _alive(engines[0]):
        assert time.monotonic() - stopped < 15, f"SIGTERM nach 15 s nicht befolgt\n{worker.log()}"
        time.sleep(0.05)
    took = _given_back(client, store, worker, run_id, stopped)
    assert took < 5, (took, worker.log())
    return f"SIGTERM bei {target} Nachrichten: beendet nach {took:.1f} s, Lauf CRASHED, nichts mehr beansprucht"


def _stop_machine(client: Any, store: Engine, smtp: LoopbackSmtp, worker: Worker, run_id: UUID) -> str:
    """``systemctl stop`` with KillMode=control-group: SIGTERM to the worker and its flow-run
    process at once, two messages into the delivery. The worker waits for its run, the run gives
    its claims back; both end within seconds."""
    target = _two_messages_in(client, smtp, worker, run_id)
    assert worker.process is not None and len(_engines(worker)) == 1, worker.log()
    unit = [worker.process.pid, *_descendants(worker.process.pid)]
    stopped = time.monotonic()
    for pid in unit:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    worker.process.wait(40)
    ended = time.monotonic() - stopped
    took = _given_back(client, store, worker, run_id, stopped)
    assert ended < 10 and "Alle Flow-Läufe beendet" in worker.log(), (ended, worker.log())
    return (
        f"Worker samt Lauf mit SIGTERM gestoppt bei {target} Nachrichten: Worker weg nach {ended:.1f} s, "
        f"Lauf CRASHED nach {took:.1f} s, nichts mehr beansprucht"
    )


def _alive(pid: int) -> bool:
    """A process that has not ended (a zombie waiting for its parent counts as ended)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _state(client: Any, run_id: UUID) -> str:
    return str(client.read_flow_run(run_id).state.type.value)


def test_two_workers_one_killed_at_ten_points_every_recipient_gets_one_message(
    server: PrefectServer, pg_cluster: PgCluster, objektspeicher: Objektspeicher, tmp_path: Path
) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.settings import PREFECT_API_URL, temporary_settings

    started = time.monotonic()
    url = new_pg_database(pg_cluster)
    sitzung_id = grosses_gremium(url, EMPFAENGER, planerin=PASSWORT)
    ablage = objektspeicher.ablage(f"t-{uuid.uuid4().hex[:12]}")
    s3.client(load_settings(None, ablage=ablage)).ensure_bucket()
    seed = int(os.environ.get("SOZIALFORUM_KILL_SEED", random.randrange(1_000_000)))
    rng = random.Random(seed)
    # Ten kill points: one while the first run starts, nine spread over the messages.
    points = sorted(rng.sample(range(2, EMPFAENGER - 12), 9))  # the last dozen for the two SIGTERMs
    log = [f"seed={seed} Punkte={points}"]
    store = make_engine(url)

    with LoopbackSmtp() as smtp:
        base = {key: value for key, value in os.environ.items() if not key.startswith(("PREFECT_", "SOZIALFORUM_"))}
        base |= {
            "PREFECT_API_URL": server.api_url,
            "PREFECT_SERVER_EPHEMERAL_ENABLED": "false",
            "PREFECT_WORKER_QUERY_SECONDS": "1",
            "SOZIALFORUM_HOME": str(REPO),
            "SOZIALFORUM_PORTAL__SECRET_KEY": SCHLUESSEL,  # one signing key on every machine
        }
        workers = {}
        for name in ("maschine-a", "maschine-b"):
            config = maschine(tmp_path, name, url, smtp.port, ablage)
            workers[name] = Worker(name, base | {"SOZIALFORUM_CONFIG": str(config)}, tmp_path / f"{name}-lauf")
        with temporary_settings({PREFECT_API_URL: server.api_url}), get_client(sync_client=True) as client:
            client.create_work_pool(WorkPoolCreate(name="sozialforum", type="process"))
            for name in workers:
                client.create_work_queue(name=name, work_pool_name="sozialforum")
        for worker in workers.values():
            worker.start()
        _prefect(base, "--no-prompt", "deploy", "--name", "einladungen-versenden")
        log.append(f"Aufbau {time.monotonic() - started:.0f} s")
        try:
            with temporary_settings({PREFECT_API_URL: server.api_url}), get_client(sync_client=True) as client:
                deployment = client.read_deployment_by_name("einladungen_versenden/einladungen-versenden")
                names = list(workers)
                for attempt in range(len(points) + 4):
                    worker = workers[names[attempt % 2]]
                    # Each run is a later run (time is a parameter): the claims of a killed run have expired.
                    jetzt = NOW + timedelta(minutes=2 * attempt)
                    run = client.create_flow_run_from_deployment(
                        deployment.id,
                        parameters={"sitzung_ids": [sitzung_id], "jetzt": jetzt.isoformat()},
                        work_queue_name=worker.name,
                    )
                    if attempt == len(points) + 1:  # SIGTERM to the flow-run process: it gives back
                        log.append(_terminate(client, store, smtp, worker, run.id))
                        continue
                    if attempt == len(points) + 2:  # the machine's unit is stopped: the run gives back
                        log.append(_stop_machine(client, store, smtp, worker, run.id))
                        worker.start()
                        continue
                    if attempt == len(points) + 3:  # the last run finishes
                        deadline = time.monotonic() + 120
                        while _state(client, run.id) not in ("COMPLETED", "FAILED", "CRASHED"):
                            assert time.monotonic() < deadline, worker.log()
                            time.sleep(0.5)
                        log.append(f"{worker.name}: {_state(client, run.id)} bei {len(smtp.collector.messages)}")
                        assert _state(client, run.id) == "COMPLETED", f"{log}\n{worker.log()}"
                        break
                    deadline = time.monotonic() + 90
                    if attempt == 0:  # while the run starts on the worker, before anything is sent
                        while _state(client, run.id) != "RUNNING":
                            assert time.monotonic() < deadline, worker.log()
                            time.sleep(0.05)
                        time.sleep(rng.uniform(0.2, 1.5))
                    else:
                        target = max(points[attempt - 1], len(smtp.collector.messages) + 1)
                        while len(smtp.collector.messages) < target:
                            assert time.monotonic() < deadline, f"{log}\n{worker.log()}"
                            assert _state(client, run.id) not in ("COMPLETED", "FAILED"), worker.log()
                            time.sleep(0.002)
                        time.sleep(rng.uniform(0, 0.1))  # anywhere in the next transaction
                    worker.kill()
                    log.append(f"{worker.name} getötet bei {len(smtp.collector.messages)} Nachrichten")
                    # The product's repair ('sozialforum doctor --reparieren', here without waiting out
                    # the heartbeat window): the dead run is Crashed, which gives back its slot.
                    assert prefect_pflege.reparieren(server.api_url, tot_nach=timedelta(0)).getan, worker.log()
                    worker.start()  # the machine comes back; it takes the run after next
            # Nothing went out twice; then a person decides the messages of unclear delivery.
            twice = [
                r for r, n in Counter(m.rcpt_tos[0] for m in einladungen(smtp.collector.messages)).items() if n > 1
            ]
            assert twice == [], log
            config_a = ["--konfiguration", str(tmp_path / "maschine-a.toml")]
            confirmed, again = resolve_uncertain(store, einladungen(smtp.collector.messages), config_a)
            log.append(f"unklar: {len(confirmed)} bestätigt, {len(again)} erneut gesendet")
            if again:
                result = CliRunner().invoke(app, [*config_a, "konferenz", "zustellen"], catch_exceptions=False)
                assert result.exit_code == 0, result.output
            received = einladungen(smtp.collector.messages)
        finally:
            for worker in workers.values():
                worker.stop()
    log.append(f"gesamt {time.monotonic() - started:.0f} s")

    per_recipient = Counter(message.rcpt_tos[0] for message in received)
    engine = store
    with engine.connect() as connection:
        statuses = Counter(
            connection.scalars(sa.select(OutboxMessage.status).where(OutboxMessage.art != "zustellprobleme")).all()
        )
        # Messages left unclear reached the Geschäftsstelle in the Zustellprobleme mail (outbox.probleme).
        reports = connection.scalars(
            sa.select(OutboxMessage.bezug).where(
                OutboxMessage.art == "zustellprobleme", OutboxMessage.status == OutboxStatus.SENT.value
            )
        ).all()
        twice = [r for r, n in per_recipient.items() if n != 1]
        replies = connection.execute(
            sa.select(OutboxMessage.empfaenger, OutboxMessage.antwort_server).where(
                OutboxMessage.empfaenger.in_(twice)  # type: ignore[attr-defined]
            )
        ).all()
    identical = [len({m.content for m in received if m.rcpt_tos[0] == r}) == 1 for r in twice]
    detail = "\n".join([*log, f"doppelt: {twice} gleiche Bytes: {identical} {replies}"])
    expected = {f"person{n}@traeger.example" for n in range(EMPFAENGER)}
    assert set(per_recipient) == expected, detail
    assert twice == [], detail
    assert statuses == {OutboxStatus.SENT.value: EMPFAENGER}, detail
    assert bool(confirmed or again) == any(r.get("unklar") for r in reports), (reports, detail)
    # The participant list of the finishing worker, downloaded in the workspace of a third machine.
    settings_c = load_settings(
        None,
        data_dir=tmp_path / "maschine-c",
        database_url=url,
        ablage=ablage,
        portal={"base_url": "http://testserver", "secret_key": SCHLUESSEL},
    )
    with TestClient(create_app(settings_c, engine, clock=Clock(NOW)), base_url="http://testserver") as client_c:
        login(client_c, "planerin", PASSWORT)
        page = client_c.get("/arbeitsplatz/ablage?bereich=berichte/")
        keys = [k for k in s3.client(settings_c).list("berichte/teilnehmerlisten/") if k.endswith(".html")]
        assert keys, log
        assert f"schluessel={quote(keys[0], safe='')}" in page.text
        download = client_c.get("/arbeitsplatz/ablage", params={"schluessel": keys[0]})
        assert download.status_code == 200 and "Person 0" in download.text
    store.dispose()
    print("\n".join(log))
