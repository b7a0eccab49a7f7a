"""Freigaben: which person of a Kommune may read the unsuppressed data of which Gemeinde.
Granting and revoking go through ``daten.freigabe`` (as ``sozialforum daten freigabe``), which
writes them to the audit trail."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import col

from sozialforum.arbeitsplatz import formular as f
from sozialforum.arbeitsplatz.routen import Bereich, aktion, render, scope
from sozialforum.daten import freigabe
from sozialforum.fristen.datum import today_in_berlin
from sozialforum.konten.zugriff import Recht, darf
from sozialforum.portal.kontexte import StaffContext
from sozialforum.store.models import Benutzer, Datenfreigabe, Gebiet, Person
from sozialforum.vocab import BenutzerRolle

bereich = Bereich()
PFAD = "/arbeitsplatz/daten/freigaben"
AUSWAHL_HOECHSTENS = 2000  # entries of a datalist (a Kreis has a few dozen Gemeinden)


def _freigaben(ctx: StaffContext) -> list[Any]:
    return list(
        ctx.session.execute(
            sa.select(
                col(Person.kennung),
                col(Person.vorname),
                col(Person.nachname),
                col(Gebiet.schluessel),
                col(Gebiet.name),
                col(Datenfreigabe.erteilt_am),
                col(Datenfreigabe.bemerkung),
            )
            .join(Person, col(Person.id) == col(Datenfreigabe.person_id))
            .join(Gebiet, col(Gebiet.id) == col(Datenfreigabe.gebiet_id))
            .order_by(Gebiet.name, Person.nachname, Person.kennung)
        ).all()
    )


@bereich.seite("/daten/freigaben", Recht.LESEN)
def freigaben(request: Request) -> Response:
    with scope(request) as ctx:
        gemeinden = ctx.session.execute(
            sa.select(col(Gebiet.schluessel), col(Gebiet.name))
            .where(col(Gebiet.ebene) == freigabe.EINHEIT, col(Gebiet.gueltig_bis).is_(None))
            .order_by(Gebiet.name)
            .limit(AUSWAHL_HOECHSTENS)
        ).all()
        # Persons with a Kommune account first: they are who a release is usually for.
        konten = ctx.session.execute(
            sa.select(col(Person.kennung), col(Person.vorname), col(Person.nachname), col(Benutzer.name))
            .join(Benutzer, col(Benutzer.person_id) == col(Person.id))
            .where(col(Benutzer.rolle) == BenutzerRolle.KOMMUNE.value, col(Person.geloescht_am).is_(None))
            .order_by(Person.nachname)
            .limit(AUSWAHL_HOECHSTENS)
        ).all()
        return render(
            ctx,
            "arbeitsplatz/daten_freigaben.html",
            freigaben=_freigaben(ctx),
            gemeinden=gemeinden,
            konten=konten,
            darf_aendern=darf(ctx.benutzer, Recht.AENDERN),
        )


@bereich.aktion("/daten/freigaben", Recht.AENDERN)
async def erteilen(request: Request) -> Response:
    def arbeit(ctx: StaffContext, form: Mapping[str, Any]) -> Response:
        neu = freigabe.erteile(
            ctx.session,
            person=_pflicht(form, "person", "Person (Kennung)"),
            gemeinde=_pflicht(form, "gemeinde", "Gemeinde (Schlüssel)"),
            am=today_in_berlin(ctx.now),
            bemerkung=f.text(form, "bemerkung", limit=300) or None,
        )
        return RedirectResponse(f"{PFAD}?meldung={'freigabe_erteilt' if neu else 'unveraendert'}", status_code=303)

    return await aktion(request, arbeit)


@bereich.aktion("/daten/freigaben/entziehen", Recht.AENDERN)
async def entziehen(request: Request) -> Response:
    def arbeit(ctx: StaffContext, form: Mapping[str, Any]) -> Response:
        weg = freigabe.entziehe(
            ctx.session,
            person=_pflicht(form, "person", "Person (Kennung)"),
            gemeinde=_pflicht(form, "gemeinde", "Gemeinde (Schlüssel)"),
        )
        return RedirectResponse(f"{PFAD}?meldung={'freigabe_entzogen' if weg else 'unveraendert'}", status_code=303)

    return await aktion(request, arbeit)


def _pflicht(form: Mapping[str, Any], name: str, feld: str) -> str:
    value = f.text(form, name, limit=60)
    if not value:
        raise ValueError(f"{feld}: bitte angeben.")
    return value
