"""``/neuer-link`` and ``/anfragen/…``: the way back in after a link expired, and the one page
per Träger contact with all her open requests (see ``portal.anfragen``).

- ``/anfragen/<token>``: the overview behind the link mailed by ``/neuer-link``;
- ``/anfragen/<segment>/<token>``: the same overview reached from any other personal link
  (``segment`` is that link's path, e.g. ``rueckmeldung``), so every page can link to it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.background import BackgroundTask
from starlette.exceptions import HTTPException

from sozialforum import outbox
from sozialforum.konten import fehlversuche
from sozialforum.links import link_path
from sozialforum.parsing import is_valid_email
from sozialforum.portal import anfragen
from sozialforum.portal.context import Portal
from sozialforum.portal.fehler import CSRF_FEHLER, gesperrt
from sozialforum.portal.kontexte import LinkContext
from sozialforum.portal.security import client_key, same_origin
from sozialforum.store.db import session_scope
from sozialforum.store.models.kommunikation import EmailAenderung
from sozialforum.vocab import LinkZweck

router = APIRouter()
# Purposes by their URL segment; the overview link has its own route. The links of an address
# change only confirm or undo it (their pages offer no overview): the one to the old address
# goes to a mailbox the person may have left, which must not open her requests.
_NUR_BESTAETIGEN = (LinkZweck.UEBERSICHT, LinkZweck.EMAIL_BESTAETIGEN, LinkZweck.EMAIL_ZURUECK)
_ZWECKE = {link_path(z).lstrip("/"): z for z in LinkZweck if z not in _NUR_BESTAETIGEN}
# Requests for a fresh link per client address in a quarter of an hour.
ANFORDERUNGEN_JE_ADRESSE = 10


def _zweck(segment: str | None) -> LinkZweck:
    if segment is None:
        return LinkZweck.UEBERSICHT
    zweck = _ZWECKE.get(segment)
    if zweck is None:
        raise HTTPException(status_code=404)
    return zweck


def _overview(
    ctx: LinkContext,
    *,
    fehler: str | None = None,
    status_code: int = 200,
    email_fehler: str | None = None,
    email_eingabe: str = "",
    email_gesendet: str | None = None,
) -> HTMLResponse:
    liste = anfragen.offene_anfragen(ctx.session, ctx.link.person_id, now=ctx.now, settings=ctx.portal.settings)
    return ctx.render(
        "portal/anfragen.html",
        status_code=status_code,
        anfragen=liste,
        fehler=fehler,
        email_fehler=email_fehler,
        email_eingabe=email_eingabe,
        email_gesendet=email_gesendet,
    )


async def _show(request: Request, token: str, segment: str | None = None) -> Response:
    portal = Portal.of(request)
    zweck = _zweck(segment)

    def work() -> Response:
        with portal.link_scope(request, token, zweck) as ctx:
            return _overview(ctx)

    return await portal.run(work)


async def _open(request: Request, token: str, segment: str | None = None) -> Response:
    form = await request.form()
    portal = Portal.of(request)
    zweck = _zweck(segment)

    def work() -> Response:
        with portal.link_scope(request, token, zweck, form=form) as ctx:
            if "neue_email" in form:
                return _change_email(ctx, str(form.get("neue_email", "")).strip())
            try:
                url = anfragen.oeffnen(
                    ctx.session, ctx.link.person_id, str(form.get("ziel", "")), now=ctx.now, settings=portal.settings
                )
            except anfragen.NichtOffen:
                return _overview(ctx, fehler="Diese Anfrage ist nicht mehr offen.", status_code=409)
        # Only the path: the link belongs to this portal, whatever host the request came through.
        return RedirectResponse("/" + url.split("/", 3)[3], status_code=303)

    return await portal.run(work)


def _change_email(ctx: LinkContext, neue: str) -> Response:
    fehler = None
    if not is_valid_email(neue):
        fehler = "Bitte geben Sie die neue Adresse vollständig an, z. B. name@traeger.de."
    elif neue.lower() == (ctx.person.email or "").lower():
        fehler = "Das ist bereits Ihre Adresse."
    if fehler:
        return _overview(ctx, status_code=400, email_fehler=fehler, email_eingabe=neue)
    settings = ctx.portal.settings
    message_id = anfragen.email_aendern(ctx.session, ctx.link.person_id, neue, now=ctx.now, settings=settings)
    response = _overview(ctx, email_gesendet=neue)
    response.background = _deliver(ctx.portal, [message_id])
    return response


def _deliver(portal: Portal, ids: list[int]) -> BackgroundTask:
    """Send these messages right after the response (the scope has committed them by then)."""
    return BackgroundTask(outbox.deliver_pending, portal.engine, portal.settings, now=portal.now(), nur=ids)


# What a POST does on an address change's page: the page's values and the notice to send (an outbox id).
Handlung = Callable[[LinkContext], tuple[dict[str, Any], int | None]]


async def _aenderung(
    request: Request,
    token: str,
    zweck: LinkZweck,
    template: str,
    handeln: Handlung | None,
    **gezeigt: Any,
) -> Response:
    """The page of an address change behind its link. GET shows it with ``gezeigt`` and changes
    nothing (mail scanners open links before people do); POST does ``handeln``, shows the page
    with the values it returns and sends its notice (an outbox id) right after the response."""
    form = await request.form() if handeln is not None else None
    portal = Portal.of(request)

    def work() -> Response:
        notice = None
        with portal.link_scope(request, token, zweck, form=form) as ctx:
            werte = gezeigt
            if handeln is not None:
                werte, notice = handeln(ctx)
            aenderung = ctx.session.get(EmailAenderung, ctx.link.bezug_id)
            response = ctx.render(template, aenderung=aenderung, **werte)
        if notice is not None:
            response.background = _deliver(portal, [notice])
        return response

    return await portal.run(work)


def _bestaetigen(ctx: LinkContext) -> tuple[dict[str, Any], int | None]:
    notice = anfragen.email_bestaetigen(ctx.session, ctx.link.bezug_id, now=ctx.now, settings=ctx.portal.settings)
    return {"bestaetigt": True}, notice


def _zuruecknehmen(ctx: LinkContext) -> tuple[dict[str, Any], int | None]:
    try:
        notice = anfragen.email_zuruecknehmen(ctx.session, ctx.link.bezug_id, now=ctx.now, settings=ctx.portal.settings)
    except anfragen.ZuruecknahmeNichtMoeglich:
        return {"ergebnis": "spaeter_geaendert"}, None
    return {"ergebnis": "zurueckgenommen"}, notice


def _aenderungsrouten(zweck: LinkZweck, name: str, handeln: Handlung, **gezeigt: Any) -> None:
    """GET (show) and POST (``handeln``) of an address change's page behind its link."""
    pfad, template = link_path(zweck), f"portal/{name}.html"

    async def zeigen(request: Request, token: str) -> Response:
        return await _aenderung(request, token, zweck, template, None, **gezeigt)

    async def senden(request: Request, token: str) -> Response:
        return await _aenderung(request, token, zweck, template, handeln)

    router.add_api_route(f"{pfad}/{{token}}", zeigen, methods=["GET"], name=f"{name}_zeigen")
    router.add_api_route(f"{pfad}/{{token}}", senden, methods=["POST"], name=name)


