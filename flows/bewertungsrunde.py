"""Flow ``bewertungsrunde`` (daily while a round is open): asks every project's responsible
person for a report, reminds once before the deadline, delivers, and says how far the round is.

Started by ``sozialforum strategie runde`` with a round's key (which creates the round), and daily
by its deployment without one (every round whose deadline has not passed). Requests and
reminders are outbox messages under keys per round and person: a rerun sends nothing twice.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from sozialforum.flows.common import actor, engine_for, settings_from, zustellen
from sqlmodel import col, select

from sozialforum.fristen.datum import today_in_berlin
from sozialforum.store.db import session_scope
from sozialforum.store.models import Bewertungsrunde
from sozialforum.strategie import bewertung
from sozialforum.timeutil import utcnow


@task(cache_policy=NO_CACHE, retries=2, retry_delay_seconds=10)
def runden_bearbeiten(konfiguration: str | None, runde: str | None, jetzt: datetime) -> list[dict[str, Any]]:
    """Requests for new reports and the reminder, for one round or every open one (one transaction)."""
    settings = settings_from(konfiguration)
    heute = today_in_berlin(jetzt)
    result = []
    with session_scope(engine_for(settings), actor=actor()) as session:
        query = select(Bewertungsrunde)
        if runde is not None:
            query = query.where(Bewertungsrunde.kennung == runde)
        else:
            query = query.where(col(Bewertungsrunde.berichtsfrist) >= heute)
        for row in session.exec(query.order_by(col(Bewertungsrunde.id))):
            angefragt = bewertung.anfragen(session, row, now=jetzt, settings=settings)
            erinnert = bewertung.erinnern(session, row, now=jetzt, settings=settings)
            stand = bewertung.stand(session, row)
            result.append(
                {
                    "runde": row.kennung,
                    "titel": row.titel,
                    "anfragen": angefragt,
                    "erinnerungen": erinnert,
                    "projekte": stand.projekte,
                    "eingegangen": stand.eingegangen,
                    "offen": stand.offen,
                    "ohne_ansprechperson": stand.ohne_ansprechperson,
                    "bewertet": stand.bewertet,
                }
            )
    return result


@flow(name="bewertungsrunde")
def bewertungsrunde(
    konfiguration: str | None = None, runde: str | None = None, jetzt: datetime | None = None, zustellung: bool = True
) -> list[dict[str, Any]]:
    """Bewertungsrunde: Berichte der Projekte anfragen, einmal erinnern, Stand melden."""
    logger = get_run_logger()
    now = jetzt or utcnow()
    runden = runden_bearbeiten(konfiguration, runde, now)
    versand = zustellen(konfiguration, now) if zustellung else "Zustellung ausgelassen"
    zeilen = [
        f"| {r['titel']} | {r['projekte']} | {r['eingegangen']} | {r['offen']} | {r['ohne_ansprechperson']} | "
        f"{r['bewertet']} | {r['anfragen']} | {r['erinnerungen']} |"
        for r in runden
    ]
    create_markdown_artifact(
        key="bewertungsrunde",
        markdown="# Bewertungsrunden\n\n| Runde | Projekte | Berichte | offen | ohne Ansprechperson | bewertet "
        "| Anfragen | Erinnerungen |\n|---|---:|---:|---:|---:|---:|---:|---:|\n"
        + "\n".join(zeilen)
        + f"\n\nVersand: {versand}\n",
        description="Stand der Bewertungsrunden",
    )
    for r in runden:
        logger.info(
            "%s: %d von %d Berichten eingegangen, %d Anfragen und %d Erinnerungen verschickt",
            r["titel"],
            r["eingegangen"],
            r["projekte"],
            r["anfragen"],
            r["erinnerungen"],
        )
    return runden
