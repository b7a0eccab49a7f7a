"""Gremien: entering one by hand (Kennung from its name, Vorsitz and Geschäftsführung as its
first memberships), its page, changing its master data, and taking members in or out there.
Members are ``Mitgliedschaft`` rows, the same that the person's page and the lists write."""

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
from sozialforum.konferenz import feeds
from sozialforum.konten.zugriff import Recht, darf
from sozialforum.portal.fehler import PortalFehler
from sozialforum.portal.kontexte import StaffContext
from sozialforum.stammdaten import kennung as kennungen
from sozialforum.store.models import Gebiet, Gremium, Mitgliedschaft, Person
from sozialforum.vocab import GremiumArt, MitgliedRolle

bereich = Bereich()
NICHT_GEFUNDEN = PortalFehler(404, "Nicht gefunden", "Dieses Gremium gibt es nicht.")
FELDER = (
    "name",
    "art",
    "gebiet",
    "uebergeordnet",
    "einladung_vorlauf_tage",
    "plaetze",
    "vorsitz",
    "geschaeftsfuehrung",
)
# The first memberships the new-Gremium form offers: field → role.
LEITUNG = {"vorsitz": MitgliedRolle.VORSITZ, "geschaeftsfuehrung": MitgliedRolle.GESCHAEFTSSTELLE}


def _uebergeordnet(ctx: StaffContext, form: Mapping[str, Any], gremium: Gremium) -> int | None:
    """The Gremium this one reports to; never itself or one below it (no circle)."""
    oben = f.id_wert(form, "uebergeordnet")
    if oben is None:
        return None
    pruefen: int | None = oben
    gesehen: set[int] = set()
    while pruefen is not None and pruefen not in gesehen:
        if gremium.id is not None and pruefen == gremium.id:
            raise ValueError("Übergeordnetes Gremium: das wäre ein Kreis (es berichtet an sich selbst).")
        gesehen.add(pruefen)
        row = ctx.session.get(Gremium, pruefen)
        if row is None:
            raise ValueError("Übergeordnetes Gremium: bitte aus der Liste wählen.")
        pruefen = row.parent_id
    return oben


def _zahl(form: Mapping[str, Any], name: str, feld: str, *, minimum: int) -> int | None:
    wert = f.zahl(form, name, feld)
    if wert is not None and wert < minimum:
        raise ValueError(f"{feld}: mindestens {minimum}.")
    return wert


def _setzen(ctx: StaffContext, form: Mapping[str, Any], gremium: Gremium) -> f.Feldfehler:
    """The form's values onto ``gremium`` — only when every field is right; else the errors."""
    fehler = f.Feldfehler()
    name = fehler.feld("name", lambda: f.pflichttext(form, "name", "Name", limit=300))
    art = fehler.feld("art", lambda: f.wahl(form, "art", GremiumArt, "Art"))
    gebiet = fehler.feld("gebiet", lambda: auswahl.gebiet_id(ctx.session, form))
    oben = fehler.feld("uebergeordnet", lambda: _uebergeordnet(ctx, form, gremium))
    vorlauf = fehler.feld(
        "einladung_vorlauf_tage", lambda: _zahl(form, "einladung_vorlauf_tage", "Einladung vorab (Tage)", minimum=1)
    )
    plaetze = fehler.feld("plaetze", lambda: _zahl(form, "plaetze", "Plätze", minimum=1))
    if fehler:
        return fehler
    assert name is not None and art is not None
    gremium.name, gremium.art, gremium.gebiet_id, gremium.parent_id = name, art, gebiet, oben
    gremium.einladung_vorlauf_tage = vorlauf or 21
    gremium.plaetze = plaetze
    return fehler


def _auswahl(ctx: StaffContext, *, ohne: int | None = None, aendern: bool = True) -> dict[str, Any]:
    """The choices of the forms. Persons are never listed whole: they are searched for."""
    gremien = ctx.session.execute(
        sa.select(col(Gremium.id), col(Gremium.name)).where(col(Gremium.id) != (ohne or 0)).order_by(col(Gremium.name))
    ).all()
    return {
        "arten": list(GremiumArt),
        "gebiete": auswahl.gebiete(ctx.session, ctx.now.date()),
        "gremien": [(int(i), str(n)) for i, n in gremien],
        "personen_da": aendern and auswahl.gibt_personen(ctx.session),
        "rollen": list(MitgliedRolle),
    }


