"""Flow ``protokoll_einsammeln``: the minutes of one Sitzung, from the request to the distribution.

Each run advances the minutes as far as the store allows and is idempotent (a rerun after the
distribution changes and sends nothing). The draft and the comments arrive through the portal,
weeks apart, so the run ends while it waits for people; the daily ``protokolle_nachhalten``
reminds, escalates and starts the run again when a draft is ready for the decision.

The decision is Prefect's human-in-the-loop: the run pauses with ``wait_for_input=Freigabe``
(approve, or return with remarks), answerable in the Prefect UI, through the API
(``resume_flow_run``) and with ``sozialforum protokoll freigeben``. A pause that times out
reminds the Geschäftsstelle and waits again; it never approves.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta
from typing import Any, Literal
from uuid import UUID

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.client.orchestration import get_client
from prefect.exceptions import FlowPauseTimeout, MissingContextError, NotPausedError, ObjectNotFound
from prefect.flow_runs import pause_flow_run, resume_flow_run
from prefect.input import RunInput
from prefect.runtime import flow_run
from prefect.states import Running
from pydantic import Field
from sozialforum.flows.common import actor, engine_for, settings_from, zustellen

from sozialforum.problems import ProblemReport
from sozialforum.protokoll.anfordern import remind_late, request_draft
from sozialforum.protokoll.endfassung import finalize
from sozialforum.protokoll.freigabe import decide, mark_waiting, remind_decision
from sozialforum.protokoll.lage import (
    ProtokollFehler,
    get_protokoll,
    held_without_protokoll,
    lage,
    open_protokolle,
    protokoll_for_sitzung,
)
from sozialforum.store.db import session_scope
from sozialforum.timeutil import format_termin, utcnow
from sozialforum.vocab import ProtokollEntscheidung, ProtokollStatus

DEPLOYMENT = "protokoll_einsammeln/protokoll-einsammeln"
SCHEMA_WARTEN_SEKUNDEN = 10  # how long a decision waits for a just-paused run's input schema (see resume_with_decision)


class Freigabe(RunInput):
    """Entscheidung der Geschäftsstelle über den Protokollentwurf."""

    entscheidung: Literal["freigeben", "zurueckgeben"] = Field(
        title="Entscheidung", description="freigeben, oder zur Überarbeitung zurückgeben (mit Anmerkungen)"
    )
    anmerkungen: str = Field(
        default="", title="Anmerkungen", description="Was soll überarbeitet werden? Pflicht bei einer Rückgabe."
    )
    entschieden_von: str = Field(default="Geschäftsstelle", title="Entschieden von")


def _now(jetzt: datetime | None) -> datetime:
    return jetzt or utcnow()


def _logger() -> Any:
    """The run logger; the module logger when a task is called outside a run (``task.fn``)."""
    try:
        return get_run_logger()
    except MissingContextError:
        return logging.getLogger(__name__)


def _transient(task: Any, task_run: Any, state: Any) -> bool:
    """Retry database or mail hiccups, not a step the domain refused (that needs a person)."""
    try:
        state.result()
    except (ProtokollFehler, ProblemReport):
        return False
    except Exception:
        return True
    return True


@task(cache_policy=NO_CACHE, retries=2, retry_delay_seconds=5, retry_condition_fn=_transient)
def anfordern(konfiguration: str | None, sitzung_id: int, jetzt: datetime) -> dict[str, Any]:
    """Create the Protokoll and ask for the draft (once), remind when due; return the state."""
    settings = settings_from(konfiguration)
    with session_scope(engine_for(settings), actor=actor()) as session:
        protokoll = protokoll_for_sitzung(session, sitzung_id)
        if protokoll is None or protokoll.status == ProtokollStatus.ANGEFORDERT:
            protokoll = request_draft(session, sitzung_id=sitzung_id, now=jetzt, settings=settings)
        assert protokoll.id is not None
        remind_late(session, protokoll_id=protokoll.id, now=jetzt, settings=settings)
        return lage(session, protokoll, now=jetzt).as_dict()


@task(cache_policy=NO_CACHE)
def lage_lesen(konfiguration: str | None, protokoll_id: int, jetzt: datetime) -> dict[str, Any]:
    settings = settings_from(konfiguration)
    with session_scope(engine_for(settings), actor=actor()) as session:
        return lage(session, get_protokoll(session, protokoll_id), now=jetzt).as_dict()


@task(cache_policy=NO_CACHE)
def warten_vermerken(konfiguration: str | None, protokoll_id: int, lauf_id: str | None) -> None:
    settings = settings_from(konfiguration)
    with session_scope(engine_for(settings), actor=actor()) as session:
        mark_waiting(session, protokoll_id=protokoll_id, lauf_id=lauf_id)


@task(cache_policy=NO_CACHE)
def erinnern(konfiguration: str | None, protokoll_id: int, jetzt: datetime) -> bool:
    """Remind the Geschäftsstelle that the draft waits for its decision."""
    settings = settings_from(konfiguration)
    with session_scope(engine_for(settings), actor=actor()) as session:
        return remind_decision(session, protokoll_id=protokoll_id, now=jetzt, settings=settings)


@task(cache_policy=NO_CACHE)
def entscheiden(
    konfiguration: str | None, protokoll_id: int, version: int, eingabe: dict[str, Any], jetzt: datetime
) -> dict[str, Any]:
    """Record the decision (a second one on the same version changes nothing)."""
    settings = settings_from(konfiguration)
    with session_scope(engine_for(settings), actor=actor()) as session:
        result = decide(
            session,
            protokoll_id=protokoll_id,
            version_nummer=version,
            entscheidung=ProtokollEntscheidung(eingabe["entscheidung"]),
            anmerkungen=eingabe.get("anmerkungen", ""),
            entschieden_von=eingabe.get("entschieden_von") or "Geschäftsstelle",
            quelle="prefect",
            now=jetzt,
            settings=settings,
        )
    return {"entscheidung": result.entscheidung, "neu": result.neu, "meldung": result.meldung}


@task(cache_policy=NO_CACHE, retries=2, retry_delay_seconds=5, retry_condition_fn=_transient)
def abschliessen(konfiguration: str | None, protokoll_id: int, jetzt: datetime) -> str:
    """Render, archive and distribute the approved minutes and track their Aufträge (once)."""
    settings = settings_from(konfiguration)
    with session_scope(engine_for(settings), actor=actor()) as session:
        return finalize(session, protokoll_id=protokoll_id, now=jetzt, settings=settings).zusammenfassung()


def _back_to_running() -> None:
    """A pause that timed out leaves the run paused; set it running again to remind and re-pause."""
    with get_client(sync_client=True) as client:
        run_id = flow_run.get_id()
        assert run_id is not None  # called from inside the flow run
        client.set_flow_run_state(run_id, Running(), force=True)


def _wait_for_decision(
    konfiguration: str | None, state: dict[str, Any], jetzt: datetime | None, poll_sekunden: int
) -> Freigabe | None:
    """Pause for the typed input; on each timeout remind the Geschäftsstelle and pause again."""
    logger = get_run_logger()
    settings = settings_from(konfiguration)
    timeout = max(1, int(settings.protokoll.freigabe_erinnerung_stunden * 3600))
    protokoll_id, version = state["protokoll_id"], state["version"]
    for runde in range(settings.protokoll.freigabe_erinnerungen_je_lauf + 1):
        warten_vermerken(konfiguration, protokoll_id, str(flow_run.get_id()))
        try:
            eingabe = pause_flow_run(
                wait_for_input=Freigabe,
                timeout=timeout,
                poll_interval=max(1, min(poll_sekunden, timeout)),
                key=f"freigabe-v{version}-{runde}",
            )
        except FlowPauseTimeout:
            _back_to_running()
            if not erinnern(konfiguration, protokoll_id, _now(jetzt)):
                return None  # decided elsewhere in the meantime
            zustellen(konfiguration, _now(jetzt))
            continue
        if eingabe.entscheidung == "zurueckgeben" and not eingabe.anmerkungen.strip():
            logger.warning("Rückgabe ohne Anmerkungen abgelehnt: bitte angeben, was zu überarbeiten ist.")
            continue
        return eingabe
    warten_vermerken(konfiguration, protokoll_id, None)
    return None


@flow(name="protokoll_einsammeln")
def protokoll_einsammeln(
    sitzung_id: int, konfiguration: str | None = None, jetzt: datetime | None = None, poll_sekunden: int = 10
) -> str:
    """Protokoll einer Sitzung einsammeln: Entwurf anfordern, erinnern, Freigabe abwarten, verteilen."""
    logger = get_run_logger()
    state = anfordern(konfiguration, sitzung_id, _now(jetzt))
    status = state["status"]
    if status == ProtokollStatus.VERTEILT:
        return "Das Protokoll ist bereits verteilt; es wurde nichts geändert und nichts gesendet."
    if status in (ProtokollStatus.ANGEFORDERT, ProtokollStatus.ZURUECKGEGEBEN):
        zustellen(konfiguration, _now(jetzt))
        return f"Wartet auf den Entwurf der Protokollführung (Version {state['version'] + 1})."
    if state["kommentierung_laeuft"]:
        zustellen(konfiguration, _now(jetzt))
        until = format_termin(datetime.fromisoformat(state["kommentar_bis"]))
        return f"Entwurf Version {state['version']}: Kommentierung läuft bis {until}."
    if status == ProtokollStatus.EINGEREICHT:
        eingabe = _wait_for_decision(konfiguration, state, jetzt, poll_sekunden)
        if eingabe is not None:
            result = entscheiden(
                konfiguration, state["protokoll_id"], state["version"], eingabe.model_dump(), _now(jetzt)
            )
            logger.info(result["meldung"])
        state = lage_lesen(konfiguration, state["protokoll_id"], _now(jetzt))
    if state["status"] == ProtokollStatus.FREIGEGEBEN:
        summary = abschliessen(konfiguration, state["protokoll_id"], _now(jetzt))
        zustellen(konfiguration, _now(jetzt))
        return summary
    zustellen(konfiguration, _now(jetzt))
    if state["status"] == ProtokollStatus.ZURUECKGEGEBEN:
        return f"Version {state['version']} ist an die Protokollführung zurückgegeben."
    if state["status"] == ProtokollStatus.VERTEILT:
        return "Das Protokoll ist bereits verteilt; es wurde nichts geändert und nichts gesendet."
    return f"Version {state['version']} wartet weiter auf die Freigabe; die Geschäftsstelle ist erinnert."


# --- the daily run and the command line -----------------------------------------------------


@task(cache_policy=NO_CACHE)
def nachhalten(konfiguration: str | None, jetzt: datetime, seit_tagen: int) -> dict[str, Any]:
    """Request drafts of newly held Sitzungen, remind and escalate; list what awaits a decision."""
    settings = settings_from(konfiguration)
    engine = engine_for(settings)
    with session_scope(engine, actor=actor()) as session:
        neu = held_without_protokoll(session, now=jetzt, seit=jetzt - timedelta(days=seit_tagen))
    logger = _logger()
    for sitzung_id in neu:  # one transaction per Sitzung: one bad Sitzung must not block the rest
        try:
            with session_scope(engine, actor=actor()) as session:
                request_draft(session, sitzung_id=sitzung_id, now=jetzt, settings=settings)
        except (ProtokollFehler, ValueError) as exc:
            logger.error("Sitzung %s: %s", sitzung_id, exc)
    erinnert, bereit = 0, []
    with session_scope(engine, actor=actor()) as session:
        for protokoll in open_protokolle(session):
            assert protokoll.id is not None
            erinnert += len(remind_late(session, protokoll_id=protokoll.id, now=jetzt, settings=settings))
            snapshot = lage(session, protokoll, now=jetzt)
            if snapshot.bereit_zur_freigabe or snapshot.status == ProtokollStatus.FREIGEGEBEN:
                bereit.append(
                    {"sitzung_id": protokoll.sitzung_id, "lauf": snapshot.freigabe_lauf_id, "version": snapshot.version}
                )
    return {"angefordert": len(neu), "erinnert": erinnert, "bereit": bereit}


def run_is_waiting(lauf_id: str | None) -> bool:
    if not lauf_id:
        return False
    with get_client(sync_client=True) as client:
        try:
            run = client.read_flow_run(UUID(lauf_id))
        except (ObjectNotFound, ValueError):
            return False
    state = run.state
    if state is None:
        return False
    if state.is_paused():
        # A paused run whose pause ran out belongs to a process that died: a live one re-pauses.
        until = state.state_details.pause_timeout
        return until is None or until > utcnow()
    return state.is_running() or state.is_scheduled() or state.is_pending()


@flow(name="protokolle_nachhalten")
def protokolle_nachhalten(konfiguration: str | None = None, jetzt: datetime | None = None, seit_tagen: int = 60) -> str:
    """Täglich: Entwürfe anfordern, erinnern, eskalieren; für fertige Entwürfe die Freigabe starten."""
    from prefect.deployments import run_deployment

    logger = get_run_logger()
    result = nachhalten(konfiguration, _now(jetzt), seit_tagen)
    started = 0
    for item in result["bereit"]:
        if run_is_waiting(item["lauf"]):
            continue
        # One run per draft version and day, however often the daily run is started.
        key = f"protokoll:{item['sitzung_id']}:v{item['version']}:{_now(jetzt):%Y-%m-%d}"
        try:
            run_deployment(
                DEPLOYMENT,
                parameters={"sitzung_id": item["sitzung_id"], "konfiguration": konfiguration},
                timeout=0,
                idempotency_key=key,
            )
        except ObjectNotFound:
            logger.warning(
                "Deployment %s fehlt (prefect deploy); Sitzung %s wartet auf die Freigabe.",
                DEPLOYMENT,
                item["sitzung_id"],
            )
            continue
        started += 1
    logger.info("%s", result)
    zustellen(konfiguration, _now(jetzt))
    return (
        f"{result['angefordert']} Entwürfe angefordert, {result['erinnert']} Erinnerungen/Eskalationen, "
        f"{started} Freigabeläufe gestartet."
    )


def resume_with_decision(lauf_id: str, *, entscheidung: str, anmerkungen: str, entschieden_von: str) -> bool:
    """Answer a waiting run with the typed input (for ``sozialforum protokoll freigeben``).
    False when that run no longer waits.

    ``_sync=True``: Prefect picks the async variant whenever it sees a run context or an event
    loop in this thread, and then silently returns a coroutine that nobody awaits.

    Prefect sets a run PAUSED and stores its input schema in two writes: a decision that comes
    in between (a run just seen waiting) gets "Run input schema not found", so ask again for a
    few seconds before giving up."""
    run_input = {"entscheidung": entscheidung, "anmerkungen": anmerkungen, "entschieden_von": entschieden_von}
    deadline = time.monotonic() + SCHEMA_WARTEN_SEKUNDEN
    while True:
        try:
            resume_flow_run(
                UUID(lauf_id),
                run_input=run_input,
                _sync=True,  # type: ignore[call-arg]  # Prefect's sync switch (see above), not in its signature
            )
        except (NotPausedError, FlowPauseTimeout, ObjectNotFound, ValueError):
            return False
        except RuntimeError as exc:
            if "schema not found" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.2)
            continue
        return True
