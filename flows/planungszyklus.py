"""Flow ``planungszyklus`` (daily): decide what is due in the store and run it.

The decisions are domain code (``sozialforum.betrieb.zyklus``, read only); this flow runs each
due action through the flow that owns it, as a subflow (so its tasks and artifacts show in the
Prefect UI under this run): data refresh, conference packs and invitations, reminders and
mailbox, minutes requested and distributed, the daily scans of minutes and deadlines, the
monthly leadership report. Actions for the same flow that follow each other are one call.

Each action is booked before and after it runs (``sozialforum.betrieb.buchfuehrung``): what ran
is never run again, a failed action is tried again on the next run (at most
``betrieb.max_versuche`` times), and after downtime everything that became due in the meantime
runs once. One failing action does not hold up the others; the run fails at the end so the
failure shows in the UI.
"""

from __future__ import annotations

import importlib
import inspect
from datetime import date, datetime
from typing import Any

from prefect import Flow, flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run
from sozialforum.flows import grenzen
from sozialforum.flows.common import actor, engine_for, settings_from

from sozialforum.betrieb import buchfuehrung
from sozialforum.betrieb.deployments import fuer_flow, lade_deployments
from sozialforum.betrieb.zyklus import Aktion, faellige_aktionen
from sozialforum.fristen.datum import today_in_berlin
from sozialforum.store.db import session_scope
from sozialforum.timeutil import format_datum, utcnow

# Flows that send mail hold a slot of the SMTP limit while they run.


@task(cache_policy=NO_CACHE, retries=2, retry_delay_seconds=10)
def planen(konfiguration: str | None, heute: date, jetzt: datetime) -> list[dict[str, Any]]:
    """What is due today, or earlier and not yet done (read only)."""
    settings = settings_from(konfiguration)
    with session_scope(engine_for(settings), actor=actor()) as session:
        return [a.as_dict() for a in faellige_aktionen(session, today=heute, now=jetzt, settings=settings)]


def beginnen(konfiguration: str | None, aktionen: list[Aktion], heute: date, jetzt: datetime) -> list[str]:
    """Book the actions as running and the stages they replace as skipped (one transaction).

    Bookkeeping is a few rows: plain calls, not tasks, so a day with many actions stays quick."""
    settings = settings_from(konfiguration)
    run_id = str(flow_run.get_id() or "") or None
    skipped: list[str] = []
    with session_scope(engine_for(settings), actor=actor()) as session:
        for aktion in aktionen:
            skipped += buchfuehrung.ersetzte_buchen(session, aktion, tag=heute, now=jetzt)
            buchfuehrung.beginnen(session, aktion, tag=heute, now=jetzt, lauf_id=run_id)
    return skipped


def beenden(konfiguration: str | None, schluessel: list[str], ok: bool, ergebnis: str, jetzt: datetime) -> None:
    settings = settings_from(konfiguration)
    with session_scope(engine_for(settings), actor=actor()) as session:
        for key in schluessel:
            if ok:
                buchfuehrung.erledigt(session, key, now=jetzt, ergebnis=ergebnis)
            else:
                buchfuehrung.fehlgeschlagen(session, key, now=jetzt, fehler=ergebnis)


@task(cache_policy=NO_CACHE, retries=2, retry_delay_seconds=5)
def tag_abschliessen(konfiguration: str | None, heute: date, jetzt: datetime, aktionen: int, fehler: int) -> str | None:
    """Book the day; returns the first missed day if this run caught up after downtime."""
    settings = settings_from(konfiguration)
    with session_scope(engine_for(settings), actor=actor()) as session:
        row = buchfuehrung.tag_abschliessen(
            session, tag=heute, now=jetzt, lauf_id=str(flow_run.get_id() or ""), aktionen=aktionen, fehler=fehler
        )
        return row.nachgeholt_ab.isoformat() if row.nachgeholt_ab else None


def _merge(into: dict[str, Any], more: dict[str, Any]) -> dict[str, Any] | None:
    """Join two calls' parameters: lists are concatenated, equal values kept; else None."""
    merged = dict(into)
    for key, value in more.items():
        if key not in merged:
            merged[key] = value
        elif isinstance(value, list) and isinstance(merged[key], list):
            merged[key] = merged[key] + [v for v in value if v not in merged[key]]
        elif merged[key] != value:
            return None
    return merged


def gruppen(aktionen: list[Aktion]) -> list[tuple[str, dict[str, Any], list[Aktion]]]:
    """Consecutive actions for the same flow with joinable parameters become one call."""
    calls: list[tuple[str, dict[str, Any], list[Aktion]]] = []
    for aktion in aktionen:
        if calls and calls[-1][0] == aktion.flow:
            merged = _merge(calls[-1][1], aktion.parameter)
            if merged is not None:
                calls[-1] = (aktion.flow, merged, [*calls[-1][2], aktion])
                continue
        calls.append((aktion.flow, dict(aktion.parameter), [aktion]))
    return calls