@bereich.seite("/akteure/gremien/neu", Recht.AENDERN)
def gremium_neu(request: Request) -> Response:
    with scope(request) as ctx:
        werte = {"art": GremiumArt.SOZIALRAUMKONFERENZ.value, "einladung_vorlauf_tage": 21}
        return render(ctx, "arbeitsplatz/gremium_neu.html", werte=werte, fehler={}, vorschlaege={}, **_auswahl(ctx))


@bereich.aktion("/akteure/gremien/neu", Recht.AENDERN)
async def gremium_anlegen(request: Request) -> Response:
    def arbeit(ctx: StaffContext, form: Mapping[str, Any]) -> Response:
        gremium = Gremium(kennung="", name="", art=GremiumArt.FACHGREMIUM)
        fehler = _setzen(ctx, form, gremium)
        leitung = {}
        for feld, rolle in LEITUNG.items():
            leitung[feld] = fehler.feld(feld, lambda: auswahl.person_id(ctx.session, form, feld, rolle.label))  # noqa: B023  # called at once
        if fehler:
            werte = {name: f.text(form, name, limit=400) for name in FELDER}
            # A person field that named nobody exactly offers what its text matches.
            vorschlaege = {n: auswahl.suchen(ctx.session, werte[n]).eintraege for n in LEITUNG if n in fehler}
            return render(
                ctx,
                "arbeitsplatz/gremium_neu.html",
                status_code=400,
                werte=werte,
                fehler=fehler,
                vorschlaege=vorschlaege,
                **_auswahl(ctx),
            )
        gremium.kennung = kennungen.frei(ctx.session, Gremium, kennungen.teil(gremium.name, 50) or "gremium")
        ctx.session.add(gremium)
        ctx.session.flush()
        for feld, person_id in leitung.items():
            if person_id is not None:
                _aufnehmen(ctx, gremium, person_id, LEITUNG[feld], von=ctx.now.date())
        return RedirectResponse(f"/arbeitsplatz/akteure/gremien/{gremium.id}?meldung=angelegt", status_code=303)

    return await aktion(request, arbeit)


def _aufnehmen(ctx: StaffContext, gremium: Gremium, person_id: int, rolle: MitgliedRolle, *, von: Any) -> None:
    person = ctx.session.get(Person, person_id)
    assert person is not None and gremium.id is not None  # chosen from the store, flushed
    ctx.session.add(
        Mitgliedschaft(
            gremium_id=gremium.id, person_id=person_id, organisation_id=person.organisation_id, rolle=rolle, von=von
        )
    )


def _gremium(ctx: StaffContext, gremium_id: int) -> Gremium:
    found = ctx.session.get(Gremium, gremium_id)
    if found is None:
        raise NICHT_GEFUNDEN
    return found


def _seite(
    ctx: StaffContext,
    gremium: Gremium,
    *,
    werte: Mapping[str, Any],
    fehler: Mapping[str, str],
    offen: str = "",
    suche: str = "",
) -> Response:
    mitglieder = ctx.session.execute(
        sa.select(Mitgliedschaft, Person)
        .join(Person, col(Person.id) == col(Mitgliedschaft.person_id))
        .where(col(Mitgliedschaft.gremium_id) == gremium.id)
        .order_by(col(Mitgliedschaft.bis).is_not(None), col(Person.nachname))
    ).all()
    heute = ctx.now.date()
    aktuell = {p.id for m, p in mitglieder if m.valid_on(heute) and p.id is not None}
    aendern = darf(ctx.benutzer, Recht.AENDERN)
    gebiet = ctx.session.get(Gebiet, gremium.gebiet_id) if gremium.gebiet_id else None
    oben = ctx.session.get(Gremium, gremium.parent_id) if gremium.parent_id else None
    return render(
        ctx,
        "arbeitsplatz/gremium.html",
        status_code=400 if fehler else 200,
        g=gremium,
        art=GremiumArt(gremium.art).label,
        gebiet=gebiet.name if gebiet else None,
        oben=oben,
        mitglieder=[(m, p, MitgliedRolle(m.rolle).label, m.valid_on(heute)) for m, p in mitglieder],
        darf_aendern=aendern,
        kalender_url=feeds.gremium_feed_url(ctx.portal.settings, gremium),
        kalender_aktion=f"/arbeitsplatz/akteure/gremien/{gremium.id}/kalender",
        werte=werte,
        fehler=fehler,
        offen=offen,
        heute=heute.isoformat(),
        suche=auswahl.suchen(ctx.session, suche, ohne=aktuell) if aendern and suche else None,
        **_auswahl(ctx, ohne=gremium.id, aendern=aendern),
    )


