"""``/gs/...``: the staff login and logout (the workspace, ``/arbeitsplatz/``, is behind it); the
old addresses of the answers per Sitzung and per form lead to their workspace pages."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from sozialforum.konten import benutzer as benutzer_service
from sozialforum.konten import verzeichnis
from sozialforum.konten.zugriff import Recht
from sozialforum.portal.context import PRELOGIN_COOKIE, SESSION_COOKIE, TARGET_COOKIE, Portal
from sozialforum.portal.security import client_key, workspace_path
from sozialforum.store.db import session_scope
from sozialforum.timeutil import format_anzahl

router = APIRouter(prefix="/gs")


def _login_page(request: Request, *, fehler: str | None = None, name: str = "", status_code: int = 200) -> Response:
    portal = Portal.of(request)
    cookie, csrf = portal.prelogin_csrf(request)
    minuten = portal.settings.portal.leerlauf_minuten
    hinweis = (
        f"Sie wurden nach {format_anzahl(minuten, 'Minute', 'Minuten')} ohne Aktivität abgemeldet. "
        "Bitte melden Sie sich erneut an."
        if request.query_params.get("leerlauf") and fehler is None
        else None
    )
    response = portal.page(
        request,
        "portal/gs/anmelden.html",
        status_code=status_code,
        csrf=csrf,
        fehler=fehler,
        hinweis=hinweis,
        benutzername=name,
    )
    response.set_cookie(PRELOGIN_COOKIE, cookie, httponly=True, samesite="strict", secure=portal.https, path="/")
    return response


@router.get("/anmelden")
def login_form(request: Request) -> Response:
    return _login_page(request)


@router.post("/anmelden")
async def login(request: Request) -> Response:
    form = await request.form()
    portal = Portal.of(request)
    portal.check_prelogin(request, form)
    name, password = str(form.get("name") or ""), str(form.get("passwort") or "")
    code = str(form.get("code") or "")

    def work() -> Response:
        with session_scope(portal.engine, actor=f"anmeldung:{name[:80]}") as session:
            # With the directory on, its login tries local accounts first (verzeichnis.login).
            login = verzeichnis.login if portal.settings.verzeichnis.aktiv else benutzer_service.login
            try:
                _, secret = login(
                    session,
                    name=name,
                    password=password,
                    now=portal.now(),
                    settings=portal.settings,
                    adresse=client_key(request.client),
                    code=code,
                )
            except benutzer_service.AnmeldungFehlgeschlagen as exc:
                # Returning (not raising) commits the failure count (and a deactivation).
                page = _login_page(request, fehler=str(exc), name=name, status_code=exc.status)
                if exc.bis is not None:
                    page.headers["Retry-After"] = str(max(1, int((exc.bis - portal.now()).total_seconds())))
                return page
        # The one staff login; it leads to the workspace page asked for, or to its start page.
        target = workspace_path(request.cookies.get(TARGET_COOKIE, "")) or "/arbeitsplatz/"
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(
            SESSION_COOKIE,
            secret,
            httponly=True,
            samesite="strict",
            secure=portal.https,
            path="/",
            max_age=portal.settings.portal.anmeldung_stunden * 3600,
        )
        response.delete_cookie(PRELOGIN_COOKIE, path="/")
        response.delete_cookie(TARGET_COOKIE, path="/gs/anmelden")
        return response

    return await portal.run(work)


@router.post("/abmelden")
async def logout(request: Request) -> Response:
    form = await request.form()
    portal = Portal.of(request)
    with portal.staff_scope(request, form=form, recht=Recht.ANGEMELDET) as ctx:
        benutzer_service.logout(ctx.session, request.cookies.get(SESSION_COOKIE, ""), now=ctx.now)
    response = RedirectResponse("/gs/anmelden", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


# The answers per Sitzung and per form are the workspace's pages; old addresses (bookmarks) lead there.
@router.get("/")
def overview() -> Response:
    return RedirectResponse("/arbeitsplatz/formulare", status_code=303)


@router.get("/sitzung/{sitzung_id}")
def sitzung_page(sitzung_id: int) -> Response:
    return RedirectResponse(f"/arbeitsplatz/sitzungen/{sitzung_id}", status_code=303)


@router.get("/formular/{kennung}")
def form_page(kennung: str) -> Response:
    return RedirectResponse(f"/arbeitsplatz/formulare/{quote(kennung, safe='')}", status_code=303)
