"""Sozialbericht: editions per Stichtag and the Handlungsempfehlungen the Geschäftsstelle writes
for them (list, add, edit, order, remove); releasing an edition writes its public files as a run
(``Arbeitslauf``) and freezes it. The domain rules are in ``sozialforum.sozialbericht.ausgaben``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import col

from sozialforum.arbeitsplatz import formular as f
from sozialforum.arbeitsplatz import laeufe
from sozialforum.arbeitsplatz.routen import Bereich, aktion, render, scope
from sozialforum.daten.katalog import Katalog, load_for
from sozialforum.konten.zugriff import Recht, darf
from sozialforum.portal.fehler import PortalFehler
from sozialforum.portal.kontexte import StaffContext
from sozialforum.sozialbericht import ausgaben as service
from sozialforum.store.models import Berichtsausgabe, Gebiet
from sozialforum.timeutil import format_datum_kurz

bereich = Bereich()
PFAD = "/arbeitsplatz/sozialbericht"
NICHT_GEFUNDEN = PortalFehler(404, "Nicht gefunden", "Diese Ausgabe des Sozialberichts gibt es nicht.")


def _katalog(ctx: StaffContext) -> Katalog | None:
    try:
        return load_for(ctx.portal.settings)
    except Exception:  # a broken catalogue is reported by the data pages; here only names are missing
        return None


def _ausgabe(ctx: StaffContext, ausgabe_id: int) -> Berichtsausgabe:
    ausgabe = ctx.session.get(Berichtsausgabe, ausgabe_id)
    if ausgabe is None:
        raise NICHT_GEFUNDEN
    return ausgabe


@bereich.seite("/sozialbericht", Recht.LESEN)
def uebersicht(request: Request) -> Response:
    with scope(request) as ctx:
        rows = ctx.session.scalars(sa.select(Berichtsausgabe).order_by(col(Berichtsausgabe.stichtag).desc())).all()
        counts = {a.id: len(service.liste(ctx.session, a)) for a in rows}
        vergeben = {a.stichtag for a in rows}
        return render(
            ctx,
            "arbeitsplatz/sozialbericht.html",
            ausgaben=[(a, service.status_text(a), counts[a.id]) for a in rows],
            stichtage=[d for d in reversed(service.stichtage(ctx.session)) if d not in vergeben],
            darf_aendern=darf(ctx.benutzer, Recht.AENDERN),
        )


@bereich.aktion("/sozialbericht", Recht.AENDERN)
async def anlegen(request: Request) -> Response:
    def arbeit(ctx: StaffContext, form: Mapping[str, Any]) -> Response:
        stichtag = f.datum(form, "stichtag", "Stichtag", pflicht=True)
        assert stichtag is not None
        ausgabe = service.lege_an(ctx.session, stichtag, f.text(form, "titel", limit=200), now=ctx.now)
        return RedirectResponse(f"{PFAD}/{ausgabe.id}?meldung=angelegt", status_code=303)

    return await aktion(request, arbeit)


@bereich.seite("/sozialbericht/{ausgabe_id}", Recht.LESEN)
def ausgabe(request: Request, ausgabe_id: int) -> Response:
    bearbeiten = request.query_params.get("bearbeiten", "")
    with scope(request) as ctx:
        found = _ausgabe(ctx, ausgabe_id)
        katalog = _katalog(ctx)
        items = service.liste(ctx.session, found)
        edit = next((e for e in items if bearbeiten.isdigit() and e.id == int(bearbeiten)), None)
        offen = found.status != service.FREIGEGEBEN
        sozialraeume = ctx.session.execute(
            sa.select(col(Gebiet.id), col(Gebiet.name))
            .where(col(Gebiet.ebene) == "sozialraum", col(Gebiet.gueltig_bis).is_(None))
            .order_by(col(Gebiet.schluessel))
        ).all()
        return render(
            ctx,
            "arbeitsplatz/sozialbericht_ausgabe.html",
            a=found,
            akteure=[found.freigegeben_von],
            status=service.status_text(found),
            stichtag=format_datum_kurz(found.stichtag),
            empfehlungen=[(e, service.bezug(ctx.session, e, katalog)) for e in items],
            bearbeiten=edit,
            dimensionen=list(katalog.dimensionen.items()) if katalog else [],
            sozialraeume=[(int(r[0]), str(r[1])) for r in sozialraeume],
            darf_aendern=offen and darf(ctx.benutzer, Recht.AENDERN),
            dateien=sorted(found.dateien) if not offen else [],
            geaendert=service.geaenderte_dateien(ctx.portal.settings, found) if not offen else [],
            ordner=service.ordner(ctx.portal.settings, found) if not offen else None,
        )


def _felder(ctx: StaffContext, ausgabe_: Berichtsausgabe, form: Mapping[str, Any], empfehlung_id: int | None) -> None:
    katalog = _katalog(ctx)
    if katalog is None:
        raise ValueError("Der Indikatorenkatalog ist nicht lesbar; bitte die Konfiguration prüfen.")
    service.speichere(
        ctx.session,
        ausgabe_,
        katalog,
        empfehlung_id=empfehlung_id,
        titel=f.text(form, "titel", limit=400),
        text=f.text(form, "text", limit=20_000),
        dimension=f.text(form, "dimension", limit=60) or None,
        gebiet_id=f.id_wert(form, "gebiet"),
    )


@bereich.aktion("/sozialbericht/{ausgabe_id}/empfehlungen", Recht.AENDERN)
async def hinzufuegen(request: Request, ausgabe_id: int) -> Response:
    def arbeit(ctx: StaffContext, form: Mapping[str, Any]) -> Response:
        _felder(ctx, _ausgabe(ctx, ausgabe_id), form, None)
        return RedirectResponse(f"{PFAD}/{ausgabe_id}?meldung=angelegt", status_code=303)

    return await aktion(request, arbeit)


@bereich.aktion("/sozialbericht/{ausgabe_id}/empfehlungen/{empfehlung_id}", Recht.AENDERN)
async def aendern(request: Request, ausgabe_id: int, empfehlung_id: int) -> Response:
    def arbeit(ctx: StaffContext, form: Mapping[str, Any]) -> Response:
        found = _ausgabe(ctx, ausgabe_id)
        aktion_ = f.text(form, "aktion", limit=20)
        try:
            if aktion_ in {"hoch", "runter"}:
                moved = service.verschiebe(ctx.session, found, empfehlung_id, nach_oben=aktion_ == "hoch")
                return RedirectResponse(
                    f"{PFAD}/{ausgabe_id}?meldung={'gespeichert' if moved else 'unveraendert'}", status_code=303
                )
            if aktion_ == "entfernen":
                service.entferne(ctx.session, found, empfehlung_id)
                return RedirectResponse(f"{PFAD}/{ausgabe_id}?meldung=entfernt", status_code=303)
            _felder(ctx, found, form, empfehlung_id)
        except LookupError:
            raise PortalFehler(404, "Nicht gefunden", "Diese Handlungsempfehlung gibt es nicht.") from None
        return RedirectResponse(f"{PFAD}/{ausgabe_id}?meldung=gespeichert", status_code=303)

    return await aktion(request, arbeit)


@bereich.aktion("/sozialbericht/{ausgabe_id}/freigeben", Recht.AENDERN)
async def freigeben(request: Request, ausgabe_id: int) -> Response:
    def arbeit(ctx: StaffContext, form: Mapping[str, Any]) -> Response:
        found = _ausgabe(ctx, ausgabe_id)
        if found.status == service.FREIGEGEBEN:
            raise ValueError(f"{found.titel} ist schon freigegeben.")
        if f.text(form, "bestaetigt", limit=5) != "ja":
            raise ValueError("Freigabe: bitte bestätigen, dass die Ausgabe danach nicht mehr geändert werden kann.")
        return laeufe.starte(
            ctx,
            "sozialbericht",
            {"ausgabe_id": ausgabe_id, "akteur": ctx.benutzer.name},
            titel=f"{found.titel} freigeben",
        )

    return await aktion(request, arbeit)
