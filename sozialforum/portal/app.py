"""The Träger portal: a small FastAPI app of German, accessible pages.

``create_app(settings, engine)`` builds it; ``sozialforum portal`` serves it with uvicorn.

How to add pages (other areas do this without editing this package's core files)
-------------------------------------------------------------------------------
1. Put a module into ``sozialforum/portal/routers/`` with a module-level ``router = APIRouter()``.
   Every such module is included automatically (alphabetical order), see ``routers/__init__.py``.
2. A page behind a personal link serves ``links.link_path(zweck) + "/{token}"``, e.g.
   ``/protokoll-kommentar/{token}`` for ``LinkZweck.PROTOKOLL_KOMMENTAR``; links are made with
   ``sozialforum.links.issue_link(...)``, which returns exactly that URL. Pattern::

       from fastapi import APIRouter, Request
       from fastapi.responses import RedirectResponse
       from sozialforum.portal.context import Portal
       from sozialforum.vocab import LinkZweck

       router = APIRouter()

       @router.get("/protokoll-kommentar/{token}")
       def show(request: Request, token: str):
           with Portal.of(request).link_scope(request, token, LinkZweck.PROTOKOLL_KOMMENTAR) as ctx:
               # ctx.link (LinkInfo: id, person_id, zweck, bezug_id = your object, gueltig_bis),
               # ctx.person / ctx.organisation (ORM rows, loaded on first use),
               # ctx.session (open; commits when the block ends), ctx.now, ctx.csrf
               return ctx.render("portal/mein_formular.html", titel="…", daten=…)

       @router.post("/protokoll-kommentar/{token}")
       async def submit(request: Request, token: str):
           form = await request.form()
           portal = Portal.of(request)
           def work():   # database work off the event loop
               with portal.link_scope(request, token, LinkZweck.PROTOKOLL_KOMMENTAR, form=form) as ctx:
                   ...   # write your rows through ctx.session
               return RedirectResponse(request.url.path + "?gespeichert=1", status_code=303)
           return await portal.run(work)   # inline for SQLite, threadpool for PostgreSQL

   ``link_scope`` verifies the token (403/410 German error pages are rendered by the app), counts
   bad tokens against the client's address (rate limiting → 429), and, when ``form`` is given,
   checks the CSRF token and the Origin (403) and records the link's use.
3. **CSRF**: every ``<form method="post">`` includes ``{% include "portal/_csrf.html" %}``
   (a hidden field ``csrf`` from the template variable ``csrf``, which ``ctx.render`` passes).
4. **Template**: extend ``portal/base.html`` (blocks ``title``, ``content``); reuse the form macros
   in ``portal/_felder.html`` (labelled fields, error messages tied by aria-describedby). No
   scripts (the CSP forbids them) and no external assets; styles come from /static/portal.css.
5. **Audit**: inside ``link_scope`` the session's actor is ``link:<id>``, inside
   ``staff_scope`` ``benutzer:<name>``. Rows of audited tables (see ``sozialforum.store.audit``) are
   audited automatically; for other tables call
   ``sozialforum.store.audit.record_bulk(ctx.session, table=..., entries=[(row_id, AuditAktion.CREATE, {...})])``
   after a flush, so every submission leaves an audit entry.
6. **Staff pages** (``/gs/...``) use ``Portal.of(request).staff_scope(request, form=...)``; a
   missing login redirects to ``/gs/anmelden``.
7. Raise ``sozialforum.portal.fehler.PortalFehler(status, titel, meldung)`` for any other
   German error page. Never show another person's or Träger's data: everything a link page shows
   must be reachable from ``ctx.link.bezug_id`` and ``ctx.person``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.engine import Engine
from starlette.exceptions import HTTPException as StarletteHTTPException

from sozialforum.channels.rendering import TEMPLATES, environment
from sozialforum.links import LinkAbgelaufen, LinkError, LinkUngueltig, LinkWiderrufen, link_path
from sozialforum.portal.context import TARGET_COOKIE, Portal
from sozialforum.portal.drossel import Antwortdrossel
from sozialforum.portal.fehler import NichtAngemeldet, PortalFehler
from sozialforum.portal.routers import discover_routers
from sozialforum.portal.schnellweg import PortalApp
from sozialforum.portal.security import BodyLimit, SecurityHeaders, security_headers, workspace_path
from sozialforum.settings import Settings
from sozialforum.timeutil import utcnow
from sozialforum.vocab import LinkZweck

log = logging.getLogger("sozialforum.portal")
RSVP_PATH = link_path(LinkZweck.RSVP) + "/{token}"

_HTTP_TEXTS = {
    404: ("Seite nicht gefunden", "Diese Seite gibt es nicht. Bitte prüfen Sie die Adresse."),
    405: ("Aufruf nicht möglich", "Diese Seite lässt sich so nicht aufrufen."),
    413: ("Anfrage zu groß", "Die gesendeten Daten sind größer als erlaubt."),
    400: ("Eingabe nicht verständlich", "Die Anfrage war unvollständig. Bitte laden Sie die Seite neu."),
}


def create_app(settings: Settings, engine: Engine, *, clock: Callable[[], datetime] = utcnow) -> FastAPI:
    """The portal app over one store. ``clock`` is the time source (tests pass a fixed one)."""
    # The routers' routes go straight into the app: ``include_router`` keeps each router as a
    # nested branch that FastAPI matches twice per request. Matching walks the routes in order,
    # so the RSVP's (the page every invited Träger opens and answers on) come first; no other
    # route matches its paths.
    routes = [route for router in discover_routers() for route in router.routes]
    routes.sort(key=lambda route: getattr(route, "path", "") != RSVP_PATH)
    app = PortalApp(title="sozialforum Portal", docs_url=None, redoc_url=None, openapi_url=None, routes=routes)
    portal = Portal(settings=settings, engine=engine, clock=clock)
    app.state.portal = portal

    app.mount("/static", StaticFiles(directory=TEMPLATES / "portal" / "static"), name="static")
    _compile_templates()

    def error_page(request: Request, status: int, titel: str, meldung: str) -> HTMLResponse:
        return portal.page(request, "portal/fehler.html", status_code=status, titel=titel, meldung=meldung)

    @app.exception_handler(LinkError)
    async def _link_error(request: Request, exc: LinkError) -> Response:
        log.info("Link abgewiesen (%s): %s", exc.status_code, exc.grund)
        # An expired or replaced link: the way to a fresh one is on the page itself.
        neuer_link = isinstance(exc, LinkAbgelaufen | LinkWiderrufen)
        return portal.page(
            request,
            "portal/fehler.html",
            status_code=exc.status_code,
            titel=exc.titel,
            meldung=exc.meldung,
            neuer_link=neuer_link,
        )

    @app.exception_handler(PortalFehler)
    async def _portal_error(request: Request, exc: PortalFehler) -> Response:
        return error_page(request, exc.status_code, exc.titel, exc.meldung)

    @app.exception_handler(NichtAngemeldet)
    async def _login_needed(request: Request, exc: NichtAngemeldet) -> Response:
        # The page asked for (a GET; a form's data is gone anyway) waits in a cookie only the
        # login form receives, so no address can carry a foreign redirect target to the login.
        response = RedirectResponse("/gs/anmelden?leerlauf=1" if exc.leerlauf else "/gs/anmelden", status_code=303)
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        if request.method == "GET" and workspace_path(target):
            response.set_cookie(
                TARGET_COOKIE, target, httponly=True, samesite="strict", secure=portal.https, path="/gs/anmelden"
            )
        return response

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        titel, meldung = _HTTP_TEXTS.get(exc.status_code, ("Fehler", "Die Anfrage war nicht möglich."))
        return error_page(request, exc.status_code, titel, meldung)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
        return error_page(request, 400, *_HTTP_TEXTS[400])

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.exception("Fehler im Portal")
        response = error_page(
            request,
            500,
            "Technischer Fehler",
            "Leider ist ein technischer Fehler aufgetreten. Ihre Eingabe wurde "
            "nicht gespeichert. Bitte versuchen Sie es später noch einmal.",
        )
        # This handler runs outside the middleware stack: set the security headers here.
        response.headers.update(security_headers(https=portal.https))
        return response

    form_max = settings.portal.anfrage_max_kb * 1024
    token_ok = _token_checker(portal)
    app.add_middleware(
        BodyLimit,
        form_max=form_max,
        upload_max=int(settings.protokoll.upload_max_mb * 1024 * 1024) + form_max,
        token_ok=token_ok,
    )
    # Outside the body limit: a link over its limit is refused before anything is read.
    app.add_middleware(
        Antwortdrossel, je_minute=settings.portal.antworten_je_minute, ist_link=_ist_link_pfad(settings, token_ok)
    )
    app.add_middleware(SecurityHeaders, https=portal.https)
    # The RSVP's page and answer skip FastAPI's request stack (``portal.schnellweg``).
    app.schnellweg(RSVP_PATH)
    return app


def _ist_link_pfad(settings: Settings, token_ok: Callable[[str], bool]) -> Callable[[str], bool]:
    """True for paths of our personal links (``/<purpose>/<token>``, signature verified):
    submissions to guessed tokens are refused and counted per address elsewhere."""
    segments = {link_path(zweck).lstrip("/") for zweck in LinkZweck}

    def ist_link(path: str) -> bool:
        parts = path.strip("/").split("/")
        return len(parts) >= 2 and parts[0] in segments and token_ok(path)

    return ist_link


def _compile_templates() -> None:
    """Compile the portal's templates now (once per process; 0.2 s of CPU) instead of in the
    requests of the first Träger, who would each wait for the pages they open first."""
    env = environment()
    for name in env.list_templates(filter_func=lambda name: name.startswith("portal/") and name.endswith(".html")):
        env.get_template(name)


def _token_checker(portal: Portal) -> Callable[[str], bool]:
    """False for a path ``/<purpose>/<token>`` whose token's signature does not verify (no store
    access): the body limit then hands the route an empty body instead of the one sent. The
    answer limit and the body limit ask in turn for the same request's path; the Portal
    remembers a verified signature, so neither they nor the route compute its HMAC again."""
    purposes = {link_path(zweck).lstrip("/"): zweck for zweck in LinkZweck}
    # The path asked for last and its answer, one tuple read and replaced as a whole (the
    # answer limit and the body limit ask in turn for the same request's path).
    last: list[tuple[str, bool]] = [("", True)]

    def token_ok(path: str) -> bool:
        asked, answer = last[0]
        if path == asked:
            return answer
        parts = path.strip("/").split("/")
        zweck = purposes.get(parts[0]) if len(parts) == 2 else None
        ok = True
        if zweck is not None:
            try:
                portal.signature(parts[1], zweck)
            except LinkUngueltig:
                ok = False
        last[0] = (path, ok)
        return ok

    return token_ok
