"""Benchmark: 200 concurrent clients submit RSVPs to the portal over loopback, and in the same run
the same load against a bare FastAPI endpoint (form parsing, 303, nothing else).

Each server runs in its own uvicorn process (one worker, as ``sozialforum portal`` runs it). The
load comes from ``--prozesse`` separate client processes (each its own asyncio loop and httpx
clients, one connection per client), never from the benchmark's own process. Every client
fetches its page once (CSRF token), then posts ``--runden`` answers with its own personal link;
afterwards the store must hold exactly one Rückmeldung per person with the last answer, and
exactly one audit entry per submission (0 lost, nothing twice).

Prints answers/s and p50/p99 latency of both and their ratio (goal: portal ≥ 0.5 × bare), and the
server process's CPU time per request (user + system from /proc, read at the edges of two
windows: the page fetches, then the answers) beside the bare endpoint's: ``cpu_ratio`` in the
last JSON line is portal CPU per request / bare CPU per request over both windows (goal ≤ 1.5).
Each server gets one page request before the windows open (its one-time start-up work is no
cost per request).
Servers and clients share the machine's cores (and, on a shared box, with everything else), so
throughput varies between runs; CPU per request varies less. Compare medians of repetitions.

    python benchmarks/portal.py [--clients 200] [--runden 5] [--prozesse 4] [--wiederholungen 3] [--db URL]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response

if TYPE_CHECKING:
    from multiprocessing.queues import Queue
    from multiprocessing.synchronize import Barrier, Event

NOW = datetime.now(UTC)
ANSWERS = ("zusage", "vielleicht", "absage")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def settings_for(folder: Path, url: str, port: int):  # type: ignore[no-untyped-def]
    from sozialforum.settings import Settings

    return Settings(
        data_dir=folder,
        database_url=url,
        portal={"base_url": f"http://127.0.0.1:{port}", "secret_key": "benchmark-" + "k" * 40},
    )


def prepare(folder: Path, url: str, port: int, clients: int) -> list[str]:
    """A migrated store with one Sitzung and ``clients`` persons, each with an RSVP link."""
    from sozialforum.links import issue_link
    from sozialforum.store.db import make_engine, migrate, session_scope
    from sozialforum.store.models import Gremium, Organisation, Person, Sitzung
    from sozialforum.vocab import GremiumArt, LinkZweck, OrganisationArt, Rechtsgrundlage

    engine = make_engine(url)
    migrate(engine)
    settings = settings_for(folder, url, port)
    with session_scope(engine, actor="benchmark") as session:
        gremium = Gremium(kennung="BENCH", name="Sozialraumkonferenz Bench", art=GremiumArt.SOZIALRAUMKONFERENZ)
        session.add(gremium)
        session.flush()
        beginn = NOW + timedelta(days=14)
        sitzung = Sitzung(
            gremium_id=gremium.id,
            titel="Lasttest",
            beginn=beginn,
            ende=beginn + timedelta(hours=2),
            ical_uid=f"bench-{time.time_ns()}@sozialforum",
        )
        session.add(sitzung)
        session.flush()
        urls = []
        for i in range(clients):
            org = Organisation(kennung=f"BT{i}", name=f"Träger {i}", art=OrganisationArt.FREIER_TRAEGER)
            session.add(org)
            session.flush()
            person = Person(
                kennung=f"BP{i}",
                nachname=f"Person {i}",
                email=f"p{i}@bench.example",
                organisation_id=org.id,
                rechtsgrundlage=Rechtsgrundlage.EINWILLIGUNG,
            )
            session.add(person)
            session.flush()
            urls.append(
                issue_link(
                    session,
                    person_id=person.id,
                    zweck=LinkZweck.RSVP,  # type: ignore[arg-type]
                    bezug_id=sitzung.id,
                    now=NOW,
                    settings=settings,
                )
            )  # type: ignore[arg-type]
    engine.dispose()
    return urls


def bare_app() -> FastAPI:
    """The baseline: the same route shape, form parsing and 303, and nothing else."""
    app = FastAPI()

    @app.post("/bare/{token}")
    async def bare(request: Request, token: str) -> Response:
        await request.form()
        return RedirectResponse(f"/bare/{token}?gespeichert=1", status_code=303)

    @app.get("/bare/{token}")
    async def bare_page(token: str) -> Response:
        return Response('<input type="hidden" name="csrf" value="x">', media_type="text/html")

    return app


def serve(kind: str, folder: str, url: str, port: int) -> None:
    """Child process: run the portal or the bare app with uvicorn (as `sozialforum portal` does)."""
    import uvicorn

    if kind == "portal":
        from sozialforum.portal.app import create_app
        from sozialforum.store.db import make_engine

        app = create_app(settings_for(Path(folder), url, port), make_engine(url))
    else:
        app = bare_app()
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def start_server(kind: str, folder: Path, url: str, port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [sys.executable, __file__, "--serve", kind, "--ordner", str(folder), "--db", url, "--port", str(port)]
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit(f"{kind}-Server startet nicht.")


async def _client_load(
    urls: list[str], rounds: int, tag: str, first: int, pages_done: Barrier, go: Event
) -> tuple[list[float], int]:
    """One client process: its clients fetch their pages (CSRF token), wait for the start, then
    each posts ``rounds`` answers. Returns the answers' latencies and the failed answers."""
    import httpx

    latencies: list[float] = []
    failures = 0
    clients = [httpx.AsyncClient(timeout=60) for _ in urls]
    try:
        pages = await asyncio.gather(*(client.get(url) for client, url in zip(clients, urls, strict=True)))
        tokens = []
        for page in pages:
            match = re.search(r'name="csrf" value="([^"]+)"', page.text)
            tokens.append(match.group(1) if match else "")
        # Blocking waits are fine here: until the start, this process has nothing else to do.
        pages_done.wait()
        go.wait()

        async def one_client(index: int, client: httpx.AsyncClient, url: str, csrf: str) -> None:
            nonlocal failures
            for round_ in range(rounds):
                data = {
                    "csrf": csrf,
                    "antwort": ANSWERS[round_ % 3],
                    "personen": "1",
                    "kommentar": f"client {index}{tag} runde {round_}",
                }
                began = time.perf_counter()
                response = await client.post(url, data=data)
                latencies.append(time.perf_counter() - began)
                if response.status_code != 303:
                    failures += 1

        await asyncio.gather(
            *(
                one_client(first + i, client, url, csrf)
                for i, (client, url, csrf) in enumerate(zip(clients, urls, tokens, strict=True))
            )
        )
    finally:
        await asyncio.gather(*(client.aclose() for client in clients))
    return latencies, failures


