"""Flow ``fristen_ueberwachen`` (daily): reminders before, escalations after every deadline, and
the Löschfristen of the Datenschutzerklärung.

Four coarse tasks over the whole store: find what is due (read only), record it and put the
mails into the outbox (re-reading every deadline first, all or nothing), deliver the outbox,
erase what Träger staff wrote once its retention is over (``stammdaten.aufbewahrung``).
Each reminder is a row with a unique key, written with its mail in one transaction, so a rerun,
a retry, a crash between the steps or a catch-up after days of downtime sends it exactly once.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from sozialforum.flows.common import actor, engine_for, settings_from, zustellen

from sozialforum.fristen import erinnerungen
from sozialforum.fristen.datum import today_in_berlin
from sozialforum.stammdaten import aufbewahrung
from sozialforum.store.db import session_scope
from sozialforum.timeutil import format_datum, utcnow


@task(cache_policy=NO_CACHE, retries=2, retry_delay_seconds=10)
def faellige_ermitteln(konfiguration: str | None, heute: date) -> list[dict[str, Any]]:
    """Every reminder and escalation due today that has not been sent (read only)."""
    settings = settings_from(konfiguration)
    with session_scope(engine_for(settings), actor=actor()) as session:
        return [item.as_dict() for item in erinnerungen.plan(session, today=heute, settings=settings)]


@task(cache_policy=NO_CACHE, retries=2, retry_delay_seconds=10)
def erinnerungen_eintragen(
    konfiguration: str | None, faellige: list[dict[str, Any]], heute: date, jetzt: datetime
) -> dict[str, Any]:
    """Re-read the deadlines, record what is still due and enqueue its mails (one transaction)."""
    settings = settings_from(konfiguration)
    planned = [erinnerungen.Faellig.from_dict(item) for item in faellige]
    with session_scope(engine_for(settings), actor=actor()) as session:
        result = erinnerungen.dispatch(session, planned, today=heute, now=jetzt, settings=settings)
    return {
        "zusammenfassung": result.summary(),
        "erinnerungen": result.erinnerungen,
        "eskalationen": result.eskalationen,
        "mails": result.mails,
        "erledigt_oder_verschoben": result.erledigt_oder_verschoben,
        "zurueckgestellt": result.zurueckgestellt,
    }


@task(cache_policy=NO_CACHE, retries=2, retry_delay_seconds=10)
def loeschfristen(konfiguration: str | None, jetzt: datetime) -> dict[str, int]:
    """Erase the personal values whose retention is over (idempotent: a rerun finds nothing)."""
    settings = settings_from(konfiguration)
    with session_scope(engine_for(settings), actor="dsgvo:aufbewahrung") as session:
        return aufbewahrung.durchsetzen(
            session, now=jetzt, monate=settings.rechtliches.speicherdauer_monate, settings=settings
        )


@flow(name="fristen_ueberwachen")
def fristen_ueberwachen(
    konfiguration: str | None = None, jetzt: datetime | None = None, zustellung: bool = True
) -> str:
    """Fristen überwachen: erinnern, an die Leitung eskalieren, (wöchentlich) zusammenfassen."""
    logger = get_run_logger()
    now = jetzt or utcnow()
    heute = today_in_berlin(now)
    faellige = faellige_ermitteln(konfiguration, heute)
    logger.info("%d Erinnerungen/Eskalationen fällig am %s", len(faellige), format_datum(heute))
    ergebnis = erinnerungen_eintragen(konfiguration, faellige, heute, now)
    versand = zustellen(konfiguration, now) if zustellung else "Zustellung ausgelassen"
    geloescht = loeschfristen(konfiguration, now)
    if any(geloescht.values()):
        settings = settings_from(konfiguration)
        monate, tage = settings.rechtliches.speicherdauer_monate, settings.mail.inhalt_aufbewahren_tage
        logger.info(aufbewahrung.bericht(geloescht, monate=monate, geloescht=True, tage=tage))
    summary = f"{ergebnis['zusammenfassung']}. Versand: {versand}."
    create_markdown_artifact(
        key="fristen-ueberwachung",
        markdown=(
            f"# Fristenüberwachung {format_datum(heute)}\n\n"
            f"| | Anzahl |\n|---|---:|\n| Erinnerungen | {ergebnis['erinnerungen']} |\n"
            f"| Eskalationen an die Leitung | {ergebnis['eskalationen']} |\n"
            f"| E-Mails | {ergebnis['mails']} |\n"
            f"| inzwischen erledigt oder verschoben | {ergebnis['erledigt_oder_verschoben']} |\n"
            f"| für die Wochenübersicht zurückgestellt | {ergebnis['zurueckgestellt']} |\n"
            f"| nach Ablauf der Speicherdauer gelöschte Angaben | {sum(geloescht.values())} |\n\n"
            f"Versand: {versand}\n"
        ),
        description="Erinnerungen und Eskalationen des Tages",
    )
    logger.info(summary)
    return summary
