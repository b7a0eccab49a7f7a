"""Planungsbestand: what its pages share. The pages themselves are one module per kind:
Aufträge (``planung_auftraege``), Fachpläne with milestones (``planung_fachplaene``), Beschlüsse
entered by hand or fetched from the council's system (``planung_beschluesse``)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from fastapi.responses import RedirectResponse, Response
from sqlmodel import col

from sozialforum.konten.zugriff import Recht, darf
from sozialforum.portal.fehler import PortalFehler
from sozialforum.portal.kontexte import StaffContext
from sozialforum.store.models import Organisation
from sozialforum.vocab import OrganisationArt

NICHT_GEFUNDEN = PortalFehler(404, "Nicht gefunden", "Diesen Eintrag gibt es nicht (oder nicht für Sie).")
AEMTER = (OrganisationArt.AMT, OrganisationArt.OEFFENTLICHER_TRAEGER)


def weiter(pfad: str, meldung: str) -> Response:
    """After an action: back to the page, with the message to show there (post/redirect/get)."""
    return RedirectResponse(f"{pfad}?meldung={meldung}", status_code=303)


def stellen(session: Any) -> list[tuple[int, str]]:
    """Ämter and public bodies that can be responsible (for select lists)."""
    return [
        (row[0], row[1])
        for row in session.execute(
            sa.select(col(Organisation.id), col(Organisation.name))
            .where(col(Organisation.art).in_(AEMTER))
            .order_by(Organisation.name)
        ).all()
    ]


def ctx_darf(ctx: StaffContext, recht: Recht) -> bool:
    return darf(ctx.benutzer, recht)
