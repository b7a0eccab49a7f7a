"""The portal with the workspace mounted: one process, one staff login (``/gs/anmelden``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from fastapi import FastAPI
from sqlalchemy.engine import Engine

from sozialforum.arbeitsplatz.laeufe import Starter
from sozialforum.arbeitsplatz.seiten import ALLE
from sozialforum.arbeitsplatz.seiten.protokolle import Fortsetzen
from sozialforum.portal.app import create_app as create_portal
from sozialforum.settings import Settings
from sozialforum.timeutil import utcnow


def create_app(
    settings: Settings,
    engine: Engine,
    *,
    clock: Callable[[], datetime] = utcnow,
    protokoll_fortsetzen: Fortsetzen | None = None,
    laeufe_starter: Starter | None = None,
) -> FastAPI:
    """Portal + workspace. ``protokoll_fortsetzen`` resumes a paused minutes run (the CLI passes
    the flow's ``resume_with_decision``; without it decisions are recorded directly);
    ``laeufe_starter`` starts long work as flow runs (``sozialforum.flows.arbeitsplatz.starter``)."""
    app = create_portal(settings, engine, clock=clock)
    for bereich in ALLE:
        app.router.routes.extend(bereich.router.routes)
    app.state.protokoll_fortsetzen = protokoll_fortsetzen
    app.state.laeufe_starter = laeufe_starter
    return app
