"""``/kalender/gremium/<kennung>/<token>.ics`` and ``/kalender/person/<id>/<token>.ics``: the
Sitzungen of a Gremium or of one person to subscribe to (Outlook, Thunderbird, Apple, Google).
The token is an HMAC scoped to that one feed and its generation
(``konferenz.feeds.feed_token``); a wrong one counts against the client's address like a bad
link. One of an earlier generation (the address was renewed in the workspace) is refused as
well, but not counted: a subscribed calendar keeps asking for it, and must not lock the office
of the Träger behind it out of its links."""

from __future__ import annotations

from typing import NoReturn

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import select

from sozialforum.konferenz import feeds
from sozialforum.konferenz.feeds import TokenStand
from sozialforum.portal.context import Portal
from sozialforum.portal.fehler import KALENDER_UNGUELTIG, KALENDER_ZURUECKGEZOGEN, PortalFehler
from sozialforum.store.db import session_scope
from sozialforum.store.models import Gremium, Person
from sozialforum.store.models.base import pk

router = APIRouter()


def _refuse(request: Request, portal: Portal, stand: TokenStand) -> NoReturn:
    """Raise the page for a token that does not open the feed (after the store is closed)."""
    if stand == TokenStand.ZURUECKGEZOGEN:
        raise KALENDER_ZURUECKGEZOGEN
    portal.refuse_guess(request)
    raise KALENDER_UNGUELTIG


def _ics(content: bytes, name: str) -> Response:
    return Response(
        content,
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'inline; filename="{name}"', "Cache-Control": "private, max-age=900"},
    )


@router.get("/kalender/gremium/{kennung}/{token}.ics")
def gremium_kalender(request: Request, kennung: str, token: str) -> Response:
    portal = Portal.of(request)
    now = portal.now()
    with session_scope(portal.engine, actor="portal:sitzungskalender") as session:
        gremium = session.exec(select(Gremium).where(Gremium.kennung == kennung)).first()
        generation = gremium.kalender_generation if gremium is not None else 0
        stand = feeds.token_stand(portal.settings, f"gremium:{kennung}", generation, token)
        if gremium is not None and stand == TokenStand.GILT:
            content = feeds.gremium_feed(session, gremium_id=pk(gremium), now=now, settings=portal.settings)
            return _ics(content, "sitzungen.ics")
    if stand == TokenStand.GILT:
        raise PortalFehler(404, "Kalender nicht gefunden", "Dieses Gremium gibt es nicht mehr.")
    _refuse(request, portal, stand)


@router.get("/kalender/person/{person_id}/{token}.ics")
def person_kalender(request: Request, person_id: int, token: str) -> Response:
    portal = Portal.of(request)
    now = portal.now()
    with session_scope(portal.engine, actor="portal:sitzungskalender") as session:
        person = session.get(Person, person_id)
        generation = person.kalender_generation if person is not None else 0
        stand = feeds.token_stand(portal.settings, f"person:{person_id}", generation, token)
        if person is not None and person.geloescht_am is None and stand == TokenStand.GILT:
            content = feeds.person_feed(session, person_id=person_id, now=now, settings=portal.settings)
            return _ics(content, "meine-sitzungen.ics")
    if stand == TokenStand.GILT:
        raise PortalFehler(404, "Kalender nicht gefunden", "Diesen Kalender gibt es nicht mehr.")
    _refuse(request, portal, stand)
