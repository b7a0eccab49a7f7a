"""Planungsbestand: Aufträge (list, create by hand, deadline with reason, done, Sachstand),
Berichtspflichten, Fachpläne with milestones, Beschlüsse entered by hand."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import sqlalchemy as sa
from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import aliased
from sqlmodel import col

from sozialforum.arbeitsplatz import formular as f
from sozialforum.arbeitsplatz import laeufe
from sozialforum.arbeitsplatz.routen import Bereich, aktion, render, scope
from sozialforum.beschluesse import erfassung
from sozialforum.beschluesse.sachstand import Meldung, melde_sachstand
from sozialforum.beschluesse.stand import ampel_frist, ampel_fuer
from sozialforum.fristen import aenderung
from sozialforum.fristen.datum import today_in_berlin
from sozialforum.fristen.konfiguration import load_meilensteine
from sozialforum.fristen.quellen import Auswahl, collect_fristen
from sozialforum.konten.zugriff import Recht, auftrag_filter, auftrag_sichtbar, darf
from sozialforum.portal.context import PortalFehler, StaffContext
from sozialforum.stammdaten import fachplaene
from sozialforum.store.models import (
    Auftrag,
    Beschluss,
    Fachplan,
    Gremium,
    Organisation,
    Person,
    Umsetzungsbericht,
    Vorlage,
)
from sozialforum.vocab import AuftragQuelle, AuftragStatus, FachplanArt, OrganisationArt

bereich = Bereich()
NICHT_GEFUNDEN = PortalFehler(404, "Nicht gefunden", "Diesen Eintrag gibt es nicht (oder nicht für Sie).")
SEITE = 50
CLOSED = [s.value for s in AuftragStatus if s.is_closed]
SORTIERUNG = {"frist": col(Auftrag.frist), "kennung": col(Auftrag.kennung), "status": col(Auftrag.status)}
AEMTER = (OrganisationArt.AMT, OrganisationArt.OEFFENTLICHER_TRAEGER)


def _weiter(pfad: str, meldung: str) -> Response:
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


# --- Aufträge -------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuftragFilter:
    q: str = ""
    status: str = ""
    faellig: str = ""  # "", "ueberfaellig", "bald", "offen"
    stelle: int | None = None
    sort: str = "frist"
    absteigend: bool = False
    seite: int = 1

    @classmethod
    def aus(cls, params: Mapping[str, str]) -> AuftragFilter:
        sort = params.get("sort", "frist")
        page = params.get("seite", "1")
        stelle = params.get("stelle", "")
        return cls(
            q=params.get("q", "").strip()[:100],
            status=params.get("status", "") if params.get("status", "") in AuftragStatus.__members__.values() else "",
            faellig=params.get("faellig", "") if params.get("faellig", "") in ("ueberfaellig", "bald", "offen") else "",
            stelle=int(stelle) if stelle.isdigit() else None,
            sort=sort if sort in SORTIERUNG else "frist",
            absteigend=params.get("richtung") == "ab",
            seite=max(1, int(page)) if page.isdigit() else 1,
        )

    def query(self, **changes: object) -> str:
        values = {**self.__dict__, **changes}
        parts = {
            "q": values["q"],
            "status": values["status"],
            "faellig": values["faellig"],
            "stelle": values["stelle"] or "",
            "sort": values["sort"],
            "richtung": "ab" if values["absteigend"] else "auf",
            "seite": values["seite"],
        }
        return "?" + urlencode({k: v for k, v in parts.items() if v not in ("", None)})


def auftraege_abfrage(ctx: StaffContext, filt: AuftragFilter, *, heute: Any, bald: int) -> sa.Select[Any]:
    """The filtered Aufträge the user may see, as one SELECT (the list page and the benchmark)."""
    org, person = aliased(Organisation), aliased(Person)
    query = (
        sa.select(Auftrag, col(org.name), col(person.vorname), col(person.nachname))
        .outerjoin(org, col(org.id) == col(Auftrag.verantwortlich_organisation_id))
        .outerjoin(person, col(person.id) == col(Auftrag.verantwortlich_person_id))
        .where(auftrag_filter(ctx.benutzer))
    )
    if filt.q:
        like = f"%{filt.q.replace('%', '').replace('_', '')}%"
        query = query.where(sa.or_(col(Auftrag.beschreibung).ilike(like), col(Auftrag.kennung).ilike(like)))
    if filt.status:
        query = query.where(col(Auftrag.status) == filt.status)
    if filt.stelle:
        query = query.where(col(Auftrag.verantwortlich_organisation_id) == filt.stelle)
    if filt.faellig:
        query = query.where(col(Auftrag.status).not_in(CLOSED))
        if filt.faellig == "ueberfaellig":
            query = query.where(Auftrag.frist < heute)
        elif filt.faellig == "bald":
            query = query.where(Auftrag.frist >= heute, Auftrag.frist <= heute + timedelta(days=bald))
    return query


@bereich.seite("/auftraege", Recht.AUFTRAEGE)
def auftraege(request: Request) -> Response:
    filt = AuftragFilter.aus(request.query_params)
    with scope(request) as ctx:
        heute = today_in_berlin(ctx.now)
        bald = ctx.portal.settings.fristen.bald_faellig_tage
        query = auftraege_abfrage(ctx, filt, heute=heute, bald=bald)
        gesamt = ctx.session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
        column = SORTIERUNG[filt.sort]
        order = [column.desc() if filt.absteigend else column.asc(), col(Auftrag.id)]
        rows = ctx.session.execute(query.order_by(*order).limit(SEITE).offset((filt.seite - 1) * SEITE)).all()
        zeilen = [
            (
                a,
                " ".join(p for p in (vorname, nachname) if p) or None,
                amt,
                ampel_fuer(AuftragStatus(a.status), a.frist, heute, bald),
            )
            for a, amt, vorname, nachname in rows
        ]
        return render(
            ctx,
            "arbeitsplatz/auftraege.html",
            zeilen=zeilen,
            gesamt=gesamt,
            filt=filt,
            seiten=max(1, (gesamt + SEITE - 1) // SEITE),
            stati=list(AuftragStatus),
            status_labels={s.value: s.label for s in AuftragStatus},
            stellen=stellen(ctx.session),
            darf_anlegen=ctx_darf(ctx, Recht.AENDERN),
        )


def ctx_darf(ctx: StaffContext, recht: Recht) -> bool:
    return darf(ctx.benutzer, recht)


@bereich.seite("/auftraege/neu", Recht.AENDERN)
def auftrag_formular(request: Request) -> Response:
    with scope(request) as ctx:
        return render(
            ctx,
            "arbeitsplatz/auftrag_neu.html",
            stellen=stellen(ctx.session),
            quellen=[AuftragQuelle.BESCHLUSS, AuftragQuelle.PROTOKOLL, AuftragQuelle.BERICHTSPFLICHT],
        )


@bereich.aktion("/auftraege/neu", Recht.AENDERN)
async def auftrag_anlegen(request: Request) -> Response:
    def arbeit(ctx: StaffContext, form: Mapping[str, Any]) -> Response:
        quelle = AuftragQuelle.parse(f.text(form, "quelle") or "beschluss")
        eingabe = erfassung.AuftragEingabe(
            beschreibung=f.text(form, "beschreibung"),
            frist=f.datum(form, "frist", "Frist"),
            frist_wortlaut=f.text(form, "frist_wortlaut", limit=200) or None,
            verantwortlich_organisation_id=f.id_wert(form, "stelle"),
            verantwortlich_person_id=f.person_nach_kennung(ctx.session, form, "person", "Verantwortliche Person"),
        )
        if eingabe.frist is None and not eingabe.frist_wortlaut:
            raise ValueError("Frist: bitte ein Datum oder eine Fristangabe (z. B. „jährlich zum 31.03.“) angeben.")
        auftrag = erfassung.neuer_auftrag(ctx.session, eingabe, today=today_in_berlin(ctx.now), quelle=quelle)
        return _weiter(f"/arbeitsplatz/auftraege/{auftrag.id}", "angelegt")

    return await aktion(request, arbeit)


def _auftrag(ctx: StaffContext, auftrag_id: int) -> Auftrag:
    auftrag = ctx.session.get(Auftrag, auftrag_id)
    # Another Amt's Auftrag answers exactly like a missing one: its existence is not revealed.
    if auftrag is None or not auftrag_sichtbar(ctx.benutzer, auftrag):
        raise NICHT_GEFUNDEN
    return auftrag


@bereich.seite("/auftraege/{auftrag_id}", Recht.AUFTRAEGE)
def auftrag_seite(request: Request, auftrag_id: int) -> Response:
    with scope(request) as ctx:
        auftrag = _auftrag(ctx, auftrag_id)
        heute = today_in_berlin(ctx.now)
        bald = ctx.portal.settings.fristen.bald_faellig_tage
        org = (
            ctx.session.get(Organisation, auftrag.verantwortlich_organisation_id)
            if auftrag.verantwortlich_organisation_id
            else None
        )
        person = ctx.session.get(Person, auftrag.verantwortlich_person_id) if auftrag.verantwortlich_person_id else None
        beschluss = ctx.session.get(Beschluss, auftrag.beschluss_id) if auftrag.beschluss_id else None
        berichte = ctx.session.scalars(
            sa.select(Umsetzungsbericht)
            .where(col(Umsetzungsbericht.auftrag_id) == auftrag.id)
            .order_by(col(Umsetzungsbericht.datum).desc())
        ).all()
        return render(
            ctx,
            "arbeitsplatz/auftrag.html",
            a=auftrag,
            status_label=AuftragStatus(auftrag.status).label,
            quelle_label=AuftragQuelle(auftrag.quelle).label,
            ampel=ampel_fuer(AuftragStatus(auftrag.status), auftrag.frist, heute, bald),
            org=org,
            person=person,
            beschluss=beschluss,
            berichte=berichte,
            verlauf=aenderung.verlauf(ctx.session, f"auftrag:{auftrag.id}"),
            stati=list(AuftragStatus),
            darf_aendern=ctx_darf(ctx, Recht.AENDERN),
            darf_sachstand=ctx_darf(ctx, Recht.SACHSTAND),
        )


@bereich.aktion("/auftraege/{auftrag_id}/frist", Recht.AENDERN)
async def auftrag_frist(request: Request, auftrag_id: int) -> Response:
    def arbeit(ctx: StaffContext, form: Mapping[str, Any]) -> Response:
        auftrag = _auftrag(ctx, auftrag_id)
        neu = f.datum(form, "frist", "Neue Frist", pflicht=True)
        assert neu is not None
        aenderung.auftrag_frist_aendern(
            ctx.session,
            auftrag,
            neu=neu,
            grund=f.text(form, "grund"),
            akteur=f"benutzer:{ctx.benutzer.name}",
            now=ctx.now,
        )
        return _weiter(f"/arbeitsplatz/auftraege/{auftrag_id}", "frist")

    return await aktion(request, arbeit)


@bereich.aktion("/auftraege/{auftrag_id}/erledigt", Recht.AENDERN)
async def auftrag_erledigt(request: Request, auftrag_id: int) -> Response:
    def arbeit(ctx: StaffContext, form: Mapping[str, Any]) -> Response:
        auftrag = _auftrag(ctx, auftrag_id)
        melde_sachstand(ctx.session, auftrag, Meldung(status=AuftragStatus.UMGESETZT), today=today_in_berlin(ctx.now))
        return _weiter(f"/arbeitsplatz/auftraege/{auftrag_id}", "erledigt")

    return await aktion(request, arbeit)


@bereich.aktion("/auftraege/{auftrag_id}/sachstand", Recht.SACHSTAND)
async def auftrag_sachstand(request: Request, auftrag_id: int) -> Response:
    """The responsible Fachamt (or the Geschäftsstelle) reports status, progress and a text."""

    def arbeit(ctx: StaffContext, form: Mapping[str, Any]) -> Response:
        auftrag = _auftrag(ctx, auftrag_id)
        raw_status = f.text(form, "status")
        try:
            status = AuftragStatus.parse(raw_status) if raw_status else None
        except ValueError:
            raise ValueError("Status: bitte einen der angebotenen Werte wählen.") from None
        fortschritt = f.zahl(form, "fortschritt", "Fortschritt in Prozent")
        if fortschritt is not None and fortschritt > 100:
            raise ValueError("Fortschritt in Prozent: höchstens 100.")
        text = f.text(form, "sachstand", limit=5000)
        if status is None and fortschritt is None and not text:
            # An empty report is no report: say so instead of confirming what was not saved.
            raise ValueError(
                "Sachstand: bitte Status, Fortschritt oder einen Text angeben; es wurde nichts gespeichert."
            )
        melde_sachstand(
            ctx.session,
            auftrag,
            Meldung(status=status, fortschritt_prozent=fortschritt, sachstand=text),
            today=today_in_berlin(ctx.now),
        )
        return _weiter(f"/arbeitsplatz/auftraege/{auftrag_id}", "sachstand")

    return await aktion(request, arbeit)


# --- Fachpläne ------------------------------------------------------------------------------


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
        "kennung": f.text(form, "kennung", limit=60),
        "name": f.text(form, "name", limit=300),
        "art": f.text(form, "art", limit=40) or "sonstiger",
        "beschlossen_am": f.datum(form, "beschlossen_am", "Beschlossen am"),
        "turnus_monate": f.zahl(form, "turnus_monate", "Fortschreibungsturnus (Monate)"),
        "zustaendig_organisation_id": f.id_wert(form, "stelle"),
    }


@bereich.seite("/fachplaene/neu", Recht.AENDERN)
def fachplan_formular(request: Request) -> Response:
    with scope(request) as ctx:
        return render(
            ctx, "arbeitsplatz/fachplan_neu.html", plan=None, arten=list(FachplanArt), stellen=stellen(ctx.session)
        )


@bereich.aktion("/fachplaene/neu", Recht.AENDERN)
async def fachplan_anlegen(request: Request) -> Response:
    def arbeit(ctx: StaffContext, form: Mapping[str, Any]) -> Response:
        plan = fachplaene.speichern(ctx.session, plan=None, **_fachplan_werte(ctx, form))
        return _weiter(f"/arbeitsplatz/fachplaene/{plan.id}", "angelegt")

    return await aktion(request, arbeit)


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
        fristen = collect_fristen(
            ctx.session,
            meilensteine=load_meilensteine(settings.fristen.meilensteine),
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
            verlauf=verlauf,
            arten=list(FachplanArt),
            stellen=stellen(ctx.session),
            darf_aendern=ctx_darf(ctx, Recht.AENDERN),
        )


@bereich.aktion("/fachplaene/{plan_id}", Recht.AENDERN)
async def fachplan_aendern(request: Request, plan_id: int) -> Response:
    def arbeit(ctx: StaffContext, form: Mapping[str, Any]) -> Response:
        fachplaene.speichern(ctx.session, plan=_fachplan(ctx, plan_id), **_fachplan_werte(ctx, form))
        return _weiter(f"/arbeitsplatz/fachplaene/{plan_id}", "gespeichert")

    return await aktion(request, arbeit)


@bereich.aktion("/fachplaene/{plan_id}/abschliessen", Recht.AENDERN)
async def fachplan_abschliessen(request: Request, plan_id: int) -> Response:
    def arbeit(ctx: StaffContext, form: Mapping[str, Any]) -> Response:
        plan = _fachplan(ctx, plan_id)
        if plan.abgeschlossen_am is None:
            fachplaene.abschliessen(ctx.session, plan, am=today_in_berlin(ctx.now))
        else:
            fachplaene.wieder_aufnehmen(ctx.session, plan)
        return _weiter(f"/arbeitsplatz/fachplaene/{plan_id}", "gespeichert")

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
        return _weiter(f"/arbeitsplatz/fachplaene/{plan_id}", "erledigt" if erledigt else "frist")

    return await aktion(request, arbeit)


# --- Beschlüsse -----------------------------------------------------------------------------


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


@bereich.seite("/beschluesse/neu", Recht.AENDERN)
def beschluss_formular(request: Request) -> Response:
    with scope(request) as ctx:
        gremien = ctx.session.execute(sa.select(col(Gremium.id), col(Gremium.name)).order_by(col(Gremium.name))).all()
        return render(ctx, "arbeitsplatz/beschluss_neu.html", gremien=gremien, stellen=stellen(ctx.session))


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
            auftraege.append(
                erfassung.AuftragEingabe(
                    beschreibung=beschreibung,
                    frist=f.datum(form, f"frist{i}", f"Frist von Auftrag {i}"),
                    frist_wortlaut=f.text(form, f"wortlaut{i}", limit=200) or None,
                    verantwortlich_organisation_id=f.id_wert(form, f"stelle{i}"),
                )
            )
        beschluss = erfassung.neuer_beschluss(
            ctx.session,
            kennung=f.text(form, "kennung", limit=60),
            titel=f.text(form, "titel", limit=500),
            datum=datum,
            gremium_id=f.id_wert(form, "gremium"),
            text=f.text(form, "text", limit=20000) or None,
            vorlage_kennung=f.text(form, "vorlage", limit=60) or None,
            auftraege=auftraege,
        )
        return _weiter(f"/arbeitsplatz/beschluesse/{beschluss.id}", "angelegt")

    return await aktion(request, arbeit)


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
