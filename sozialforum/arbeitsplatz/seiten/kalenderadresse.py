"""The calendar feed address of a person or a Gremium, renewed when it leaked (a forwarded mail,
a shared calendar): the old address answers 404 from then on (``konferenz.feeds``), the page
shows the new one; the change is audited with the person's or Gremium's row."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from sozialforum.arbeitsplatz.routen import Bereich, aktion
from sozialforum.konferenz import feeds
from sozialforum.konten.zugriff import Recht
from sozialforum.portal.fehler import PortalFehler
from sozialforum.portal.kontexte import StaffContext
from sozialforum.store.models import Gremium, Person

bereich = Bereich()
NICHT_GEFUNDEN = PortalFehler(404, "Nicht gefunden", "Diesen Eintrag gibt es nicht.")


@bereich.aktion("/akteure/personen/{person_id}/kalender", Recht.AENDERN)
async def person_kalender(request: Request, person_id: int) -> Response:
    def arbeit(ctx: StaffContext, form: Mapping[str, Any]) -> Response:
        person = ctx.session.get(Person, person_id)
        if person is None or person.geloescht_am is not None:
            raise NICHT_GEFUNDEN
        feeds.neue_adresse(ctx.session, person)
        return RedirectResponse(f"/arbeitsplatz/akteure/personen/{person_id}?meldung=kalender_neu", status_code=303)

    return await aktion(request, arbeit)


@bereich.aktion("/akteure/gremien/{gremium_id}/kalender", Recht.AENDERN)
async def gremium_kalender(request: Request, gremium_id: int) -> Response:
    def arbeit(ctx: StaffContext, form: Mapping[str, Any]) -> Response:
        gremium = ctx.session.get(Gremium, gremium_id)
        if gremium is None:
            raise NICHT_GEFUNDEN
        feeds.neue_adresse(ctx.session, gremium)
        return RedirectResponse(f"/arbeitsplatz/akteure/gremien/{gremium_id}?meldung=kalender_neu", status_code=303)

    return await aktion(request, arbeit)
