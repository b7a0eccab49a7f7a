"""Träger and Ämter: entering one by hand (its Kennung made from the Kurzname or the name),
its page with the persons working there, and changing its master data. Every field is checked
first; on an error the form comes back with each message at its field and nothing stored."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import col

from sozialforum.arbeitsplatz import formular as f
from sozialforum.arbeitsplatz.routen import Bereich, aktion, render, scope
from sozialforum.arbeitsplatz.seiten import akteure_auswahl as auswahl
from sozialforum.konten.zugriff import Recht, darf
from sozialforum.portal.fehler import PortalFehler
from sozialforum.portal.kontexte import StaffContext
from sozialforum.stammdaten import kennung as kennungen
from sozialforum.store.models import Gebiet, Organisation, Person
from sozialforum.vocab import OrganisationArt

bereich = Bereich()
NICHT_GEFUNDEN = PortalFehler(404, "Nicht gefunden", "Diesen Träger gibt es nicht.")
FELDER = ("name", "kurzname", "art", "dachverband", "gebiet", "adresse", "email", "telefon", "dezernat")


def _setzen(ctx: StaffContext, form: Mapping[str, Any], traeger: Organisation) -> f.Feldfehler:
    """The form's values onto ``traeger`` — only when every field is right; else the errors."""
    fehler = f.Feldfehler()
    name = fehler.feld("name", lambda: f.pflichttext(form, "name", "Name", limit=300))
    art = fehler.feld("art", lambda: f.wahl(form, "art", OrganisationArt, "Art"))
    gebiet = fehler.feld("gebiet", lambda: auswahl.gebiet_id(ctx.session, form))
    email = fehler.feld("email", lambda: f.email(form))
    if fehler:
        return fehler
    assert name is not None and art is not None
    traeger.name, traeger.art, traeger.gebiet_id, traeger.email = name, art, gebiet, email
    traeger.dachverband = f.text(form, "dachverband", limit=200) or None
    traeger.adresse = f.text(form, "adresse", limit=300) or None
    traeger.telefon = f.text(form, "telefon", limit=60) or None
    traeger.dezernat = f.text(form, "dezernat", limit=100) or None
    return fehler


def _auswahl(ctx: StaffContext) -> dict[str, Any]:
    return {
        "arten": list(OrganisationArt),
        "gebiete": auswahl.gebiete(ctx.session, ctx.now.date()),
        "verbaende": auswahl.SPITZENVERBAENDE,
    }


@bereich.seite("/akteure/organisationen/neu", Recht.AENDERN)
def traeger_neu(request: Request) -> Response:
    with scope(request) as ctx:
        werte = {"art": OrganisationArt.FREIER_TRAEGER.value}
        return render(ctx, "arbeitsplatz/organisation_neu.html", werte=werte, fehler={}, **_auswahl(ctx))


@bereich.aktion("/akteure/organisationen/neu", Recht.AENDERN)
async def traeger_anlegen(request: Request) -> Response:
    def arbeit(ctx: StaffContext, form: Mapping[str, Any]) -> Response:
        traeger = Organisation(kennung="", name="", art=OrganisationArt.SONSTIGE)
        fehler = _setzen(ctx, form, traeger)
        if fehler:
            werte = {name: f.text(form, name) for name in FELDER}
            return render(
                ctx, "arbeitsplatz/organisation_neu.html", status_code=400, werte=werte, fehler=fehler, **_auswahl(ctx)
            )
        stamm = kennungen.teil(f.text(form, "kurzname", limit=100) or traeger.name, 36) or "traeger"
        traeger.kennung = kennungen.frei(ctx.session, Organisation, stamm)
        ctx.session.add(traeger)
        ctx.session.flush()
        return RedirectResponse(f"/arbeitsplatz/akteure/organisationen/{traeger.id}?meldung=angelegt", status_code=303)

    return await aktion(request, arbeit)


def _seite(
    ctx: StaffContext, traeger: Organisation, *, fehler: Mapping[str, str], werte: Mapping[str, Any]
) -> Response:
    personen = ctx.session.scalars(
        sa.select(Person)
        .where(col(Person.organisation_id) == traeger.id, col(Person.geloescht_am).is_(None))
        .order_by(col(Person.nachname))
    ).all()
    gebiet = ctx.session.get(Gebiet, traeger.gebiet_id) if traeger.gebiet_id else None
    return render(
        ctx,
        "arbeitsplatz/organisation.html",
        status_code=400 if fehler else 200,
        o=traeger,
        art=OrganisationArt(traeger.art).label,
        gebiet=gebiet.name if gebiet else None,
        personen=personen,
        darf_aendern=darf(ctx.benutzer, Recht.AENDERN),
        werte=werte,
        fehler=fehler,
        **_auswahl(ctx),
    )


def _traeger(ctx: StaffContext, organisation_id: int) -> Organisation:
    found = ctx.session.get(Organisation, organisation_id)
    if found is None:
        raise NICHT_GEFUNDEN
    return found


@bereich.seite("/akteure/organisationen/{organisation_id}", Recht.LESEN)
def organisation(request: Request, organisation_id: int) -> Response:
    with scope(request) as ctx:
        found = _traeger(ctx, organisation_id)
        werte = {name: getattr(found, name, None) or "" for name in FELDER}
        werte["gebiet"] = found.gebiet_id or ""
        return _seite(ctx, found, fehler={}, werte=werte)


@bereich.aktion("/akteure/organisationen/{organisation_id}", Recht.AENDERN)
async def organisation_aendern(request: Request, organisation_id: int) -> Response:
    def arbeit(ctx: StaffContext, form: Mapping[str, Any]) -> Response:
        found = _traeger(ctx, organisation_id)
        fehler = _setzen(ctx, form, found)
        if fehler:
            return _seite(ctx, found, fehler=fehler, werte={name: f.text(form, name) for name in FELDER})
        ctx.session.add(found)
        return RedirectResponse(
            f"/arbeitsplatz/akteure/organisationen/{organisation_id}?meldung=gespeichert", status_code=303
        )

    return await aktion(request, arbeit)
