"""Flow ``datenaktualisierung``: load the statistics files, compute atlas and monitor, write the
Sozialraumprofile and the Sozialstrukturatlas, and report in two artifacts (a table of the
loads and a summary: what was loaded, which classes moved, which targets were missed).

Prefect glue only: one task per source file (each file one transaction), one for computing,
one for the budget, one for the outputs; the domain is ``sozialforum.daten``. A file with
problems fails its task without retries (a person must fix the file) and nothing is computed
from a half-loaded set; database hiccups are retried.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from sozialforum.flows.common import actor, engine_for, settings_from

from sozialforum.daten import aktualisierung as service
from sozialforum.daten.berichtstext import demo_zeilen, zusammenfassung_markdown
from sozialforum.daten.budget import BudgetFehler
from sozialforum.daten.geheimhaltung import Empfaenger
from sozialforum.daten.katalog import load_for
from sozialforum.daten.vorlesen import vorlesen
from sozialforum.demo import DATA as DEMO_DATA
from sozialforum.demo import DemoRun
from sozialforum.problems import ProblemReport
from sozialforum.timeutil import format_datum_kurz, utcnow

DEMO_QUELLEN = DEMO_DATA / "statistik"


def _transient(task: Any, task_run: Any, state: Any) -> bool:
    """Retry a database hiccup, never a file the domain refused."""
    try:
        state.result()
    except (ProblemReport, BudgetFehler, LookupError):
        return False
    except Exception:
        return True
    return False


@task(retries=2, retry_delay_seconds=5, retry_condition_fn=_transient, cache_policy=NO_CACHE)
def datei_laden(config: str | None, pfad: str, jetzt: datetime) -> dict[str, Any]:
    """Load one source file (all or nothing)."""
    settings = settings_from(config)
    optionen = settings.daten.optionen_fuer(Path(pfad).name)  # per source, as the CLI's options
    result = service.lade(
        engine_for(settings),
        Path(pfad),
        load_for(settings),
        now=jetzt,
        akteur=actor(),
        stichtag=optionen.stichtag,
        unbekannte_ignorieren=optionen.unbekannte_ignorieren,
        zuordnung=optionen.zuordnung,
    )
    return {
        "datei": result.datei,
        "status": result.status,
        "quelle": result.quelle or "",
        "werte": result.werte,
        "gebiete": result.gebiete,
        "stichtage": ", ".join(format_datum_kurz(d) for d in result.stichtage),
        "hinweise": result.hinweise,
        "befunde": [str(befund) for befund in result.befunde],  # the plausibility report
    }


@task(retries=2, retry_delay_seconds=5, retry_condition_fn=_transient, cache_policy=NO_CACHE)
def berechnen(config: str | None, jetzt: datetime) -> dict[str, Any]:
    """Compute indicators, aggregation, change, index and classes over all deliveries."""
    settings = settings_from(config)
    result = service.rechne(engine_for(settings), load_for(settings), settings, now=jetzt, akteur=actor())
    return {"berechnung_id": result.berechnung_id, "neu": result.neu, **result.zusammenfassung}


@task(retries=2, retry_delay_seconds=5, retry_condition_fn=_transient, cache_policy=NO_CACHE)
def budget_verteilen(
    config: str | None, kennung: str, gesamt: int, haushaltsjahr: int, jetzt: datetime
) -> dict[str, Any]:
    """Split a Sozialraumbudget by the catalogue's formula (whole euros, largest remainder)."""
    settings = settings_from(config)
    budget, changed = service.budget(
        engine_for(settings), load_for(settings), kennung, gesamt=gesamt, haushaltsjahr=haushaltsjahr, now=jetzt
    )
    return {
        "kennung": kennung,
        "haushaltsjahr": haushaltsjahr,
        "gesamt": gesamt,
        "geaendert": changed,
        "anteile": {row.name: row.betrag for row in budget.zeilen},
    }


