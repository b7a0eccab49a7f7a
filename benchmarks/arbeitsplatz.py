"""The workspace on a large store: the Übersicht and the filtered Aufträge list, server time per
page (median and p95 over N requests through the ASGI app, login and rights included) beside the
bare SQL queries that fetch the same figures, in the same run.

Store: 200 Gremien, 5,000 Sitzungen, 50,000 persons, 100,000 Aufträge (SQLite, bulk-inserted).

    .venv/bin/python benchmarks/arbeitsplatz.py [--requests 200]

Last line: JSON with ``ratio_p95`` (workspace p95 / bare p95, the worse of the two pages) and
``p95_ms`` (the workspace's worse p95). Goal: ratio_p95 ≤ 3 and p95_ms < 150.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from fastapi.testclient import TestClient

from sozialforum.arbeitsplatz.app import create_app
from sozialforum.konten import benutzer
from sozialforum.settings import load_settings
from sozialforum.store.db import make_engine, migrate, session_scope
from sozialforum.store.models import Auftrag, Gremium, Organisation, Person, Rueckmeldung, Sitzung

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PASSWORT = "benchmark-passwort-1"


def build(engine: sa.Engine) -> None:
    rnd = random.Random(12)
    with engine.begin() as db:
        db.execute(
            sa.insert(Organisation),
            [{"kennung": f"AMT-{i}", "name": f"Amt {i}", "art": "amt"} for i in range(40)],
        )
        db.execute(
            sa.insert(Person),
            [
                {"kennung": f"P-{i}", "vorname": "Vor", "nachname": f"Name{i}", "rechtsgrundlage": "einwilligung"}
                for i in range(50_000)
            ],
        )
        db.execute(
            sa.insert(Gremium),
            [{"kennung": f"G-{i}", "name": f"Gremium {i}", "art": "sozialraumkonferenz"} for i in range(200)],
        )
        start = NOW - timedelta(days=700)
        db.execute(
            sa.insert(Sitzung),
            [
                {
                    "gremium_id": 1 + i % 200,
                    "titel": f"Sitzung {i}",
                    "beginn": (t := start + timedelta(hours=6 * i)),
                    "ende": t + timedelta(hours=2),
                    "status": "geplant",
                    "ical_uid": f"s{i}@bench",
                    "ical_sequence": 0,
                }
                for i in range(5_000)
            ],
        )
        ids = [row[0] for row in db.execute(sa.select(Sitzung.id).order_by(Sitzung.beginn.desc()).limit(400))]
        db.execute(
            sa.insert(Rueckmeldung),
            [
                {
                    "sitzung_id": s,
                    "person_id": 1 + rnd.randrange(50_000),
                    "antwort": rnd.choice(["zusage", "absage"]),
                    "personen": 1,
                    "beduerfnisse": [],
                }
                for s in ids
                for _ in range(20)
            ],
        )
        statuses = ["offen", "in_arbeit", "umgesetzt", "verzoegert", "aufgehoben"]
        db.execute(
            sa.insert(Auftrag),
            [
                {
                    "kennung": f"A-{i}",
                    "quelle": "beschluss",
                    "beschreibung": f"Auftrag {i} zur Umsetzung im Sozialraum",
                    "verantwortlich_organisation_id": 1 + i % 40,
                    "verantwortlich_person_id": 1 + rnd.randrange(50_000),
                    "frist": date(2023, 1, 1) + timedelta(days=rnd.randrange(2000)),
                    "status": statuses[i % 5],
                    "fortschritt_prozent": 0,
                }
                for i in range(100_000)
            ],
        )
        db.execute(sa.text("ANALYZE"))


def timed(fn, n: int) -> list[float]:  # type: ignore[no-untyped-def]
    out = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def p95(values: list[float]) -> float:
    return sorted(values)[int(0.95 * (len(values) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    n = parser.parse_args().requests
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        engine = make_engine(f"sqlite:///{folder / 'bench.db'}")
        migrate(engine)
        t = time.perf_counter()
        build(engine)
        print(f"Bestand angelegt in {time.perf_counter() - t:.1f} s")
        settings = load_settings(
            None,
            data_dir=folder,
            database_url=str(engine.url),
            portal={"secret_key": "b" * 40, "fehlversuche_max": 1000},
        )
        with session_scope(engine, actor="bench") as session:
            benutzer.create_user(session, name="planerin", anzeigename="P", password=PASSWORT, now=NOW)
        client = TestClient(create_app(settings, engine, clock=lambda: NOW))
        csrf = client.get("/gs/anmelden").text.split('name="csrf" value="')[1].split('"')[0]
        client.post("/gs/anmelden", data={"csrf": csrf, "name": "planerin", "passwort": PASSWORT})
        heute, horizont = NOW.date(), NOW.date() + timedelta(days=30)
        closed = ("umgesetzt", "gescheitert", "aufgehoben")

        def bare_uebersicht() -> None:
            with engine.connect() as db:
                rows = db.execute(
                    sa.text(
                        "SELECT s.id, s.titel, g.name, s.beginn FROM sitzung s JOIN gremium g ON g.id = s.gremium_id "
                        "WHERE s.beginn >= :a AND s.beginn < :b ORDER BY s.beginn LIMIT 50"
                    ),
                    {
                        "a": (NOW - timedelta(hours=12)).replace(tzinfo=None),
                        "b": (NOW + timedelta(weeks=6)).replace(tzinfo=None),
                    },
                ).all()
                if rows:
                    db.execute(
                        sa.text(
                            "SELECT sitzung_id, antwort, count(*) FROM rueckmeldung WHERE sitzung_id IN "
                            f"({','.join(str(r[0]) for r in rows)}) GROUP BY sitzung_id, antwort"
                        )
                    ).all()
                where = "frist IS NOT NULL AND frist <= :h AND status NOT IN ('umgesetzt','gescheitert','aufgehoben')"
                db.execute(
                    sa.text(f"SELECT count(*), sum(frist < :t) FROM auftrag WHERE {where}"), {"h": horizont, "t": heute}
                ).all()
                db.execute(
                    sa.text(f"SELECT * FROM auftrag WHERE {where} ORDER BY frist, id LIMIT 50"), {"h": horizont}
                ).all()
                db.execute(sa.text("SELECT count(*) FROM outbox_message WHERE status IN ('failed','bounced')")).all()

        def bare_liste() -> None:
            with engine.connect() as db:
                where = (
                    "a.status NOT IN ('umgesetzt','gescheitert','aufgehoben') AND a.frist < :t "
                    "AND a.verantwortlich_organisation_id = 7"
                )
                db.execute(sa.text(f"SELECT count(*) FROM auftrag a WHERE {where}"), {"t": heute}).all()
                db.execute(
                    sa.text(
                        "SELECT a.*, o.name, p.vorname, p.nachname FROM auftrag a LEFT JOIN organisation o ON o.id = "
                        "a.verantwortlich_organisation_id LEFT JOIN person p ON p.id = a.verantwortlich_person_id "
                        f"WHERE {where} ORDER BY a.frist, a.id LIMIT 50 OFFSET 50"
                    ),
                    {"t": heute},
                ).all()

        def page(url: str) -> None:
            response = client.get(url)
            assert response.status_code == 200, response.text[:300]

        assert closed
        results = {}
        for name, product, bare in (
            ("Übersicht", lambda: page("/arbeitsplatz/"), bare_uebersicht),
            (
                "Aufträge gefiltert",
                lambda: page("/arbeitsplatz/auftraege?faellig=ueberfaellig&stelle=7&seite=2"),
                bare_liste,
            ),
        ):
            product(), bare()  # warm caches
            p, b = timed(product, n), timed(bare, n)
            results[name] = (statistics.median(p), p95(p), statistics.median(b), p95(b))
            print(
                f"{name}: Arbeitsplatz Median {statistics.median(p):.1f} ms, p95 {p95(p):.1f} ms; "
                f"reines SQL Median {statistics.median(b):.1f} ms, p95 {p95(b):.1f} ms; "
                f"Verhältnis p95 {p95(p) / p95(b):.2f}"
            )
    worst = max(results.values(), key=lambda r: r[1] / r[3])
    print(
        json.dumps(
            {
                "ratio_p95": round(max(r[1] / r[3] for r in results.values()), 2),
                "p95_ms": round(max(r[1] for r in results.values()), 1),
                "median_ms": round(max(r[0] for r in results.values()), 1),
                "bare_p95_ms": round(worst[3], 1),
                "requests": n,
            }
        )
    )


if __name__ == "__main__":
    main()