def _gespeichert(gremium: Gremium) -> dict[str, Any]:
    return {
        "name": gremium.name,
        "art": gremium.art,
        "gebiet": gremium.gebiet_id or "",
        "uebergeordnet": gremium.parent_id or "",
        "einladung_vorlauf_tage": gremium.einladung_vorlauf_tage,
        "plaetze": gremium.plaetze or "",
    }


@bereich.seite("/akteure/gremien/{gremium_id}", Recht.LESEN)
def gremium(request: Request, gremium_id: int) -> Response:
    with scope(request) as ctx:
        found = _gremium(ctx, gremium_id)
        suche = str(request.query_params.get("suche") or "").strip()[:200]
        return _seite(ctx, found, werte=_gespeichert(found), fehler={}, suche=suche)


@bereich.aktion("/akteure/gremien/{gremium_id}", Recht.AENDERN)
async def gremium_aendern(request: Request, gremium_id: int) -> Response:
    def arbeit(ctx: StaffContext, form: Mapping[str, Any]) -> Response:
        found = _gremium(ctx, gremium_id)
        fehler = _setzen(ctx, form, found)
        if fehler:
            werte = {name: f.text(form, name, limit=400) for name in FELDER}
            return _seite(ctx, found, werte=werte, fehler=fehler, offen="bearbeiten")
        ctx.session.add(found)
        return RedirectResponse(f"/arbeitsplatz/akteure/gremien/{gremium_id}?meldung=gespeichert", status_code=303)

    return await aktion(request, arbeit)


@bereich.aktion("/akteure/gremien/{gremium_id}/mitglieder", Recht.AENDERN)
async def mitglied_aufnehmen(request: Request, gremium_id: int) -> Response:
    """A person found by the page's search joins with a role from a day on."""

    def arbeit(ctx: StaffContext, form: Mapping[str, Any]) -> Response:
        found = _gremium(ctx, gremium_id)
        fehler = f.Feldfehler()
        person_id = fehler.feld("person", lambda: auswahl.person_id(ctx.session, form, "person", "Person"))
        if person_id is None and "person" not in fehler:
            fehler["person"] = "Person: bitte suchen und eine auswählen."
        rolle = fehler.feld("rolle", lambda: f.wahl({"rolle": "mitglied", **form}, "rolle", MitgliedRolle, "Rolle"))
        von = fehler.feld("von", lambda: f.datum(form, "von", "Mitglied seit", pflicht=True))
        if not fehler and ctx.session.scalar(
            sa.select(col(Mitgliedschaft.id)).where(
                col(Mitgliedschaft.gremium_id) == gremium_id,
                col(Mitgliedschaft.person_id) == person_id,
                sa.or_(col(Mitgliedschaft.bis).is_(None), col(Mitgliedschaft.bis) >= von),
            )
        ):
            fehler["person"] = "Person: ist schon Mitglied dieses Gremiums."
        if fehler:
            werte = {**_gespeichert(found), **{n: f.text(form, n, limit=400) for n in ("person", "rolle", "von")}}
            # The matches again (a Kennung posted without a search is one too).
            suche = f.text(form, "suche", limit=200) or f.text(form, "person", limit=200)
            return _seite(ctx, found, werte=werte, fehler=fehler, offen="aufnehmen", suche=suche)
        assert person_id is not None and rolle is not None
        _aufnehmen(ctx, found, person_id, rolle, von=von)
        return RedirectResponse(f"/arbeitsplatz/akteure/gremien/{gremium_id}?meldung=aufgenommen", status_code=303)

    return await aktion(request, arbeit)


@bereich.aktion("/akteure/gremien/{gremium_id}/mitglieder/entfernen", Recht.AENDERN)
async def mitglied_entfernen(request: Request, gremium_id: int) -> Response:
    """Remove a membership entered by mistake (the audit trail keeps the row); someone who
    leaves keeps it with an end date, on the person's page."""

    def arbeit(ctx: StaffContext, form: Mapping[str, Any]) -> Response:
        row = ctx.session.get(Mitgliedschaft, f.id_wert(form, "mitgliedschaft") or 0)
        if row is None or row.gremium_id != gremium_id:
            raise ValueError("Mitgliedschaft: diese gibt es in diesem Gremium nicht (mehr).")
        if form.get("bestaetigt") != "ja":
            raise ValueError("Entfernen: bitte bestätigen.")
        ctx.session.delete(row)
        return RedirectResponse(f"/arbeitsplatz/akteure/gremien/{gremium_id}?meldung=entfernt", status_code=303)

    return await aktion(request, arbeit)
