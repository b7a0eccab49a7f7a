"""What a portal request handler works with: the Portal (settings, store, clock, key), its
pages, and the checks before a page runs: ``Portal.link_scope`` and ``Portal.link_transaction``
(a personal link), ``Portal.staff_scope`` (a logged-in Geschäftsstelle user). The contexts they
give are in ``portal.kontexte``, the error pages in ``portal.fehler``, the store access in
``portal.speicherweg``. See ``sozialforum.portal.app`` for how routers use them.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property, lru_cache
from typing import Any, TypeVar

import sqlalchemy as sa
from fastapi import Request
from fastapi.responses import HTMLResponse
from sqlalchemy.engine import Engine

from sozialforum.channels.rendering import render
from sozialforum.konten import benutzer as benutzer_service
from sozialforum.konten import fehlversuche
from sozialforum.konten.zugriff import Recht, darf, sieht_alles
from sozialforum.links import LINK_BY_HASH, LinkInfo, LinkUngueltig, check_signature, verify_token_row
from sozialforum.portal.fehler import CSRF_FEHLER, KEINE_BERECHTIGUNG, NichtAngemeldet, gesperrt
from sozialforum.portal.formulare import Formular, load_formulare
from sozialforum.portal.kontexte import LinkContext, LinkTransaction, StaffContext
from sozialforum.portal.security import client_key, csrf_token, csrf_valid, same_origin
from sozialforum.portal.seitenform import Luecken, Seitenformen
from sozialforum.portal.speicherweg import Speicherweg
from sozialforum.settings import Settings
from sozialforum.store import audit
from sozialforum.store.db import session_scope
from sozialforum.vocab import LinkZweck

SESSION_COOKIE = "sf_gs"
T = TypeVar("T")
PRELOGIN_COOKIE = "sf_vorab"
# The workspace page asked for without a login; the login leads there (``routers.geschaeftsstelle``).
TARGET_COOKIE = "sf_weiter"


@dataclass
class Portal:
    """Everything the handlers share; one per app (``request.app.state.portal``)."""

    settings: Settings
    engine: Engine
    clock: Callable[[], datetime]

    @classmethod
    def of(cls, request: Request) -> Portal:
        portal = request.app.state.portal
        assert isinstance(portal, Portal)
        return portal

    @cached_property
    def key(self) -> str:
        return self.settings.secret_key()

    @cached_property
    def formulare(self) -> dict[str, Formular]:
        """The form definitions, read once (a bad file fails at the first form page)."""
        return load_formulare(self.settings.portal.formulare)

    @cached_property
    def signature(self) -> Callable[[str, LinkZweck], str]:
        """``links.check_signature`` for this installation, remembered for the last few hundred
        tokens: the answer limit and the body limit check a submission's token before its
        handler does, and the handler need not compute the HMAC again. A bad signature raises
        (and is never remembered)."""

        @lru_cache(maxsize=256)
        def signature(token: str, zweck: LinkZweck) -> str:
            return check_signature(token, zweck=zweck, settings=self.settings)

        return signature

    @cached_property
    def leerlauf(self) -> timedelta:
        return timedelta(minutes=self.settings.portal.leerlauf_minuten)

    @property
    def https(self) -> bool:
        return self.settings.portal.base_url.startswith("https://")

    def now(self) -> datetime:
        return self.clock()

    def page(
        self,
        request: Request,
        template: str,
        *,
        status_code: int = 200,
        luecken: Luecken | None = None,
        **values: Any,
    ) -> HTMLResponse:
        """Render ``templates/<template>`` (autoescaped) with the context every page needs.
        With ``luecken``, ``values`` holds gaps marked by it: the page is made from its shape
        (``portal.seitenform``)."""
        if luecken is not None:
            html = self._formen.render(template, luecken, values)
        else:
            html = self._render(template, **values)
        return HTMLResponse(html, status_code=status_code)

    def _render(self, template: str, **values: Any) -> str:
        return render(
            template, kommune=self.settings.kommune, geschaeftsstelle=self.settings.geschaeftsstelle, **values
        )

    @cached_property
    def _formen(self) -> Seitenformen:
        return Seitenformen(self._render)

    def _check_post(self, request: Request, form: Mapping[str, Any] | None, context: str) -> None:
        if form is None:
            return

        def own() -> str:  # parsing the whole URL costs more than the rest of the check
            return f"{request.url.scheme}://{request.url.netloc}"

        if not same_origin(request.headers, self.settings.portal.base_url, own):
            raise CSRF_FEHLER
        if not csrf_valid(self.key, context, form.get("csrf")):
            raise CSRF_FEHLER

    def _limits(self) -> dict[str, Any]:
        portal = self.settings.portal
        return {
            "maximum": portal.fehlversuche_max,
            "fenster": timedelta(minutes=portal.fehlversuche_fenster_minuten),
            "sperre": timedelta(minutes=portal.sperre_minuten),
        }

    def _check_token(self, request: Request, token: str, zweck: LinkZweck) -> str:
        """The token's secret hash once its signature is right (``links.check_signature``)."""
        try:
            # The signature is checked first and without the store: a guessed or altered token
            # fails here. Only these failures count towards the lockout of the address; a token
            # we issued (even an expired one) never does, so a Träger behind the same NAT as an
            # attacker can still answer, and a locked address learns nothing from its guesses.
            return self.signature(token, zweck)
        except LinkUngueltig:
            self.refuse_guess(request)
            raise

    def _verify(
        self,
        request: Request,
        connection: sa.Connection,
        token: str,
        zweck: LinkZweck,
        now: datetime,
        form: Mapping[str, Any] | None,
        token_hash: str,
        query: sa.Select[Any] = LINK_BY_HASH,
    ) -> tuple[LinkInfo, Any]:
        link, row = verify_token_row(
            connection,
            token,
            zweck=zweck,
            now=now,
            settings=self.settings,
            touch=form is not None,
            query=query,
            token_hash=token_hash,
        )
        self._check_post(request, form, f"link:{link.id}")
        return link, row

    @contextmanager
    def link_scope(
        self, request: Request, token: str, zweck: LinkZweck, *, form: Mapping[str, Any] | None = None
    ) -> Iterator[LinkContext]:
        """Open the store for one personal link; commit on success, roll back on any error.

        Pass ``form`` on POST: the CSRF token and the origin are checked and the link's use is
        recorded. A bad token is counted against the client's address (rate limiting → 429).
        """
        now = self.now()
        token_hash = self._check_token(request, token, zweck)
        with self.speicher.writer(form is not None), session_scope(self.engine, actor="portal:link") as session:
            link, _ = self._verify(request, session.connection(), token, zweck, now, form, token_hash)
            audit.set_actor(session, f"link:{link.id}")
            yield LinkContext(portal=self, request=request, session=session, now=now, link=link)

    @contextmanager
    def link_transaction(
        self,
        request: Request,
        token: str,
        zweck: LinkZweck,
        *,
        form: Mapping[str, Any] | None = None,
        query: sa.Select[Any] = LINK_BY_HASH,
    ) -> Iterator[LinkTransaction]:
        """``link_scope`` without the ORM, for the pages every invited Träger opens within the
        hour after the invitation (the RSVP): the same checks, then one plain connection and
        transaction. Session and ORM objects cost the RSVP page two thirds of its database time.

        ``query`` may extend ``links.LINK_BY_HASH`` by what the page needs (one-to-one outer
        joins from the link's ``bezug_id`` and ``person_id``): the link is verified and those
        columns read in one statement, as ``ctx.row``.
        """
        now = self.now()
        token_hash = self._check_token(request, token, zweck)
        writes = form is not None
        with self.speicher.writer(writes), self.speicher.transaction(antwort=writes) as connection:
            link, row = self._verify(request, connection, token, zweck, now, form, token_hash, query)
            yield LinkTransaction(portal=self, request=request, connection=connection, now=now, link=link, row=row)

    @cached_property
    def speicher(self) -> Speicherweg:
        return Speicherweg(self.engine)

    async def run(self, work: Callable[[], T]) -> T:
        """Run a submission's database work (``Speicherweg.run``: inline for SQLite, in the
        threadpool otherwise)."""
        return await self.speicher.run(work)

    def refuse_guess(self, request: Request) -> None:
        """Count a bad token against the client's address; 429 once the address is locked."""
        address = "link:" + client_key(request.client)
        now = self.now()
        with session_scope(self.engine, actor="portal:fehlversuch") as session:
            until = fehlversuche.blocked_until(session, address, now=now)
            if until is None:
                fehlversuche.record_failure(session, address, now=now, **self._limits())
        if until is not None:
            raise gesperrt(until)

    @contextmanager
    def staff_scope(
        self, request: Request, *, form: Mapping[str, Any] | None = None, recht: Recht | None = None
    ) -> Iterator[StaffContext]:
        """Open the store for a logged-in user; NichtAngemeldet otherwise, 403 without ``recht``.

        Without ``recht`` (the portal's own ``/gs`` pages, which show every Träger's answers):
        reading needs ``Recht.LESEN`` and a form ``Recht.AENDERN``."""
        now = self.now()
        cookie = request.cookies.get(SESSION_COOKIE)
        with session_scope(self.engine, actor="portal:geschaeftsstelle") as session:
            try:
                found = (
                    benutzer_service.session_user(session, cookie, now=now, leerlauf=self.leerlauf) if cookie else None
                )
            except benutzer_service.Leerlauf:
                session.commit()  # the session's end is recorded; the refusal below rolls back nothing
                raise NichtAngemeldet(leerlauf=True) from None
            if found is None:
                raise NichtAngemeldet
            user, token_hash = found
            needed = recht or (Recht.AENDERN if form is not None else Recht.LESEN)
            if not darf(user, needed) or (recht is None and not sieht_alles(user)):
                raise KEINE_BERECHTIGUNG
            audit.set_actor(session, f"benutzer:{user.name}")
            self._check_post(request, form, f"gs:{token_hash}")
            yield StaffContext(
                portal=self,
                request=request,
                session=session,
                now=now,
                benutzer=user,
                csrf=csrf_token(self.key, f"gs:{token_hash}"),
                sitzung=token_hash,
            )

    def prelogin_csrf(self, request: Request) -> tuple[str, str]:
        """(cookie value, CSRF token) for the login form, which has no session yet."""
        cookie = request.cookies.get(PRELOGIN_COOKIE) or secrets.token_urlsafe(24)
        return cookie, csrf_token(self.key, f"anmelden:{cookie}")

    def check_prelogin(self, request: Request, form: Mapping[str, Any]) -> None:
        cookie = request.cookies.get(PRELOGIN_COOKIE) or ""
        self._check_post(request, form, f"anmelden:{cookie}")
        if not cookie:
            raise CSRF_FEHLER
