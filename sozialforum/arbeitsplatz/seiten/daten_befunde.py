"""Plausibilität: the findings of the plausibility report of every delivery (a total against its
parts, a jump, an area without values, …), which a person checks and accepts with a reason.
Accepting goes through ``daten.plausibel_bericht.akzeptiere`` and is in the audit trail."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from sozialforum.arbeitsplatz import formular as f
from sozialforum.arbeitsplatz.routen import Bereich, aktion, render, scope
from sozialforum.daten import plausibel_befund, plausibel_bericht
from sozialforum.konten.zugriff import Recht, darf
from sozialforum.portal.kontexte import StaffContext

bereich = Bereich()
PFAD = "/arbeitsplatz/daten/befunde"


@bereich.seite("/daten/befunde", Recht.LESEN)
def befunde(request: Request) -> Response:
    with scope(request) as ctx:
        akzeptiert = plausibel_bericht.akzeptierte(ctx.session)
        return render(
            ctx,
            "arbeitsplatz/daten_befunde.html",
            offen=plausibel_bericht.offene(ctx.session),
            akzeptiert=akzeptiert,
            akteure=[b.akzeptiert_von for b, _ in akzeptiert],
            arten=plausibel_befund.ARTEN,
            darf_aendern=darf(ctx.benutzer, Recht.AENDERN),
        )


@bereich.aktion("/daten/befunde/akzeptieren", Recht.AENDERN)
async def akzeptieren(request: Request) -> Response:
    def arbeit(ctx: StaffContext, form: Mapping[str, Any]) -> Response:
        befund_id = f.id_wert(form, "befund")
        if befund_id is None:
            raise ValueError("Befund: bitte aus der Liste wählen.")
        neu = plausibel_bericht.akzeptiere(
            ctx.session,
            befund_id,
            von=ctx.benutzer.anzeigename or ctx.benutzer.name,
            am=ctx.now,
            begruendung=f.text(form, "begruendung", limit=1000),
        )
        return RedirectResponse(f"{PFAD}?meldung={'befund_akzeptiert' if neu else 'unveraendert'}", status_code=303)

    return await aktion(request, arbeit)
