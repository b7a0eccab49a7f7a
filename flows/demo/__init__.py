"""``sozialforum demo``: the main job over the demo Landkreis, with the embedded defaults.

Each area contributes one step: a callable ``step(run: DemoRun) -> list[str]`` returning German
summary lines (what happened, where the output is). Steps run in order over one store.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable
from contextlib import AbstractContextManager

from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

from sozialforum.demo import DemoRun  # steps may import DemoRun from here too

# (title, "module:function"), in the order of the planning cycle.
STEPS: list[tuple[str, str]] = [
    ("Stammdaten des Demo-Landkreises", "sozialforum.demo:demo_step"),
    (
        "Datenaktualisierung: Sozialstrukturatlas, Sozialraummonitor, Kennzahlen, Sozialraumbudget",
        "sozialforum.flows.datenaktualisierung:demo_step",
    ),
    (
        "Protokoll einer Sitzung: Entwurf, Kommentar, Rückgabe, Freigabe, Verteilung",
        "sozialforum.flows.demo.protokoll:demo_step",
    ),
    (
        "Fristen und Beschlüsse: Erinnerungen, Leitungsbericht, Fristen-Kalender, OParl",
        "sozialforum.flows.demo.fristen:demo_step",
    ),
    (
        "Sozialraumkonferenz: Einladungen mit Kalender, Antwort, Änderung, Feed",
        "sozialforum.flows.demo.konferenz:demo_step",
    ),
    ("Beteiligungsportal: Rückmeldung, Thema, Bestandserhebung per Link", "sozialforum.demo.portal:demo_step"),
    (
        "Sozialstrategie: Projekte, Förderaufruf mit Bescheiden, Bewertungsrunde, Strategiebericht",
        "sozialforum.demo.strategie:demo_step",
    ),
    ("Der tägliche Planungszyklus im Zeitraffer", "sozialforum.flows.demo.zyklus:demo_step"),
]


def run_demo(
    run: DemoRun,
    report: Callable[[str, list[str], float], None],
    progress: Callable[[str], AbstractContextManager[object]],
) -> None:
    """Each step in order: ``progress(title)`` is held while it runs, ``report`` gets its lines
    and seconds."""
    # Heartbeats cost about a second per flow run; the demo's runs are short and local.
    with temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        for title, target in STEPS:
            module_name, function_name = target.split(":")
            step = getattr(importlib.import_module(module_name), function_name)
            started = time.perf_counter()
            with progress(title):
                lines = step(run)
            report(title, lines, time.perf_counter() - started)
