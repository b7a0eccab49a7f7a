"""The portal's routers: every module in this package that defines ``router`` (an APIRouter).

Areas add pages by adding a module here (e.g. ``protokoll.py`` for draft minutes and comments,
``sachstand.py`` for status reports); ``create_app`` includes them all without further edits.
Paths in use (each area owns its own):

- ``/rueckmeldung/{token}`` (rueckmeldung.py), ``/themenvorschlag/{token}`` (themenvorschlag.py),
  ``/formular/{token}`` (formular.py), ``/gs/...`` (geschaeftsstelle*.py), ``/`` and
  ``/impressum``, ``/datenschutz``, ``/barrierefreiheit`` (start.py) — the portal itself;
- ``/protokoll-entwurf/{token}``, ``/protokoll-kommentar/{token}`` — minutes (issue 6);
- ``/sachstand/{token}`` — status reports on Aufträge (issue 7);
- ``/neuer-link``, ``/anfragen/{token}``, ``/anfragen/{segment}/{token}`` — a contact's open
  requests and a fresh link when one has expired (anfragen.py).
"""

from __future__ import annotations

import importlib
import pkgutil

from fastapi import APIRouter


def discover_routers() -> list[APIRouter]:
    """Import every module of this package and return their ``router`` objects, by module name."""
    routers: list[APIRouter] = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda module: module.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        router = getattr(module, "router", None)
        if isinstance(router, APIRouter):
            routers.append(router)
    return routers
