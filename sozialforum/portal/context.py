"""What a portal request handler works with: the Portal (settings, store, clock, key) and the
two scopes a page runs in, ``Portal.link_scope`` (a personal link) and ``Portal.staff_scope``
(a logged-in Geschäftsstelle user). See ``sozialforum.portal.app`` for how routers use them.
"""

from __future__ import annotations

import secrets
import threading
import weakref
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property, lru_cache
from typing import Any, TypeVar

import sqlalchemy as sa
from fastapi import Request
from fastapi.responses import HTMLResponse
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select
from starlette.concurrency import run_in_threadpool

from sozialforum.channels.rendering import render
from sozialforum.konten import benutzer as benutzer_service
from sozialforum.konten import fehlversuche
from sozialforum.konten.zugriff import Recht, darf, sieht_alles
from sozialforum.links import LINK_BY_HASH, LinkInfo, LinkUngueltig, check_signature, verify_token_row
from sozialforum.portal.formulare import Formular, load_formulare
from sozialforum.portal.security import client_key, csrf_token, csrf_valid, same_origin
from sozialforum.portal.seitenform import Luecken, Seitenformen, ohne_luecken
from sozialforum.settings import Settings
from sozialforum.store import audit
from sozialforum.store.db import session_scope
from sozialforum.store.models.akteure import Organisation, Person
from sozialforum.store.models.portal import Benutzer
from sozialforum.vocab import LinkZweck

SESSION_COOKIE = "sf_gs"
T = TypeVar("T")
PRELOGIN_COOKIE = "sf_vorab"


class PortalFehler(Exception):
    """A German error page with a status code (CSRF failure, lockout, not found …)."""

    def __init__(self, status_code: int, titel: str, meldung: str) -> None:
        super().__init__(meldung)
        self.status_code, self.titel, self.meldung = status_code, titel, meldung


class NichtAngemeldet(Exception):
    """The staff view needs a login; the handler redirects to the login page."""


CSRF_FEHLER = PortalFehler(
    403,
    "Formular nicht angenommen",
    "Das Formular konnte nicht angenommen werden, weil es abgelaufen ist oder nicht von dieser "
    "Seite stammt. Bitte laden Sie die Seite neu und senden Sie es noch einmal.",
)


KEINE_BERECHTIGUNG = PortalFehler(
    403,
    "Keine Berechtigung",
    "Diese Seite oder Aktion ist mit Ihrer Rolle nicht möglich. Wenden Sie sich bei Bedarf an die Geschäftsstelle.",
)


def anfragen_url(path: str) -> str | None:
    """The overview of all open requests, reached from the page of any personal link (its
    path, ``/<segment>/<token>``); None on the overview itself and where a link only confirms."""
    segment_and_token = "/".join(path.split("/", 3)[:3])  # a page below the link keeps its token
    if path.startswith(("/anfragen/", "/email-bestaetigen/", "/email-zurueck/")):
        return None
    return "/anfragen" + segment_and_token


def gesperrt(bis: datetime) -> PortalFehler:
    return PortalFehler(
        429,
        "Zu viele ungültige Versuche",
        "Von Ihrem Anschluss kamen zu viele ungültige Anfragen. Bitte versuchen Sie es später "
        "noch einmal oder wenden Sie sich an die Geschäftsstelle.",
    )


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
        with self._writer(form is not None), session_scope(self.engine, actor="portal:link") as session:
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
        with self._writer(form is not None), self._transaction() as connection:
            link, row = self._verify(request, connection, token, zweck, now, form, token_hash, query)
            yield LinkTransaction(portal=self, request=request, connection=connection, now=now, link=link, row=row)

    @contextmanager
    def _transaction(self) -> Iterator[sa.Connection]:
        """One transaction for ``link_transaction``. On SQLite on the one connection the Portal
        keeps checked out (checking a connection out of the pool and back in, with its reset,
        cost more CPU than SQLite's work for a read); while that one is in use (another thread),
        and on other databases, on a connection from the pool."""
        kept = self._kept
        if kept is None or not kept.lock.acquire(blocking=False):
            with self.engine.begin() as connection:
                yield connection
            return
        try:
            if kept.connection is None or kept.connection.closed or kept.connection.invalidated:
                kept.connection = self.engine.connect()
            with kept.connection.begin():
                yield kept.connection
        finally:
            kept.lock.release()

    @cached_property
    def _kept(self) -> _Kept | None:
        url = self.engine.url
        if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
            return None
        kept = _Kept()
        weakref.finalize(self, kept.close)  # given back to the pool when the Portal goes
        return kept

    async def run(self, work: Callable[[], T]) -> T:
        """Run a submission's database work: inline for SQLite, in the threadpool otherwise.

        SQLite work is about a millisecond of CPU with no network wait; running it on the event
        loop avoids the GIL convoy of many threads queueing for SQLite's single writer (which
        halved throughput under 200 concurrent clients). PostgreSQL waits on the network, so
        its work goes to the threadpool.
        """
        if self.engine.dialect.name == "sqlite":
            return work()
        return await run_in_threadpool(work)

    @cached_property
    def _sqlite_lock(self) -> threading.Lock | None:
        return threading.Lock() if self.engine.dialect.name == "sqlite" else None

    @contextmanager
    def _writer(self, writes: bool) -> Iterator[None]:
        """SQLite has one writer at a time, and a blocked writer waits in sleeps of growing
        length (busy timeout): under a burst of submissions that wastes most of the time. In
        one process, submissions therefore queue on a lock instead; PostgreSQL needs none."""
        if not writes or self._sqlite_lock is None:
            yield
            return
        with self._sqlite_lock:
            yield

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
            found = benutzer_service.session_user(session, cookie, now=now) if cookie else None
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


