"""The calendar feed address of a person, a Gremium or the deadlines (the Übersicht), renewed when
it leaked (a forwarded mail, a shared calendar): the old address answers 404 from then on
(``konferenz.feeds``, ``beschluesse.feed``), the page shows the new one; the change is audited
with the person's or Gremium's row, or the deadline feed's ``kalender_fassung``. With "mitteilen"
the new address is mailed (``konferenz.kalenderadresse``) and a delivery run sends it at once."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from sozialforum.arbeitsplatz import laeufe
from sozialforum.arbeitsplatz.routen import Bereich, aktion
from sozialforum.beschluesse.feed import neue_fassung
from sozialforum.konferenz import feeds, kalenderadresse
from sozialforum.konten.zugriff import Recht
from sozialforum.portal.fehler import PortalFehler
from sozialforum.portal.kontexte import StaffContext
from sozialforum.store.models import Gremium, Person

bereich = Bereich()
NICHT_GEFUNDEN = PortalFehler(404, "Nicht gefunden", "Diesen Eintrag gibt es nicht.")


def _erneuern(ctx: StaffContext, form: Mapping[str, Any], row: Person | Gremium, seite: str, name: str) -> Response:
    """Renew; if asked, queue the notice and deliver it by a run (the page then shows its progress)."""
    feeds.neue_adresse(ctx.session, row)
    if form.get("mitteilen") != "ja":
        return RedirectResponse(f"{seite}?meldung=kalender_neu", status_code=303)
    mitteilung = kalenderadresse.mitteilen(ctx.session, row, now=ctx.now, settings=ctx.portal.settings)
    if not mitteilung.neu:
        return RedirectResponse(f"{seite}?meldung=kalender_ohne_mail", status_code=303)
    titel = f"Neue Kalenderadresse mitteilen: {name} ({mitteilung.kurz})"
    return laeufe.starte(ctx, "zustellen", {}, titel=titel)


@bereich.aktion("/akteure/personen/{person_id}/kalender", Recht.AENDERN)
async def person_kalender(request: Request, person_id: int) -> Response:
    def arbeit(ctx: StaffContext, form: Mapping[str, Any]) -> Response:
        person = ctx.session.get(Person, person_id)
        if person is None or person.geloescht_am is not None:
            raise NICHT_GEFUNDEN
        return _erneuern(ctx, form, person, f"/arbeitsplatz/akteure/personen/{person_id}", person.anzeigename)

    return await aktion(request, arbeit)


@bereich.aktion("/akteure/gremien/{gremium_id}/kalender", Recht.AENDERN)
async def gremium_kalender(request: Request, gremium_id: int) -> Response:
    def arbeit(ctx: StaffContext, form: Mapping[str, Any]) -> Response:
        gremium = ctx.session.get(Gremium, gremium_id)
        if gremium is None:
            raise NICHT_GEFUNDEN
        return _erneuern(ctx, form, gremium, f"/arbeitsplatz/akteure/gremien/{gremium_id}", gremium.name)

    return await aktion(request, arbeit)


@bereich.aktion("/fristen/kalender", Recht.AENDERN)
async def fristen_kalender(request: Request) -> Response:
    def arbeit(ctx: StaffContext, form: Mapping[str, Any]) -> Response:
        neue_fassung(ctx.session, ctx.portal.settings)
        return RedirectResponse("/arbeitsplatz/?meldung=kalender_neu#fristen-kalender", status_code=303)

    return await aktion(request, arbeit)
