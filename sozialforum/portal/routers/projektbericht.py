"""``/projektbericht/{token}``: the responsible person reports on each of her projects in an
evaluation round (``strategie.bewertung``). The link is scoped to the person and the round
(``bezug_id``); the page lists exactly the projects whose report was asked of her."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import col, select

from sozialforum.portal.context import Portal
from sozialforum.portal.fehler import PortalFehler
from sozialforum.portal.kontexte import LinkContext
from sozialforum.store.models import Bewertungsrunde, Massnahme, Projektbericht
from sozialforum.strategie.bewertung import bericht_abgeben
from sozialforum.vocab import LinkZweck

router = APIRouter()
ZWECK = LinkZweck.PROJEKTBERICHT
# The figures every project reports (label, form field); free text and attainment besides.
ZAHLEN = (("Erreichte Personen", "erreichte_personen"), ("Ausgaben im Zeitraum (€)", "ausgaben_eur"))
EINSCHAETZUNG = (
    ("erreicht", "Ziele erreicht"),
    ("teilweise", "Ziele teilweise erreicht"),
    ("nicht", "Ziele nicht erreicht"),
)


def _runde(ctx: LinkContext) -> Bewertungsrunde:
    runde = ctx.session.get(Bewertungsrunde, ctx.link.bezug_id)
    if runde is None:
        raise PortalFehler(404, "Bewertungsrunde nicht gefunden", "Diese Bewertungsrunde gibt es nicht mehr.")
    return runde


def _projekte(ctx: LinkContext, runde: Bewertungsrunde) -> list[tuple[Projektbericht, Massnahme]]:
    return list(
        ctx.session.exec(
            select(Projektbericht, Massnahme)
            .join(Massnahme, col(Massnahme.id) == Projektbericht.massnahme_id)
            .where(Projektbericht.runde_id == runde.id)
            .where(Projektbericht.person_id == ctx.person.id)
            .order_by(col(Massnahme.titel))
        )
    )


def _parse(form: Any) -> tuple[dict[str, Any], str, dict[str, str]]:
    errors: dict[str, str] = {}
    zahlen: dict[str, Any] = {}
    for label, name in ZAHLEN:
        raw = str(form.get(name, "")).strip().replace(".", "").replace(",", ".")
        if not raw:
            continue
        try:
            value = float(raw)
        except ValueError:
            errors[name] = f"{label}: bitte eine Zahl angeben."
            continue
        if value < 0:
            errors[name] = f"{label}: die Zahl darf nicht negativ sein."
        zahlen[name] = value
    einschaetzung = str(form.get("einschaetzung", ""))
    if einschaetzung not in dict(EINSCHAETZUNG):
        errors["einschaetzung"] = "Bitte einschätzen, ob die Ziele erreicht wurden."
    zahlen["einschaetzung"] = einschaetzung
    text = str(form.get("bericht", "")).strip()
    if not text:
        errors["bericht"] = "Bitte kurz berichten, was das Projekt bewirkt hat."
    elif len(text) > 5000:
        errors["bericht"] = "Bitte höchstens 5.000 Zeichen."
    return zahlen, text, errors


def _page(
    ctx: LinkContext,
    *,
    fehler: dict[str, str] | None = None,
    projekt: int | None = None,
    werte: dict[str, Any] | None = None,
    gespeichert: int | None = None,
) -> HTMLResponse:
    runde = _runde(ctx)
    return ctx.render(
        "portal/projektbericht.html",
        status_code=400 if fehler else 200,
        runde=runde,
        projekte=_projekte(ctx, runde),
        zahlen=ZAHLEN,
        einschaetzungen=EINSCHAETZUNG,
        fehler=fehler or {},
        fehler_projekt=projekt,
        werte=werte or {},
        gespeichert=gespeichert,
    )


@router.get("/projektbericht/{token}")
def show(request: Request, token: str, gespeichert: int | None = None) -> Response:
    with Portal.of(request).link_scope(request, token, ZWECK) as ctx:
        return _page(ctx, gespeichert=gespeichert)


@router.post("/projektbericht/{token}")
async def submit(request: Request, token: str) -> Response:
    form = await request.form()
    portal = Portal.of(request)

    def work() -> Response:
        with portal.link_scope(request, token, ZWECK, form=form) as ctx:
            runde = _runde(ctx)
            raw = str(form.get("projekt", ""))
            own = {m.id: m for _, m in _projekte(ctx, runde)}
            if not raw.isdigit() or int(raw) not in own:
                raise PortalFehler(
                    404, "Projekt nicht gefunden", "Zu diesem Projekt wurde bei Ihnen kein Bericht angefragt."
                )
            zahlen, text, errors = _parse(form)
            if errors:
                return _page(ctx, fehler=errors, projekt=int(raw), werte=dict(form))
            bericht_abgeben(
                ctx.session,
                runde=runde,
                massnahme_id=int(raw),
                person_id=ctx.person.id,  # type: ignore[arg-type]  # stored: id set
                text=text,
                zahlen=zahlen,
                now=ctx.now,
            )
        return RedirectResponse(f"{request.url.path}?gespeichert={raw}", status_code=303)

    return await portal.run(work)
