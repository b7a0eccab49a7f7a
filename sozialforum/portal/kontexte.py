"""The contexts a portal page works in: ``LinkContext`` (a personal link, ORM session),
``LinkTransaction`` (a personal link on one plain transaction, the RSVP) and ``StaffContext`` (a
logged-in user). ``Portal.link_scope``, ``Portal.link_transaction`` and ``Portal.staff_scope``
make them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from fastapi import Request
from fastapi.responses import HTMLResponse
from sqlmodel import Session, col, select

from sozialforum.links import LinkInfo
from sozialforum.portal.security import csrf_token
from sozialforum.portal.seitenform import Luecken, ohne_luecken
from sozialforum.store.models.akteure import Organisation, Person
from sozialforum.store.models.portal import Benutzer

if TYPE_CHECKING:
    from sozialforum.portal.context import Portal


def anfragen_url(path: str) -> str | None:
    """The overview of all open requests, reached from the page of any personal link (its
    path, ``/<segment>/<token>``); None on the overview itself and where a link only confirms."""
    segment_and_token = "/".join(path.split("/", 3)[:3])  # a page below the link keeps its token
    if path.startswith(("/anfragen/", "/email-bestaetigen/", "/email-zurueck/")):
        return None
    return "/anfragen" + segment_and_token


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
    sitzung: str  # the SHA-256 of this login session's cookie (``benutzer_sitzung.token_hash``)

    def render(self, template: str, *, status_code: int = 200, **values: Any) -> HTMLResponse:
        return self.portal.page(
            self.request, template, status_code=status_code, csrf=self.csrf, benutzer=self.benutzer, **values
        )
