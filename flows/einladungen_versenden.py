"""Flow ``einladungen_versenden``: invitations, reminders, calendar replies and delivery.

Coarse tasks with plain parameters: one task per Sitzung renders and delivers its whole batch
(never one task per recipient), one task queues the reminders that are due, one reads the
organiser's mailbox (calendar replies, bounces), one delivers whatever the outbox still holds
(updates and cancellations from the command line, reminders, retries), one reports delivery
problems to the Geschäftsstelle, and one writes the attendance lists. Every step is idempotent:
a retry, a rerun or a crash sends each message exactly once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from sozialforum.flows.common import actor, engine_for, settings_from, smtp_platz

from sozialforum import ablage, outbox
from sozialforum.betrieb import alarm
from sozialforum.konferenz import antworten, erinnerung, teilnehmerliste, termine, versand, versand_direkt
from sozialforum.outbox import probleme as zustellprobleme
from sozialforum.store.db import session_scope
from sozialforum.store.models.base import pk
from sozialforum.timeutil import format_termin, utcnow
from sozialforum.vocab import SitzungStatus


def _transient(task: Any, task_run: Any, state: Any) -> bool:
    """Retry what may pass (database busy, network blip), never an outage of the mail server:
    a retry would find the refused messages settled and report success."""
    return not isinstance(state.data, outbox.DeliveryError)


def _problems(title: str, items: list[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"bezug": title, "empfaenger": who, "grund": why} for who, why in items]


@task(cache_policy=NO_CACHE, retries=2, retry_delay_seconds=60, retry_condition_fn=_transient)
def einladen(konfiguration: str | None, sitzung_id: int, jetzt: datetime) -> dict[str, Any]:
    """Render, queue and deliver the invitations of one Sitzung (one batch, one SMTP connection)."""
    settings = settings_from(konfiguration)
    engine = engine_for(settings)
    with smtp_platz(settings):
        queued, delivery = versand_direkt.invite_and_deliver(
            engine, settings, sitzung_id=sitzung_id, now=jetzt, actor=actor()
        )
    delivery.raise_if_all_failed()
    with session_scope(engine, actor=actor()) as session:
        sitzung = teilnehmerliste.build(session, sitzung_id=sitzung_id).sitzung
    skipped = [(s.name, s.grund) for s in queued.uebersprungen]
    failed = [(p.empfaenger, p.grund) for p in delivery.problems if p.endgueltig]
    return {
        "sitzung": sitzung.titel,
        "zusammenfassung": f"{queued.summary()}; {delivery.summary()}",
        "probleme": _problems(sitzung.titel, skipped + failed),
    }


@task(cache_policy=NO_CACHE, retries=2, retry_delay_seconds=30)
def erinnern(konfiguration: str | None, jetzt: datetime) -> list[str]:
    """Queue the reminders due today (only to those who have not answered)."""
    settings = settings_from(konfiguration)
    with session_scope(engine_for(settings), actor=actor()) as session:
        return [r.summary() for r in erinnerung.send_reminders(session, now=jetzt, settings=settings) if r.neu]


@task(cache_policy=NO_CACHE, retries=2, retry_delay_seconds=60)
def antworten_lesen(konfiguration: str | None, jetzt: datetime) -> dict[str, Any]:
    """Calendar replies and bounces from the mailbox; a bad reply is reported, never fatal."""
    settings = settings_from(konfiguration)
    report = antworten.process_mailbox(engine_for(settings), settings, now=jetzt, actor=actor())
    return {
        "zusammenfassung": report.summary(),
        # Held replies wait for the Geschäftsstelle (the Sitzung's page): the report names them.
        "probleme": _problems(
            "Kalenderantworten", [(p.herkunft, p.grund) for p in report.probleme + report.zurueckgehalten]
        ),
    }


@task(cache_policy=NO_CACHE, retries=3, retry_delay_seconds=60, retry_condition_fn=_transient)
def zustellen(konfiguration: str | None, jetzt: datetime) -> dict[str, Any]:
    """Deliver what the outbox holds; a server that refuses everything fails the run loudly."""
    settings = settings_from(konfiguration)
    with smtp_platz(settings):
        report = outbox.deliver_pending(engine_for(settings), settings, now=jetzt)
    # A delivery failing for too long reaches a person by another channel (once per outage).
    alarm.zustellung_pruefen(engine_for(settings), settings, now=jetzt)
    report.raise_if_unfinished()
    failed = [(p.empfaenger, p.grund) for p in report.problems if p.endgueltig]
    return {"zusammenfassung": report.summary(), "probleme": _problems("Versand", failed)}


@task(cache_policy=NO_CACHE, retries=2, retry_delay_seconds=30)
def probleme_melden(konfiguration: str | None, probleme: list[dict[str, str]], jetzt: datetime) -> str:
    settings = settings_from(konfiguration)
    engine = engine_for(settings)
    with session_scope(engine, actor=actor()) as session:
        message = zustellprobleme.report(
            session, [zustellprobleme.Zustellproblem(**p) for p in probleme], now=jetzt, settings=settings
        )
    if message is None:
        return "keine Zustellprobleme"
    with smtp_platz(settings):
        outbox.deliver_pending(engine, settings, now=jetzt)
    return f"{len(probleme)} Zustellprobleme an {settings.geschaeftsstelle.email} gemeldet"


@task(cache_policy=NO_CACHE)
def teilnehmerlisten_schreiben(konfiguration: str | None, jetzt: datetime) -> list[str]:
    """The attendance lists (HTML, XLSX) of every invited Sitzung still ahead."""
    settings = settings_from(konfiguration)
    written: list[str] = []
    with session_scope(engine_for(settings), actor=actor()) as session:
        for sitzung, _gremium in termine.upcoming(session, now=jetzt):
            if sitzung.status == SitzungStatus.EINGELADEN:
                liste = teilnehmerliste.build(session, sitzung_id=pk(sitzung))
                html, xlsx = teilnehmerliste.write(liste, settings.reports_dir / "teilnehmerlisten", now=jetzt)
                for path in (html, xlsx):  # where every machine and the portal read it
                    ablage.ablegen(settings, path)
                written += [str(html), str(xlsx)]
    return written


@task(cache_policy=NO_CACHE)
def faellige_einladungen(konfiguration: str | None, jetzt: datetime) -> list[int]:
    settings = settings_from(konfiguration)
    with session_scope(engine_for(settings), actor=actor()) as session:
        return versand.due_invitations(session, now=jetzt)


@flow(name="einladungen_versenden")
def einladungen_versenden(
    konfiguration: str | None = None, jetzt: datetime | None = None, sitzung_ids: list[int] | None = None
) -> dict[str, Any]:
    """Einladungen versenden, erinnern, Kalenderantworten lesen und den Postausgang zustellen."""
    logger = get_run_logger()
    now = jetzt or utcnow()
    ids = sitzung_ids if sitzung_ids is not None else faellige_einladungen(konfiguration, now)
    invitations = [einladen(konfiguration, sitzung_id, now) for sitzung_id in ids]
    reminders = erinnern(konfiguration, now)
    replies = antworten_lesen(konfiguration, now)
    delivery = zustellen(konfiguration, now)
    problems = [p for part in (*invitations, replies, delivery) for p in part["probleme"]]
    reported = probleme_melden(konfiguration, problems, now)
    lists = teilnehmerlisten_schreiben(konfiguration, now)
    lines = [f"- **{item['sitzung']}**: {item['zusammenfassung']}" for item in invitations]
    lines += [f"- Erinnerung: {text}" for text in reminders]
    lines += [
        f"- Kalenderantworten: {replies['zusammenfassung']}",
        f"- Postausgang: {delivery['zusammenfassung']}",
        f"- {reported}",
    ]
    lines += [f"- Teilnehmerliste: `{path}`" for path in lists]
    create_markdown_artifact(
        key="einladungen-versenden",
        markdown=f"# Versand {format_termin(now)}\n\n" + "\n".join(lines),
        description="Einladungen, Erinnerungen, Antworten",
    )
    for line in lines:
        logger.info(line)
    return {
        "einladungen": invitations,
        "erinnerungen": reminders,
        "antworten": replies,
        "zustellung": delivery,
        "probleme": reported,
        "teilnehmerlisten": lists,
    }