@task(retries=1, retry_delay_seconds=5, retry_condition_fn=_transient, cache_policy=NO_CACHE)
def ausgaben_schreiben(
    config: str | None, jetzt: datetime, budget: dict[str, Any] | None, sozialraeume: list[str] | None = None
) -> list[str]:
    """The published outputs: every Sozialraumprofil (HTML, PDF) and the atlas (XLSX)."""
    settings = settings_from(config)
    engine, katalog = engine_for(settings), load_for(settings)
    budgets = []
    if budget:
        budgets.append(
            service.budget(
                engine,
                katalog,
                budget["kennung"],
                gesamt=budget["gesamt"],
                haushaltsjahr=budget["haushaltsjahr"],
                now=jetzt,
            )[0]
        )
    out = service.ausgaben(
        engine, katalog, settings, Empfaenger.oeffentlich(), now=jetzt, budgets=budgets, sozialraeume=sozialraeume
    )
    return [str(path) for path in out.dateien]


@flow(name="datenaktualisierung", log_prints=False)
def datenaktualisierung(
    config: str | None = None,
    quellen: str | None = None,
    jetzt: datetime | None = None,
    budget_kennung: str = "hze",
    budget_gesamt: int | None = None,
    haushaltsjahr: int | None = None,
    sozialraeume: list[str] | None = None,
) -> dict[str, Any]:
    """Datenaktualisierung: Quelldateien laden, Atlas und Monitor berechnen, Profile schreiben
    (alle Sozialräume oder die genannten)."""
    logger = get_run_logger()
    now = jetzt or utcnow()
    settings = settings_from(config)
    folder = Path(quellen) if quellen else settings.daten.quellen_ordner
    muster = [optionen.muster for optionen in settings.daten.dateien]
    files = service.quelldateien(folder, muster) if folder.is_dir() else []
    loaded, failed = [], []
    # Large GENESIS files are parsed ahead on the other core, where each loaded Stichtag is
    # also computed; each task still loads its file, and the computation takes what matches.
    with vorlesen(
        ((path, settings.daten.optionen_fuer(path.name).stichtag) for path in files),
        rechnen=(load_for(settings), settings.daten.einwohner_mindestzahl),
    ):
        for path in files:
            state = datei_laden(config, str(path), now, return_state=True)
            if state.is_completed():
                loaded.append(state.result())
            else:
                failed.append({"datei": path.name, "problem": str(state.result(raise_on_failure=False))})
        create_table_artifact(
            key="datenaktualisierung-dateien",
            description="Geladene Quelldateien",
            table=[{k: v for k, v in row.items() if k not in ("hinweise", "befunde")} for row in loaded]
            + [{"datei": f["datei"], "status": "abgelehnt"} for f in failed],
        )
        if failed:
            create_markdown_artifact(
                key="datenaktualisierung", markdown=zusammenfassung_markdown(loaded, None, None, [], failed)
            )
            raise RuntimeError(
                f"{len(failed)} Datei(en) abgelehnt, nichts berechnet: " + "; ".join(f["datei"] for f in failed)
            )
        summary = berechnen(config, now)
    budget = None
    if budget_gesamt is not None:
        budget = budget_verteilen(config, budget_kennung, budget_gesamt, haushaltsjahr or now.year + 1, now)
    unchanged = not summary["neu"] and not (budget or {}).get("geaendert", False)
    outputs = service.vorhandene_ausgaben(settings) if unchanged else []
    if not outputs:  # nothing new: the published files stay as they are
        outputs = ausgaben_schreiben(config, now, budget, sozialraeume)
    create_markdown_artifact(
        key="datenaktualisierung", markdown=zusammenfassung_markdown(loaded, summary, budget, outputs, failed)
    )
    logger.info("%s Dateien verarbeitet, Berechnung %s", len(loaded), summary["berechnung_id"])
    return {"dateien": loaded, "berechnung": summary, "budget": budget, "ausgaben": outputs}


def demo_step(run: DemoRun) -> list[str]:
    """The demo Landkreis's statistics through the real flow; German summary lines."""
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    result = datenaktualisierung(
        config=run.config,
        quellen=str(DEMO_QUELLEN),
        jetzt=run.now,
        budget_gesamt=2_400_000,
        haushaltsjahr=run.now.year + 1,
    )
    return demo_zeilen(result, run.settings)
