"""Demo step: the days ahead of the demo Landkreis in simulated time (``sozialforum demo --tage``;
a whole planning year with 365), driven by the daily flow ``planungszyklus`` — a year compressed
into minutes.

Day by day from tomorrow: the people act (``sozialforum.demo.jahr``: Träger answer,
members attend, the Protokollführung writes, the Geschäftsstelle approves) and, on every day on
which more than the daily scans is due (and at least once a month), the real flow runs at
05:30 with that day's time. On the days in between the cycle does not run, as after downtime:
the next run catches up, so the year also shows that nothing is done twice.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import col

from sozialforum.demo import DemoRun
from sozialforum.demo.jahr import Tagebuch, jahr_planen, menschen, statistik_liefern, zeitraum, zyklus_faellig
from sozialforum.store.db import session_scope
from sozialforum.store.models import OutboxMessage, ZyklusAktion
from sozialforum.timeutil import berlin, format_datum, format_zahl, local_to_utc
from sozialforum.vocab import NachrichtArt, ZyklusArt, ZyklusStatus

DATEN_TAG = 20  # the new population figures arrive on the 20th day of the year


@contextmanager
def leise() -> Iterator[None]:
    """Only warnings from Prefect while a year of runs goes by (the UI keeps the full logs)."""
    loggers = [logging.getLogger(name) for name in ("prefect", "prefect.flow_runs", "prefect.task_runs")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def _count(folder: Path, pattern: str) -> int:
    return len(list(folder.glob(pattern)))


def demo_step(run: DemoRun) -> list[str]:
    from sozialforum.flows.planungszyklus import planungszyklus

    settings, engine = run.settings, run.engine
    days = run.tage
    if days == 0:
        return ["Ausgelassen (--tage 0)."]
    start = berlin(run.now).date() + timedelta(days=1)
    end = start + timedelta(days=days - 1)
    with session_scope(engine, actor="demo:planungsjahr") as session:
        planned = jahr_planen(session, start=start, settings=settings)
        mails_before = session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) or 0
    diary, runs, failed = Tagebuch(), 0, []
    with leise():
        for offset in range(days):
            day = start + timedelta(days=offset)
            run.fortschritt(f"Tag {offset + 1} von {days}, {format_datum(day)}")
            if offset == DATEN_TAG:
                with session_scope(engine, actor="demo:statistik") as session:
                    delivered = statistik_liefern(session, ordner=settings.daten.quellen_ordner)
                diary.lieferungen.append(f"{delivered.name} am {format_datum(day)}")
            morning = local_to_utc(day, 5, 30)
            with session_scope(engine, actor="demo:planungsjahr") as session:
                due = zyklus_faellig(session, today=day, now=morning, settings=settings)
            if due:
                runs += 1
                try:
                    planungszyklus(konfiguration=run.config, jetzt=morning)
                except Exception as exc:  # the booking keeps it for the next day; the summary shows it
                    failed.append(f"{format_datum(day)}: {exc}")
            with session_scope(engine, actor="demo:menschen") as session:
                menschen(session, now=local_to_utc(day, 10), settings=settings, diary=diary)
    return _summary(run, start, end, planned, runs, failed, diary, mails_before)


def _summary(
    run: DemoRun,
    start: date,
    end: date,
    planned: list[int],
    runs: int,
    failed: list[str],
    diary: Tagebuch,
    mails_before: int,
) -> list[str]:
    settings = run.settings
    with session_scope(run.engine, actor="demo:planungsjahr") as session:
        booked = Counter(
            session.execute(
                sa.select(col(ZyklusAktion.art), col(ZyklusAktion.status)).where(
                    col(ZyklusAktion.tag) >= start, col(ZyklusAktion.tag) <= end
                )
            ).tuples()
        )
        mails = Counter(session.execute(sa.select(col(OutboxMessage.art))).scalars())
    total_mails = sum(mails.values())
    run.notes["planungsjahr"] = {"start": start, "ende": end, "laeufe": runs, "fehler": failed}
    tage = f"{format_zahl(run.tage)} {'Tag' if run.tage == 1 else 'Tage'}"
    laeufe = f"{format_zahl(runs)} {'Lauf' if runs == 1 else 'Läufe'} des Planungszyklus"
    if runs < run.tage:  # the skipped days are downtime the next run catches up on
        laeufe += " (an den übrigen Tagen war nur die tägliche Überwachung fällig; der nächste Lauf holt sie nach)"
    lines = [f"{zeitraum(start, end)} ({tage}): {laeufe}, {len(planned)} Sozialraumkonferenzen zusätzlich geplant."]
    for art in ZyklusArt:
        done = booked.get((art.value, ZyklusStatus.ERLEDIGT.value), 0)
        skipped = booked.get((art.value, ZyklusStatus.UEBERSPRUNGEN.value), 0)
        if done or skipped:
            lines.append(f"  {art.label}: {done}×" + (f" ({skipped} verpasste Stufen ersetzt)" if skipped else ""))
    lines.append(
        f"Menschen: {diary.zusagen} {'Zusage' if diary.zusagen == 1 else 'Zusagen'} und "
        f"{diary.absagen} {'Absage' if diary.absagen == 1 else 'Absagen'} per persönlichem Link, "
        f"{diary.anwesend} Anwesende, {diary.entwuerfe} Protokollentwürfe, {diary.freigaben} Freigaben."
    )
    lines += [f"Neue Statistiklieferung: {item}" for item in diary.lieferungen]
    lines += [f"FEHLER: {item}" for item in failed]
    kinds = ", ".join(f"{format_zahl(count)} {NachrichtArt.benenne(art, count)}" for art, count in mails.most_common())
    year_mails = format_zahl(total_mails - mails_before)
    lines.append(
        f"Postausgang: {format_zahl(total_mails)} Nachrichten, davon {year_mails} im Zeitraffer "
        f"({kinds}) als .eml in {settings.outbox_dir}"
    )
    reports = settings.reports_dir
    if run.tage < 365:
        lines.append("Ein ganzes Planungsjahr: „sozialforum demo --tage 365“ (dauert einige Minuten).")
    lines += [
        f"Leitungsberichte (monatlich, HTML/PDF): {_count(reports / 'leitung', '*.pdf')} unter {reports / 'leitung'}",
        f"Protokolle (HTML/PDF): {_count(reports / 'protokolle', '*.pdf')} unter {reports / 'protokolle'}",
        f"Teilnehmerlisten: {_count(reports / 'teilnehmerlisten', '*.xlsx')} unter {reports / 'teilnehmerlisten'}",
        f"Sozialraumprofile und Sozialstrukturatlas: {reports / 'daten'}; Fristen-Kalender: {reports / 'fristen.ics'}",
        f"Buchführung des Zyklus (jede fällige Aktion genau einmal): Tabelle zyklus_aktion in {settings.db_url}",
        "Mit `sozialforum serve` laufen dieselben Flows nach Zeitplan; die Prefect-Oberfläche zeigt Läufe "
        "und Artefakte.",
    ]
    return lines