def flow_named(name: str) -> Flow[..., Any]:
    """The flow function ``name``, found through its deployment in prefect.yaml (or, for a flow
    not deployed yet, the module of the same name in flows/)."""
    deployment = fuer_flow(lade_deployments(), name)
    module, attribute = (deployment.modul, deployment.funktion) if deployment else (f"sozialforum.flows.{name}", name)
    try:
        found = getattr(importlib.import_module(module), attribute, None)
    except ImportError as exc:
        raise LookupError(f"Flow {name}: Modul {module} lässt sich nicht laden ({exc}).") from exc
    if not isinstance(found, Flow):
        raise LookupError(f"Flow {name} ist weder in prefect.yaml eingetragen noch in {module} zu finden.")
    return found


def aufruf(
    target: Flow[..., Any], parameter: dict[str, Any], konfiguration: str | None, jetzt: datetime
) -> dict[str, Any]:
    """Keyword arguments for ``target``: the action's parameters, the config path (under the name
    the flow uses) and the time."""
    accepted = inspect.signature(target.fn).parameters
    kwargs = dict(parameter)
    name = next((n for n in ("konfiguration", "config") if n in accepted), None)
    if name:
        kwargs[name] = konfiguration
    if "jetzt" in accepted:
        kwargs["jetzt"] = jetzt
    unknown = sorted(k for k in kwargs if k not in accepted)
    if unknown:
        raise TypeError(f"Flow {target.name} kennt die Parameter {', '.join(unknown)} nicht.")
    return kwargs


def kurz(result: Any, limit: int = 600) -> str:
    """A short German text of a subflow's result for the bookkeeping."""
    if isinstance(result, dict):
        text = result.get("zusammenfassung") if isinstance(result.get("zusammenfassung"), str) else None
        text = text or "; ".join(f"{k}: {v}" for k, v in result.items() if isinstance(v, str | int | float))
        text = text or f"{len(result)} Angaben"
    elif isinstance(result, list):
        text = f"{len(result)} Einträge"
    else:
        text = str(result) if result is not None else "erledigt"
    return text[:limit]


@flow(name="planungszyklus")
def planungszyklus(konfiguration: str | None = None, jetzt: datetime | None = None) -> dict[str, Any]:
    """Planungszyklus: erledigt, was heute fällig ist (oder seit einer Ausfallzeit), genau einmal."""
    logger = get_run_logger()
    now = jetzt or utcnow()
    heute = today_in_berlin(now)
    aktionen = [Aktion.from_dict(data) for data in planen(konfiguration, heute, now)]
    lines: list[str] = []
    failed: list[str] = []
    for name, parameter, members in gruppen(aktionen):
        keys = [a.schluessel for a in members]
        skipped = beginnen(konfiguration, members, heute, now)
        lines += [f"- übersprungen (ersetzt): `{key}`" for key in skipped]
        try:
            target = flow_named(name)
            # The SMTP slot is taken by the delivery tasks themselves (sozialforum.flows.common.smtp_platz),
            # so that runs started by their own schedules share it too; taking it here as well
            # would wait for itself (limit 1).
            with grenzen.belegen(grenzen.DATENBANK):
                result = target(**aufruf(target, parameter, konfiguration, now))
        except Exception as exc:
            message = f"{type(exc).__name__}: {exc}"
            logger.error("%s fehlgeschlagen: %s", ", ".join(keys), message)
            beenden(konfiguration, keys, False, message, now)
            failed += keys
            lines += [f"- **fehlgeschlagen** {a.beschreibung}: {message[:300]}" for a in members]
            continue
        summary = kurz(result)
        beenden(konfiguration, keys, True, summary, now)
        lines += [f"- {a.beschreibung}" for a in members]
        logger.info("%s: %s", name, summary)
    caught_up = tag_abschliessen(konfiguration, heute, now, len(aktionen), len(failed))
    head = f"# Planungszyklus {format_datum(heute)}\n\n"
    if caught_up:
        head += f"Nachgeholt seit {format_datum(date.fromisoformat(caught_up))} (Ausfallzeit).\n\n"
    create_markdown_artifact(
        key="planungszyklus",
        markdown=head + ("\n".join(lines) or "Heute war nichts fällig."),
        description="Was der Planungszyklus heute erledigt hat",
    )
    if failed:
        raise RuntimeError(
            f"{len(failed)} Aktion(en) fehlgeschlagen: {', '.join(failed)} (werden beim nächsten Lauf erneut versucht)"
        )
    return {"tag": heute.isoformat(), "aktionen": [a.schluessel for a in aktionen], "nachgeholt_ab": caught_up}
