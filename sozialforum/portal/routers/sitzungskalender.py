"""``/kalender/gremium/<kennung>/<token>.ics`` and ``/kalender/person/<id>/<token>.ics``: the
Sitzungen of a Gremium or of one person to subscribe to (Outlook, Thunderbird, Apple, Google).
The token is an HMAC scoped to that one feed (``services.konferenz.feeds.feed_token``); a wrong
one counts against the client's address like a bad link."""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import select

from sozialforum.konferenz import feeds
from sozialforum.portal.context import Portal
from sozialforum.portal.fehler import PortalFehler
from sozialforum.store.db import session_scope
from sozialforum.store.models import Gremium, Person
from sozialforum.store.models.base import pk

router = APIRouter()


def _check(request: Request, portal: Portal, token: str, scope: str) -> None:
    if not hmac.compare_digest(token.encode(), feeds.feed_token(portal.settings, scope).encode()):
        portal.refuse_guess(request)
        raise PortalFehler(404, "Kalender nicht gefunden", "Diese Kalenderadresse ist ungültig.")


def _ics(content: bytes, name: str) -> Response:
    return Response(
        content,
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'inline; filename="{name}"', "Cache-Control": "private, max-age=900"},
    )


@router.get("/kalender/gremium/{kennung}/{token}.ics")
def gremium_kalender(request: Request, kennung: str, token: str) -> Response:
    portal = Portal.of(request)
    _check(request, portal, token, f"gremium:{kennung}")
    now = portal.now()
    with session_scope(portal.engine, actor="portal:sitzungskalender") as session:
        gremium = session.exec(select(Gremium).where(Gremium.kennung == kennung)).first()
        if gremium is None:
            raise PortalFehler(404, "Kalender nicht gefunden", "Dieses Gremium gibt es nicht mehr.")
        content = feeds.gremium_feed(session, gremium_id=pk(gremium), now=now, settings=portal.settings)
    return _ics(content, "sitzungen.ics")


@router.get("/kalender/person/{person_id}/{token}.ics")
def person_kalender(request: Request, person_id: int, token: str) -> Response:
    portal = Portal.of(request)
    _check(request, portal, token, f"person:{person_id}")
    now = portal.now()
    with session_scope(portal.engine, actor="portal:sitzungskalender") as session:
        person = session.get(Person, person_id)
        if person is None or person.geloescht_am is not None:
            raise PortalFehler(404, "Kalender nicht gefunden", "Diesen Kalender gibt es nicht mehr.")
        content = feeds.person_feed(session, person_id=person_id, now=now, settings=portal.settings)
    return _ics(content, "meine-sitzungen.ics")
