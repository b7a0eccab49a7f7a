"""Planungsbestand, Aufträge: the filtered list, create by hand, change the deadline with a reason,
mark done, and the Sachstand the responsible Fachamt reports."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import sqlalchemy as sa
from fastapi import Request
from fastapi.responses import Response
from sqlalchemy.orm import aliased
from sqlmodel import col

from sozialforum.arbeitsplatz import formular as f
from sozialforum.arbeitsplatz.routen import Bereich, aktion, formularseite, render, scope
from sozialforum.arbeitsplatz.seiten.planung import NICHT_GEFUNDEN, ctx_darf, stellen, weiter
from sozialforum.beschluesse import erfassung
from sozialforum.beschluesse.sachstand import Meldung, melde_sachstand
from sozialforum.beschluesse.stand import ampel_fuer
from sozialforum.fristen import aenderung
from sozialforum.fristen.datum import today_in_berlin
from sozialforum.konten.zugriff import Recht, auftrag_filter, auftrag_sichtbar
from sozialforum.portal.kontexte import StaffContext
from sozialforum.store.models import Auftrag, Beschluss, Organisation, Person, Umsetzungsbericht
from sozialforum.vocab import AuftragQuelle, AuftragStatus

bereich = Bereich()
SEITE = 50
CLOSED = [s.value for s in AuftragStatus if s.is_closed]
SORTIERUNG = {"frist": col(Auftrag.frist), "kennung": col(Auftrag.kennung), "status": col(Auftrag.status)}


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


def _formular(ctx: StaffContext, werte: Mapping[str, str], fehler: Mapping[str, str]) -> Response:
    quellen = [AuftragQuelle.BESCHLUSS, AuftragQuelle.PROTOKOLL, AuftragQuelle.BERICHTSPFLICHT]
    return formularseite(
        ctx, "arbeitsplatz/auftrag_neu.html", werte, fehler, stellen=stellen(ctx.session), quellen=quellen
    )


@bereich.seite("/auftraege/neu", Recht.AENDERN)
def auftrag_formular(request: Request) -> Response:
    with scope(request) as ctx:
        return _formular(ctx, {}, {})


@bereich.aktion("/auftraege/neu", Recht.AENDERN)
async def auftrag_anlegen(request: Request) -> Response:
    def arbeit(ctx: StaffContext, form: Mapping[str, Any]) -> Response:
        quelle = AuftragQuelle.parse(f.text(form, "quelle") or "beschluss")
        eingabe = erfassung.AuftragEingabe(
            beschreibung=f.pflichttext(form, "beschreibung", "Was ist zu tun?", limit=2000),
            frist=f.datum(form, "frist", "Frist"),
            frist_wortlaut=f.text(form, "frist_wortlaut", limit=200) or None,
            verantwortlich_organisation_id=f.id_wert(form, "stelle"),
            verantwortlich_person_id=f.person_nach_kennung(ctx.session, form, "person", "Verantwortliche Person"),
        )
        if eingabe.frist is None and not eingabe.frist_wortlaut:
            raise f.Ungueltig(
                "frist", "Frist: bitte ein Datum oder eine Fristangabe (z. B. „jährlich zum 31.03.“) angeben."
            )
        with f.am_feld("frist_wortlaut"):  # what is left to check is the wording of the Frist
            auftrag = erfassung.neuer_auftrag(ctx.session, eingabe, today=today_in_berlin(ctx.now), quelle=quelle)
        return weiter(f"/arbeitsplatz/auftraege/{auftrag.id}", "angelegt")

    return await aktion(request, arbeit, formular=_formular)


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
        verlauf = aenderung.verlauf(ctx.session, f"auftrag:{auftrag.id}")
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
            verlauf=verlauf,
            akteure=[v.akteur for v in verlauf],
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
        return weiter(f"/arbeitsplatz/auftraege/{auftrag_id}", "frist")

    return await aktion(request, arbeit)


@bereich.aktion("/auftraege/{auftrag_id}/erledigt", Recht.AENDERN)
async def auftrag_erledigt(request: Request, auftrag_id: int) -> Response:
    def arbeit(ctx: StaffContext, form: Mapping[str, Any]) -> Response:
        auftrag = _auftrag(ctx, auftrag_id)
        melde_sachstand(ctx.session, auftrag, Meldung(status=AuftragStatus.UMGESETZT), today=today_in_berlin(ctx.now))
        return weiter(f"/arbeitsplatz/auftraege/{auftrag_id}", "erledigt")

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
        return weiter(f"/arbeitsplatz/auftraege/{auftrag_id}", "sachstand")

    return await aktion(request, arbeit)
