"""Formulare: what the Träger answered to a form request (the newest version each), the
downloads and the personal links, which can be withdrawn or sent anew."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response
from sqlmodel import select

from sozialforum.arbeitsplatz.routen import Bereich, render, scope
from sozialforum.konten.zugriff import Recht
from sozialforum.portal import auswertung
from sozialforum.portal.fehler import PortalFehler
from sozialforum.store.models import FormularAnfrage
from sozialforum.store.models.base import pk
from sozialforum.vocab import LinkZweck

bereich = Bereich()


@bereich.seite("/formulare", Recht.LESEN)
def liste(request: Request) -> Response:
    with scope(request) as ctx:
        return render(
            ctx, "arbeitsplatz/formulare.html", formulare=auswertung.forms_overview(ctx.session, ctx.portal.formulare)
        )


@bereich.seite("/formulare/{kennung}", Recht.LESEN)
def formular(request: Request, kennung: str) -> Response:
    with scope(request) as ctx:
        found = ctx.portal.formulare.get(kennung)
        if found is None:
            raise PortalFehler(404, "Nicht gefunden", "Dieses Formular gibt es nicht.")
        anfragen = ctx.session.exec(select(FormularAnfrage).where(FormularAnfrage.formular == kennung)).all()
        return render(
            ctx,
            "arbeitsplatz/formular.html",
            formular=found,
            tabelle=auswertung.form_table(ctx.session, found),
            links=auswertung.links(
                ctx.session, zwecke=(LinkZweck.FORMULAR,), bezug_ids=[pk(a) for a in anfragen], now=ctx.now
            ),
            zurueck=request.url.path,
        )
