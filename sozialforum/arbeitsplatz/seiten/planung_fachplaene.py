"""Planungsbestand, Fachpläne: list, create and change, close and reopen, and their milestones
(done, or a new deadline with a reason)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from fastapi import Request
from fastapi.responses import Response
from sqlmodel import col

from sozialforum.arbeitsplatz import formular as f
from sozialforum.arbeitsplatz.routen import Bereich, aktion, formularseite, render, scope
from sozialforum.arbeitsplatz.seiten.planung import NICHT_GEFUNDEN, ctx_darf, stellen, weiter
from sozialforum.beschluesse.stand import ampel_frist
from sozialforum.fristen import aenderung
from sozialforum.fristen.datum import today_in_berlin
from sozialforum.fristen.konfiguration import load_meilensteine
from sozialforum.fristen.quellen import Auswahl, collect_fristen
from sozialforum.konten.zugriff import Recht
from sozialforum.portal.kontexte import StaffContext
from sozialforum.stammdaten import fachplaene
from sozialforum.store.models import Fachplan, Organisation
from sozialforum.vocab import FachplanArt

bereich = Bereich()


@bereich.seite("/fachplaene", Recht.LESEN)
def fachplaene_liste(request: Request) -> Response:
    q = request.query_params.get("q", "").strip()[:100]
    with scope(request) as ctx:
        query = sa.select(Fachplan, col(Organisation.name)).outerjoin(
            Organisation, col(Organisation.id) == col(Fachplan.zustaendig_organisation_id)
        )
        if q:
            query = query.where(sa.or_(col(Fachplan.name).ilike(f"%{q}%"), col(Fachplan.kennung).ilike(f"%{q}%")))
        rows = ctx.session.execute(query.order_by(Fachplan.name)).all()
        return render(
            ctx,
            "arbeitsplatz/fachplaene.html",
            plaene=[(p, amt, FachplanArt(p.art).label) for p, amt in rows],
            q=q,
            darf_anlegen=ctx_darf(ctx, Recht.AENDERN),
        )


def _fachplan_werte(ctx: StaffContext, form: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "kennung": f.pflichttext(form, "kennung", "Kennung", limit=60),
        "name": f.pflichttext(form, "name", "Name", limit=300),
        "art": f.text(form, "art", limit=40) or "sonstiger",
        "beschlossen_am": f.datum(form, "beschlossen_am", "Beschlossen am"),
        "turnus_monate": f.zahl(form, "turnus_monate", "Fortschreibungsturnus (Monate)"),
        "zustaendig_organisation_id": f.id_wert(form, "stelle"),
    }


def _formular(ctx: StaffContext, werte: Mapping[str, str], fehler: Mapping[str, str]) -> Response:
    arten = list(FachplanArt)
    return formularseite(
        ctx, "arbeitsplatz/fachplan_neu.html", werte, fehler, plan=None, arten=arten, stellen=stellen(ctx.session)
    )


@bereich.seite("/fachplaene/neu", Recht.AENDERN)
def fachplan_formular(request: Request) -> Response:
    with scope(request) as ctx:
        return _formular(ctx, {}, {})


@bereich.aktion("/fachplaene/neu", Recht.AENDERN)
async def fachplan_anlegen(request: Request) -> Response:
    def arbeit(ctx: StaffContext, form: Mapping[str, Any]) -> Response:
        plan = fachplaene.speichern(ctx.session, plan=None, **_fachplan_werte(ctx, form))
        return weiter(f"/arbeitsplatz/fachplaene/{plan.id}", "angelegt")

    return await aktion(request, arbeit, formular=_formular)


def _fachplan(ctx: StaffContext, plan_id: int) -> Fachplan:
    plan = ctx.session.get(Fachplan, plan_id)
    if plan is None:
        raise NICHT_GEFUNDEN
    return plan


@bereich.seite("/fachplaene/{plan_id}", Recht.LESEN)
def fachplan_seite(request: Request, plan_id: int) -> Response:
    with scope(request) as ctx:
        plan = _fachplan(ctx, plan_id)
        settings = ctx.portal.settings
        heute = today_in_berlin(ctx.now)
        meilensteine = load_meilensteine(settings.fristen.meilensteine)
        fristen = collect_fristen(
            ctx.session,
            meilensteine=meilensteine,
            auswahl=Auswahl(nur_offen=False, fachplan_ids=[plan_id], auftrag_ids=(), massnahme_ids=()),
        )
        bald = settings.fristen.bald_faellig_tage
        verlauf = aenderung.verlauf(ctx.session, f"meilenstein:{plan_id}")
        return render(
            ctx,
            "arbeitsplatz/fachplan.html",
            plan=plan,
            art_label=FachplanArt(plan.art).label,
            stelle=ctx.session.get(Organisation, plan.zustaendig_organisation_id)
            if plan.zustaendig_organisation_id
            else None,
            fristen=[
                (fr, ampel_frist(fr, heute, bald), fr.ref.split(":")[2] if fr.ref.startswith("meilenstein:") else None)
                for fr in fristen
            ],
            # The history names each milestone as the plan's list does (its key is "meilenstein:ID:KEY").
            verlauf=[
                (v, {m.schluessel: m.name for m in meilensteine.fuer(plan.art)}.get(v.frist_ref.rsplit(":", 1)[-1]))
                for v in verlauf
            ],
            akteure=[v.akteur for v in verlauf],
            arten=list(FachplanArt),
            stellen=stellen(ctx.session),
            darf_aendern=ctx_darf(ctx, Recht.AENDERN),
        )


@bereich.aktion("/fachplaene/{plan_id}", Recht.AENDERN)
async def fachplan_aendern(request: Request, plan_id: int) -> Response:
    def arbeit(ctx: StaffContext, form: Mapping[str, Any]) -> Response:
        fachplaene.speichern(ctx.session, plan=_fachplan(ctx, plan_id), **_fachplan_werte(ctx, form))
        return weiter(f"/arbeitsplatz/fachplaene/{plan_id}", "gespeichert")

    return await aktion(request, arbeit)


@bereich.aktion("/fachplaene/{plan_id}/abschliessen", Recht.AENDERN)
async def fachplan_abschliessen(request: Request, plan_id: int) -> Response:
    def arbeit(ctx: StaffContext, form: Mapping[str, Any]) -> Response:
        plan = _fachplan(ctx, plan_id)
        if plan.abgeschlossen_am is None:
            fachplaene.abschliessen(ctx.session, plan, am=today_in_berlin(ctx.now))
        else:
            fachplaene.wieder_aufnehmen(ctx.session, plan)
        return weiter(f"/arbeitsplatz/fachplaene/{plan_id}", "gespeichert")

    return await aktion(request, arbeit)


@bereich.aktion("/fachplaene/{plan_id}/meilenstein", Recht.AENDERN)
async def fachplan_meilenstein(request: Request, plan_id: int) -> Response:
    def arbeit(ctx: StaffContext, form: Mapping[str, Any]) -> Response:
        plan = _fachplan(ctx, plan_id)
        erledigt = f.text(form, "erledigt") == "ja"
        aenderung.meilenstein(
            ctx.session,
            plan,
            f.text(form, "meilenstein", limit=60),
            meilensteine=load_meilensteine(ctx.portal.settings.fristen.meilensteine),
            akteur=f"benutzer:{ctx.benutzer.name}",
            now=ctx.now,
            erledigt_am=today_in_berlin(ctx.now) if erledigt else None,
            faellig_am=None if erledigt else f.datum(form, "faellig_am", "Neue Frist", pflicht=True),
            grund=f.text(form, "grund"),
        )
        return weiter(f"/arbeitsplatz/fachplaene/{plan_id}", "erledigt" if erledigt else "frist")

    return await aktion(request, arbeit)
