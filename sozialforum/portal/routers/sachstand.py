"""``/sachstand/{token}``: the responsible person reports the state of one Auftrag.

The link is scoped to one person and one Auftrag (LinkZweck.SACHSTAND, ``bezug_id`` = the
Auftrag) and sent with the deadline reminders. The report goes through the same rules as the
re-imported Sachstand table (``beschluesse.sachstand.melde_sachstand``).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import col

from sozialforum.beschluesse.sachstand import Meldung, melde_sachstand
from sozialforum.fristen.datum import today_in_berlin
from sozialforum.portal.context import Portal
from sozialforum.portal.fehler import PortalFehler
from sozialforum.portal.kontexte import LinkContext
from sozialforum.store.models import Auftrag, Beschluss, Umsetzungsbericht
from sozialforum.vocab import AuftragStatus, LinkZweck

router = APIRouter()
ZWECK = LinkZweck.SACHSTAND


def _auftrag(ctx: LinkContext) -> Auftrag:
    auftrag = ctx.session.get(Auftrag, ctx.link.bezug_id)
    # The link names the person; the Auftrag must still be theirs (it may have been reassigned).
    if auftrag is None or auftrag.verantwortlich_person_id != ctx.person.id:
        raise PortalFehler(
            404,
            "Auftrag nicht gefunden",
            "Dieser Auftrag ist Ihnen nicht (mehr) zugeordnet. Bitte wenden Sie sich an die Geschäftsstelle.",
        )
    return auftrag


def _parse(form: Any) -> tuple[Meldung, dict[str, str]]:
    errors: dict[str, str] = {}
    status = None
    try:
        status = AuftragStatus.parse(str(form.get("status", "")))
    except ValueError:
        errors["status"] = "Bitte einen Stand auswählen."
    progress = None
    raw = str(form.get("fortschritt_prozent", "")).strip().rstrip("%").strip()
    if raw:
        if raw.isdigit() and 0 <= int(raw) <= 100:
            progress = int(raw)
        else:
            errors["fortschritt_prozent"] = "Bitte eine ganze Zahl von 0 bis 100 angeben."
    text = str(form.get("sachstand", "")).strip()
    if len(text) > 5000:
        errors["sachstand"] = "Bitte höchstens 5.000 Zeichen."
    if not text and status is not None and status.is_closed:
        errors["sachstand"] = "Bitte kurz beschreiben, was umgesetzt (oder warum es beendet) wurde."
    return Meldung(status=status, fortschritt_prozent=progress, sachstand=text or None), errors


def _page(
    ctx: LinkContext,
    *,
    fehler: dict[str, str] | None = None,
    werte: dict[str, Any] | None = None,
    gespeichert: bool = False,
) -> HTMLResponse:
    auftrag = _auftrag(ctx)
    beschluss = ctx.session.get(Beschluss, auftrag.beschluss_id) if auftrag.beschluss_id else None
    berichte = [
        {"datum": b.datum, "status": AuftragStatus(b.status).label, "text": b.text}
        for b in ctx.session.scalars(
            sa.select(Umsetzungsbericht)
            .where(col(Umsetzungsbericht.auftrag_id) == auftrag.id)
            .order_by(col(Umsetzungsbericht.datum).desc())
        )
    ]
    status = AuftragStatus(auftrag.status)
    return ctx.render(
        "portal/sachstand.html",
        status_code=400 if fehler else 200,
        auftrag=auftrag,
        beschluss=beschluss,
        berichte=berichte,
        status=status,
        fehler=fehler or {},
        werte=werte or {"status": status.value, "fortschritt_prozent": str(auftrag.fortschritt_prozent)},
        optionen=[(s.value, s.label) for s in AuftragStatus],
        gespeichert=gespeichert,
    )


@router.get("/sachstand/{token}")
def show(request: Request, token: str, gespeichert: int = 0) -> Response:
    with Portal.of(request).link_scope(request, token, ZWECK) as ctx:
        return _page(ctx, gespeichert=bool(gespeichert))


@router.post("/sachstand/{token}")
async def submit(request: Request, token: str) -> Response:
    form = await request.form()
    portal = Portal.of(request)

    def work() -> Response:
        with portal.link_scope(request, token, ZWECK, form=form) as ctx:
            auftrag = _auftrag(ctx)
            meldung, errors = _parse(form)
            unchanged = (
                not meldung.sachstand
                and meldung.status in (None, AuftragStatus(auftrag.status))
                and meldung.fortschritt_prozent in (None, auftrag.fortschritt_prozent)
            )
            if unchanged and not errors:
                # Nothing to save: say so instead of confirming "gespeichert".
                errors["sachstand"] = "Bitte beschreiben Sie den Sachstand oder ändern Sie Stand oder Fortschritt."
            if errors:
                return _page(ctx, fehler=errors, werte=dict(form))
            melde_sachstand(ctx.session, auftrag, meldung, today=today_in_berlin(ctx.now))
        return RedirectResponse(f"{request.url.path}?gespeichert=1", status_code=303)

    return await portal.run(work)
