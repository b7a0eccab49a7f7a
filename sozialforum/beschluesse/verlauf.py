"""One resolution's story from the Antrag to the last report (the Leipzig seed as a timeline).

Antrag → Verwaltungsstandpunkt/Neufassung (Vorlagen linked by ``bezug_vorlage_id``) →
Beratungen → Beschluss → Aufträge with their deadlines (wording and date) → status changes
(from the audit trail) → Umsetzungsberichte; open deadlines appear as planned events.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlmodel import col

from sozialforum.stammdaten.akteur import akteur_namen
from sozialforum.store.models import (
    AuditEntry,
    Auftrag,
    Beratung,
    Beschluss,
    Beschlusspunkt,
    Gremium,
    OparlDatei,
    Umsetzungsbericht,
    Vorlage,
)
from sozialforum.store.models.base import pk
from sozialforum.timeutil import berlin, format_datum
from sozialforum.vocab import AuditAktion, AuftragStatus, BeratungErgebnis, BeratungRolle, VorlageArt

_KIND_ORDER = ("Vorlage", "Beratung", "Beschluss", "Auftrag", "Beginn", "Status", "Bericht", "Erledigt", "Frist")


@dataclass(frozen=True)
class Ereignis:
    datum: date
    art: str  # one of _KIND_ORDER
    titel: str  # a line of its own, naming its kind ("Antrag A-1/2024 …", "Auftrag B-1/2024-1 begonnen")
    text: str | None = None
    geplant: bool = False  # a deadline still ahead
    dokumente: tuple[tuple[str, str], ...] = ()  # (name, URL) at the council system (OParl File)


def _documents(session: Session, column: str, row_id: int | None) -> tuple[tuple[str, str], ...]:
    """The OParl File references of a Vorlage, Sitzung or Beschluss, as (name, URL)."""
    if row_id is None:
        return ()
    rows = session.scalars(
        sa.select(OparlDatei)
        .where(getattr(OparlDatei, column) == row_id)
        .order_by(col(OparlDatei.art), col(OparlDatei.id))
    )
    return tuple((f"{ART.get(d.art, d.art.capitalize())}: {d.name}", d.url) for d in rows)


ART = {
    "einladung": "Einladung",
    "niederschrift": "Niederschrift",
    "beschlusstext": "Beschlusstext",
    "vorlage": "Vorlage",
    "anlage": "Anlage",
}


def _vorlagen(session: Session, start_id: int | None) -> list[Vorlage]:
    """The paper of the Beschluss, the papers it answers, and the papers answering those."""
    if start_id is None:
        return []
    found: dict[int, Vorlage] = {}
    current = session.get(Vorlage, start_id)
    while current is not None and current.id not in found:  # upwards: Neufassung → Antrag
        found[pk(current)] = current
        current = session.get(Vorlage, current.bezug_vorlage_id) if current.bezug_vorlage_id else None
    frontier = set(found)
    while frontier:  # downwards: every paper referring to one we have (Verwaltungsstandpunkt)
        children = session.scalars(sa.select(Vorlage).where(col(Vorlage.bezug_vorlage_id).in_(frontier))).all()
        frontier = {pk(v) for v in children if pk(v) not in found}
        found.update({pk(v): v for v in children})
    return sorted(found.values(), key=lambda v: (v.datum, v.id))


def _status_changes(session: Session, auftraege: list[Auftrag]) -> list[Ereignis]:
    if not auftraege:
        return []
    names = {a.id: a.kennung for a in auftraege}
    entries = session.scalars(
        sa.select(AuditEntry)
        .where(
            col(AuditEntry.tabelle) == "auftrag",
            col(AuditEntry.aktion) == AuditAktion.UPDATE.value,
            col(AuditEntry.datensatz_id).in_(list(names)),
        )
        .order_by(col(AuditEntry.zeitpunkt))
    )
    # An audit diff of the status: [old, new].
    changes = [(e, c) for e in entries if isinstance(c := e.aenderungen.get("status"), list | tuple) and len(c) == 2]
    wer = akteur_namen(session, (e.akteur for e, _ in changes))  # who, by name, in one query
    events = []
    for entry, change in changes:
        old, new = (AuftragStatus(value).label if value else "–" for value in change)
        titel = f"Auftrag {names[entry.datensatz_id]}: {old} → {new}"
        events.append(Ereignis(berlin(entry.zeitpunkt).date(), "Status", titel, f"von {wer[entry.akteur]}"))
    return events


def verlauf(session: Session, beschluss_id: int, *, today: date) -> list[Ereignis]:
    """The timeline of one Beschluss, oldest first; raises LookupError if it does not exist."""
    beschluss = session.get(Beschluss, beschluss_id)
    if beschluss is None:
        raise LookupError(f"Beschluss {beschluss_id} nicht gefunden")
    gremien = {g.id: g.name for g in session.scalars(sa.select(Gremium))}
    events: list[Ereignis] = []
    papers = _vorlagen(session, beschluss.vorlage_id)
    for paper in papers:
        label = VorlageArt(paper.art).label
        by = f" ({paper.einreicher})" if paper.einreicher else ""
        # Council systems often start a paper's title with its kind ("Antrag: …"); said once.
        titel = re.sub(rf"^{re.escape(label)}\s*:\s*", "", paper.titel, flags=re.IGNORECASE)
        events.append(
            Ereignis(
                paper.datum,
                "Vorlage",
                f"{label} {paper.kennung}{by}: {titel}",
                dokumente=_documents(session, "vorlage_id", paper.id),
            )
        )
    if papers:
        steps = session.scalars(
            sa.select(Beratung)
            .where(col(Beratung.vorlage_id).in_([p.id for p in papers]))
            .order_by(col(Beratung.reihenfolge))
        )
        for step in steps:
            if step.datum is None:
                continue
            where = gremien.get(step.gremium_id, "Gremium unbekannt")
            events.append(
                Ereignis(
                    step.datum,
                    "Beratung",
                    f"{BeratungRolle(step.rolle).label} im {where}",
                    BeratungErgebnis(step.ergebnis).label,
                    dokumente=_documents(session, "sitzung_id", step.sitzung_id),
                )
            )
    gremium = gremien.get(beschluss.gremium_id) if beschluss.gremium_id else None
    points = session.scalars(
        sa.select(Beschlusspunkt)
        .where(col(Beschlusspunkt.beschluss_id) == beschluss_id)
        .order_by(col(Beschlusspunkt.id))
    ).all()
    wording = "; ".join(f"{p.nummer}. {p.text}" for p in points)
    detail = " – ".join(part for part in (beschluss.fassung, wording) if part) or None
    events.append(
        Ereignis(
            beschluss.datum,
            "Beschluss",
            f"Beschluss {beschluss.kennung}{f' ({gremium})' if gremium else ''}: {beschluss.titel}",
            detail,
            dokumente=_documents(session, "beschluss_id", beschluss.id),
        )
    )
    tasks = list(
        session.scalars(
            sa.select(Auftrag).where(col(Auftrag.beschluss_id) == beschluss_id).order_by(col(Auftrag.kennung))
        )
    )
    for task in tasks:
        deadline = "ohne Frist"
        if task.frist is not None:
            deadline = f"Frist {format_datum(task.frist, weekday=False)}"
            if task.frist_wortlaut:
                deadline = f"„{task.frist_wortlaut}“ ({format_datum(task.frist, weekday=False)})"
        elif task.frist_wortlaut:
            deadline = f"„{task.frist_wortlaut}“ (noch ohne Datum)"
        events.append(Ereignis(beschluss.datum, "Auftrag", f"Auftrag {task.kennung}: {task.beschreibung}", deadline))
        if task.begonnen_am:
            events.append(Ereignis(task.begonnen_am, "Beginn", f"Auftrag {task.kennung} begonnen"))
        if task.erledigt_am:
            events.append(
                Ereignis(task.erledigt_am, "Erledigt", f"Auftrag {task.kennung} {AuftragStatus(task.status).label}")
            )
        elif task.frist is not None and not AuftragStatus(task.status).is_closed:
            overdue = task.frist < today
            events.append(
                Ereignis(
                    task.frist,
                    "Frist",
                    f"Frist für Auftrag {task.kennung}" + (" überschritten" if overdue else ""),
                    geplant=not overdue,
                )
            )
    events.extend(_status_changes(session, tasks))
    names = {t.id: t.kennung for t in tasks}
    for report in session.scalars(
        sa.select(Umsetzungsbericht)
        .where(col(Umsetzungsbericht.beschluss_id) == beschluss_id)
        .order_by(col(Umsetzungsbericht.datum))
    ):
        about = f" zu Auftrag {names[report.auftrag_id]}" if report.auftrag_id in names else ""
        events.append(
            Ereignis(report.datum, "Bericht", f"Bericht{about}: {AuftragStatus(report.status).label}", report.text)
        )
    events.sort(key=lambda e: (e.datum, _KIND_ORDER.index(e.art)))
    return events
