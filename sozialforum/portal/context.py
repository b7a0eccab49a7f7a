"""What a portal request handler works with: the Portal (settings, store, clock, key) and the
two scopes a page runs in, ``Portal.link_scope`` (a personal link) and ``Portal.staff_scope``
(a logged-in Geschäftsstelle user). See ``sozialforum.portal.app`` for how routers use them.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from sqlalchemy.engine import Engine
from sqlmodel import Session

from sozialforum import audit
from sozialforum.adapters.rendering import render
from sozialforum.db import session_scope
from sozialforum.models.akteure import Organisation, Person
from sozialforum.models.kommunikation import PersonalLink
from sozialforum.models.portal import Benutzer
from sozialforum.portal.security import client_key, csrf_token, csrf_valid, same_origin
from sozialforum.services import benutzer as benutzer_service
from sozialforum.services import fehlversuche
from sozialforum.services.formulare import Formular, load_formulare
from sozialforum.services.links import LinkError, LinkUngueltig, verify_link
from sozialforum.settings import Settings
from sozialforum.vocab import LinkZweck

SESSION_COOKIE = "sf_gs"
PRELOGIN_COOKIE = "sf_vorab"


class PortalFehler(Exception):
    """A German error page with a status code (CSRF failure, lockout, not found …)."""

    def __init__(self, status_code: int, titel: str, meldung: str) -> None:
        super().__init__(meldung)
        self.status_code, self.titel, self.meldung = status_code, titel, meldung


class NichtAngemeldet(Exception):
    """The staff view needs a login; the handler redirects to the login page."""


CSRF_FEHLER = PortalFehler(
    403, "Formular nicht angenommen",
    "Das Formular konnte nicht angenommen werden, weil es abgelaufen ist oder nicht von dieser "
    "Seite stammt. Bitte laden Sie die Seite neu und senden Sie es noch einmal.",
)


def gesperrt(bis: datetime) -> PortalFehler:
    return PortalFehler(
        429, "Zu viele ungültige Versuche",
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

    @property
    def https(self) -> bool:
        return self.settings.portal.base_url.startswith("https://")

    def now(self) -> datetime:
        return self.clock()

    def page(self, request: Request, template: str, *, status_code: int = 200,
             **values: Any) -> HTMLResponse:
        """Render ``templates/<template>`` (autoescaped) with the context every page needs."""
        html = render(template, kommune=self.settings.kommune,
                      geschaeftsstelle=self.settings.geschaeftsstelle, **values)
        return HTMLResponse(html, status_code=status_code)

    def _check_post(self, request: Request, form: Mapping[str, Any] | None, context: str) -> None:
        if form is None:
            return
        own = f"{request.url.scheme}://{request.url.netloc}"
        if not same_origin(request.headers, self.settings.portal.base_url, own):
            raise CSRF_FEHLER
        if not csrf_valid(self.key, context, form.get("csrf")):
            raise CSRF_FEHLER

    def _limits(self) -> dict[str, Any]:
        portal = self.settings.portal
        return {"maximum": portal.fehlversuche_max,
                "fenster": timedelta(minutes=portal.fehlversuche_fenster_minuten),
                "sperre": timedelta(minutes=portal.sperre_minuten)}

    def record_failure(self, schluessel: str) -> None:
        with session_scope(self.engine, actor="portal:fehlversuch") as session:
            fehlversuche.record_failure(session, schluessel, now=self.now(), **self._limits())

    @contextmanager
    def link_scope(self, request: Request, token: str, zweck: LinkZweck, *,
                   form: Mapping[str, Any] | None = None) -> Iterator[LinkContext]:
        """Open the store for one personal link; commit on success, roll back on any error.

        Pass ``form`` on POST: the CSRF token and the origin are checked and the link's use is
        recorded. A bad token is counted against the client's address (rate limiting).
        """
        now = self.now()
        address = "link:" + client_key(request.client)
        failed = False
        try:
            with session_scope(self.engine, actor="portal:link") as session:
                until = fehlversuche.blocked_until(session, address, now=now)
                if until is not None:
                    raise gesperrt(until)
                try:
                    link = verify_link(session, token, zweck=zweck, now=now,
                                       settings=self.settings, touch=form is not None)
                except LinkUngueltig:
                    failed = True
                    raise
                audit.set_actor(session, f"link:{link.id}")
                self._check_post(request, form, f"link:{link.id}")
                person = session.get(Person, link.person_id)
                assert person is not None
                yield LinkContext(portal=self, request=request, session=session, now=now,
                                  link=link, person=person)
        except LinkError:
            if failed:
                self.record_failure(address)
            raise

    @contextmanager
    def staff_scope(self, request: Request, *,
                    form: Mapping[str, Any] | None = None) -> Iterator[StaffContext]:
        """Open the store for a logged-in Geschäftsstelle user; NichtAngemeldet otherwise."""
        now = self.now()
        cookie = request.cookies.get(SESSION_COOKIE)
        with session_scope(self.engine, actor="portal:geschaeftsstelle") as session:
            found = benutzer_service.session_user(session, cookie, now=now) if cookie else None
            if found is None:
                raise NichtAngemeldet
            user, token_hash = found
            audit.set_actor(session, f"benutzer:{user.name}")
            self._check_post(request, form, f"gs:{token_hash}")
            yield StaffContext(portal=self, request=request, session=session, now=now,
                               benutzer=user, csrf=csrf_token(self.key, f"gs:{token_hash}"))

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
class LinkContext:
    """A request under a verified personal link. ``session`` is open; its actor is ``link:<id>``."""

    portal: Portal
    request: Request
    session: Session
    now: datetime
    link: PersonalLink
    person: Person
    _organisation: Organisation | None = field(default=None, init=False)

    @property
    def csrf(self) -> str:
        return csrf_token(self.portal.key, f"link:{self.link.id}")

    @property
    def organisation(self) -> Organisation | None:
        if self._organisation is None and self.person.organisation_id is not None:
            self._organisation = self.session.get(Organisation, self.person.organisation_id)
        return self._organisation

    def render(self, template: str, *, status_code: int = 200, **values: Any) -> HTMLResponse:
        return self.portal.page(self.request, template, status_code=status_code, csrf=self.csrf,
                                person=self.person, organisation=self.organisation,
                                action=self.request.url.path, **values)


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
        return self.portal.page(self.request, template, status_code=status_code, csrf=self.csrf,
                                benutzer=self.benutzer, **values)
