"""Sozialraumbudgets: compute one with the catalogue's formula (``daten.budget``, as
``sozialforum daten budget``) from the latest computation, and show how every euro came about:
per area the figures of each component (count, need index), its share and weight, floor and
cap, and the rounding by the largest remainders."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any
from urllib.parse import urlencode

import sqlalchemy as sa
from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import col

from sozialforum.arbeitsplatz import formular as f
from sozialforum.arbeitsplatz.routen import Bereich, Eingabefehler, aktion, render, scope
from sozialforum.daten.budget import berechne_budget, speichere_budget
from sozialforum.daten.ergebnis import lade_monitor
from sozialforum.daten.geheimhaltung import Empfaenger
from sozialforum.daten.katalog import load_for
from sozialforum.daten.sicht import Sicht
from sozialforum.konten.zugriff import Recht, darf
from sozialforum.portal.fehler import PortalFehler
from sozialforum.portal.kontexte import StaffContext
from sozialforum.store.models import Berechnung, Budgetverteilung
from sozialforum.timeutil import format_datum_kurz, format_euro, format_zahl

bereich = Bereich()
PFAD = "/arbeitsplatz/daten/budget"
NICHT_GEFUNDEN = PortalFehler(404, "Nicht gefunden", "Dieses Budget gibt es nicht.")


def _herleitung(ctx: StaffContext, verteilung: Budgetverteilung) -> dict[str, Any]:
    """The stored derivation as table rows; the need index of a ``bedarf`` component is read
    from the computation the budget was made from (internal view: the budget used it)."""
    herleitung: dict[str, Any] = verteilung.herleitung
    teile = herleitung.get("anteile", [])
    gesamt = float(verteilung.gesamt)
    sicht = None
    if any(t.get("art") == "bedarf" for t in teile) and verteilung.berechnung_id is not None:
        monitor = lade_monitor(ctx.session, verteilung.berechnung_id)
        if monitor is not None and verteilung.stichtag in monitor.stichtage:
            katalog = load_for(ctx.portal.settings)
            sicht = Sicht(monitor, katalog, ctx.portal.settings.daten, Empfaenger.geschaeftsstelle())
    definition = load_for(ctx.portal.settings).budgets.get(verteilung.kennung)
    ebene = definition.ebene if definition else "sozialraum"
    zeilen = []
    for zeile in herleitung.get("zeilen", []):
        spalten = []
        for teil, basis, anteil in zip(teile, zeile["basis"], zeile["anteil"], strict=True):
            index = ""
            if teil.get("art") == "bedarf" and sicht is not None:
                index = sicht.index(ebene, teil.get("index", "gesamt"), verteilung.stichtag, zeile["gebiet_id"])[0]
            spalten.append(
                {
                    "basis": format_zahl(basis, 2 if teil.get("art") == "bedarf" else 0),
                    "index": index,
                    "anteil": format_zahl(100 * anteil, 2) + " %",
                    "euro": format_euro(anteil * teil["gewicht"] * gesamt, 2),
                }
            )
        zeilen.append(
            {
                "schluessel": zeile["schluessel"],
                "name": zeile["name"],
                "teile": spalten,
                "roh": format_euro(zeile["roh"], 2),
                "grenze": zeile["grenze"],
                "exakt": format_euro(zeile["exakt"], 2),
                "abgerundet": format_euro(zeile["abgerundet"]),
                "rest": format_zahl(zeile["rest"], 4),
                "zuschlag": "+1 €" if zeile["zuschlag"] else "",
                "betrag": format_euro(zeile["betrag"]),
            }
        )
    return {
        "teile": teile,
        "untergrenze": herleitung.get("untergrenze"),
        "obergrenze": herleitung.get("obergrenze"),
        "zeilen": zeilen,
        "breite": sum(4 if t.get("art") == "bedarf" else 3 for t in teile),
        "summe": format_euro(sum(z["betrag"] for z in herleitung.get("zeilen", []))),
    }


@bereich.seite("/daten/budget", Recht.LESEN)
def budgets(request: Request) -> Response:
    with scope(request) as ctx:
        katalog = load_for(ctx.portal.settings)
        gespeichert = ctx.session.scalars(
            sa.select(Budgetverteilung).order_by(
                col(Budgetverteilung.haushaltsjahr).desc(),
                Budgetverteilung.kennung,
            )
        ).all()
        gewaehlt = None
        kennung, jahr = request.query_params.get("kennung", ""), request.query_params.get("jahr", "")
        if kennung or jahr:
            gewaehlt = next((b for b in gespeichert if b.kennung == kennung and str(b.haushaltsjahr) == jahr), None)
            if gewaehlt is None:
                raise NICHT_GEFUNDEN
        berechnung = ctx.session.scalars(sa.select(Berechnung).order_by(col(Berechnung.id).desc()).limit(1)).first()
        return render(
            ctx,
            "arbeitsplatz/daten_budget.html",
            definitionen=katalog.budgets,
            gespeichert=gespeichert,
            gewaehlt=gewaehlt,
            herleitung=_herleitung(ctx, gewaehlt) if gewaehlt else None,
            stichtage=[(d, format_datum_kurz(date.fromisoformat(d))) for d in reversed(berechnung.stichtage)]
            if berechnung
            else [],
            darf_rechnen=darf(ctx.benutzer, Recht.AENDERN),
            jahr_vorschlag=ctx.now.year + 1,
        )


@bereich.aktion("/daten/budget", Recht.AENDERN)
async def berechnen(request: Request) -> Response:
    def arbeit(ctx: StaffContext, form: Mapping[str, Any]) -> Response:
        katalog = load_for(ctx.portal.settings)
        kennung = f.text(form, "kennung", limit=60)
        if kennung not in katalog.budgets:
            raise ValueError("Budget: bitte ein Budget aus dem Katalog wählen.")
        gesamt = f.zahl(form, "gesamt", "Gesamtbetrag")
        if not gesamt:
            raise ValueError("Gesamtbetrag: bitte einen Betrag in vollen Euro angeben (mindestens 1 €).")
        jahr = f.zahl(form, "jahr", "Haushaltsjahr")
        if jahr is None or not 2000 <= jahr <= 2100:
            raise ValueError("Haushaltsjahr: bitte ein Jahr zwischen 2000 und 2100 angeben.")
        stichtag = f.datum(form, "stichtag", "Datenbasis (Stichtag)")
        monitor = lade_monitor(ctx.session)
        if monitor is None or not monitor.stichtage or monitor.berechnung.id is None:
            raise Eingabefehler("Es gibt noch keine Berechnung: erst Daten laden und die Kennzahlen berechnen.")
        budget = berechne_budget(
            ctx.session, monitor, katalog, kennung, gesamt=gesamt, haushaltsjahr=jahr, stichtag=stichtag
        )
        changed = speichere_budget(ctx.session, budget, berechnung_id=monitor.berechnung.id, now=ctx.now)
        query = urlencode({"kennung": kennung, "jahr": jahr, "meldung": "gespeichert" if changed else "unveraendert"})
        return RedirectResponse(f"{PFAD}?{query}", status_code=303)

    return await aktion(request, arbeit)
