"""The route registry of the workspace: every route names the ``Recht`` it needs.

Handlers open the store with ``scope(request)`` (reading) or run their work through
``aktion(request, arbeit)`` (a form: CSRF, origin, ``Recht``, audit actor, one transaction);
both look the route's right up here, so a handler cannot ask for a weaker one than it declared.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from sozialforum.arbeitsplatz.formular import Ungueltig
from sozialforum.konten.zugriff import Recht, darf
from sozialforum.portal.context import Portal
from sozialforum.portal.fehler import PortalFehler
from sozialforum.portal.kontexte import StaffContext
from sozialforum.portal.routers.geschaeftsstelle_aktionen import MELDUNGEN as LINK_MELDUNGEN
from sozialforum.portal.security import WORKSPACE_CONTENT_SECURITY_POLICY
from sozialforum.stammdaten.akteur import akteur_namen
from sozialforum.vocab import BenutzerRolle

PREFIX = "/arbeitsplatz"


@dataclass(frozen=True)
class Route:
    methode: str
    pfad: str
    recht: Recht
    endpoint: Callable[..., Any]


# endpoint function → its declared route; the matrix test enumerates the app's routes against it.
ROUTEN: dict[Callable[..., Any], Route] = {}


class Bereich:
    """One area's router with ``seite`` (GET) and ``aktion`` (POST) decorators that register
    the route's right."""

    def __init__(self) -> None:
        self.router = APIRouter(prefix=PREFIX)

    def _register(self, methode: str, pfad: str, recht: Recht) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        def decorate(endpoint: Callable[..., Any]) -> Callable[..., Any]:
            ROUTEN[endpoint] = Route(methode, PREFIX + pfad, recht, endpoint)
            self.router.add_api_route(pfad, endpoint, methods=[methode], response_class=HTMLResponse)
            return endpoint

        return decorate

    def seite(self, pfad: str, recht: Recht) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        return self._register("GET", pfad, recht)

    def aktion(self, pfad: str, recht: Recht) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        return self._register("POST", pfad, recht)


def _recht(request: Request) -> Recht:
    route = request.scope.get("route")
    endpoint = getattr(route, "endpoint", None)
    declared = ROUTEN.get(endpoint) if endpoint is not None else None
    if declared is None:  # never reached for registered routes; refuse rather than guess
        raise PortalFehler(403, "Keine Berechtigung", "Diese Seite ist nicht freigegeben.")
    return declared.recht


@contextmanager
def scope(request: Request, *, form: Mapping[str, Any] | None = None) -> Iterator[StaffContext]:
    """The store for this request's user, after checking the route's right (and CSRF for forms)."""
    with Portal.of(request).staff_scope(request, form=form, recht=_recht(request)) as ctx:
        yield ctx


def zurueck(form: Mapping[str, Any], default: str = PREFIX + "/") -> str:
    """The workspace page a form came from (only our own paths: no open redirect)."""
    target = str(form.get("zurueck") or "")
    return target if re.fullmatch(r"/arbeitsplatz/[A-Za-z0-9_/\-]*(\?[A-Za-z0-9_=&\-]*)?", target) else default


class Eingabefehler(Exception):
    """A German message about bad input; nothing was changed (the transaction rolls back)."""


def formularseite(
    ctx: StaffContext, template: str, werte: Mapping[str, Any], fehler: Mapping[str, str], **values: Any
) -> HTMLResponse:
    """A form with its values and its messages by field; 400 when there are messages."""
    return render(ctx, template, status_code=400 if fehler else 200, werte=werte, fehler=fehler, **values)


# A form page drawn with what was typed and the messages by field name (empty: the form as a whole).
Formularseite = Callable[[StaffContext, Mapping[str, str], Mapping[str, str]], Response]


