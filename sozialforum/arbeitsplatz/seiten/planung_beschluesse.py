"""Planungsbestand, Beschlüsse: the list, one entered by hand with up to three Aufträge, and the
fetch from the council's OParl system (as a flow run)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from fastapi import Request
from fastapi.responses import Response
from sqlmodel import col

from sozialforum.arbeitsplatz import formular as f
from sozialforum.arbeitsplatz import laeufe
from sozialforum.arbeitsplatz.routen import Bereich, aktion, formularseite, render, scope
from sozialforum.arbeitsplatz.seiten.planung import NICHT_GEFUNDEN, ctx_darf, stellen, weiter
from sozialforum.beschluesse import erfassung
from sozialforum.beschluesse.stand import ampel_fuer
from sozialforum.fristen.datum import today_in_berlin
from sozialforum.konten.zugriff import Recht
from sozialforum.portal.kontexte import StaffContext
from sozialforum.store.models import Auftrag, Beschluss, Gremium, Vorlage
from sozialforum.vocab import AuftragStatus

bereich = Bereich()


@bereich.seite("/beschluesse", Recht.LESEN)
def beschluesse_liste(request: Request) -> Response:
    q = request.query_params.get("q", "").strip()[:100]
    with scope(request) as ctx:
        query = sa.select(Beschluss, col(Gremium.name)).outerjoin(Gremium, col(Gremium.id) == col(Beschluss.gremium_id))
        if q:
            query = query.where(sa.or_(col(Beschluss.titel).ilike(f"%{q}%"), col(Beschluss.kennung).ilike(f"%{q}%")))
        rows = ctx.session.execute(query.order_by(col(Beschluss.datum).desc()).limit(200)).all()
        return render(
            ctx,
            "arbeitsplatz/beschluesse.html",
            beschluesse=rows,
            q=q,
            darf_anlegen=ctx_darf(ctx, Recht.AENDERN),
            oparl_url=ctx.portal.settings.fristen.oparl_url,
        )


@bereich.aktion("/beschluesse/oparl", Recht.AENDERN)
async def oparl_abrufen(request: Request) -> Response:
    """Changes from the council's OParl system, as a flow run (a whole system takes minutes)."""

    def arbeit(ctx: StaffContext, form: Mapping[str, Any]) -> Response:
        if not ctx.portal.settings.fristen.oparl_url:
            raise ValueError("Kein Ratsinformationssystem eingerichtet (fristen.oparl_url in der Konfiguration).")
        voll = form.get("voll") == "ja"
        titel = "Ratsinformationssystem vollständig abrufen" if voll else "Ratsinformationssystem abrufen"
        return laeufe.starte(ctx, "oparl", {"voll": voll}, titel=titel)

    return await aktion(request, arbeit)


def _formular(ctx: StaffContext, werte: Mapping[str, str], fehler: Mapping[str, str]) -> Response:
    gremien = ctx.session.execute(sa.select(col(Gremium.id), col(Gremium.name)).order_by(col(Gremium.name))).all()
    return formularseite(
        ctx, "arbeitsplatz/beschluss_neu.html", werte, fehler, gremien=gremien, stellen=stellen(ctx.session)
    )


@bereich.seite("/beschluesse/neu", Recht.AENDERN)
def beschluss_formular(request: Request) -> Response:
    with scope(request) as ctx:
        return _formular(ctx, {}, {})


@bereich.aktion("/beschluesse/neu", Recht.AENDERN)
async def beschluss_anlegen(request: Request) -> Response:
    def arbeit(ctx: StaffContext, form: Mapping[str, Any]) -> Response:
        datum = f.datum(form, "datum", "Datum des Beschlusses", pflicht=True)
        assert datum is not None
        auftraege = []
        for i in range(1, 4):  # up to three Aufträge with the Beschluss; more on its page later
            beschreibung = f.text(form, f"auftrag{i}")
            if not beschreibung:
                continue
            eingabe = erfassung.AuftragEingabe(
                beschreibung=beschreibung,
                frist=f.datum(form, f"frist{i}", f"Frist von Auftrag {i}"),
                frist_wortlaut=f.text(form, f"wortlaut{i}", limit=200) or None,
                verantwortlich_organisation_id=f.id_wert(form, f"stelle{i}"),
            )
            with f.am_feld(f"wortlaut{i}"):  # the Stelle comes from a select: left is the wording
                erfassung.auftrag_pruefen(ctx.session, eingabe, reference=datum)
            auftraege.append(eingabe)
        beschluss = erfassung.neuer_beschluss(
            ctx.session,
            kennung=f.pflichttext(form, "kennung", "Kennung des Beschlusses", limit=60),
            titel=f.pflichttext(form, "titel", "Titel", limit=500),
            datum=datum,
            gremium_id=f.id_wert(form, "gremium"),
            text=f.text(form, "text", limit=20000) or None,
            vorlage_kennung=f.text(form, "vorlage", limit=60) or None,
            auftraege=auftraege,
        )
        return weiter(f"/arbeitsplatz/beschluesse/{beschluss.id}", "angelegt")

    return await aktion(request, arbeit, formular=_formular)


@bereich.seite("/beschluesse/{beschluss_id}", Recht.LESEN)
def beschluss_seite(request: Request, beschluss_id: int) -> Response:
    with scope(request) as ctx:
        beschluss = ctx.session.get(Beschluss, beschluss_id)
        if beschluss is None:
            raise NICHT_GEFUNDEN
        heute = today_in_berlin(ctx.now)
        bald = ctx.portal.settings.fristen.bald_faellig_tage
        auftraege = ctx.session.scalars(
            sa.select(Auftrag)
            .where(col(Auftrag.beschluss_id) == beschluss_id)
            .order_by(col(Auftrag.frist), col(Auftrag.id))
        ).all()
        return render(
            ctx,
            "arbeitsplatz/beschluss.html",
            b=beschluss,
            gremium=ctx.session.get(Gremium, beschluss.gremium_id) if beschluss.gremium_id else None,
            vorlage=ctx.session.get(Vorlage, beschluss.vorlage_id) if beschluss.vorlage_id else None,
            auftraege=[(a, ampel_fuer(AuftragStatus(a.status), a.frist, heute, bald)) for a in auftraege],
        )
