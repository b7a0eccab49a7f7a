"""``/arbeitsplatz/``: the Übersicht, the first page after login."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from fastapi import Request
from fastapi.responses import Response
from sqlmodel import col

from sozialforum.arbeitsplatz import uebersicht
from sozialforum.arbeitsplatz.routen import Bereich, render, scope
from sozialforum.beschluesse.feed import aktuelle_fassung, feed_url
from sozialforum.beschluesse.stand import ampel_fuer
from sozialforum.fristen.datum import today_in_berlin
from sozialforum.fristen.konfiguration import load_meilensteine
from sozialforum.konten.zugriff import Recht, auftrag_filter, darf
from sozialforum.store.models import Auftrag
from sozialforum.vocab import AuftragStatus

bereich = Bereich()
CLOSED = [s.value for s in AuftragStatus if s.is_closed]


@bereich.seite("/", Recht.ANGEMELDET)
def start(request: Request) -> Response:
    with scope(request) as ctx:
        settings = ctx.portal.settings
        bald = settings.fristen.bald_faellig_tage
        if darf(ctx.benutzer, Recht.LESEN):
            daten = uebersicht.build(
                ctx.session, now=ctx.now, meilensteine=load_meilensteine(settings.fristen.meilensteine), bald_tage=bald
            )
            schritte = uebersicht.erste_schritte(ctx.session) if darf(ctx.benutzer, Recht.AENDERN) else []
            fassung = aktuelle_fassung(ctx.session, settings)
            return render(
                ctx,
                "arbeitsplatz/uebersicht.html",
                u=daten,
                akteure=[a.gestartet_von for a in daten.arbeiten],
                antworten=uebersicht.ANTWORTEN,
                eigene=None,
                schritte=[] if all(s.erledigt for s in schritte) else schritte,
                fristen_kalender=feed_url(settings, fassung),
                darf_aendern=darf(ctx.benutzer, Recht.AENDERN),
            )
        # Fachamt and Kommune: their own open Aufträge that are due soon or late.
        heute = today_in_berlin(ctx.now)
        eigene = []
        if darf(ctx.benutzer, Recht.AUFTRAEGE):
            rows = ctx.session.scalars(
                sa.select(Auftrag)
                .where(
                    auftrag_filter(ctx.benutzer),
                    col(Auftrag.status).not_in(CLOSED),
                    col(Auftrag.frist) <= heute + timedelta(days=bald),
                )
                .order_by(col(Auftrag.frist))
                .limit(50)
            ).all()
            eigene = [(a, ampel_fuer(AuftragStatus(a.status), a.frist, heute, bald)) for a in rows]
        return render(ctx, "arbeitsplatz/uebersicht.html", u=None, antworten=(), eigene=eigene)
