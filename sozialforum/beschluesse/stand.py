"""Where a Beschluss stands: the status of each Auftrag rolled up, progress, and a traffic light.

Roll-up (leadership wants one word per resolution):
- all Aufträge closed: ``aufgehoben`` if all were rescinded, ``gescheitert`` if one failed,
  otherwise ``umgesetzt``;
- otherwise ``verzoegert`` if an open Auftrag is reported delayed or past its deadline,
  ``in_arbeit`` if any work has started or finished, else ``offen``.
Progress is the mean over the Aufträge that were not rescinded (an implemented one counts 100).

Traffic light: done (all closed) · overdue (an open Auftrag past its deadline) · due soon
(within ``fristen.bald_faellig_tage``, or reported delayed) · on track.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlmodel import col

from sozialforum.fristen.datum import days_until
from sozialforum.fristen.quellen import Frist
from sozialforum.store.models import Auftrag, Beschluss, Gremium, Organisation, Person
from sozialforum.vocab import Ampel, AuftragStatus

_ORDER = [Ampel.UEBERFAELLIG, Ampel.BALD_FAELLIG, Ampel.IM_PLAN, Ampel.ERLEDIGT]


def worst(lights: Sequence[Ampel]) -> Ampel:
    return min(lights, key=_ORDER.index) if lights else Ampel.IM_PLAN


def ampel_fuer(status: AuftragStatus, frist: date | None, today: date, bald: int) -> Ampel:
    if status.is_closed:
        return Ampel.ERLEDIGT
    if frist is not None and frist < today:
        return Ampel.UEBERFAELLIG
    if status is AuftragStatus.VERZOEGERT:
        return Ampel.BALD_FAELLIG
    if frist is not None and days_until(frist, today) <= bald:
        return Ampel.BALD_FAELLIG
    return Ampel.IM_PLAN


def ampel_frist(frist: Frist, today: date, bald: int) -> Ampel:
    if frist.erledigt:
        return Ampel.ERLEDIGT
    remaining = days_until(frist.faellig_am, today)
    if remaining < 0:
        return Ampel.UEBERFAELLIG
    return Ampel.BALD_FAELLIG if remaining <= bald else Ampel.IM_PLAN


@dataclass
class AuftragStand:
    auftrag: Auftrag
    ampel: Ampel
    verantwortlich: str


@dataclass
class BeschlussStand:
    beschluss: Beschluss
    gremium: str | None
    auftraege: list[AuftragStand] = field(default_factory=list)
    status: AuftragStatus = AuftragStatus.OFFEN
    fortschritt: int = 0
    ampel: Ampel = Ampel.IM_PLAN
    geplant_bis: date | None = None  # the latest deadline of its Aufträge
    erledigt_am: date | None = None  # when the last Auftrag was closed (if all are)
    naechste_frist: date | None = None  # the earliest deadline still open


def rollup(states: list[AuftragStatus], overdue: bool) -> AuftragStatus:
    if not states:
        return AuftragStatus.OFFEN
    if all(s.is_closed for s in states):
        if all(s is AuftragStatus.AUFGEHOBEN for s in states):
            return AuftragStatus.AUFGEHOBEN
        if AuftragStatus.GESCHEITERT in states:
            return AuftragStatus.GESCHEITERT
        return AuftragStatus.UMGESETZT
    if overdue or AuftragStatus.VERZOEGERT in states:
        return AuftragStatus.VERZOEGERT
    if any(s in (AuftragStatus.IN_ARBEIT, AuftragStatus.UMGESETZT) for s in states):
        return AuftragStatus.IN_ARBEIT
    return AuftragStatus.OFFEN


def progress(auftraege: list[Auftrag]) -> int:
    counted = [a for a in auftraege if AuftragStatus(a.status) is not AuftragStatus.AUFGEHOBEN]
    if not counted:
        return 100 if auftraege else 0
    values = [100 if AuftragStatus(a.status) is AuftragStatus.UMGESETZT else a.fortschritt_prozent for a in counted]
    return round(sum(values) / len(values))


def _responsible(
    auftrag: Auftrag, people: Mapping[int | None, Person], units: Mapping[int | None, Organisation]
) -> str:
    parts = []
    person = people.get(auftrag.verantwortlich_person_id or -1)
    if person is not None and person.geloescht_am is None:
        parts.append(person.anzeigename)
    unit = units.get(auftrag.verantwortlich_organisation_id or -1)
    if unit is not None:
        parts.append(unit.name)
    return ", ".join(parts) or "–"


def beschluss_staende(
    session: Session, *, today: date, bald: int, beschluss_ids: list[int] | None = None
) -> list[BeschlussStand]:
    """The state of every Beschluss (or of the given ones), newest first."""
    query = sa.select(Beschluss, col(Gremium.name)).outerjoin(Gremium, col(Gremium.id) == col(Beschluss.gremium_id))
    if beschluss_ids is not None:
        query = query.where(col(Beschluss.id).in_(beschluss_ids))
    rows = session.execute(query.order_by(col(Beschluss.datum).desc(), col(Beschluss.kennung))).all()
    ids = [b.id for b, _ in rows]
    by_beschluss: dict[int, list[Auftrag]] = defaultdict(list)
    for auftrag in session.scalars(
        sa.select(Auftrag).where(col(Auftrag.beschluss_id).in_(ids)).order_by(Auftrag.kennung)
    ):
        if auftrag.beschluss_id is not None:  # always, by the query
            by_beschluss[auftrag.beschluss_id].append(auftrag)
    all_tasks = [a for tasks in by_beschluss.values() for a in tasks]
    people = {
        p.id: p
        for p in session.scalars(
            sa.select(Person).where(
                col(Person.id).in_({a.verantwortlich_person_id for a in all_tasks if a.verantwortlich_person_id})
            )
        )
    }
    units = {
        o.id: o
        for o in session.scalars(
            sa.select(Organisation).where(
                col(Organisation.id).in_(
                    {a.verantwortlich_organisation_id for a in all_tasks if a.verantwortlich_organisation_id}
                )
            )
        )
    }
    result = []
    for beschluss, gremium in rows:
        tasks = by_beschluss.get(beschluss.id, [])
        stand = BeschlussStand(beschluss, gremium)
        for auftrag in tasks:
            status = AuftragStatus(auftrag.status)
            stand.auftraege.append(
                AuftragStand(
                    auftrag, ampel_fuer(status, auftrag.frist, today, bald), _responsible(auftrag, people, units)
                )
            )
        lights = [s.ampel for s in stand.auftraege]
        overdue = Ampel.UEBERFAELLIG in lights
        stand.status = rollup([AuftragStatus(a.status) for a in tasks], overdue)
        stand.fortschritt = progress(tasks)
        open_lights = [light for light in lights if light is not Ampel.ERLEDIGT]
        stand.ampel = worst(open_lights) if open_lights else (Ampel.ERLEDIGT if tasks else Ampel.IM_PLAN)
        deadlines = [a.frist for a in tasks if a.frist is not None]
        stand.geplant_bis = max(deadlines, default=None)
        open_deadlines = [a.frist for a in tasks if a.frist is not None and not AuftragStatus(a.status).is_closed]
        stand.naechste_frist = min(open_deadlines, default=None)
        if tasks and all(AuftragStatus(a.status).is_closed for a in tasks):
            stand.erledigt_am = max((a.erledigt_am for a in tasks if a.erledigt_am), default=None)
        result.append(stand)
    return result
