"""Every deadline from its source, read fresh each time (nothing is copied, so nothing goes stale).

Sources (DOMAIN.md steps 5 and 6):
- Aufträge (from Beschlüsse, minutes, report duties, Maßnahmen): ``Auftrag.frist``
- the Fortschreibung of a Fachplan: adoption date + turnus, with milestones scheduled back
  from it (config/fristen.toml); a new adoption date starts a new cycle
- reviews of Maßnahmen: ``Massnahme.naechste_pruefung`` (until the Maßnahme has ended)

Row work is one SQL query per source with the filters pushed down, because the reminder scan
runs over every open item each day.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased
from sqlmodel import col

from sozialforum.fristen.datum import shift_days
from sozialforum.fristen.konfiguration import MeilensteinKonfiguration
from sozialforum.store.models import Auftrag, Beschluss, Fachplan, FachplanMeilenstein, Massnahme, Organisation, Sitzung
from sozialforum.store.models.base import table_of
from sozialforum.timeutil import add_months
from sozialforum.vocab import AuftragQuelle, AuftragStatus, FristArt, MassnahmeStatus

CLOSED = tuple(s.value for s in AuftragStatus if s.is_closed)
_ART_BY_QUELLE = {
    AuftragQuelle.BESCHLUSS.value: FristArt.AUFTRAG,
    AuftragQuelle.PROTOKOLL.value: FristArt.PROTOKOLL,
    AuftragQuelle.BERICHTSPFLICHT.value: FristArt.BERICHTSPFLICHT,
    AuftragQuelle.MASSNAHME.value: FristArt.MASSNAHME,
    AuftragQuelle.FOERDERUNG.value: FristArt.FOERDERUNG,
    AuftragQuelle.BEWERTUNG.value: FristArt.BEWERTUNG,
}


@dataclass(frozen=True)
class Frist:
    """One deadline, whatever its source. ``ref`` names it stably (``auftrag:12``,
    ``fortschreibung:3``, ``meilenstein:3:entwurf``, ``massnahme:7``)."""

    ref: str
    art: FristArt
    titel: str
    faellig_am: date
    wortlaut: str | None = None
    erledigt: bool = False
    erledigt_am: date | None = None
    status: str | None = None  # the source's status label (German)
    person_id: int | None = None
    organisation_id: int | None = None
    beschluss_id: int | None = None
    fachplan_id: int | None = None
    gremium_id: int | None = None
    dezernat: str | None = None
    amt: str | None = None
    kontext: str | None = None  # what it belongs to, e.g. "Beschluss B-001/2024: …"


@dataclass(frozen=True)
class Auswahl:
    """Which deadlines to read: open only, due on or before ``bis``, or only these ids."""

    nur_offen: bool = True
    bis: date | None = None
    auftrag_ids: Collection[int] | None = None
    fachplan_ids: Collection[int] | None = None
    massnahme_ids: Collection[int] | None = None

    @staticmethod
    def for_refs(refs: Collection[str]) -> Auswahl:
        ids: dict[str, set[int]] = {"auftrag": set(), "fachplan": set(), "massnahme": set()}
        for ref in refs:
            kind, number = ref.split(":")[:2]
            ids["fachplan" if kind in ("fortschreibung", "meilenstein") else kind].add(int(number))
        return Auswahl(
            nur_offen=False, auftrag_ids=ids["auftrag"], fachplan_ids=ids["fachplan"], massnahme_ids=ids["massnahme"]
        )


def _chunks(ids: Collection[int] | None) -> list[list[int]] | None:
    if ids is None:
        return None
    values = sorted(ids)
    return [values[i : i + 900] for i in range(0, len(values), 900)]


def auftrag_fristen(session: Session, auswahl: Auswahl) -> list[Frist]:
    a = table_of(Auftrag)
    b = table_of(Beschluss)
    o = table_of(Organisation)
    s = table_of(Sitzung)
    query = (
        sa.select(
            a.c.id,
            a.c.kennung,
            a.c.quelle,
            a.c.beschreibung,
            a.c.frist,
            a.c.frist_wortlaut,
            a.c.status,
            a.c.erledigt_am,
            a.c.verantwortlich_person_id,
            a.c.verantwortlich_organisation_id,
            a.c.beschluss_id,
            b.c.kennung.label("b_kennung"),
            b.c.titel.label("b_titel"),
            b.c.dezernat,
            b.c.amt,
            b.c.gremium_id,
            o.c.name.label("o_name"),
            o.c.dezernat.label("o_dezernat"),
            s.c.gremium_id.label("s_gremium_id"),
        )
        .select_from(
            a.outerjoin(b, b.c.id == a.c.beschluss_id)
            .outerjoin(o, o.c.id == a.c.verantwortlich_organisation_id)
            .outerjoin(s, s.c.id == a.c.sitzung_id)
        )
        .where(a.c.frist.is_not(None))
    )
    if auswahl.nur_offen:
        query = query.where(a.c.status.not_in(CLOSED))
    if auswahl.bis is not None:
        query = query.where(a.c.frist <= auswahl.bis)
    chunks = _chunks(auswahl.auftrag_ids)
    rows = (
        [row for chunk in chunks for row in session.execute(query.where(a.c.id.in_(chunk)))]
        if chunks is not None
        else session.execute(query)
    )
    result = []
    for row in rows:
        status = AuftragStatus(row.status)
        kontext = f"Beschluss {row.b_kennung}: {row.b_titel}" if row.b_kennung else f"Auftrag {row.kennung}"
        result.append(
            Frist(
                ref=f"auftrag:{row.id}",
                art=_ART_BY_QUELLE.get(row.quelle, FristArt.AUFTRAG),
                titel=row.beschreibung,
                faellig_am=row.frist,
                wortlaut=row.frist_wortlaut,
                erledigt=status.is_closed,
                erledigt_am=row.erledigt_am,
                status=status.label,
                person_id=row.verantwortlich_person_id,
                organisation_id=row.verantwortlich_organisation_id,
                beschluss_id=row.beschluss_id,
                gremium_id=row.gremium_id or row.s_gremium_id,
                dezernat=row.dezernat or row.o_dezernat,
                amt=row.amt or row.o_name,
                kontext=kontext,
            )
        )
    return result


def fortschreibung_faellig(plan: Fachplan) -> date | None:
    """Due date of the next Fortschreibung: adoption + turnus (None without either)."""
    if plan.beschlossen_am is None or not plan.turnus_monate:
        return None
    return add_months(plan.beschlossen_am, plan.turnus_monate)


def fachplan_fristen(session: Session, auswahl: Auswahl, meilensteine: MeilensteinKonfiguration) -> list[Frist]:
    org = aliased(Organisation)
    query = (
        sa.select(Fachplan, org.name, org.dezernat, Beschluss.gremium_id)  # type: ignore[call-overload]  # the alias's columns type as values
        .outerjoin(org, org.id == Fachplan.zustaendig_organisation_id)
        .outerjoin(Beschluss, Beschluss.id == Fachplan.beschluss_id)
    )
    if auswahl.fachplan_ids is not None:
        query = query.where(col(Fachplan.id).in_(sorted(auswahl.fachplan_ids)))
    plans = session.execute(query).all()
    recorded: dict[tuple[int, date, str], FachplanMeilenstein] = {
        (m.fachplan_id, m.zyklus_faellig, m.meilenstein): m for m in session.scalars(sa.select(FachplanMeilenstein))
    }
    result: list[Frist] = []
    for plan, amt, dezernat, gremium_id in plans:
        due = fortschreibung_faellig(plan)
        if due is None or plan.abgeschlossen_am is not None:
            continue
        common = {
            "organisation_id": plan.zustaendig_organisation_id,
            "fachplan_id": plan.id,
            "beschluss_id": plan.beschluss_id,
            "gremium_id": gremium_id,
            "dezernat": dezernat,
            "amt": amt,
            "kontext": f"Fachplan {plan.name}",
        }
        result.append(
            Frist(
                ref=f"fortschreibung:{plan.id}",
                art=FristArt.FORTSCHREIBUNG,
                titel=f"Fortschreibung {plan.name}",
                faellig_am=due,
                wortlaut=f"alle {plan.turnus_monate} Monate",
                status="offen",
                **common,
            )
        )
        for step in meilensteine.fuer(plan.art):
            mark = recorded.get((plan.id, due, step.schluessel))
            planned = shift_days(add_months(due, -step.monate_vorher), -step.tage_vorher)
            done = mark is not None and mark.erledigt_am is not None
            result.append(
                Frist(
                    ref=f"meilenstein:{plan.id}:{step.schluessel}",
                    art=FristArt.MEILENSTEIN,
                    titel=f"{step.name} ({plan.name})",
                    faellig_am=(mark.faellig_am if mark and mark.faellig_am else planned),
                    wortlaut=f"{step.monate_vorher} Monate vor der Fortschreibung",
                    erledigt=done,
                    erledigt_am=mark.erledigt_am if mark else None,
                    status="erledigt" if done else "offen",
                    **common,
                )
            )
    return [f for f in result if _keep(f, auswahl)]


def massnahme_fristen(session: Session, auswahl: Auswahl) -> list[Frist]:
    org = aliased(Organisation)
    query = (
        sa.select(Massnahme, Fachplan.name, org.name, org.dezernat, Beschluss.gremium_id)  # type: ignore[call-overload]  # the alias's columns type as values
        .outerjoin(Fachplan, Fachplan.id == Massnahme.fachplan_id)
        .outerjoin(org, org.id == Fachplan.zustaendig_organisation_id)
        .outerjoin(Beschluss, Beschluss.id == Fachplan.beschluss_id)
        .where(col(Massnahme.naechste_pruefung).is_not(None))
    )
    if auswahl.nur_offen:
        query = query.where(Massnahme.status != MassnahmeStatus.BEENDET.value)
    if auswahl.bis is not None:
        query = query.where(col(Massnahme.naechste_pruefung) <= auswahl.bis)
    if auswahl.massnahme_ids is not None:
        query = query.where(col(Massnahme.id).in_(sorted(auswahl.massnahme_ids)))
    result = []
    for item, plan_name, amt, dezernat, gremium_id in session.execute(query).all():
        ended = item.status == MassnahmeStatus.BEENDET.value
        result.append(
            Frist(
                ref=f"massnahme:{item.id}",
                art=FristArt.MASSNAHME,
                titel=f"Überprüfung der Maßnahme {item.kennung} „{item.titel}“",
                faellig_am=item.naechste_pruefung,
                erledigt=ended,
                status=MassnahmeStatus(item.status).label,
                organisation_id=item.verantwortlich_organisation_id,
                fachplan_id=item.fachplan_id,
                gremium_id=gremium_id,
                dezernat=dezernat,
                amt=amt,
                kontext=f"Fachplan {plan_name}" if plan_name else None,
            )
        )
    return result


def _keep(frist: Frist, auswahl: Auswahl) -> bool:
    if auswahl.nur_offen and frist.erledigt:
        return False
    return auswahl.bis is None or frist.faellig_am <= auswahl.bis


def collect_fristen(
    session: Session, *, meilensteine: MeilensteinKonfiguration, auswahl: Auswahl | None = None
) -> list[Frist]:
    """All deadlines matching ``auswahl``, sorted by due date."""
    auswahl = auswahl or Auswahl()
    session.flush()  # the Core queries below do not autoflush pending ORM changes
    found: list[Frist] = []
    if auswahl.auftrag_ids is None or auswahl.auftrag_ids:
        found += auftrag_fristen(session, auswahl)
    if auswahl.fachplan_ids is None or auswahl.fachplan_ids:
        found += fachplan_fristen(session, auswahl, meilensteine)
    if auswahl.massnahme_ids is None or auswahl.massnahme_ids:
        found += massnahme_fristen(session, auswahl)
    found.sort(key=lambda f: (f.faellig_am, f.ref))
    return found


def open_deadlines(session: Session, *, meilensteine: MeilensteinKonfiguration, bis: date) -> list[tuple[str, date]]:
    """``(ref, due date)`` of every open deadline due on or before ``bis``: the lean read of the
    daily scan. Aufträge (the many) in one two-column query; plans and reviews (the few) in full."""
    session.flush()
    a = table_of(Auftrag)
    rows = session.execute(
        sa.select(a.c.id, a.c.frist).where(a.c.frist.is_not(None), a.c.frist <= bis, a.c.status.not_in(CLOSED))
    ).all()
    found = [(f"auftrag:{row_id}", due) for row_id, due in rows]
    others = Auswahl(bis=bis, auftrag_ids=())
    found += [(f.ref, f.faellig_am) for f in collect_fristen(session, meilensteine=meilensteine, auswahl=others)]
    return found