_aenderungsrouten(LinkZweck.EMAIL_BESTAETIGEN, "email_bestaetigen", _bestaetigen, bestaetigt=False)
_aenderungsrouten(LinkZweck.EMAIL_ZURUECK, "email_zurueck", _zuruecknehmen, ergebnis=None)


@router.get("/anfragen/{token}")
async def uebersicht(request: Request, token: str) -> Response:
    return await _show(request, token)


@router.post("/anfragen/{token}")
async def uebersicht_oeffnen(request: Request, token: str) -> Response:
    return await _open(request, token)


@router.get("/anfragen/{segment}/{token}")
async def uebersicht_von(request: Request, segment: str, token: str) -> Response:
    return await _show(request, token, segment)


@router.post("/anfragen/{segment}/{token}")
async def uebersicht_von_oeffnen(request: Request, segment: str, token: str) -> Response:
    return await _open(request, token, segment)


@router.get("/neuer-link")
def neuer_link(request: Request) -> Response:
    return Portal.of(request).page(request, "portal/neuer_link.html", werte={}, fehler={}, gesendet=False)


@router.post("/neuer-link")
async def neuer_link_anfordern(request: Request) -> Response:
    form = await request.form()
    portal = Portal.of(request)

    def own() -> str:
        return f"{request.url.scheme}://{request.url.netloc}"

    if not same_origin(request.headers, portal.settings.portal.base_url, own):
        raise CSRF_FEHLER
    email = str(form.get("email", "")).strip()
    if not is_valid_email(email):
        fehler = {"email": "Bitte geben Sie Ihre E-Mail-Adresse vollständig an, z. B. name@traeger.de."}
        return portal.page(
            request, "portal/neuer_link.html", status_code=400, werte={"email": email}, fehler=fehler, gesendet=False
        )
    now = portal.now()
    schluessel = "neuer-link:" + client_key(request.client)
    with session_scope(portal.engine, actor="portal:neuer-link") as session:
        until = fehlversuche.blocked_until(session, schluessel, now=now)
        if until is None:
            fehlversuche.record_failure(
                session,
                schluessel,
                now=now,
                maximum=ANFORDERUNGEN_JE_ADRESSE,
                fenster=timedelta(minutes=15),
                sperre=timedelta(minutes=15),
            )
    if until is not None:
        raise gesperrt(until)
    response = portal.page(request, "portal/neuer_link.html", werte={}, fehler={}, gesendet=True)
    response.background = BackgroundTask(_mail_overview, portal, email)
    return response


def _mail_overview(portal: Portal, email: str) -> None:
    """After the response: queue the overview mails, then deliver just those (the daily
    delivery would pick them up too; a Träger waiting for her link should not wait a day)."""
    now = portal.now()
    with session_scope(portal.engine, actor="portal:neuer-link") as session:
        ids = anfragen.link_anfordern(session, email, now=now, settings=portal.settings)
    if ids:
        outbox.deliver_pending(portal.engine, portal.settings, now=now, nur=ids)
