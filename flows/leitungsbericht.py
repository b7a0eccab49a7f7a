"""Flow ``leitungsbericht`` (weekly): import from the council's OParl API, then the leadership
report (HTML, PDF, Markdown artifact) and the deadline feed (.ics).

The OParl import is incremental and idempotent; a defect of the source is a warning in the run's
log, never a failure. If the API cannot be reached at all the report is still made from what the
store holds, and says so.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from sozialforum.flows.common import actor, engine_for, settings_from

from sozialforum.beschluesse.feed import fristen_feed
from sozialforum.beschluesse.leitungsbericht import Filter, build_leitungsbericht, write_leitungsbericht
from sozialforum.fristen.datum import today_in_berlin
from sozialforum.oparl.abruf import abruf
from sozialforum.store.db import session_scope
from sozialforum.timeutil import utcnow


@task(cache_policy=NO_CACHE, retries=2, retry_delay_seconds=60)
def oparl_importieren(konfiguration: str | None, url: str, jetzt: datetime, voll: bool) -> dict[str, Any]:
    """Changes from the OParl API into the store; each defect of the source becomes a warning."""
    logger = get_run_logger()
    settings = settings_from(konfiguration)
    with session_scope(engine_for(settings), actor=f"{actor()} oparl:{url}"[:200]) as session:
        report = abruf(session, url, now=jetzt, voll=voll, entscheidend=settings.fristen.oparl_entscheidungsgremien)
    for mangel in report.maengel:
        logger.warning("OParl-Mangel: %s", mangel)
    if report.fehlend:  # what was read is saved; the run fails so that the gap is seen and retried
        raise RuntimeError("OParl-Import unvollständig: " + "; ".join(report.fehlend))
    return {"zeilen": report.zusammenfassung(), "maengel": len(report.maengel), "abrufe": report.abgerufen}


@task(cache_policy=NO_CACHE, retries=1, retry_delay_seconds=10)
def bericht_erstellen(
    konfiguration: str | None, heute: date, jetzt: datetime, dezernat: str | None, amt: str | None, gremium: str | None
) -> dict[str, str]:
    """The report as HTML, PDF and Markdown in ``<data_dir>/berichte/leitung``."""
    settings = settings_from(konfiguration)
    keep = Filter(dezernat=dezernat, amt=amt, gremium=gremium)
    with session_scope(engine_for(settings), actor=actor()) as session:
        report = build_leitungsbericht(session, today=heute, now=jetzt, settings=settings, filter=keep)
        paths = write_leitungsbericht(report, settings.reports_dir / "leitung")
    return {kind: str(path) for kind, path in paths.items()}


@task(cache_policy=NO_CACHE)
def feed_schreiben(konfiguration: str | None, heute: date, jetzt: datetime) -> str:
    """All deadlines as a subscribable calendar at a stable path (replaced atomically)."""
    settings = settings_from(konfiguration)
    with session_scope(engine_for(settings), actor=actor()) as session:
        content = fristen_feed(session, today=heute, now=jetzt, settings=settings)
    target = settings.reports_dir / "fristen.ics"
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_suffix(".ics.tmp")
    temporary.write_bytes(content)
    temporary.replace(target)
    return str(target)


@flow(name="leitungsbericht")
def leitungsbericht(
    konfiguration: str | None = None,
    oparl_url: str | None = None,
    oparl_voll: bool = False,
    dezernat: str | None = None,
    amt: str | None = None,
    gremium: str | None = None,
    jetzt: datetime | None = None,
) -> dict[str, Any]:
    """Leitungsbericht: OParl-Import, Bericht (HTML/PDF) mit Ampel und Fristen-Kalender."""
    logger = get_run_logger()
    now = jetzt or utcnow()
    heute = today_in_berlin(now)
    url = oparl_url or settings_from(konfiguration).fristen.oparl_url
    imported: dict[str, Any] | None = None
    if url:
        imported = oparl_importieren(konfiguration, url, now, oparl_voll)
        logger.info("OParl: %s", "; ".join(imported["zeilen"]))
    paths = bericht_erstellen(konfiguration, heute, now, dezernat, amt, gremium)
    feed = feed_schreiben(konfiguration, heute, now)
    with open(paths["md"], encoding="utf-8") as handle:
        markdown = handle.read()
    if imported is not None:
        markdown += "\n\n## OParl-Import\n\n" + "\n".join(f"- {line}" for line in imported["zeilen"]) + "\n"
    markdown += f"\n\nDateien: `{paths['html']}`, `{paths['pdf']}`; Fristen-Kalender: `{feed}`\n"
    create_markdown_artifact(
        key="leitungsbericht", markdown=markdown, description="Beschlüsse und Fachpläne mit Ampel, nächste Fristen"
    )
    return {**paths, "ics": feed, "oparl": imported}
