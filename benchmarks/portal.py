"""Benchmark: 200 concurrent clients submit RSVPs to the portal over loopback, and in the same run
the same load against a bare FastAPI endpoint (form parsing, 303, nothing else).

Each server runs in its own uvicorn process (one worker, as ``sozialforum portal`` runs it), the
clients in this process (asyncio + httpx, one connection each). Every client posts ``--runden``
answers with its own personal link and CSRF token; afterwards the store must hold exactly one
Rückmeldung per person with the last answer, and exactly one audit entry per submission
(0 lost, nothing twice). Prints requests/s and p50/p99 latency of both and their ratio.
Goal: portal ≥ 0.5 × bare, 0 lost.

The measured window opens once all clients are created, just as they fetch their pages, so the
200 page fetches (for the portal: the rendered RSVP page) fall into it too; "Server-CPU" is the
server process's CPU time in the window per answer, page fetches included. Both processes share
the machine's cores with the clients (and, on a shared box, with everything else), so single
runs vary a lot; compare medians of several repetitions.

    python benchmarks/portal.py [--clients 200] [--runden 5] [--wiederholungen 3] [--db URL]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response

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


async def load(urls: list[str], rounds: int, pid: int = 0, tag: str = "") -> tuple[float, list[float], int, float]:
    """Every client: fetch its page once (CSRF token), then post ``rounds`` answers."""
    import httpx

    latencies: list[float] = []
    failures = 0

    async def one_client(index: int, url: str) -> None:
        nonlocal failures
        async with httpx.AsyncClient(timeout=60) as client:
            page = await client.get(url)
            match = re.search(r'name="csrf" value="([^"]+)"', page.text)
            csrf = match.group(1) if match else ""
            await start.wait()
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

    start = asyncio.Event()
    tasks = [asyncio.create_task(one_client(i, url)) for i, url in enumerate(urls)]
    await asyncio.sleep(0.5 + len(urls) * 0.005)  # let every client fetch its page first
    cpu = cpu_seconds(pid)
    began = time.perf_counter()
    start.set()
    await asyncio.gather(*tasks)
    return time.perf_counter() - began, latencies, failures, cpu_seconds(pid) - cpu


def measure(kind: str, folder: Path, url: str, urls: list[str], rounds: int, tag: str) -> dict[str, float]:
    port = int(urls[0].split(":")[2].split("/")[0])
    if kind == "bare":
        urls = [re.sub(r"/rueckmeldung/", "/bare/", u) for u in urls]
    server = start_server(kind, folder, url, port)
    try:
        elapsed, latencies, failures, cpu = asyncio.run(load(urls, rounds, server.pid, tag))
    finally:
        server.terminate()
        server.wait(timeout=30)
    latencies.sort()
    return {
        "rps": len(latencies) / elapsed,
        "p50_ms": latencies[len(latencies) // 2] * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000,
        "fehler": failures,
        "anfragen": len(latencies),
        "cpu_ms_pro_anfrage": cpu * 1000 / max(len(latencies), 1),
    }


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
                runs[kind].append(measure(kind, folder, url, urls, args.runden, f" w{repetition}"))
        rows, good, audit = check_store(url, args.clients, args.runden)
    bare, portal = (
        {key: median([run[key] for run in runs[kind]]) for key in runs[kind][0]} for kind in ("bare", "portal")
    )
    portal["fehler"] = sum(run["fehler"] for run in runs["portal"])
    expected = args.clients * args.runden * args.wiederholungen
    lost = expected - audit  # one audit entry per submission: one create, then one update each
    ratios = [p["rps"] / b["rps"] for p, b in zip(runs["portal"], runs["bare"], strict=True)]
    ratio = median(ratios)
    print(
        f"{args.clients} Clients × {args.runden} Rückmeldungen × {args.wiederholungen} Wiederholungen "
        f"({'SQLite' if not args.db else 'PostgreSQL'}; Median):"
    )
    for name, result in (("bare FastAPI", bare), ("Portal", portal)):
        print(
            f"  {name:13s} {result['rps']:8.1f} Anfragen/s   p50 {result['p50_ms']:7.1f} ms   "
            f"p99 {result['p99_ms']:7.1f} ms   Server-CPU {result['cpu_ms_pro_anfrage']:.2f} ms/Anfrage   "
            f"Fehler {result['fehler']:.0f}"
        )
    print(
        f"  Verhältnis Portal/bare: {ratio:.2f} (Ziel ≥ 0,5; je Wiederholung {', '.join(f'{r:.2f}' for r in ratios)})"
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
