"""Daten: upload a statistics file, see every problem (file, row, column) in a dry run that
changes nothing, then load it and compute as a flow run; the deliveries loaded so far. A Kommune
finds here the Gemeinden released to its person (the tables are in ``daten_kennzahlen``).

The dry run is the data refresh's own all-or-nothing load, rolled back
(``daten.aktualisierung.lade(probelauf=True)``), so the page and the flow can never disagree.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import sqlalchemy as sa
from fastapi import Request
from fastapi.responses import Response
from sqlmodel import col

from sozialforum.arbeitsplatz import hochladen, laeufe
from sozialforum.arbeitsplatz.routen import Bereich, aktion, render, scope
from sozialforum.arbeitsplatz.seiten.daten_kennzahlen import freigegebene_gemeinden
from sozialforum.daten import aktualisierung, plausibel_befund
from sozialforum.daten.katalog import load_for
from sozialforum.daten.merkmale import describe, parse_key
from sozialforum.konten.zugriff import Recht, darf
from sozialforum.portal.kontexte import StaffContext
from sozialforum.problems import ProblemReport
from sozialforum.store.models import Berechnung, Datenlieferung
from sozialforum.timeutil import format_datum_kurz

bereich = Bereich()
ENDUNGEN = (".csv", ".xlsx", ".txt")
WAS = "eine Statistikdatei"


@bereich.seite("/daten", Recht.GEMEINDEDATEN)
def daten(request: Request) -> Response:
    with scope(request) as ctx:
        if not darf(ctx.benutzer, Recht.LESEN):  # a Kommune: only the Gemeinden released to it
            return render(ctx, "arbeitsplatz/daten_kommune.html", gemeinden=freigegebene_gemeinden(ctx))
        lieferungen = ctx.session.scalars(
            sa.select(Datenlieferung).order_by(col(Datenlieferung.geladen_am).desc()).limit(20)
        ).all()
        berechnung = ctx.session.scalars(sa.select(Berechnung).order_by(col(Berechnung.id).desc()).limit(1)).first()
        return render(
            ctx,
            "arbeitsplatz/daten.html",
            lieferungen=lieferungen,
            berechnung=berechnung,
            akteure=[berechnung.akteur if berechnung else None, *(row.akteur for row in lieferungen)],
            stichtage=[format_datum_kurz(date.fromisoformat(d)) for d in berechnung.stichtage] if berechnung else [],
            darf_laden=darf(ctx.benutzer, Recht.AENDERN),
        )


@bereich.aktion("/daten/pruefen", Recht.AENDERN)
async def pruefen(request: Request) -> Response:
    """The dry run: load inside a transaction that is rolled back; keep the file for the load
    only when it is clean, under a token of this user."""

    def arbeit(ctx: StaffContext, form: Mapping[str, Any]) -> Response:
        name, inhalt = hochladen.lesen(ctx, form, endungen=ENDUNGEN, was=WAS)
        token, pfad = hochladen.behalten(ctx, name, inhalt)
        try:
            katalog = load_for(ctx.portal.settings)
            ergebnis = aktualisierung.lade(
                ctx.portal.engine, pfad, katalog, now=ctx.now, akteur="probelauf", probelauf=True
            )
        except ProblemReport as report:
            hochladen.verwerfen(pfad)
            return render(ctx, "arbeitsplatz/daten_pruefung.html", datei=name, probleme=report.problems, ergebnis=None)
        if ergebnis.status != "geladen":
            hochladen.verwerfen(pfad)
        namen = katalog.merkmal_namen
        merkmale = [(key, describe([parse_key(key)], namen)) for key in ergebnis.merkmale]
        return render(
            ctx,
            "arbeitsplatz/daten_pruefung.html",
            datei=name,
            probleme=[],
            ergebnis=ergebnis,
            merkmale=merkmale,
            token=token,
            arten=plausibel_befund.ARTEN,
        )

    return await aktion(request, arbeit)


@bereich.aktion("/daten/laden", Recht.AENDERN)
async def laden(request: Request) -> Response:
    def arbeit(ctx: StaffContext, form: Mapping[str, Any]) -> Response:
        pfad = hochladen.einloesen(ctx, form)
        return laeufe.starte(ctx, "datenlieferung", {"pfad": str(pfad)}, titel=f"Datenlieferung laden: {pfad.name}")

    return await aktion(request, arbeit)


@bereich.aktion("/daten/berechnen", Recht.AENDERN)
async def berechnen(request: Request) -> Response:
    return await aktion(request, lambda ctx, _: laeufe.starte(ctx, "berechnung", {}, titel="Kennzahlen berechnen"))
