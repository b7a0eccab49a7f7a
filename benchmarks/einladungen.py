"""Benchmark: render and deliver 10,000 personalised invitations to a loopback SMTP server, and in
the same run send the very same pre-rendered bytes with a bare smtplib loop.

Product path: ``versand_direkt.invite_and_deliver`` as the flow ``einladungen_versenden`` runs it:
recipients, personal link, Jinja2 text + HTML, iCalendar REQUEST, MIME, outbox record (batches
of 100, committed before sending, already claimed by the run), and delivery over one SMTP
connection (hand-over journal, bookings), with the rendering of the next message overlapping
the server's work on the current one. The overlap needs a free core for the server: on a
machine busy with other work, both sides slow down and the product more. Baseline:
``smtplib.SMTP.sendmail`` of the stored bytes in a loop over one connection. The server
(aiosmtpd, counting only) runs in its own process for both.
Goal: product ≥ 0.7 × bare.

    python benchmarks/einladungen.py [--anzahl 10000] [--wiederholungen 3] [--db URL]
"""

from __future__ import annotations

import argparse
import multiprocessing
import smtplib
import socket
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path

NOW = datetime(2026, 2, 20, 8, 0, tzinfo=UTC)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve(port: int, ready: multiprocessing.synchronize.Event) -> None:  # type: ignore[name-defined]
    from aiosmtpd.controller import Controller

    class Sink:
        async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
            return "250 OK"

    controller = Controller(Sink(), hostname="127.0.0.1", port=port, data_size_limit=50_000_000)
    controller.start()
    ready.set()
    while True:
        time.sleep(3600)


def setup(url: str, folder: Path, count: int, port: int, sitzungen: int):  # type: ignore[no-untyped-def]
    """Store, settings, ``count`` members of one Gremium and ``sitzungen`` Sitzungen to invite to
    (one per repetition, so each repetition renders and sends ``count`` new invitations)."""
    import sqlalchemy as sa
    from sqlmodel import Session

    from sozialforum.konferenz import termine
    from sozialforum.settings import load_settings
    from sozialforum.store.db import make_engine, migrate
    from sozialforum.store.models import Gremium, Mitgliedschaft, Person

    settings = load_settings(None, data_dir=folder, database_url=url)
    settings.mail.smtp_host, settings.mail.smtp_port = "127.0.0.1", port
    settings.mail.sicherheit, settings.mail.nachrichten_pro_sekunde = "keine", 1_000_000
    settings.konferenz.tagesordnung_als_pdf = False  # the agenda is in the body; a PDF would dominate
    engine = make_engine(url)
    migrate(engine)
    with Session(engine) as session:
        gremium = Gremium(kennung="BENCH", name="Sozialraumkonferenz Benchmark", art="sozialraumkonferenz")
        session.add(gremium)
        session.flush()
        session.execute(
            sa.insert(Person),
            [
                {
                    "kennung": f"B{n:06d}",
                    "anrede": ("Frau", "Herr", None)[n % 3],
                    "vorname": "Vorname",
                    "nachname": f"Nachname{n}",
                    "email": f"person{n}@traeger{n % 97}.example",
                    "rechtsgrundlage": "einwilligung",
                }
                for n in range(count)
            ],
        )
        ids = session.scalars(sa.select(Person.id)).all()
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
                for pid in ids
            ],
        )
        planned = [
            termine.plan_sitzung(
                session,
                gremium_id=gremium.id,
                tag=date(2026, 3, 16) + timedelta(days=k),  # type: ignore[arg-type]
                uhrzeit=clock_time(17),
                settings=settings,
                ort="Kreishaus, Saal 2",
            )
            for k in range(sitzungen)
        ]
        session.commit()
        return settings, engine, [s.id for s in planned]


def product(settings, engine, sitzung_id: int) -> float:  # type: ignore[no-untyped-def]
    from sozialforum import outbox
    from sozialforum.konferenz import versand_direkt

    started = time.perf_counter()
    queued, report = versand_direkt.invite_and_deliver(
        engine, settings, sitzung_id=sitzung_id, now=NOW, actor="benchmark"
    )
    report.raise_if_all_failed()
    rest = outbox.deliver_pending(engine, settings, now=NOW)  # nothing may be left behind
    finished = time.perf_counter()
    assert queued.neu == report.sent and rest.sent == 0, (queued.summary(), report.summary())
    print(f"  Produkt: {queued.neu} gerendert und eingereiht, {report.sent} zugestellt")
    return finished - started


def bare(engine, port: int, sitzung_id: int) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    import sqlalchemy as sa

    from sozialforum.store.models import OutboxMessage

    table = OutboxMessage.__table__  # type: ignore[attr-defined]
    with engine.connect() as connection:
        messages = list(
            connection.execute(
                sa.select(table.c.empfaenger, table.c.inhalt)
                .where(table.c.bezug["sitzung_id"].as_integer() == sitzung_id)
                .order_by(table.c.id)
            )
        )
    client = smtplib.SMTP("127.0.0.1", port)
    started = time.perf_counter()
    for recipient, content in messages:
        client.sendmail("sozialplanung@landkreis-musterland.example", [recipient], content)
    elapsed = time.perf_counter() - started
    client.quit()
    return elapsed, len(messages)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--anzahl", type=int, default=10_000)
    parser.add_argument(
        "--wiederholungen",
        type=int,
        default=3,
        help="Durchgänge (je Produkt, dann nackte Schleife); gewertet wird der Median",
    )
    parser.add_argument("--db", help="database URL (default: a fresh SQLite file)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="sozialforum-bench-"))
    url = args.db or f"sqlite:///{folder / 'bench.db'}"
    port = free_port()
    ready = multiprocessing.Event()
    server = multiprocessing.Process(target=_serve, args=(port, ready), daemon=True)
    server.start()
    ready.wait(30)
    ratios: list[float] = []
    try:
        settings, engine, sitzung_ids = setup(url, folder, args.anzahl, port, args.wiederholungen)
        for run, sitzung_id in enumerate(sitzung_ids, start=1):
            product_seconds = product(settings, engine, sitzung_id)
            bare_seconds, sent = bare(engine, port, sitzung_id)
            product_rate, bare_rate = args.anzahl / product_seconds, sent / bare_seconds
            ratios.append(product_rate / bare_rate)
            print(
                f"Durchgang {run}: Einladungen rendern und zustellen {product_rate:7.1f} Nachrichten/s "
                f"({args.anzahl} in {product_seconds:.1f} s); nackte smtplib-Schleife {bare_rate:7.1f} "
                f"Nachrichten/s ({sent} in {bare_seconds:.1f} s); Verhältnis {ratios[-1]:.2f}"
            )
    finally:
        server.terminate()
    ratio = statistics.median(ratios)
    print(
        f"Verhältnis (Median aus {len(ratios)}): {ratio:.2f} (Ziel ≥ 0,70) "
        f"{'erreicht' if ratio >= 0.7 else 'NICHT erreicht'}"
    )
    sys.exit(0)


if __name__ == "__main__":
    main()
