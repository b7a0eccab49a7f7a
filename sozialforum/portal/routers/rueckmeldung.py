"""``/rueckmeldung/{token}``: the RSVP to a Sitzung (yes/no/maybe, attendees, needs).

The portal's hot path: every invited Träger opens this page and answers within the hour after
the invitation. Both handlers therefore run on ``Portal.link_transaction`` (plain statements, no
ORM session) and, for SQLite, on the event loop (see ``Portal.run``).
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from sozialforum.portal.context import LinkTransaction, Portal
from sozialforum.services import beteiligung
from sozialforum.vocab import Antwort, AntwortQuelle, Beduerfnis, LinkZweck

router = APIRouter()
ZWECK = LinkZweck.RSVP
_ANTWORTEN = [(a.value, a.label) for a in beteiligung.LINK_ANTWORTEN]
_BEDUERFNISSE = [(b.value, b.label) for b in Beduerfnis]


def _page(ctx: LinkTransaction, *, fehler: dict[str, str] | None = None,
          eingabe: dict[str, Any] | None = None, gespeichert: bool = False) -> HTMLResponse:
    view = beteiligung.rsvp_ansicht(ctx.connection, sitzung_id=ctx.link.bezug_id, person_id=ctx.link.person_id)
    answered = view.rueckmeldung_id is not None
    werte = eingabe or {
        "antwort": str(view.antwort) if answered and view.antwort != Antwort.OFFEN else None,
        "personen": view.personen if answered and view.personen else 1,
        "beduerfnisse": list(view.beduerfnisse) if answered else [],
        "kommentar": view.kommentar if answered else "",
    }
    bisher = None
    if answered and view.beantwortet_am is not None:
        bisher = {"antwort": Antwort(view.antwort), "personen": view.personen,
                  "quelle": AntwortQuelle(view.quelle) if view.quelle else None,
                  "am": view.beantwortet_am}
    return ctx.render(
        "portal/rueckmeldung.html", status_code=400 if fehler else 200,
        sitzung=view, gremium=SimpleNamespace(name=view.gremium),
        # The same name as Person.anzeigename gives.
        person=SimpleNamespace(anzeigename=" ".join(part for part in (view.vorname, view.nachname) if part)),
        organisation=SimpleNamespace(name=view.organisation) if view.organisation is not None else None,
        bisher=bisher, werte=werte, fehler=fehler or {}, gespeichert=gespeichert,
        geschlossen=beteiligung.sitzung_open(view, now=ctx.now),  # type: ignore[arg-type]
        antworten=_ANTWORTEN, beduerfnisse=_BEDUERFNISSE, max_personen=beteiligung.MAX_PERSONEN,
    )


@router.get("/rueckmeldung/{token}")
async def show(request: Request, token: str, gespeichert: int = 0) -> Response:
    portal = Portal.of(request)

    def work() -> Response:
        with portal.link_transaction(request, token, ZWECK) as ctx:
            return _page(ctx, gespeichert=bool(gespeichert))

    return await portal.run(work)


@router.post("/rueckmeldung/{token}")
async def submit(request: Request, token: str) -> Response:
    form = await request.form()
    portal = Portal.of(request)

    def work() -> Response:
        with portal.link_transaction(request, token, ZWECK, form=form) as ctx:
            try:
                eingabe = beteiligung.parse_rsvp(form)
                beteiligung.record_rsvp(ctx.connection, akteur=ctx.akteur, sitzung_id=ctx.link.bezug_id,
                                        person_id=ctx.link.person_id, eingabe=eingabe, now=ctx.now)
            except beteiligung.EingabeFehler as exc:
                raw = {"antwort": form.get("antwort"), "personen": form.get("personen"),
                       "beduerfnisse": form.getlist("beduerfnisse"), "kommentar": form.get("kommentar")}
                return _page(ctx, fehler=exc.fehler, eingabe=raw)
            except beteiligung.SitzungGeschlossen:
                return _page(ctx)
        # Post/Redirect/Get: reloading the confirmation never sends the answer again.
        return RedirectResponse(f"{request.url.path}?gespeichert=1", status_code=303)

    return await portal.run(work)
