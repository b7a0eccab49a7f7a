"""Kennzahlen: per area and Stichtag the indicators of the stored computation with value, count,
change since the previous Stichtag, the dimension's status class, target and attainment.

Every cell goes through the recipient's view (``daten.sicht.Sicht``), the one the profiles and
the atlas use: the Geschäftsstelle and the Leitung read the internal version; a Kommune reads
only the Gemeinden released to its person (``daten.freigabe``), unsuppressed, and everything
else it is shown (its Sozialraum, the Kreis) with the public suppression.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from fastapi import Request
from fastapi.responses import Response
from sqlmodel import col

from sozialforum.arbeitsplatz.routen import Bereich, render, scope
from sozialforum.daten.atlas import EBENEN
from sozialforum.daten.ergebnis import Monitor, lade_monitor
from sozialforum.daten.fehlwerte import LEGENDE
from sozialforum.daten.gebietsstand import Bereich as Gebiet
from sozialforum.daten.geheimhaltung import Empfaenger
from sozialforum.daten.index import GESAMT
from sozialforum.daten.katalog import Katalog, load_for
from sozialforum.daten.sicht import Sicht, Zelle
from sozialforum.fristen.datum import today_in_berlin
from sozialforum.konten.zugriff import Recht, sieht_alles
from sozialforum.portal.fehler import PortalFehler
from sozialforum.portal.kontexte import StaffContext
from sozialforum.store.models import Gebiet as GebietZeile
from sozialforum.store.models import Person

bereich = Bereich()
NICHT_GEFUNDEN = PortalFehler(404, "Nicht gefunden", "Dieses Gebiet gibt es nicht (oder nicht für Sie).")
EBENE = "sozialraum"  # the areas the Geschäftsstelle picks from


def empfaenger(ctx: StaffContext) -> Empfaenger | None:
    """Whose view this user reads: internal for the Geschäftsstelle and the Leitung, the person's
    entitlements for a Kommune (None: bound to no person, so nothing is released)."""
    if sieht_alles(ctx.benutzer):
        return Empfaenger.geschaeftsstelle()
    person = ctx.session.get(Person, ctx.benutzer.person_id) if ctx.benutzer.person_id else None
    if person is None:
        return None
    try:
        return Empfaenger.fuer_person(ctx.session, person.kennung, today_in_berlin(ctx.now))
    except LookupError:  # the person was erased
        return None


def freigegebene_gemeinden(ctx: StaffContext) -> list[tuple[str, str]]:
    """(Schlüssel, name) of the Gemeinden released to a Kommune user's person."""
    view = empfaenger(ctx)
    if view is None or not view.gemeinden:
        return []
    rows = ctx.session.execute(
        sa.select(col(GebietZeile.schluessel), col(GebietZeile.name))
        .where(col(GebietZeile.id).in_(sorted(view.gemeinden)))
        .order_by(col(GebietZeile.name))
    ).all()
    return [(row[0], row[1]) for row in rows]


@dataclass(frozen=True)
class Auswahl:
    gebiet: str = ""  # Schlüssel; "" = every area the user may pick
    stichtag: date | None = None  # None = each indicator at its latest Stichtag with values


def _auswahl(request: Request, monitor: Monitor) -> Auswahl:
    key = request.query_params.get("gebiet", "").strip()[:40]
    raw = request.query_params.get("stichtag", "")
    day = next((d for d in monitor.stichtage if d.isoformat() == raw), None)
    return Auswahl(key, day)


def waehlbar(monitor: Monitor, view: Empfaenger) -> list[Gebiet]:
    """The areas this recipient may open: the Sozialräume for internal readers, the released
    Gemeinden for a Kommune (never anything else)."""
    day = monitor.letzter_stichtag
    if view.intern:
        areas = [b for b in monitor.stand.am(day) if b.ebene == EBENE]
    else:
        areas = [monitor.stand.bereiche[i] for i in view.gemeinden if i in monitor.stand.bereiche]
    return sorted(areas, key=lambda b: b.schluessel)


def _trend(change: Zelle, richtung: int, im_index: bool) -> str:
    if change.wert is None:
        return ""
    if change.wert == 0:
        return "unverändert"
    up = change.wert > 0
    text = "gestiegen" if up else "gesunken"
    if im_index:  # only index indicators carry a direction of need
        text += " (ungünstig)" if up == (richtung == 1) else " (günstig)"
    return text


