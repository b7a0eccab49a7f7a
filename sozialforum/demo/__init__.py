"""The demo Landkreis ("Landkreis Musterland"): fictional reference data shipped with the package.

``load_demo`` imports it through the same paths planners use (CSV lists, planning JSON), so the
demo exercises the product, not a shortcut. Regenerate the files with
``python -m sozialforum.demo.generate``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from sozialforum.settings import Settings
from sozialforum.stammdaten.importer import ImportResult, import_folder
from sozialforum.stammdaten.planung import import_planung
from sozialforum.store.db import session_scope

DATA = Path(__file__).parent / "data"


@dataclass
class DemoRun:
    """What every demo step gets: one store, the settings, the (simulated) time."""

    settings: Settings
    engine: Engine
    now: datetime
    config: str | None = None  # the config path the flows get as their parameter
    tage: int = 3  # days of the daily cycle in simulated time (a planning year: 365)
    notes: dict[str, object] = field(default_factory=dict)  # steps may pass results on
    # A long step tells how far it is ("Tag 12 von 365"); the CLI shows it beside its spinner.
    fortschritt: Callable[[str], None] = field(default=lambda _text: None)


def load_demo(session: Session) -> tuple[list[ImportResult], dict[str, int]]:
    """Import the demo lists and planning data into the session's transaction (idempotent)."""
    lists = import_folder(session, DATA)
    planung = import_planung(session, DATA / "planung.json")
    return lists, planung


def demo_step(run: DemoRun) -> list[str]:
    with session_scope(run.engine, actor="demo:stammdaten") as session:
        lists, planung = load_demo(session)
    lines = [str(result) for result in lists]
    lines.append(
        f"planung.json: {planung['neu']} neu, {planung['geaendert']} geändert, "
        f"{planung['unveraendert']} unverändert (Fachpläne, Maßnahmen, Vorlagen, Beschlüsse)"
    )
    return lines
