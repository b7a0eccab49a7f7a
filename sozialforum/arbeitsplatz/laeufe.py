"""Long work from the workspace (sending a Sitzung's invitations, loading a statistics delivery,
computing the indicators, an OParl import) runs as a flow run, never inside the web request.

The page records an ``Arbeitslauf`` and, once that is committed, hands its id to the app's
``Starter`` (``sozialforum.flows.arbeitsplatz.starter``: the deployment on the Prefect server when
one is configured, a flow run beside the portal otherwise). The run writes its state, progress and
German result into the row through the functions below; the progress page reads only the row.
This package does not import Prefect: the CLI that serves the app passes the starter in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.engine import Engine
from starlette.background import BackgroundTask

from sozialforum.portal.kontexte import StaffContext
from sozialforum.problems import ProblemReport
from sozialforum.store.db import session_scope
from sozialforum.store.models import Arbeitslauf
from sozialforum.store.models.base import table_of
from sozialforum.timeutil import utcnow
from sozialforum.vocab import LaufZustand

# Starts the flow run of one Arbeitslauf (by id); raises when it cannot be started.
Starter = Callable[[int], None]

ARTEN = {
    "einladungen": "Einladungen versenden",
    "datenlieferung": "Datenlieferung laden und Kennzahlen berechnen",
    "berechnung": "Kennzahlen berechnen",
    "oparl": "Ratsinformationssystem abrufen (OParl)",
    "zustellen": "Postausgang zustellen",
    "sozialbericht": "Sozialbericht freigeben",
}


class NichtEingerichtet(ValueError):
    """The app was started without a starter (e.g. a test client of the pages alone)."""


def starte(ctx: StaffContext, art: str, parameter: dict[str, Any], *, titel: str) -> Response:
    """Record the work and answer with its progress page; the run starts after the commit
    (a background task of the response), so it always finds its row."""
    if art not in ARTEN:
        raise ValueError(f"Unbekannte Arbeit „{art}“.")
    starter: Starter | None = getattr(ctx.request.app.state, "laeufe_starter", None)
    if starter is None:
        raise NichtEingerichtet(
            "Lange Arbeiten (Versand, Laden, Abruf) sind in diesem Aufruf nicht eingerichtet; "
            "bitte das Portal mit `sozialforum portal` starten."
        )
    lauf = Arbeitslauf(
        art=art, titel=titel[:200], parameter=parameter, gestartet_von=ctx.benutzer.name, gestartet_am=ctx.now
    )
    ctx.session.add(lauf)
    ctx.session.flush()
    assert lauf.id is not None
    return RedirectResponse(
        f"/arbeitsplatz/laeufe/{lauf.id}",
        status_code=303,
        background=BackgroundTask(anstossen, ctx.portal.engine, starter, lauf.id),
    )


def anstossen(engine: Engine, starter: Starter, lauf_id: int) -> None:
    """Start the run; a start that fails (Prefect server down) is recorded, never lost."""
    try:
        starter(lauf_id)
    except Exception as exc:
        scheitere(engine, lauf_id, f"Der Lauf konnte nicht gestartet werden: {exc}")


@dataclass(frozen=True)
class Auftrag:
    """What a started run has to do."""

    art: str
    parameter: dict[str, Any]


def beginne(engine: Engine, lauf_id: int, *, flow_run_id: str | None) -> Auftrag | None:
    """Claim the work for this flow run; None when it was claimed before (a retried or doubled
    start does the work once)."""
    table = table_of(Arbeitslauf)
    with engine.begin() as connection:
        claimed = connection.execute(
            table.update()
            .where(table.c.id == lauf_id, table.c.zustand == LaufZustand.WARTET.value)
            .values(zustand=LaufZustand.LAEUFT.value, flow_run_id=flow_run_id, fortschritt="gestartet")
        ).rowcount
        if not claimed:
            return None
        row = connection.execute(sa.select(table.c.art, table.c.parameter).where(table.c.id == lauf_id)).one()
    return Auftrag(art=row.art, parameter=dict(row.parameter or {}))


def melde(engine: Engine, lauf_id: int, fortschritt: str) -> None:
    """A progress line the page shows while the run works (its own short transaction)."""
    table = table_of(Arbeitslauf)
    with engine.begin() as connection:
        connection.execute(table.update().where(table.c.id == lauf_id).values(fortschritt=fortschritt[:500]))


def beende(engine: Engine, lauf_id: int, ergebnis: list[str], *, now: datetime | None = None) -> None:
    _schliessen(engine, lauf_id, LaufZustand.FERTIG, ergebnis=ergebnis, now=now)


def scheitere(engine: Engine, lauf_id: int, fehler: str, *, now: datetime | None = None) -> None:
    _schliessen(engine, lauf_id, LaufZustand.FEHLER, fehler=fehler, now=now)


def _schliessen(
    engine: Engine,
    lauf_id: int,
    zustand: LaufZustand,
    *,
    ergebnis: list[str] | None = None,
    fehler: str | None = None,
    now: datetime | None,
) -> None:
    with session_scope(engine, actor="arbeitslauf") as session:
        lauf = session.get(Arbeitslauf, lauf_id)
        if lauf is None or LaufZustand(lauf.zustand).is_closed:
            return
        lauf.zustand = zustand.value
        lauf.ergebnis = ergebnis or []
        lauf.fehler = fehler
        lauf.fortschritt = None
        lauf.beendet_am = now or utcnow()


def fehlertext(exc: BaseException) -> str:
    """The German message of a failed run: the domain's own for refused input, else the kind of
    failure (the technical details are in the flow run's log)."""
    if isinstance(exc, ProblemReport | ValueError | LookupError):
        return str(exc)
    return f"Unerwarteter Fehler ({type(exc).__name__}: {exc}). Einzelheiten stehen im Protokoll des Laufs."
