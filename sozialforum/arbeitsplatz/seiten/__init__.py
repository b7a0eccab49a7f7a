"""The workspace's pages, one module per area; ``ALLE`` lists their areas for ``create_app``."""

from __future__ import annotations

from sozialforum.arbeitsplatz.seiten import (
    benutzer,
    daten,
    laeufe,
    planung,
    protokolle,
    sitzung_versand,
    sitzungen,
    start,
)

ALLE = [
    start.bereich,
    sitzungen.bereich,
    sitzung_versand.bereich,
    planung.bereich,
    protokolle.bereich,
    daten.bereich,
    laeufe.bereich,
    benutzer.bereich,
]
