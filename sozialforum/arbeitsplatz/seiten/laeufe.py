"""``/arbeitsplatz/laeufe``: long work started from the workspace, with state and progress."""

from __future__ import annotations

import sqlalchemy as sa
from fastapi import Request
from fastapi.responses import Response
from sqlmodel import col

from sozialforum.arbeitsplatz.routen import Bereich, render, scope
from sozialforum.konten.zugriff import Recht
from sozialforum.portal.fehler import PortalFehler
from sozialforum.store.models import Arbeitslauf
from sozialforum.vocab import LaufZustand

bereich = Bereich()
ANZAHL = 50


@bereich.seite("/laeufe", Recht.LESEN)
def laeufe(request: Request) -> Response:
    with scope(request) as ctx:
        rows = ctx.session.scalars(
            sa.select(Arbeitslauf)
            .order_by(col(Arbeitslauf.gestartet_am).desc(), col(Arbeitslauf.id).desc())
            .limit(ANZAHL)
        ).all()
        return render(
            ctx,
            "arbeitsplatz/laeufe.html",
            laeufe=[(lauf, LaufZustand(lauf.zustand)) for lauf in rows],
            akteure=[lauf.gestartet_von for lauf in rows],
        )


@bereich.seite("/laeufe/{lauf_id}", Recht.LESEN)
def lauf(request: Request, lauf_id: int) -> Response:
    with scope(request) as ctx:
        found = ctx.session.get(Arbeitslauf, lauf_id)
        if found is None:
            raise PortalFehler(404, "Nicht gefunden", "Diesen Lauf gibt es nicht.")
        zustand = LaufZustand(found.zustand)
        return render(
            ctx,
            "arbeitsplatz/lauf.html",
            lauf=found,
            zustand=zustand,
            offen=not zustand.is_closed,
            akteure=[found.gestartet_von],
        )
