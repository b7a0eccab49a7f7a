"""Maßnahmen in the Planungsbestand: list (search, state, Fachplan; a Fachamt sees its own),
create, change state, term, responsible Stelle and the next review."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa
from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import col

from sozialforum.arbeitsplatz import formular as f
from sozialforum.arbeitsplatz.routen import Bereich, aktion, render, scope
from sozialforum.arbeitsplatz.seiten.planung import stellen
from sozialforum.konten.zugriff import Recht, darf, massnahme_filter, massnahme_sichtbar
from sozialforum.portal.fehler import PortalFehler
from sozialforum.portal.kontexte import StaffContext
from sozialforum.store.models import Fachplan, Massnahme, Organisation
from sozialforum.vocab import MassnahmeArt, MassnahmeStatus

bereich = Bereich()
SEITE = 50
NICHT_GEFUNDEN = PortalFehler(404, "Nicht gefunden", "Diese Maßnahme gibt es nicht (oder nicht für Sie).")


def _fachplaene(ctx: StaffContext) -> list[tuple[int, str]]:
    rows = ctx.session.execute(sa.select(col(Fachplan.id), col(Fachplan.name)).order_by(col(Fachplan.name)))
    return [(int(r[0]), str(r[1])) for r in rows]


@bereich.seite("/massnahmen", Recht.AUFTRAEGE)
def liste(request: Request) -> Response:
    params = request.query_params
    q = params.get("q", "").strip()[:100]
    status = params.get("status", "") if params.get("status", "") in MassnahmeStatus.__members__.values() else ""
    page = max(1, int(params["seite"])) if params.get("seite", "").isdigit() else 1
    with scope(request) as ctx:
        query = (
            sa.select(Massnahme, col(Organisation.name), col(Fachplan.name))
            .outerjoin(Organisation, col(Organisation.id) == col(Massnahme.verantwortlich_organisation_id))
            .outerjoin(Fachplan, col(Fachplan.id) == col(Massnahme.fachplan_id))
            .where(massnahme_filter(ctx.benutzer))
            .order_by(
                col(Massnahme.naechste_pruefung).is_(None), col(Massnahme.naechste_pruefung), col(Massnahme.titel)
            )
        )
        if q:
            like = f"%{q.replace('%', '').replace('_', '')}%"
            query = query.where(sa.or_(col(Massnahme.titel).ilike(like), col(Massnahme.kennung).ilike(like)))
        if status:
            query = query.where(col(Massnahme.status) == status)
        gesamt = ctx.session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery())) or 0
        rows = ctx.session.execute(query.limit(SEITE).offset((page - 1) * SEITE)).all()
        return render(
            ctx,
            "arbeitsplatz/massnahmen.html",
            zeilen=[(m, stelle, plan) for m, stelle, plan in rows],
            q=q,
            status=status,
            stati=list(MassnahmeStatus),
            labels={v.value: v.label for v in MassnahmeStatus},
            seite=page,
            seiten=max(1, -(-gesamt // SEITE)),
            gesamt=gesamt,
            darf_anlegen=darf(ctx.benutzer, Recht.AENDERN),
        )


def _felder(ctx: StaffContext, form: Mapping[str, Any], m: Massnahme) -> None:
    titel = f.text(form, "titel", limit=500)
    if not titel:
        raise f.Ungueltig("titel", "Titel: bitte angeben.")
    try:
        m.status = MassnahmeStatus.parse(str(form.get("status") or "geplant"))
        m.art = MassnahmeArt.parse(str(form.get("art") or "massnahme"))
    except ValueError:
        raise f.Ungueltig("status", "Stand und Art: bitte aus der Liste wählen.") from None
    stelle, plan = f.id_wert(form, "stelle"), f.id_wert(form, "fachplan")
    if stelle is not None and ctx.session.get(Organisation, stelle) is None:
        raise f.Ungueltig("stelle", "Verantwortliche Stelle: bitte aus der Liste wählen.")
    if plan is not None and ctx.session.get(Fachplan, plan) is None:
        raise f.Ungueltig("fachplan", "Fachplan: bitte aus der Liste wählen.")
    von, bis = f.datum(form, "laufzeit_von", "Laufzeit von"), f.datum(form, "laufzeit_bis", "Laufzeit bis")
    if von and bis and bis < von:
        raise f.Ungueltig("laufzeit_bis", "Laufzeit bis: liegt vor dem Beginn.")
    budget = f.text(form, "budget", limit=20).replace(".", "").replace(",", ".")
    try:
        m.budget_eur_jahr = Decimal(budget) if budget else None
    except InvalidOperation:
        raise f.Ungueltig("budget", "Budget je Jahr: bitte eine Zahl in Euro angeben, z. B. 12.500,00.") from None
    m.titel, m.verantwortlich_organisation_id, m.fachplan_id = titel, stelle, plan
    m.handlungsfeld = f.text(form, "handlungsfeld", limit=200) or None
    m.laufzeit_von, m.laufzeit_bis = von, bis
    m.naechste_pruefung = f.datum(form, "naechste_pruefung", "Nächste Prüfung")


def _formular(ctx: StaffContext, template: str, **values: Any) -> Response:
    return render(
        ctx,
        template,
        status_code=400 if values.get("fehler") else 200,
        stati=list(MassnahmeStatus),
        arten=list(MassnahmeArt),
        stellen=stellen(ctx.session),
        fachplaene=_fachplaene(ctx),
        **values,
    )


@bereich.seite("/massnahmen/neu", Recht.AENDERN)
def neu(request: Request) -> Response:
    with scope(request) as ctx:
        return _neu(ctx, {}, {})


def _neu(ctx: StaffContext, werte: Mapping[str, str], fehler: Mapping[str, str]) -> Response:
    return _formular(ctx, "arbeitsplatz/massnahme_neu.html", m=None, werte=werte, fehler=fehler)


@bereich.aktion("/massnahmen/neu", Recht.AENDERN)
async def anlegen(request: Request) -> Response:
    def arbeit(ctx: StaffContext, form: Mapping[str, Any]) -> Response:
        kennung = f.text(form, "kennung", limit=60)
        if not kennung:
            raise f.Ungueltig("kennung", "Kennung: bitte angeben, z. B. M-2026-07.")
        if ctx.session.scalar(sa.select(col(Massnahme.id)).where(col(Massnahme.kennung) == kennung)) is not None:
            raise f.Ungueltig("kennung", f"Kennung: „{kennung}“ ist schon vergeben.")
        m = Massnahme(kennung=kennung, titel="")
        _felder(ctx, form, m)
        ctx.session.add(m)
        ctx.session.flush()
        return RedirectResponse(f"/arbeitsplatz/massnahmen/{m.id}?meldung=angelegt", status_code=303)

    return await aktion(request, arbeit, formular=_neu)


@bereich.seite("/massnahmen/{massnahme_id}", Recht.AUFTRAEGE)
def massnahme(request: Request, massnahme_id: int) -> Response:
    with scope(request) as ctx:
        m = ctx.session.get(Massnahme, massnahme_id)
        if m is None or not massnahme_sichtbar(ctx.benutzer, m):
            raise NICHT_GEFUNDEN
        return _formular(
            ctx,
            "arbeitsplatz/massnahme.html",
            m=m,
            status_label=MassnahmeStatus(m.status).label,
            darf_aendern=darf(ctx.benutzer, Recht.AENDERN),
        )


@bereich.aktion("/massnahmen/{massnahme_id}", Recht.AENDERN)
async def aendern(request: Request, massnahme_id: int) -> Response:
    def arbeit(ctx: StaffContext, form: Mapping[str, Any]) -> Response:
        m = ctx.session.get(Massnahme, massnahme_id)
        if m is None:
            raise NICHT_GEFUNDEN
        _felder(ctx, form, m)
        ctx.session.add(m)
        return RedirectResponse(f"/arbeitsplatz/massnahmen/{massnahme_id}?meldung=gespeichert", status_code=303)

    return await aktion(request, arbeit)