def _client_process(
    urls: list[str], rounds: int, tag: str, first: int, started: Barrier, pages_done: Barrier, go: Event, results: Queue
) -> None:  # type: ignore[type-arg]
    started.wait()
    results.put(asyncio.run(_client_load(urls, rounds, tag, first, pages_done, go)))


def load(urls: list[str], rounds: int, processes: int, pid: int, tag: str) -> dict[str, float]:
    """Run the clients in ``processes`` separate processes (each its own asyncio loop and httpx
    clients), so that the load generator's CPU is never the benchmark's or the server's.

    Two measured windows: the page fetches (every client once: the page and its CSRF token),
    then, after all pages are in, the answers. The server's CPU time is read at their edges."""
    context = multiprocessing.get_context("spawn")
    processes = max(1, min(processes, len(urls)))
    started, pages_done = context.Barrier(processes + 1), context.Barrier(processes + 1)
    go, results = context.Event(), context.Queue()
    share = -(-len(urls) // processes)
    workers = [
        context.Process(
            target=_client_process,
            args=(urls[i : i + share], rounds, tag, i, started, pages_done, go, results),
            daemon=True,
        )
        for i in range(0, len(urls), share)
    ]
    for worker in workers:
        worker.start()
    try:
        started.wait(timeout=120)  # every client process is up and imported
        cpu_start = cpu_seconds(pid)
        pages_began = time.perf_counter()
        pages_done.wait(timeout=300)
        pages_elapsed = time.perf_counter() - pages_began
        cpu_pages = cpu_seconds(pid)
        began = time.perf_counter()
        go.set()
        collected = [results.get(timeout=600) for _ in workers]
        elapsed = time.perf_counter() - began
        cpu_answers = cpu_seconds(pid)
    finally:
        for worker in workers:
            worker.join(timeout=30)
            if worker.is_alive():
                worker.kill()
    latencies = sorted(latency for part, _ in collected for latency in part)
    answers = max(len(latencies), 1)
    return {
        "rps": len(latencies) / elapsed,
        "p50_ms": latencies[len(latencies) // 2] * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000,
        "fehler": sum(failures for _, failures in collected),
        "anfragen": len(latencies),
        "seiten": len(urls),
        "seiten_s": pages_elapsed,
        "cpu_ms_pro_antwort": (cpu_answers - cpu_pages) * 1000 / answers,
        "cpu_ms_pro_seite": (cpu_pages - cpu_start) * 1000 / len(urls),
        "cpu_ms_pro_anfrage": (cpu_answers - cpu_start) * 1000 / (answers + len(urls)),
    }


def measure(
    kind: str, folder: Path, url: str, urls: list[str], rounds: int, processes: int, tag: str
) -> dict[str, float]:
    port = int(urls[0].split(":")[2].split("/")[0])
    if kind == "bare":
        urls = [re.sub(r"/rueckmeldung/", "/bare/", u) for u in urls]
    server = start_server(kind, folder, url, port)
    try:
        import httpx

        # One request before the measured windows: work a server does once (its first database
        # connection, modules imported on first use) is start-up, not a cost per request.
        httpx.get(urls[-1], timeout=60).raise_for_status()
        return load(urls, rounds, processes, server.pid, tag)
    finally:
        server.terminate()
        server.wait(timeout=30)


def cpu_seconds(pid: int) -> float:
    """CPU time of the server process (user + system), to see its cost apart from the load."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def median(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


def check_store(url: str, clients: int, rounds: int) -> tuple[int, int, int]:
    """(rows, rows with the last answer, audit entries) for the Rückmeldungen of the run."""
    import sqlalchemy as sa

    from sozialforum.store.db import make_engine

    engine = make_engine(url)
    last = (rounds - 1) % 3
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT id, antwort, kommentar FROM rueckmeldung")).all()
        good = sum(
            1 for _, answer, comment in rows if answer == ANSWERS[last] and comment.endswith(f"runde {rounds - 1}")
        )
        audit = conn.execute(sa.text("SELECT count(*) FROM audit_entry WHERE tabelle = 'rueckmeldung'")).scalar()
    engine.dispose()
    return len(rows), good, int(audit or 0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--runden", type=int, default=5)
    parser.add_argument(
        "--prozesse",
        type=int,
        default=4,
        help="Client-Prozesse, auf die sich die Clients verteilen (die Last entsteht nicht im Prozess des Benchmarks)",
    )
    parser.add_argument(
        "--wiederholungen",
        type=int,
        default=3,
        help="bare und Portal abwechselnd so oft messen; berichtet wird der Median "
        "(die Maschine teilt sich die Kerne, einzelne Läufe schwanken)",
    )
    parser.add_argument("--db", default=None, help="Datenbank-URL (Standard: SQLite im Temp-Ordner)")
    parser.add_argument("--serve", choices=("portal", "bare"))
    parser.add_argument("--ordner")
    parser.add_argument("--port", type=int)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.ordner, args.db, args.port)
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        url = args.db or f"sqlite:///{folder / 'bench.db'}"
        urls = prepare(folder, url, free_port(), args.clients)
        runs: dict[str, list[dict[str, float]]] = {"bare": [], "portal": []}
        for repetition in range(args.wiederholungen):
            for kind in ("bare", "portal"):
                runs[kind].append(measure(kind, folder, url, urls, args.runden, args.prozesse, f" w{repetition}"))
        rows, good, audit = check_store(url, args.clients, args.runden)
    bare, portal = (
        {key: median([run[key] for run in runs[kind]]) for key in runs[kind][0]} for kind in ("bare", "portal")
    )
    portal["fehler"] = sum(run["fehler"] for run in runs["portal"])
    expected = args.clients * args.runden * args.wiederholungen
    lost = expected - audit  # one audit entry per submission: one create, then one update each
    ratios = [p["rps"] / b["rps"] for p, b in zip(runs["portal"], runs["bare"], strict=True)]
    ratio = median(ratios)

    def cpu_ratios(key: str) -> list[float]:
        return [p[key] / b[key] for p, b in zip(runs["portal"], runs["bare"], strict=True)]

    cpu = cpu_ratios("cpu_ms_pro_anfrage")
    cpu_ratio = median(cpu)
    print(
        f"{args.clients} Clients in {args.prozesse} Client-Prozessen × {args.runden} Rückmeldungen × "
        f"{args.wiederholungen} Wiederholungen ({'SQLite' if not args.db else 'PostgreSQL'}; Median):"
    )
    for name, result in (("bare FastAPI", bare), ("Portal", portal)):
        print(
            f"  {name:13s} {result['rps']:8.1f} Antworten/s   p50 {result['p50_ms']:7.1f} ms   "
            f"p99 {result['p99_ms']:7.1f} ms   Fehler {result['fehler']:.0f}\n"
            f"  {'':13s} Server-CPU {result['cpu_ms_pro_anfrage']:.2f} ms/Anfrage "
            f"(Seite {result['cpu_ms_pro_seite']:.2f} ms, Antwort {result['cpu_ms_pro_antwort']:.2f} ms)"
        )
    print(f"  Durchsatz Portal/bare: {ratio:.2f} (Ziel ≥ 0,5; je Wiederholung {', '.join(f'{r:.2f}' for r in ratios)})")
    print(
        f"  Server-CPU je Anfrage Portal/bare: {cpu_ratio:.2f} (Ziel ≤ 1,5; je Wiederholung "
        f"{', '.join(f'{r:.2f}' for r in cpu)}; Seiten {median(cpu_ratios('cpu_ms_pro_seite')):.2f}, "
        f"Antworten {median(cpu_ratios('cpu_ms_pro_antwort')):.2f})"
    )
    print(
        f"  Rückmeldungen: {rows} Zeilen, {good} mit der letzten Antwort; Audit-Einträge {audit} "
        f"von {expected}; verloren: {lost}"
    )
    print(
        json.dumps(
            {
                "ratio": round(ratio, 3),
                "ratios": [round(r, 3) for r in ratios],
                "cpu_ratio": round(cpu_ratio, 3),
                "cpu_ratios": [round(r, 3) for r in cpu],
                "lost": lost,
                "rows": rows,
                "portal": portal,
                "bare": bare,
            }
        )
    )
    if lost != 0 or rows != args.clients or good != args.clients or portal["fehler"]:
        raise SystemExit(1)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