@dataclass
class _Kept:
    """The connection a Portal keeps for its link transactions on SQLite (``Portal._transaction``)."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    connection: sa.Connection | None = None

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()


# Person and Träger of a link in one statement, built once (``session.get`` twice cost every
# link page half a millisecond).
_PERSON_MIT_ORGANISATION = (
    select(Person, Organisation)
    .outerjoin(Organisation, col(Organisation.id) == col(Person.organisation_id))
    .where(Person.id == sa.bindparam("person_id"))
)


@dataclass
class LinkContext:
    """A request under a verified personal link. ``session`` is open; its actor is ``link:<id>``.

    ``link`` holds the link's values (``id``, ``person_id``, ``zweck``, ``bezug_id``,
    ``gueltig_bis`` …); ``person`` and ``organisation`` are ORM rows, loaded when first used.
    """

    portal: Portal
    request: Request
    session: Session
    now: datetime
    link: LinkInfo
    _person: tuple[Person, Organisation | None] | None = field(default=None, init=False)

    @property
    def csrf(self) -> str:
        return csrf_token(self.portal.key, f"link:{self.link.id}")

    def _load_person(self) -> tuple[Person, Organisation | None]:
        if self._person is None:
            row = self.session.exec(_PERSON_MIT_ORGANISATION, params={"person_id": self.link.person_id}).one()
            self._person = (row[0], row[1])
        return self._person

    @property
    def person(self) -> Person:
        return self._load_person()[0]

    @property
    def organisation(self) -> Organisation | None:
        return self._load_person()[1]

    def render(self, template: str, *, status_code: int = 200, **values: Any) -> HTMLResponse:
        return self.portal.page(
            self.request,
            template,
            status_code=status_code,
            csrf=self.csrf,
            person=self.person,
            organisation=self.organisation,
            action=self.request.url.path,
            anfragen_url=anfragen_url(self.request.url.path),
            **values,
        )


@dataclass
class LinkTransaction:
    """A request under a verified personal link with an open connection in one transaction
    (``Portal.link_transaction``). Changes are audited by the caller under ``akteur``."""

    portal: Portal
    request: Request
    connection: sa.Connection
    now: datetime
    link: LinkInfo
    row: Any  # the row of the ``query`` given to ``link_transaction`` (a named tuple)

    @property
    def akteur(self) -> str:
        return f"link:{self.link.id}"

    @property
    def csrf(self) -> str:
        return csrf_token(self.portal.key, f"link:{self.link.id}")

    @property
    def path(self) -> str:
        """The page's own path (a verified link's token needs no escaping; ``request.url``
        would parse the whole URL for it)."""
        return str(self.request.scope["path"])

    def render(
        self, template: str, *, status_code: int = 200, luecken: Luecken | None = None, **values: Any
    ) -> HTMLResponse:
        """Like ``LinkContext.render``; the caller passes ``person`` and ``organisation``.
        With ``luecken`` (see ``Portal.page``) the link's own values are gaps as well."""
        luecke = luecken or ohne_luecken
        return self.portal.page(
            self.request,
            template,
            status_code=status_code,
            luecken=luecken,
            csrf=luecke(self.csrf),
            action=luecke(self.path),
            anfragen_url=luecke(anfragen_url(self.path)),
            **values,
        )


@dataclass
class StaffContext:
    """A request of a logged-in user; ``session`` is open, its actor is ``benutzer:<name>``."""

    portal: Portal
    request: Request
    session: Session
    now: datetime
    benutzer: Benutzer
    csrf: str

    def render(self, template: str, *, status_code: int = 200, **values: Any) -> HTMLResponse:
        return self.portal.page(
            self.request, template, status_code=status_code, csrf=self.csrf, benutzer=self.benutzer, **values
        )
