"""The CPU-bound half of a Sozialraumprofil: its trend chart (PNG) and its PDF, from plain data.

``daten.profil`` reads the store and fills a ``Druckauftrag``; ``drucke`` needs nothing else, so
the profiles of a whole Kreis can be printed in parallel processes (``drucke_alle``). This
module imports only the chart and PDF code: a worker process starts quickly.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sozialforum.channels.pdf import html_to_pdf
from sozialforum.daten.diagramme import Panel, trends

# Below this many profiles, starting worker processes costs more than it saves.
PARALLEL_AB = 4


@dataclass(frozen=True)
class Druckauftrag:
    pdf: Path
    html: str  # the PDF's body, which refers to the chart's path
    titel: str
    fusszeile: str
    berechnung: str  # the computation shown, recorded beside the PDF once it is printed
    diagramm: Path | None = None
    stichtage: Sequence[date] = ()
    panels: Sequence[Panel] = ()


def drucke(auftrag: Druckauftrag) -> Path:
    if auftrag.diagramm is not None:
        # Written beside and moved into place: a PDF printed at the same time in another
        # process never reads a half-written chart.
        partial = auftrag.diagramm.with_name(f".{auftrag.diagramm.stem}.{os.getpid()}{auftrag.diagramm.suffix}")
        trends(partial, auftrag.stichtage, auftrag.panels)
        partial.replace(auftrag.diagramm)
    auftrag.pdf.write_bytes(html_to_pdf(auftrag.html, title=auftrag.titel, footer=auftrag.fusszeile))
    stand_datei(auftrag.pdf).write_text(auftrag.berechnung, encoding="utf-8")
    return auftrag.pdf


def stand_datei(pdf: Path) -> Path:
    """Which computation a profile's files show. A file time cannot say it: computations may be
    stamped in another clock than the file system's (imports, the demo's simulated year)."""
    return pdf.with_name(f".{pdf.stem}.berechnung")


def drucke_alle(auftraege: Sequence[Druckauftrag]) -> list[Path]:
    """Every profile, in as many processes as there are cores. Spawned, not forked: the caller
    may be a Prefect task in a threaded process, and a fork copies locks held by other threads."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    # A daemonic process (a worker of some pool) may not start processes of its own.
    if len(auftraege) < PARALLEL_AB or cores < 2 or multiprocessing.current_process().daemon:
        return [drucke(auftrag) for auftrag in auftraege]
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=min(cores, len(auftraege)), mp_context=context) as pool:
        return list(pool.map(drucke, auftraege))
