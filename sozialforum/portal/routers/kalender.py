"""``/kalender/fristen-<token>.ics``: the deadline calendar to subscribe to (Outlook, Thunderbird,
Apple, Google). The URL carries an unguessable token (``beschluesse.feed.feed_url``) because calendar
clients cannot log in; a wrong token counts against the client's address like a bad link, one of an
earlier generation (renewed in the workspace or by ``fristen.kalender_fassung``) is refused without
counting."""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Request
from fastapi.responses import Response

from sozialforum.beschluesse.feed import aktuelle_fassung, feed_token, fristen_feed, frueher_gueltig
from sozialforum.fristen.datum import today_in_berlin
from sozialforum.portal.context import Portal
from sozialforum.portal.fehler import KALENDER_UNGUELTIG, KALENDER_ZURUECKGEZOGEN
from sozialforum.store.db import session_scope

router = APIRouter()


@router.get("/kalender/fristen-{token}.ics")
def fristen_kalender(request: Request, token: str) -> Response:
    portal = Portal.of(request)
    now = portal.now()
    with session_scope(portal.engine, actor="portal:kalender") as session:
        fassung = aktuelle_fassung(session, portal.settings)
        if not hmac.compare_digest(token.encode(), feed_token(portal.settings, fassung).encode()):
            # A withdrawn address is still polled by the calendars subscribed to it: not a guess.
            if frueher_gueltig(portal.settings, token, fassung):
                raise KALENDER_ZURUECKGEZOGEN
            portal.refuse_guess(request)
            raise KALENDER_UNGUELTIG
        content = fristen_feed(session, today=today_in_berlin(now), now=now, settings=portal.settings)
    return Response(
        content,
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": 'inline; filename="fristen.ics"', "Cache-Control": "private, max-age=900"},
    )
