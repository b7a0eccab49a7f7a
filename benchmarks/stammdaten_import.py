"""Benchmark: import 10,000 organisations and 100,000 persons through the product's import path,
and in the same run the same rows through a bare SQLAlchemy Core bulk insert.

Each side runs in its own process (fresh SQLite file, or a PostgreSQL URL with --db), so the
peak memory of one does not hide in the other. Prints both times, the ratio and peak memory.
Goal: ratio ≤ 3.

    python benchmarks/stammdaten_import.py [--personen 100000] [--organisationen 10000] [--db URL]
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import sqlalchemy as sa


def write_files(folder: Path, organisations: int, persons: int) -> None:
    rng = random.Random(1)
    with (folder / "organisationen.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["kennung", "name", "art", "email", "telefon"])
        for i in range(organisations):
            writer.writerow(
                [f"O{i:06d}", f"Träger Nummer {i} e. V.", "freier_traeger", f"info@o{i}.example", "05551 1"]
            )
    with (folder / "personen.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(
            [
                "kennung",
                "vorname",
                "nachname",
                "email",
                "telefon",
                "funktion",
                "organisation",
                "rechtsgrundlage",
                "einwilligung_am",
                "einwilligung_quelle",
            ]
        )
        for i in range(persons):
            writer.writerow(
                [
                    f"P{i:07d}",
                    "Anna",
                    f"Muster{i}",
                    f"p{i}@o{i % organisations}.example",
                    "05551 2",
                    "Fachkraft",
                    f"O{rng.randrange(organisations):06d}",
                    "einwilligung",
                    "01.02.2025",
                    "Anmeldebogen",
                ]
            )


def product(folder: Path, url: str) -> None:
    from sozialforum.stammdaten.importer import import_file
    from sozialforum.store.db import make_engine, migrate, session_scope

    engine = make_engine(url)
    migrate(engine)
    start = time.perf_counter()
    with session_scope(engine, actor="benchmark") as session:
        import_file(session, "organisationen", folder / "organisationen.csv")
        import_file(session, "personen", folder / "personen.csv")
    report(time.perf_counter() - start)


def baseline(folder: Path, url: str) -> None:
    """The bare minimum: read the CSV, insert with Core executemany, look up org ids once."""
    from sozialforum.store.db import make_engine, migrate
    from sozialforum.store.models import Organisation, Person

    engine = make_engine(url)
    migrate(engine)
    start = time.perf_counter()
    with engine.begin() as conn:
        with (folder / "organisationen.csv").open(encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle, delimiter=";"))
        conn.execute(sa.insert(Organisation.__table__), rows)
        ids = dict(conn.execute(sa.select(Organisation.kennung, Organisation.id)).all())
        with (folder / "personen.csv").open(encoding="utf-8") as handle:
            people = list(csv.DictReader(handle, delimiter=";"))
        for row in people:
            row["organisation_id"] = ids[row.pop("organisation")]
            day, month, year = row["einwilligung_am"].split(".")
            row["einwilligung_am"] = date(int(year), int(month), int(day))
        conn.execute(sa.insert(Person.__table__), people)
    report(time.perf_counter() - start)


def report(seconds: float) -> None:
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"sekunden": seconds, "peak_mib": peak_mib}))


def run_side(side: str, folder: Path, url: str | None, scratch: Path) -> dict[str, float]:
    db_url = url or f"sqlite:///{scratch / (side + '.db')}"
    if url:  # a clean schema for each side on a shared server
        engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        engine.dispose()
    out = subprocess.run(
        [sys.executable, __file__, "--seite", side, "--ordner", str(folder), "--db", db_url],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--personen", type=int, default=100_000)
    parser.add_argument("--organisationen", type=int, default=10_000)
    parser.add_argument("--db", help="Datenbank-URL (Standard: je eine neue SQLite-Datei)")
    parser.add_argument("--seite", choices=["produkt", "basis"], help=argparse.SUPPRESS)
    parser.add_argument("--ordner", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.seite:
        (product if args.seite == "produkt" else baseline)(args.ordner, args.db)
        return
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)
        write_files(scratch, args.organisationen, args.personen)
        ours = run_side("produkt", scratch, args.db, scratch)
        bare = run_side("basis", scratch, args.db, scratch)
    print(f"Import von {args.organisationen:,} Organisationen und {args.personen:,} Personen".replace(",", "."))
    print(f"  Produkt (Prüfung, Upsert, Audit): {ours['sekunden']:7.2f} s, Spitze {ours['peak_mib']:6.0f} MiB")
    print(f"  Basis (Core-Bulk-Insert):         {bare['sekunden']:7.2f} s, Spitze {bare['peak_mib']:6.0f} MiB")
    print(
        f"  Verhältnis Zeit {ours['sekunden'] / bare['sekunden']:.2f} (Ziel ≤ 3), "
        f"Speicher {ours['peak_mib'] / bare['peak_mib']:.2f}"
    )


if __name__ == "__main__":
    main()
