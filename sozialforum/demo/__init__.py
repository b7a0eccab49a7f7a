"""The demo Landkreis ("Landkreis Musterland"): fictional reference data shipped with the package.

``load_demo`` imports it through the same paths planners use (CSV lists, planning JSON, the
milestones of a Fortschreibung recorded as ``sozialforum fristen meilenstein`` records them), so
the demo exercises the product, not a shortcut. Regenerate the files with
``python -m sozialforum.demo.generate``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from sqlmodel import col

from sozialforum.demo import grenzen
from sozialforum.demo.planung_daten import MEILENSTEINE
from sozialforum.fristen.aenderung import meilenstein
from sozialforum.fristen.konfiguration import MeilensteinKonfiguration, load_meilensteine
from sozialforum.karten.speicher import laden
from sozialforum.settings import Settings
from sozialforum.stammdaten.importer import ImportResult, import_folder
from sozialforum.stammdaten.planung import import_planung
from sozialforum.store.db import session_scope
from sozialforum.store.models import Fachplan
from sozialforum.timeutil import utcnow

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


def load_demo(
    session: Session, *, meilensteine: Path = Path("config/fristen.toml"), now: datetime | None = None
) -> tuple[list[ImportResult], dict[str, int]]:
    """Import the demo lists and planning data into the session's transaction and record the
    milestones of the running Fortschreibungen (``meilensteine``: the milestone file; idempotent)."""
    lists = import_folder(session, DATA)
    planung = import_planung(session, DATA / "planung.json")
    _record_meilensteine(session, load_meilensteine(meilensteine), now=now or utcnow())
    return lists, planung


def _record_meilensteine(session: Session, vorlagen: MeilensteinKonfiguration, *, now: datetime) -> None:
    """What the planners recorded, through the function behind ``sozialforum fristen meilenstein``."""
    for kennung, schluessel, erledigt, verschoben, grund in MEILENSTEINE:
        plan = session.scalars(sa.select(Fachplan).where(col(Fachplan.kennung) == kennung)).one()
        meilenstein(
            session,
            plan,
            schluessel,
            meilensteine=vorlagen,
            akteur="demo:planung",
            now=now,
            erledigt_am=date.fromisoformat(erledigt) if erledigt else None,
            faellig_am=date.fromisoformat(verschoben) if verschoben else None,
            grund=grund,
        )


def demo_step(run: DemoRun) -> list[str]:
    with session_scope(run.engine, actor="demo:stammdaten") as session:
        lists, planung = load_demo(session, meilensteine=run.settings.fristen.meilensteine, now=run.now)
    # Through the import behind `sozialforum karten laden`, as a Geschäftsstelle loads real ones.
    with session_scope(run.engine, actor=f"datei:{grenzen.DATEI}") as session:
        karten = laden(session, DATA / grenzen.DATEI, stand=date.fromisoformat(grenzen.STAND), now=run.now)
    lines = [str(result) for result in lists]
    lines.append(f"{grenzen.DATEI}: " + " ".join(karten.bericht()))
    lines.append(
        f"planung.json: {planung['neu']} neu, {planung['geaendert']} geändert, "
        f"{planung['unveraendert']} unverändert (Fachpläne, Maßnahmen, Vorlagen, Beschlüsse); "
        f"{len(MEILENSTEINE)} Meilensteine laufender Fortschreibungen erledigt oder verschoben"
    )
    return lines
