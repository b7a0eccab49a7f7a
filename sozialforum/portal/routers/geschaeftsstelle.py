"""``/gs/...``: the Geschäftsstelle view behind a login (answers per Sitzung and per form)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import col, select

from sozialforum.konten import benutzer as benutzer_service
from sozialforum.konten import verzeichnis
from sozialforum.konten.zugriff import Recht
from sozialforum.portal import auswertung
from sozialforum.portal.context import PRELOGIN_COOKIE, SESSION_COOKIE, Portal
from sozialforum.portal.fehler import PortalFehler
from sozialforum.portal.routers.geschaeftsstelle_aktionen import MELDUNGEN
from sozialforum.portal.security import client_key
from sozialforum.store.db import session_scope
from sozialforum.store.models.base import pk
from sozialforum.store.models.gremien import Gremium, Sitzung
from sozialforum.store.models.portal import FormularAnfrage, Themenvorschlag
from sozialforum.vocab import LinkZweck

router = APIRouter(prefix="/gs")

NICHT_GEFUNDEN = PortalFehler(404, "Nicht gefunden", "Diesen Eintrag gibt es nicht.")


def _login_page(request: Request, *, fehler: str | None = None, name: str = "", status_code: int = 200) -> Response:
    portal = Portal.of(request)
    cookie, csrf = portal.prelogin_csrf(request)
    response = portal.page(
        request, "portal/gs/anmelden.html", status_code=status_code, csrf=csrf, fehler=fehler, benutzername=name
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
        # The one staff login: the workspace (when mounted) is the start page after it.
        response = RedirectResponse(getattr(request.app.state, "startseite", "/gs/"), status_code=303)
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


@router.get("/")
def overview(request: Request) -> Response:
    portal = Portal.of(request)
    with portal.staff_scope(request) as ctx:
        return ctx.render(
            "portal/gs/uebersicht.html",
            sitzungen=auswertung.sitzungen(ctx.session),
            formulare=auswertung.forms_overview(ctx.session, portal.formulare),
        )


@router.get("/sitzung/{sitzung_id}")
def sitzung_page(request: Request, sitzung_id: int, meldung: str | None = None) -> Response:
    with Portal.of(request).staff_scope(request) as ctx:
        sitzung = ctx.session.get(Sitzung, sitzung_id)
        if sitzung is None:
            raise NICHT_GEFUNDEN
        gremium = ctx.session.get(Gremium, sitzung.gremium_id)
        return ctx.render(
            "portal/gs/sitzung.html",
            sitzung=sitzung,
            gremium=gremium,
            rueckmeldungen=auswertung.rsvp_table(ctx.session, sitzung_id),
            vorschlaege=auswertung.proposals_table(ctx.session, sitzung_id),
            vorschlag_zeilen=ctx.session.exec(
                select(Themenvorschlag)
                .where(Themenvorschlag.sitzung_id == sitzung_id)
                .order_by(col(Themenvorschlag.eingereicht_am))
            ).all(),
            links=auswertung.links(
                ctx.session, zwecke=(LinkZweck.RSVP, LinkZweck.THEMENVORSCHLAG), bezug_ids=[sitzung_id], now=ctx.now
            ),
            meldung=MELDUNGEN.get(meldung or ""),
            zurueck=request.url.path,
        )


@router.get("/formular/{kennung}")
def form_page(request: Request, kennung: str, meldung: str | None = None) -> Response:
    portal = Portal.of(request)
    formular = portal.formulare.get(kennung)
    if formular is None:
        raise NICHT_GEFUNDEN
    with portal.staff_scope(request) as ctx:
        anfrage_ids = [
            pk(a) for a in ctx.session.exec(select(FormularAnfrage).where(FormularAnfrage.formular == kennung)).all()
        ]
        return ctx.render(
            "portal/gs/formular.html",
            formular=formular,
            tabelle=auswertung.form_table(ctx.session, formular),
            links=auswertung.links(ctx.session, zwecke=(LinkZweck.FORMULAR,), bezug_ids=anfrage_ids, now=ctx.now),
            meldung=MELDUNGEN.get(meldung or ""),
            zurueck=request.url.path,
        )
