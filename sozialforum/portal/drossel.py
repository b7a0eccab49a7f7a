"""At most ``je_minute`` submissions per personal link and minute, refused before the body is
read (429 with Retry-After): a link that leaked into a script cannot flood the store, the
audit log or a contact's mailbox with confirmations.

Counted in the process's memory (a sliding window of timestamps per link path): no store write
on the hot path, and a link is one person, so a generous limit never meets a human. With
several worker processes each counts on its own; the limit is a safety cap, not an account.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

from starlette.types import ASGIApp, Receive, Scope, Send

_PAGE = (
    '<!DOCTYPE html><html lang="de"><head><meta charset="utf-8"><title>Zu viele Eingaben</title></head>'
    "<body><h1>Zu viele Eingaben</h1><p>Über diesen Link kamen in der letzten Minute zu viele Eingaben. "
    "Bitte warten Sie eine Minute und senden Sie dann erneut.</p></body></html>"
).encode()
FENSTER = 60.0
# Links whose windows are kept; beyond it the oldest entries go (memory stays bounded).
HOECHSTENS_LINKS = 50_000


class Antwortdrossel:
    def __init__(
        self,
        app: ASGIApp,
        *,
        je_minute: int,
        ist_link: Callable[[str], bool],
        uhr: Callable[[], float] = time.monotonic,
    ) -> None:
        self.app, self.je_minute, self.ist_link, self.uhr = app, je_minute, ist_link, uhr
        self.fenster: dict[str, deque[float]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST" and self.ist_link(scope.get("path", "")):
            warten = self._zaehlen(scope["path"])
            if warten is not None:
                await send(
                    {
                        "type": "http.response.start",
                        "status": 429,
                        "headers": [
                            (b"content-type", b"text/html; charset=utf-8"),
                            (b"content-length", str(len(_PAGE)).encode()),
                            (b"retry-after", str(warten).encode()),
                            (b"connection", b"close"),
                        ],
                    }
                )
                await send({"type": "http.response.body", "body": _PAGE})
                return
        await self.app(scope, receive, send)

    def _zaehlen(self, path: str) -> int | None:
        """Count one submission; seconds to wait if the link is over its limit (not counted)."""
        jetzt = self.uhr()
        zeiten = self.fenster.get(path)
        if zeiten is None:
            if len(self.fenster) >= HOECHSTENS_LINKS:
                self.fenster.pop(next(iter(self.fenster)))
            zeiten = self.fenster[path] = deque()
        while zeiten and zeiten[0] <= jetzt - FENSTER:
            zeiten.popleft()
        if len(zeiten) >= self.je_minute:
            return max(int(zeiten[0] + FENSTER - jetzt) + 1, 1)
        zeiten.append(jetzt)
        return None
