"""The workspace's pages, one module per area; ``ALLE`` lists their areas for ``create_app``."""

from __future__ import annotations

from sozialforum.arbeitsplatz.seiten import (
    ablage,
    akteure,
    akteure_import,
    benutzer,
    daten,
    daten_assistent,
    daten_befunde,
    daten_budget,
    daten_freigaben,
    daten_kennzahlen,
    daten_lieferungen,
    laeufe,
    massnahmen,
    planung,
    postausgang,
    protokolle,
    sitzung_versand,
    sitzungen,
    sozialbericht,
    start,
)

ALLE = [
    start.bereich,
    sitzungen.bereich,
    sitzung_versand.bereich,
    planung.bereich,
    massnahmen.bereich,
    protokolle.bereich,
    daten.bereich,
    daten_assistent.bereich,
    daten_lieferungen.bereich,
    daten_kennzahlen.bereich,
    daten_freigaben.bereich,
    daten_budget.bereich,
    sozialbericht.bereich,
    daten_befunde.bereich,
    akteure.bereich,
    akteure_import.bereich,
    postausgang.bereich,
    laeufe.bereich,
    ablage.bereich,
    benutzer.bereich,
]