def _tafel(sicht: Sicht, area: Gebiet, day: date | None) -> dict[str, Any]:
    """One area's table: its index, and per dimension the indicators."""
    monitor, katalog = sicht.monitor, sicht.katalog
    kreis = monitor.stand.kreis(monitor.letzter_stichtag)
    parent = monitor.stand.bereiche.get(area.parent_id) if area.parent_id else None
    if parent is not None and (parent.ebene == "kreis" or (kreis is not None and parent.id == kreis.id)):
        parent = None
    index_day = day or sicht.index_stand(area.ebene)
    mit_index = area.ebene in katalog.index.ebenen
    dimensionen = []
    for code, name in katalog.dimensionen.items():
        zeilen = []
        for ind in (i for i in katalog.indikatoren.values() if i.dimension == code):
            at = day or sicht.stand(ind.code)
            change = sicht.wert(ind.code, at, area.id, "veraenderung")
            zeilen.append(
                {
                    "name": ind.name,
                    "kennzahl": ind.kennzahl or "",
                    "einheit": ind.einheit,
                    "stand": at,
                    "wert": sicht.wert(ind.code, at, area.id),
                    "anzahl": sicht.wert(ind.code, at, area.id, "anzahl").text,
                    "veraenderung": change.text,
                    "trend": _trend(change, ind.richtung, bool(ind.index)),
                    "uebergeordnet": sicht.wert(ind.code, at, parent.id).text if parent else "",
                    "kreis": sicht.wert(ind.code, at, kreis.id).text if kreis else "",
                    "ziel": ind.ziel.text if ind.ziel else "",
                    "erreicht": sicht.ziel(ind.code, at, area.id),
                }
            )
        if zeilen:
            klasse = sicht.index(area.ebene, code, index_day, area.id)[1] if mit_index else ""
            dimensionen.append({"name": name, "klasse": klasse, "zeilen": zeilen})
    status = sicht.index(area.ebene, GESAMT, index_day, area.id) if mit_index else ("", "", "", "")
    return {
        "gebiet": area,
        "ebene": EBENEN.get(area.ebene, area.ebene),
        "uebergeordnet": parent,
        "kreis": kreis,
        "index": status,
        "index_stand": index_day if mit_index else None,
        "dimensionen": dimensionen,
    }


def tafeln(
    monitor: Monitor, katalog: Katalog, view: Empfaenger, auswahl: Auswahl, settings: Any
) -> list[dict[str, Any]]:
    """The tables of the chosen areas; ``LookupError`` when the area is not one the user may open."""
    areas = waehlbar(monitor, view)
    if auswahl.gebiet:
        areas = [b for b in areas if b.schluessel == auswahl.gebiet]
        if not areas:
            raise LookupError(auswahl.gebiet)
    sicht = Sicht(monitor, katalog, settings, view)
    return [_tafel(sicht, area, auswahl.stichtag) for area in areas]


@bereich.seite("/daten/kennzahlen", Recht.GEMEINDEDATEN)
def kennzahlen(request: Request) -> Response:
    with scope(request) as ctx:
        view = empfaenger(ctx)
        monitor = lade_monitor(ctx.session)
        if view is None or monitor is None or not monitor.stichtage:
            if request.query_params.get("gebiet"):
                raise NICHT_GEFUNDEN
            return render(ctx, "arbeitsplatz/daten_kennzahlen.html", monitor=None, view=view, tafeln=[])
        settings = ctx.portal.settings
        auswahl = _auswahl(request, monitor)
        try:
            found = tafeln(monitor, load_for(settings), view, auswahl, settings.daten)
        except LookupError:
            raise NICHT_GEFUNDEN from None
        return render(
            ctx,
            "arbeitsplatz/daten_kennzahlen.html",
            monitor=monitor,
            view=view,
            auswahl=auswahl,
            gebiete=waehlbar(monitor, view),
            tafeln=found,
            legende=[
                *LEGENDE,
                ("( )", f"Aussagewert eingeschränkt: weniger als {settings.daten.unsicher_unter} Fälle"),
            ],
        )
