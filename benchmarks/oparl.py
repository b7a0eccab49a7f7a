"""Benchmark: import a generated OParl system served on loopback in pages of 100, through the
product and, in the same run, with a bare loop that fetches the same pages with the same HTTP
client and inserts the same rows with SQLAlchemy Core; then an incremental run with 1 % of the
objects changed. Goals: product ≤ 2 × bare; incremental ≤ 10 % of the full import.

Full size: 50,000 Papers with 150,000 Consultations, 5,000 Meetings with 60,000 AgendaItems.
``--anteil 0.1`` runs a tenth of it.

    python benchmarks/oparl.py [--anteil 1.0]

The council system is served by a process of its own with every page built before the clock
starts, so both sides are timed on the client's work alone. The incremental run's pages depend on
the ``modified_since`` the product sends; the server filters each list once per time, comparing
modification times parsed before the clock starts (as a database would), instead of parsing
every object's time again for every page (0.24 s of the server's CPU in the wall clock of a
0.9 s incremental run before).

Last line: a JSON object with ``ratio`` and ``incremental_share`` (wall clock), and the same
from CPU time of this process (``ratio_cpu``, ``incremental_share_cpu``): on a shared machine the
wall clock mostly measures the neighbours. ``ratio_bare_ohne_gc`` compares with the same bare loop
run without Python's cyclic garbage collector, as the product runs its import
(``store.gc_pause``): with it on, the bare loop's collections scan every page it holds, again and
again, and it takes about 1.6 times as long (5.1 s against 3.1 s at full size). ``ratio`` keeps
the plain loop as its baseline; this figure shows how much of the product's lead is that.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

T = "https://schema.oparl.org/1.1/"
PAGE = 100
OLD = "2026-01-10T10:00:00+01:00"
NEW = "2026-02-01T10:00:00+01:00"
FIRST = datetime(2026, 1, 20, 10, 0, tzinfo=UTC)
SECOND = datetime(2026, 2, 20, 10, 0, tzinfo=UTC)


class System:
    def __init__(self, base: str, papers: int, meetings: int, items: int) -> None:
        self.root = f"{base}/oparl"
        self.body = f"{self.root}/body/1"
        self.lists: dict[str, list[dict[str, Any]]] = {"organization": [], "meeting": [], "paper": []}
        for key, name in (("1", "Kreistag"), ("2", "Sozialausschuss"), ("3", "Jugendhilfeausschuss")):
            self.lists["organization"].append(
                {
                    "id": f"{self.root}/organization/{key}",
                    "type": T + "Organization",
                    "name": name,
                    "organizationType": "Gremium",
                    "modified": OLD,
                }
            )
        per_meeting = max(1, items // meetings)
        for m in range(meetings):
            day = f"2025-{1 + m % 12:02d}-{1 + m % 28:02d}"
            self.lists["meeting"].append(
                {
                    "id": f"{self.root}/meeting/{m}",
                    "type": T + "Meeting",
                    "name": f"Sitzung {m}",
                    "start": f"{day}T17:00:00+01:00",
                    "end": f"{day}T19:00:00+01:00",
                    "organization": [f"{self.root}/organization/{1 + m % 3}"],
                    "modified": OLD,
                    "agendaItem": [],
                }
            )
        item = 0
        for p in range(papers):
            steps = []
            for step in range(3):
                cid = f"{self.root}/consultation/{p}-{step}"
                m = (p * 3 + step) % meetings
                meeting = self.lists["meeting"][m]
                consultation = {
                    "id": cid,
                    "type": T + "Consultation",
                    "paper": f"{self.root}/paper/{p}",
                    "meeting": meeting["id"],
                    "organization": meeting["organization"],
                    "role": "Entscheidung" if step == 2 else "Vorberatung",
                    "modified": OLD,
                }
                if item < items and len(meeting["agendaItem"]) < per_meeting:
                    aid = f"{self.root}/agendaItem/{item}"
                    meeting["agendaItem"].append(
                        {
                            "id": aid,
                            "type": T + "AgendaItem",
                            "meeting": meeting["id"],
                            "number": str(len(meeting["agendaItem"]) + 1),
                            "order": len(meeting["agendaItem"]),
                            "name": f"Vorlage {p}",
                            "result": "einstimmig beschlossen",
                            "consultation": cid,
                            "modified": OLD,
                        }
                    )
                    consultation["agendaItem"] = aid
                    item += 1
                steps.append(consultation)
            self.lists["paper"].append(
                {
                    "id": f"{self.root}/paper/{p}",
                    "type": T + "Paper",
                    "name": f"Vorlage {p}",
                    "reference": f"V/{p:06d}",
                    "date": "2025-01-05",
                    "paperType": "Beschlussvorlage",
                    "consultation": steps,
                    "modified": OLD,
                }
            )
        self.cache: dict[str, bytes] = {}
        self.since: dict[tuple[str, str], list[dict[str, Any]]] = {}  # (list, modified_since) → its objects
        self.moments = {id(i): datetime.fromisoformat(i["modified"]) for k in self.lists.values() for i in k}

    def change(self, share: float) -> int:
        changed = 0
        for kind in ("meeting", "paper"):
            for obj in self.lists[kind][:: max(1, round(1 / share))]:
                obj["name"] += " (geändert)"
                obj["modified"] = NEW
                self.moments[id(obj)] = datetime.fromisoformat(NEW)
                changed += 1
        self.cache.clear()
        self.since.clear()
        return changed

    def warm(self) -> int:
        """Builds every page a full import asks for; returns how many."""
        paths = ["/oparl", "/oparl/body"]
        for kind, items in self.lists.items():
            paths.append(f"/oparl/body/1/{kind}")
            paths += [f"/oparl/body/1/{kind}?page={n}" for n in range(2, -(-len(items) // PAGE) + 1)]
        for path in paths:
            self.answer(path)
        return len(paths)

    def answer(self, raw: str) -> bytes:
        if raw in self.cache:
            return self.cache[raw]
        parts = urlsplit(raw)
        path = parts.path.removeprefix("/oparl").strip("/")
        query = parse_qs(parts.query)
        if path == "":
            data: Any = {"id": self.root, "type": T + "System", "oparlVersion": T, "body": f"{self.root}/body"}
        elif path == "body":
            data = {"data": [self.body_object()], "links": {}}
        elif path.startswith("body/1/") and path[7:] in self.lists:
            items = self.lists[path[7:]]
            since = query.get("modified_since", [None])[0]
            if since:  # filtered once per list and time, not once per page (as a database would)
                key = (path[7:], since)
                if key not in self.since:
                    limit = datetime.fromisoformat(since)
                    self.since[key] = [i for i in items if self.moments[id(i)] >= limit]
                items = self.since[key]
            number = int(query.get("page", ["1"])[0])
            pages = max(1, -(-len(items) // PAGE))
            links = {}
            if number < pages:
                extra = f"&modified_since={since}" if since else ""
                links["next"] = f"{self.body}/{path[7:]}?page={number + 1}{extra}"
            data = {"data": items[(number - 1) * PAGE : number * PAGE], "links": links}
        else:
            data = {"error": "nicht gefunden"}
        body = json.dumps(data, ensure_ascii=False).encode("utf-8")
        self.cache[raw] = body
        return body

    def body_object(self) -> dict[str, Any]:
        return {
            "id": self.body,
            "type": T + "Body",
            "name": "Landkreis Musterland",
            "system": self.root,
            **{kind: f"{self.body}/{kind}" for kind in self.lists},
        }


class Remote:
    """The loopback council system, served by its own process as a real one is by its own machine:
    its work (building and sending pages) is not counted in this process's CPU time, and it holds
    no lock this process needs. Every page is built before the clock starts (``warm``), so neither
    side pays for the JSON the other asked for first."""

    def __init__(self, system_args: tuple[int, int, int]) -> None:
        import multiprocessing

        parent, child = multiprocessing.Pipe()
        # fork: the server needs nothing of this process but the arguments, and no thread runs yet
        self.process = multiprocessing.get_context("fork").Process(
            target=_serve, args=(system_args, child), daemon=True
        )
        self.process.start()
        port = parent.recv()
        self.root = f"http://127.0.0.1:{port}/oparl"
        self.body = f"{self.root}/body/1"

    def _control(self, what: str) -> Any:
        from urllib.request import urlopen

        with urlopen(f"{self.root}/__{what}") as answer:
            return json.load(answer)

    def warm(self) -> int:
        return int(self._control("warm"))

    def change(self, share: float) -> int:
        return int(self._control(f"change?share={share}"))

    def shutdown(self) -> None:
        self.process.terminate()
        self.process.join()


def _serve(system_args: tuple[int, int, int], pipe: Any) -> None:
    state: dict[str, System] = {}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            system = state["s"]
            if self.path.startswith("/oparl/__warm"):
                data = json.dumps(system.warm()).encode()
            elif self.path.startswith("/oparl/__change"):
                share = float(parse_qs(urlsplit(self.path).query)["share"][0])
                data = json.dumps(system.change(share)).encode()
            else:
                data = system.answer(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *_: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state["s"] = System(f"http://127.0.0.1:{server.server_address[1]}", *system_args)
    pipe.send(server.server_address[1])
    server.serve_forever()


def fresh_engine(folder: Path, name: str):  # type: ignore[no-untyped-def]
    from sozialforum.store.db import make_engine, migrate

    engine = make_engine(f"sqlite:///{folder / name}")
    migrate(engine)
    return engine


def timed(run: Any, *args: Any) -> tuple[float, float]:
    """Wall clock and CPU time of the process (the loopback server included) of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    run(*args)
    return time.perf_counter() - wall, time.process_time() - cpu


