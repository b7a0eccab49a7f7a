"""Akteure: persons, Träger and Ämter, Gremien — search, view, edit; memberships over time;
the legal basis of contacting a person; DSGVO Auskunft (Art. 15) and Löschung (Art. 17) with
confirmation. Uploading an actor list is in ``akteure_import``, entering a person in ``akteure_neu``."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlencode

import sqlalchemy as sa
from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import aliased
from sqlmodel import col

from sozialforum.arbeitsplatz import formular as f
from sozialforum.arbeitsplatz.auskunft import als_text, uebersicht
from sozialforum.arbeitsplatz.routen import Bereich, Eingabefehler, aktion, render, scope
from sozialforum.arbeitsplatz.seiten.akteure_neu import angaben_setzen, kontakt_setzen
from sozialforum.konferenz import feeds
from sozialforum.konten.zugriff import Recht, darf
from sozialforum.portal.fehler import PortalFehler
from sozialforum.portal.formulare import load_formulare
from sozialforum.portal.kontexte import StaffContext
from sozialforum.problems import ProblemReport
from sozialforum.stammdaten import dsgvo, vorlagen
from sozialforum.stammdaten.listen import TITEL
from sozialforum.store.models import Gebiet, Gremium, Mitgliedschaft, Organisation, Person
from sozialforum.store.models.gebiete import GUELTIG_SEIT_JEHER
from sozialforum.vocab import GebietEbene, GremiumArt, MitgliedRolle, OrganisationArt, Rechtsgrundlage

bereich = Bereich()
SEITE = 50
NICHT_GEFUNDEN = PortalFehler(404, "Nicht gefunden", "Diesen Eintrag gibt es nicht.")
ARTEN = {"personen": "Personen", "organisationen": "Träger und Ämter", "gremien": "Gremien", "gebiete": "Gebiete"}


def _weiter(pfad: str, meldung: str) -> Response:
    return RedirectResponse(f"{pfad}?meldung={meldung}", status_code=303)


def _like(q: str) -> str:
    return f"%{q.replace('%', '').replace('_', '')}%"


@bereich.seite("/akteure", Recht.LESEN)
def liste(request: Request) -> Response:
    params = request.query_params
    art = params.get("art") if params.get("art") in ARTEN else "personen"
    q = params.get("q", "").strip()[:100]
    page = max(1, int(params["seite"])) if params.get("seite", "").isdigit() else 1
    with scope(request) as ctx:
        query: sa.Select[Any]
        if art == "personen":
            query = (
                sa.select(Person, col(Organisation.name))
                .outerjoin(Organisation, col(Organisation.id) == col(Person.organisation_id))
                .where(col(Person.geloescht_am).is_(None))
                .order_by(col(Person.nachname), col(Person.vorname), col(Person.id))
            )
            if q:
                query = query.where(
                    sa.or_(
                        col(Person.nachname).ilike(_like(q)),
                        col(Person.vorname).ilike(_like(q)),
                        col(Person.email).ilike(_like(q)),
                        col(Person.kennung).ilike(_like(q)),
                    )
                )
        elif art == "organisationen":
            query = sa.select(Organisation, sa.null()).order_by(col(Organisation.name))
            if q:
                query = query.where(
                    sa.or_(col(Organisation.name).ilike(_like(q)), col(Organisation.kennung).ilike(_like(q)))
                )
        elif art == "gremien":
            query = sa.select(Gremium, sa.null()).order_by(col(Gremium.name))
            if q:
                query = query.where(sa.or_(col(Gremium.name).ilike(_like(q)), col(Gremium.kennung).ilike(_like(q))))
        else:
            # Every version of an area, the current one first: a reform's history stays visible.
            oben = aliased(Gebiet)
            query = (
                sa.select(Gebiet, col(oben.name))
                .outerjoin(oben, col(oben.id) == col(Gebiet.parent_id))
                .order_by(col(Gebiet.schluessel), col(Gebiet.gueltig_ab).desc())
            )
            if q:
                query = query.where(sa.or_(col(Gebiet.name).ilike(_like(q)), col(Gebiet.schluessel).ilike(_like(q))))
        gesamt = ctx.session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery())) or 0
        rows = ctx.session.execute(query.limit(SEITE).offset((page - 1) * SEITE)).all()
        return render(
            ctx,
            "arbeitsplatz/akteure.html",
            art=art,
            arten=ARTEN,
            q=q,
            seite=page,
            seiten=max(1, -(-gesamt // SEITE)),
            gesamt=gesamt,
            zeilen=[(row[0], row[1]) for row in rows],
            labels={
                **{v.value: v.label for v in OrganisationArt},
                **{v.value: v.label for v in GremiumArt},
                **{v.value: v.label for v in GebietEbene},
            },
            listen=TITEL,
            seit_jeher=GUELTIG_SEIT_JEHER,
            spalten={kind: vorlagen.spalten(kind) for kind in TITEL},
            weiter=lambda **changes: "?" + urlencode({"art": art, "q": q, "seite": page, **changes}),
            darf_aendern=darf(ctx.benutzer, Recht.AENDERN),
        )


# --- persons ---------------------------------------------------------------------------------


def _person(ctx: StaffContext, person_id: int) -> Person:
    person = ctx.session.get(Person, person_id)
    if person is None or person.geloescht_am is not None:
        raise NICHT_GEFUNDEN
    return person


@bereich.seite("/akteure/personen/{person_id}", Recht.LESEN)
def person(request: Request, person_id: int) -> Response:
    with scope(request) as ctx:
        found = _person(ctx, person_id)
        mitgliedschaften = ctx.session.execute(
            sa.select(Mitgliedschaft, col(Gremium.name))
            .join(Gremium, col(Gremium.id) == col(Mitgliedschaft.gremium_id))
            .where(col(Mitgliedschaft.person_id) == person_id)
            .order_by(col(Mitgliedschaft.von).desc())
        ).all()
        gremien = ctx.session.execute(sa.select(col(Gremium.id), col(Gremium.name)).order_by(col(Gremium.name))).all()
        traeger = ctx.session.get(Organisation, found.organisation_id) if found.organisation_id else None
        return render(
            ctx,
            "arbeitsplatz/person.html",
            p=found,
            mitgliedschaften=[(m, name, MitgliedRolle(m.rolle).label) for m, name in mitgliedschaften],
            gremien=gremien,
            rollen=list(MitgliedRolle),
            grundlagen=list(Rechtsgrundlage),
            traeger=f"{traeger.name} [{traeger.kennung}]" if traeger else "",
            darf_aendern=darf(ctx.benutzer, Recht.AENDERN),
            grundlage_label=Rechtsgrundlage(found.rechtsgrundlage).label if found.rechtsgrundlage else "",
            kalender_url=feeds.person_feed_url(ctx.portal.settings, found),
            kalender_aktion=f"/arbeitsplatz/akteure/personen/{person_id}/kalender",
        )


@bereich.aktion("/akteure/personen/{person_id}", Recht.AENDERN)
async def person_aendern(request: Request, person_id: int) -> Response:
    def arbeit(ctx: StaffContext, form: Mapping[str, Any]) -> Response:
        found = _person(ctx, person_id)
        angaben_setzen(ctx.session, form, found)
        ctx.session.add(found)
        return _weiter(f"/arbeitsplatz/akteure/personen/{person_id}", "gespeichert")

    return await aktion(request, arbeit)


@bereich.aktion("/akteure/personen/{person_id}/kontakt", Recht.AENDERN)
async def kontakt(request: Request, person_id: int) -> Response:
    """Record the legal basis of contacting the person (with its source), or its withdrawal."""

    def arbeit(ctx: StaffContext, form: Mapping[str, Any]) -> Response:
        found = _person(ctx, person_id)
        if form.get("widerruf") == "ja":
            found.abgemeldet_am = ctx.now
        else:
            kontakt_setzen(form, found, heute=ctx.now.date())
        ctx.session.add(found)
        return _weiter(f"/arbeitsplatz/akteure/personen/{person_id}", "gespeichert")

    return await aktion(request, arbeit)


@bereich.aktion("/akteure/personen/{person_id}/mitgliedschaft", Recht.AENDERN)
async def mitgliedschaft(request: Request, person_id: int) -> Response:
    """A new membership (Gremium, role, from), or the end of one (its id and the last day)."""

    def arbeit(ctx: StaffContext, form: Mapping[str, Any]) -> Response:
        found = _person(ctx, person_id)
        ende_id = f.id_wert(form, "beenden")
        if ende_id is not None:
            row = ctx.session.get(Mitgliedschaft, ende_id)
            if row is None or row.person_id != person_id:
                raise NICHT_GEFUNDEN
            bis = f.datum(form, "bis", "Bis", pflicht=True)
            assert bis is not None
            if bis < row.von:
                raise ValueError("Bis: das Ende liegt vor dem Beginn der Mitgliedschaft.")
            row.bis = bis
            ctx.session.add(row)
            return _weiter(f"/arbeitsplatz/akteure/personen/{person_id}", "gespeichert")
        gremium = ctx.session.get(Gremium, f.id_wert(form, "gremium") or 0)
        if gremium is None:
            raise ValueError("Gremium: bitte wählen.")
        try:
            rolle = MitgliedRolle.parse(str(form.get("rolle") or "mitglied"))
        except ValueError:
            raise ValueError("Rolle: bitte wählen.") from None
        von = f.datum(form, "von", "Von", pflicht=True)
        assert von is not None
        ctx.session.add(
            Mitgliedschaft(
                gremium_id=gremium.id,  # type: ignore[arg-type]  # a stored Gremium has its id
                person_id=person_id,
                organisation_id=found.organisation_id,
                rolle=rolle,
                von=von,
            )
        )
        return _weiter(f"/arbeitsplatz/akteure/personen/{person_id}", "gespeichert")

    return await aktion(request, arbeit)


@bereich.seite("/akteure/personen/{person_id}/auskunft", Recht.AENDERN)
def auskunft(request: Request, person_id: int) -> Response:
    """Art. 15 DSGVO: everything stored about the person, as JSON to hand out."""
    with scope(request) as ctx:
        found = _person(ctx, person_id)
        document = dsgvo.export_person(ctx.session, person_id, now=ctx.now)
        return Response(
            json.dumps(document, ensure_ascii=False, indent=2, default=str),
            media_type="application/json",
            # The Kennung comes from imports: quoted, so a quote, a line break or a letter beyond
            # Latin-1 (the header's encoding) neither cuts the name nor fails the response.
            headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(f'auskunft-{found.kennung}.json')}"},
        )


@bereich.seite("/akteure/personen/{person_id}/auskunft/text", Recht.AENDERN)
def auskunft_text(request: Request, person_id: int) -> Response:
    """Art. 15 DSGVO to read: the same overview as ``sozialforum dsgvo auskunft --text``."""
    with scope(request) as ctx:
        found = _person(ctx, person_id)
        try:
            formulare = load_formulare(ctx.portal.settings.portal.formulare)
        except ProblemReport:  # answers by their keys then; the Auskunft must not fail
            formulare = {}
        document = dsgvo.export_person(ctx.session, person_id, now=ctx.now)
        text = als_text(uebersicht(ctx.session, document, person_id=person_id, formulare=formulare))
        name = quote(f"auskunft-{found.kennung}.txt")
        return Response(
            text,
            media_type="text/plain; charset=utf-8",
            headers={"Content-Disposition": f"attachment; filename*=UTF-8''{name}"},
        )


@bereich.aktion("/akteure/personen/{person_id}/loeschen", Recht.AENDERN)
async def loeschen(request: Request, person_id: int) -> Response:
    """Art. 17 DSGVO: erase the person's personal data — only when the Kennung is typed to confirm."""

    def arbeit(ctx: StaffContext, form: Mapping[str, Any]) -> Response:
        found = _person(ctx, person_id)
        if f.text(form, "bestaetigung", limit=40) != found.kennung:
            raise Eingabefehler(
                f"Zur Bestätigung bitte die Kennung „{found.kennung}“ eintippen; es wurde nichts gelöscht."
            )
        dsgvo.erase_person(ctx.session, person_id, now=ctx.now, actor=f"benutzer:{ctx.benutzer.name}")
        return _weiter("/arbeitsplatz/akteure", "geloescht")

    return await aktion(request, arbeit)
