"""Benchmark: scan 100,000 open deadlines for the reminders due today, through the product and,
in the same run over the same store, with one bare SQL query of the due items.

Product path: ``fristen.erinnerungen.plan`` as the daily flow runs it (all sources read with their
filters pushed into SQL, the reminder log consulted, the stage decided per deadline). Baseline:
one SQL statement that computes the same stages with CASE and excludes what the log already
holds. Both must find the same items. Goal: product ≤ 3 × bare.

    python benchmarks/fristen.py [--anzahl 100000] [--db URL]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

TODAY = date(2026, 3, 2)
NOW = datetime(2026, 3, 2, 5, 15, tzinfo=UTC)


def setup(url: str, folder: Path, count: int):  # type: ignore[no-untyped-def]
    import sqlalchemy as sa

    from sozialforum.settings import load_settings
    from sozialforum.store.db import make_engine, migrate, session_scope
    from sozialforum.store.models import Auftrag, Beschluss, FristErinnerung, Organisation, Person
    from sozialforum.vocab import AuftragStatus, OrganisationArt, Rechtsgrundlage

    settings = load_settings(None, data_dir=folder, database_url=url)
    engine = make_engine(url)
    migrate(engine)
    rng = random.Random(7)
    with session_scope(engine, actor="benchmark") as session:
        amt = Organisation(kennung="AMT", name="Sozialamt", art=OrganisationArt.AMT, email="amt@kreis.example")
        session.add(amt)
        session.flush()
        people = [
            Person(
                kennung=f"P{i}",
                nachname=f"Person {i}",
                email=f"p{i}@kreis.example",
                rechtsgrundlage=Rechtsgrundlage.OEFFENTLICHE_AUFGABE,
                organisation_id=amt.id,
            )
            for i in range(200)
        ]
        session.add_all(people)
        beschluss = Beschluss(kennung="B-1", datum=date(2024, 1, 1), titel="Sammelbeschluss", dezernat="III")
        session.add(beschluss)
        session.flush()
        person_ids = [p.id for p in people]
        states = [AuftragStatus.OFFEN.value, AuftragStatus.IN_ARBEIT.value, AuftragStatus.VERZOEGERT.value]
        rows, log = [], []
        for i in range(count):
            due = TODAY + timedelta(days=rng.randint(-60, 400))
            rows.append(
                {
                    "kennung": f"A-{i}",
                    "quelle": "beschluss",
                    "beschluss_id": beschluss.id,
                    "beschreibung": f"Auftrag {i}",
                    "frist": due,
                    "status": rng.choice(states),
                    "verantwortlich_person_id": rng.choice(person_ids),
                    "verantwortlich_organisation_id": amt.id,
                    "fortschritt_prozent": 0,
                }
            )
        for start in range(0, len(rows), 5000):
            session.execute(sa.insert(Auftrag), rows[start : start + 5000])
        ids = session.execute(sa.select(Auftrag.id, Auftrag.frist)).all()
        for auftrag_id, due in ids:
            remaining = (due - TODAY).days
            if 7 < remaining <= 90 and rng.random() < 0.5:  # half were already reminded at 90 days
                log.append(
                    {
                        "schluessel": f"erinnerung:auftrag:{auftrag_id}:{due}:90",
                        "frist_ref": f"auftrag:{auftrag_id}",
                        "faellig_am": due,
                        "stufe": 90,
                        "art": "erinnerung",
                        "empfaenger": "x@kreis.example",
                        "outbox_schluessel": "benchmark",
                        "erstellt_am": NOW,
                    }
                )
        for start in range(0, len(log), 5000):
            session.execute(sa.insert(FristErinnerung), log[start : start + 5000])
    # Planner statistics, as a database in use has them (without, SQLite picks a poor index for
    # the baseline's NOT EXISTS).
    with engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE")
    return engine, settings


def bare(engine, settings):  # type: ignore[no-untyped-def]
    """The due items in one statement: stage by CASE, the log by NOT EXISTS."""
    import sqlalchemy as sa

    from sozialforum.store.models import Auftrag, FristErinnerung

    a, log = Auftrag.__table__, FristErinnerung.__table__  # type: ignore[attr-defined]
    offsets = sorted(settings.fristen.erinnerung_tage)
    stage = sa.case(*[(a.c.frist <= TODAY + timedelta(days=d), d) for d in offsets], else_=None)
    overdue_limit = TODAY - timedelta(days=max(settings.fristen.eskalation_nach_tagen, 1))
    ref = sa.literal("auftrag:") + sa.cast(a.c.id, sa.String)
    reminded = sa.exists().where(
        log.c.frist_ref == ref, log.c.faellig_am == a.c.frist, log.c.art == "erinnerung", log.c.stufe <= stage
    )
    escalated = sa.exists().where(log.c.frist_ref == ref, log.c.faellig_am == a.c.frist, log.c.art == "eskalation")
    query = sa.select(a.c.id, a.c.frist).where(
        a.c.status.not_in(["umgesetzt", "gescheitert", "aufgehoben"]),
        a.c.frist <= TODAY + timedelta(days=max(offsets)),
        sa.or_(sa.and_(a.c.frist >= TODAY, ~reminded), sa.and_(a.c.frist <= overdue_limit, ~escalated)),
    )
    with engine.connect() as connection:
        return connection.execute(query).all()


def product(engine, settings):  # type: ignore[no-untyped-def]
    from sozialforum.fristen import erinnerungen
    from sozialforum.store.db import session_scope

    with session_scope(engine, actor="benchmark") as session:
        return erinnerungen.plan(session, today=TODAY, settings=settings)


def best_of(function, *args, repeat: int = 3):  # type: ignore[no-untyped-def]
    timings, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function(*args)
        timings.append(time.perf_counter() - started)
    return min(timings), result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--anzahl", type=int, default=100_000)
    parser.add_argument("--db", help="Datenbank-URL (Standard: SQLite in einem Temp-Ordner)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.db or f"sqlite:///{Path(folder) / 'benchmark.db'}"
        started = time.perf_counter()
        engine, settings = setup(url, Path(folder), args.anzahl)
        print(
            f"{args.anzahl:,} offene Aufträge angelegt in {time.perf_counter() - started:.1f} s "
            f"({engine.url.get_backend_name()})".replace(",", ".")
        )
        bare_time, rows = best_of(bare, engine, settings)
        product_time, due = best_of(product, engine, settings)
        engine.dispose()
    expected = {f"auftrag:{row.id}" for row in rows}
    found = {item.frist_ref for item in due}
    if expected != found:
        print(f"FEHLER: Produkt fand {len(found)}, SQL {len(expected)} fällige Einträge", file=sys.stderr)
        return 1
    ratio = product_time / bare_time
    print(f"fällig heute: {len(found):,} Erinnerungen/Eskalationen".replace(",", "."))
    print(f"Produkt (erinnerungen.plan): {product_time * 1000:8.1f} ms")
    print(f"reines SQL (eine Abfrage):   {bare_time * 1000:8.1f} ms")
    print(f"Verhältnis: {ratio:.2f} × (Ziel ≤ 3 ×) – {'erreicht' if ratio <= 3 else 'NICHT erreicht'}")
    return 0 if ratio <= 3 else 2


if __name__ == "__main__":
    sys.exit(main())