async def aktion(
    request: Request,
    arbeit: Callable[[StaffContext, Mapping[str, Any]], Response],
    *,
    formular: Formularseite | None = None,
) -> Response:
    """Run a form's work in one transaction under the user's name; a bad input (``ValueError``
    or ``Eingabefehler`` with a German message) rolls everything back and says why — with
    ``formular``, on the form itself (status 400, what was typed kept, the message at the field
    that ``formular.Ungueltig`` names), else on a page of its own."""
    form = await request.form()
    portal = Portal.of(request)

    def work() -> Response:
        try:
            with scope(request, form=form) as ctx:
                return arbeit(ctx, form)
        except (ValueError, Eingabefehler) as exc:
            if formular is not None:
                werte = {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf"}
                with scope(request) as ctx:
                    return formular(ctx, werte, {exc.feld if isinstance(exc, Ungueltig) else "": str(exc)})
            return portal.page(
                request,
                "arbeitsplatz/fehler.html",
                status_code=400,
                titel="Eingabe nicht übernommen",
                meldung=str(exc),
                zurueck=zurueck(form),
            )

    return await portal.run(work)


# (path, label, right): the navigation shows what the user may open.
NAVIGATION = [
    ("/arbeitsplatz/", "Übersicht", Recht.ANGEMELDET),
    ("/arbeitsplatz/sitzungen", "Sitzungen", Recht.LESEN),
    ("/arbeitsplatz/auftraege", "Aufträge", Recht.AUFTRAEGE),
    ("/arbeitsplatz/massnahmen", "Maßnahmen", Recht.AUFTRAEGE),
    ("/arbeitsplatz/fachplaene", "Fachpläne", Recht.LESEN),
    ("/arbeitsplatz/beschluesse", "Beschlüsse", Recht.LESEN),
    ("/arbeitsplatz/protokolle", "Protokolle", Recht.LESEN),
    ("/arbeitsplatz/daten", "Daten", Recht.GEMEINDEDATEN),
    ("/arbeitsplatz/sozialbericht", "Sozialbericht", Recht.LESEN),
    ("/arbeitsplatz/akteure", "Akteure", Recht.LESEN),
    ("/arbeitsplatz/postausgang", "Postausgang", Recht.LESEN),
    ("/arbeitsplatz/laeufe", "Läufe", Recht.LESEN),
    ("/arbeitsplatz/ablage", "Ablage", Recht.LESEN),
    ("/arbeitsplatz/benutzer", "Benutzer", Recht.BENUTZER),
    ("/arbeitsplatz/formulare", "Formulare", Recht.LESEN),
]

# Messages after an action travel as codes (no text from the URL is ever shown); the link actions
# (``/gs/link/…``) come back here with theirs.
MELDUNGEN = {
    **LINK_MELDUNGEN,
    "gespeichert": "Gespeichert.",
    "angelegt": "Angelegt.",
    "aufgenommen": "Die Person ist in das Gremium aufgenommen.",
    "frist": "Die Frist wurde geändert; der Grund steht im Verlauf.",
    "erledigt": "Als erledigt markiert.",
    "sachstand": "Der Sachstand wurde gespeichert.",
    "freigegeben": "Das Protokoll ist freigegeben; der wartende Ablauf verteilt es.",
    "zurueckgegeben": "Das Protokoll wurde mit Ihren Anmerkungen zurückgegeben.",
    "geplant": "Die Sitzung ist geplant.",
    "serie": "Die Serie ist geplant; hier die erste Sitzung.",
    "vorbereitet": "Die Tagesordnung ist aufgebaut.",
    "top": "Die Tagesordnung ist geändert.",
    "vorschlag_uebernommen": "Der Vorschlag steht auf der Tagesordnung.",
    "vorschlag_abgelehnt": "Der Vorschlag wurde nicht übernommen.",
    "antwort": "Die Antwort ist erfasst.",
    "antwort_uebernommen": "Die zurückgehaltene Antwort ist übernommen; Ihr Name steht bei der Rückmeldung.",
    "antwort_neuere": "Übernommen, aber ohne Wirkung: eine neuere Antwort der Person gilt.",
    "antwort_verworfen": "Die zurückgehaltene Antwort ist verworfen; das Änderungsprotokoll hält es fest.",
    "importiert": "Die Liste ist übernommen.",
    "geloescht": "Die personenbezogenen Daten sind gelöscht (Art. 17 DSGVO).",
    "dokument": "Das Dokument ist beim Tagesordnungspunkt abgelegt und geht mit der Einladung hinaus.",
    "anwesenheit": "Die Anwesenheit ist gespeichert.",
    "totp_an": "Die Anmeldung in zwei Schritten ist eingeschaltet.",
    "totp_aus": "Die Anmeldung in zwei Schritten ist ausgeschaltet.",
    "unveraendert": "Nichts geändert: das war schon so.",
    "freigabe_erteilt": "Die Freigabe ist erteilt.",
    "freigabe_entzogen": "Die Freigabe ist entzogen.",
    "entfernt": "Entfernt.",
    "befund_akzeptiert": "Der Befund ist akzeptiert; die Begründung steht im Änderungsprotokoll.",
    "zugestellt": "Als zugestellt bestätigt; die Entscheidung steht im Änderungsprotokoll.",
    "kalender_neu": "Die Kalenderadresse ist neu erzeugt; die bisherige gilt nicht mehr.",
    "kalender_ohne_mail": (
        "Die Kalenderadresse ist neu erzeugt; die bisherige gilt nicht mehr. Keine E-Mail ging hinaus: "
        "keine E-Mail-Adresse, keine Einwilligung oder Widerspruch (siehe Kontaktdaten)."
    ),
}


def render(
    ctx: StaffContext,
    template: str,
    *,
    status_code: int = 200,
    akteure: Iterable[str | None] = (),
    **values: Any,
) -> HTMLResponse:
    """A workspace page: navigation by the user's rights, the message code of ``?meldung=``.

    ``akteure``: the actor keys the page shows (``benutzer:planerin``, ``link:64``, a login
    name); the template prints them as ``namen[key]``, resolved here in one go
    (``stammdaten.akteur``), never row by row."""
    request = ctx.request
    values["namen"] = akteur_namen(ctx.session, akteure)
    values.setdefault("meldung", MELDUNGEN.get(request.query_params.get("meldung", "")))
    response = ctx.render(
        template,
        status_code=status_code,
        navigation=[(href, text) for href, text, recht in NAVIGATION if darf(ctx.benutzer, recht)],
        pfad=request.url.path,
        rolle_label=BenutzerRolle(ctx.benutzer.rolle).label,
        **values,
    )
    response.headers["Content-Security-Policy"] = WORKSPACE_CONTENT_SECURITY_POLICY
    return response