def product(engine: Any, system: Remote, now: datetime) -> float:
    from sozialforum.oparl.abruf import abruf
    from sozialforum.oparl.client import OparlClient
    from sozialforum.oparl.lesen import Maengel
    from sozialforum.store.db import session_scope

    start = time.perf_counter()
    with OparlClient(Maengel()) as client, session_scope(engine, actor="benchmark") as session:
        report = abruf(session, system.root, now=now, client=client)
    assert report.vollstaendig, report.fehlend
    return time.perf_counter() - start


def bare(engine: Any, system: Remote) -> float:
    """The same pages with the same client, the same rows inserted with SQLAlchemy Core."""
    import sqlalchemy as sa

    from sozialforum.oparl.client import OparlClient
    from sozialforum.oparl.lesen import Maengel
    from sozialforum.store.models import Beratung, Gremium, Sitzung, Tagesordnungspunkt, Vorlage

    g, s, t, v, b = (m.__table__ for m in (Gremium, Sitzung, Tagesordnungspunkt, Vorlage, Beratung))  # type: ignore[attr-defined]
    start = time.perf_counter()
    with OparlClient(Maengel()) as client, engine.begin() as conn:
        lists = {k: client.lies_liste(f"{system.body}/{k}").objekte for k in ("organization", "meeting", "paper")}
        conn.execute(
            sa.insert(g),
            [
                {"kennung": o["id"][-40:], "name": o["name"], "art": "kreistag", "oparl_id": o["id"]}
                for o in lists["organization"]
            ],
        )
        gids = dict(conn.execute(sa.select(g.c.oparl_id, g.c.id)).all())
        conn.execute(
            sa.insert(s),
            [
                {
                    "gremium_id": gids[m["organization"][0]],
                    "titel": m["name"],
                    "beginn": datetime.fromisoformat(m["start"]),
                    "ende": datetime.fromisoformat(m["end"]),
                    "status": "durchgefuehrt",
                    "ical_uid": m["id"],
                    "oparl_id": m["id"],
                }
                for m in lists["meeting"]
            ],
        )
        sids = dict(conn.execute(sa.select(s.c.oparl_id, s.c.id)).all())
        conn.execute(
            sa.insert(t),
            [
                {
                    "sitzung_id": sids[m["id"]],
                    "reihenfolge": a["order"],
                    "nummer": a["number"],
                    "titel": a["name"],
                    "oeffentlich": True,
                    "ergebnis": a["result"],
                    "oparl_id": a["id"],
                }
                for m in lists["meeting"]
                for a in m["agendaItem"]
            ],
        )
        conn.execute(
            sa.insert(v),
            [
                {
                    "kennung": p["reference"],
                    "art": "verwaltungsvorlage",
                    "titel": p["name"],
                    "datum": date(2025, 1, 5),
                    "oparl_id": p["id"],
                }
                for p in lists["paper"]
            ],
        )
        vids = dict(conn.execute(sa.select(v.c.oparl_id, v.c.id)).all())
        conn.execute(
            sa.insert(b),
            [
                {
                    "vorlage_id": vids[p["id"]],
                    "gremium_id": gids[c["organization"][0]],
                    "sitzung_id": sids[c["meeting"]],
                    "reihenfolge": i,
                    "rolle": "vorberatung",
                    "ergebnis": "offen",
                    "oparl_id": c["id"],
                }
                for p in lists["paper"]
                for i, c in enumerate(p["consultation"])
            ],
        )
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--anteil", type=float, default=1.0, help="Anteil der vollen Größe (1.0 = 50.000 Vorlagen)")
    args = parser.parse_args(argv)
    papers, meetings, items = (max(10, round(n * args.anteil)) for n in (50_000, 5_000, 60_000))
    system = Remote((papers, meetings, items))
    system.warm()
    from sozialforum.store.gc_pause import gc_angehalten  # after the fork: the server needs none of it

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        bare_seconds, bare_cpu = timed(bare, fresh_engine(folder, "bare.db"), system)
        with gc_angehalten():
            lean_seconds, _ = timed(bare, fresh_engine(folder, "bare-ohne-gc.db"), system)
        engine = fresh_engine(folder, "produkt.db")
        full, full_cpu = timed(product, engine, system, FIRST)
        changed = system.change(0.01)
        incremental, incremental_cpu = timed(product, engine, system, SECOND)
    system.shutdown()
    ratio = full / bare_seconds
    share = incremental / full
    print(f"Vorlagen {papers:,}, Beratungen {papers * 3:,}, Sitzungen {meetings:,}, TOPs {items:,}".replace(",", "."))
    print(f"bare Schleife (gleicher Client, SQLAlchemy Core): {bare_seconds:8.1f} s")
    print(f"dieselbe ohne zyklische Speicherbereinigung:       {lean_seconds:8.1f} s")
    print(f"Produkt, voller Import:                            {full:8.1f} s   (Verhältnis {ratio:.2f}, Ziel ≤ 2)")
    print(
        f"Produkt, inkrementell ({changed} geänderte Objekte):   {incremental:8.1f} s   "
        f"({share:.1%} des vollen Imports, Ziel ≤ 10 %)"
    )
    print(
        json.dumps(
            {
                "ratio": round(ratio, 3),
                "incremental_share": round(share, 4),
                "ratio_cpu": round(full_cpu / bare_cpu, 3),
                "ratio_bare_ohne_gc": round(full / lean_seconds, 3),
                "incremental_share_cpu": round(incremental_cpu / full_cpu, 4),
                "bare_s": round(bare_seconds, 2),
                "bare_ohne_gc_s": round(lean_seconds, 2),
                "full_s": round(full, 2),
                "incremental_s": round(incremental, 2),
                "papers": papers,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
