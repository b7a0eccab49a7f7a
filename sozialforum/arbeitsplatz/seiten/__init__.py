"""The workspace's pages, one module per area; ``ALLE`` lists their areas for ``create_app``."""

from __future__ import annotations

from sozialforum.arbeitsplatz.seiten import benutzer, planung, protokolle, start

ALLE = [start.bereich, planung.bereich, protokolle.bereich, benutzer.bereich]
