"""``/themenvorschlag/{token}``: propose a topic for a Sitzung's agenda."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from sozialforum.portal import beteiligung
from sozialforum.portal.context import Portal
from sozialforum.portal.kontexte import LinkContext
from sozialforum.vocab import LinkZweck, VorschlagStatus

router = APIRouter()
ZWECK = LinkZweck.THEMENVORSCHLAG


def _page(
    ctx: LinkContext,
    *,
    fehler: dict[str, str] | None = None,
    eingabe: dict[str, Any] | None = None,
    eingereicht: bool = False,
) -> HTMLResponse:
    sitzung, gremium = beteiligung.load_sitzung(ctx.session, ctx.link.bezug_id)
    eigene = [
        {"titel": v.titel, "am": v.eingereicht_am, "status": VorschlagStatus(v.status)}
        for v in beteiligung.own_proposals(
            ctx.session,
            sitzung_id=ctx.link.bezug_id,
            person_id=ctx.link.person_id,
        )
    ]
    return ctx.render(
        "portal/themenvorschlag.html",
        status_code=400 if fehler else 200,
        sitzung=sitzung,
        gremium=gremium,
        fehler=fehler or {},
        werte=eingabe or {},
        eingereicht=eingereicht,
        eigene=eigene,
        tagesordnung=beteiligung.agenda(ctx.session, ctx.link.bezug_id),
        geschlossen=beteiligung.sitzung_open(sitzung, now=ctx.now),
    )


@router.get("/themenvorschlag/{token}")
def show(request: Request, token: str, eingereicht: int = 0) -> Response:
    with Portal.of(request).link_scope(request, token, ZWECK) as ctx:
        return _page(ctx, eingereicht=bool(eingereicht))


@router.post("/themenvorschlag/{token}")
async def submit(request: Request, token: str) -> Response:
    form = await request.form()
    portal = Portal.of(request)

    def work() -> Response:
        with portal.link_scope(request, token, ZWECK, form=form) as ctx:
            try:
                titel, begruendung, dauer = beteiligung.parse_vorschlag(form)
                beteiligung.propose_topic(
                    ctx.session,
                    sitzung_id=ctx.link.bezug_id,
                    person=ctx.person,
                    titel=titel,
                    begruendung=begruendung,
                    dauer_minuten=dauer,
                    now=ctx.now,
                    hoechstens=ctx.portal.settings.portal.vorschlaege_je_sitzung,
                )
            except beteiligung.EingabeFehler as exc:
                return _page(ctx, fehler=exc.fehler, eingabe=dict(form))
            except beteiligung.SitzungGeschlossen:
                return _page(ctx)
        return RedirectResponse(f"{request.url.path}?eingereicht=1", status_code=303)

    return await portal.run(work)
