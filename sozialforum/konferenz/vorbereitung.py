"""The invitation pack of a Sitzung: the agenda, what the area brings to the table, the last
minutes, and who is invited.

The agenda (Göttingen seed: a conference needs an agenda, the area's current profile, the open
tasks and measures of that area and the last minutes) is built from the standing items of the
configuration, the Träger's topic proposals, the open Aufträge and the running Maßnahmen of the
Sozialraum (the Gremium's area and every area below it). Rebuilding it is idempotent; items the
Geschäftsstelle added by hand and accepted proposals stay. Once invitations are out the agenda
is no longer rebuilt (the minutes refer to its items).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session, col, select

from sozialforum.konferenz import anbindung
from sozialforum.konferenz.empfaenger import Empfaenger, Uebersprungen, recipients
from sozialforum.settings import Settings
from sozialforum.store.models import (
    Auftrag,
    Gebiet,
    Gremium,
    Massnahme,
    Organisation,
    Person,
    Sitzung,
    Tagesordnungspunkt,
    TopDokument,
)
from sozialforum.timeutil import format_datum_kurz
from sozialforum.vocab import AuftragStatus, MassnahmeStatus, SitzungStatus, TopQuelle

GENERATED = (TopQuelle.STANDARD, TopQuelle.AUFTRAG, TopQuelle.MASSNAHME)
CLOSED_AUFTRAG = [s.value for s in AuftragStatus if s.is_closed]

__all__ = ["Einladungspaket", "Empfaenger", "Uebersprungen", "load_pack", "prepare"]


@dataclass
class Einladungspaket:
    sitzung: Sitzung
    gremium: Gremium
    gebiet: Gebiet | None
    tops: list[Tagesordnungspunkt]
    auftraege: list[Auftrag]
    massnahmen: list[Massnahme]
    profil: anbindung.Verweis | None
    vorige_sitzung: Sitzung | None
    protokoll: anbindung.Verweis | None
    empfaenger: list[Empfaenger] = field(default_factory=list)
    uebersprungen: list[Uebersprungen] = field(default_factory=list)
    dokumente: list[TopDokument] = field(default_factory=list)  # documents of the agenda items


def area_ids(session: Session, gebiet_id: int | None) -> list[int]:
    """The area and every area below it (Sozialraum → Gemeinden/Ortsteile)."""
    if gebiet_id is None:
        return []
    found, frontier = [gebiet_id], [gebiet_id]
    while frontier:
        children = session.exec(select(col(Gebiet.id)).where(col(Gebiet.parent_id).in_(frontier)))
        frontier = [i for i in children if i is not None and i not in found]
        found.extend(frontier)
    return found


def open_auftraege(session: Session, gremium: Gremium) -> list[Auftrag]:
    """Open Aufträge from this Gremium's meetings or about a Maßnahme in its area."""
    areas = area_ids(session, gremium.gebiet_id)
    own_meetings = select(Sitzung.id).where(Sitzung.gremium_id == gremium.id)
    area_measures = select(col(Massnahme.id)).where(col(Massnahme.gebiet_id).in_(areas))
    query = (
        select(Auftrag)
        .where(
            col(Auftrag.status).not_in(CLOSED_AUFTRAG),
            sa.or_(col(Auftrag.sitzung_id).in_(own_meetings), col(Auftrag.massnahme_id).in_(area_measures)),
        )
        .order_by(sa.func.coalesce(col(Auftrag.frist), date.max), col(Auftrag.id))
    )
    return list(session.exec(query))


def running_massnahmen(session: Session, gremium: Gremium) -> list[Massnahme]:
    areas = area_ids(session, gremium.gebiet_id)
    if not areas:
        return []
    return list(
        session.exec(
            select(Massnahme)
            .where(
                col(Massnahme.gebiet_id).in_(areas),
                Massnahme.status != MassnahmeStatus.BEENDET,
            )
            .order_by(col(Massnahme.kennung))
        )
    )


def previous_sitzung(session: Session, sitzung: Sitzung) -> Sitzung | None:
    return session.exec(
        select(Sitzung)
        .where(
            Sitzung.gremium_id == sitzung.gremium_id,
            Sitzung.beginn < sitzung.beginn,
            Sitzung.status != SitzungStatus.ABGESAGT,
        )
        .order_by(col(Sitzung.beginn).desc())
    ).first()


def _org_name(session: Session, organisation_id: int | None) -> str | None:
    if organisation_id is None:
        return None
    organisation = session.get(Organisation, organisation_id)
    return organisation.name if organisation else None


def _auftrag_line(session: Session, auftrag: Auftrag) -> str:
    parts = [auftrag.beschreibung.strip()]
    who = _org_name(session, auftrag.verantwortlich_organisation_id)
    if auftrag.verantwortlich_person_id and not who:
        person = session.get(Person, auftrag.verantwortlich_person_id)
        who = person.anzeigename if person and not person.geloescht_am else None
    details = [f"verantwortlich: {who}"] if who else []
    if auftrag.frist:
        details.append(f"Frist: {format_datum_kurz(auftrag.frist)}")
    details.append(f"Stand: {AuftragStatus(auftrag.status).label}")
    return f"– {parts[0]} ({'; '.join(details)})"


def _massnahme_line(massnahme: Massnahme) -> str:
    return f"– {massnahme.titel} ({MassnahmeStatus(massnahme.status).label})"


def _middle_items(session: Session, pack: Einladungspaket) -> list[tuple[str, str | None, TopQuelle]]:
    """The generated items between the opening and the closing standing items."""
    items: list[tuple[str, str | None, TopQuelle]] = []
    if pack.profil is not None:
        area = f" {pack.gebiet.name}" if pack.gebiet else ""
        items.append((f"Sozialraumprofil{area}: aktuelle Daten", pack.profil.titel, TopQuelle.STANDARD))
    if pack.auftraege:
        text = "\n".join(_auftrag_line(session, a) for a in pack.auftraege)
        items.append(("Sachstand der offenen Aufträge", text, TopQuelle.AUFTRAG))
    if pack.massnahmen:
        text = "\n".join(_massnahme_line(m) for m in pack.massnahmen)
        items.append(("Maßnahmen im Sozialraum", text, TopQuelle.MASSNAHME))
    return items


def _rebuild_agenda(session: Session, pack: Einladungspaket, settings: Settings) -> None:
    sitzung_id = pack.sitzung.id
    assert sitzung_id is not None
    current = list(
        session.exec(
            select(Tagesordnungspunkt)
            .where(Tagesordnungspunkt.sitzung_id == sitzung_id)
            .order_by(col(Tagesordnungspunkt.reihenfolge))
        )
    )
    kept = [top for top in current if top.quelle not in GENERATED]
    for top in current:
        if top.quelle in GENERATED:
            session.delete(top)
    # Move kept items out of the way of the unique (sitzung, reihenfolge) before renumbering.
    for index, top in enumerate(kept):
        top.reihenfolge = -1 - index
        session.add(top)
    session.flush()

    def new(title: str, text: str | None, quelle: TopQuelle) -> Tagesordnungspunkt:
        return Tagesordnungspunkt(
            sitzung_id=sitzung_id, reihenfolge=0, nummer="", titel=title, beschreibung=text, quelle=quelle
        )

    ordered = [new(title, None, TopQuelle.STANDARD) for title in settings.konferenz.tops_beginn]
    ordered += kept
    proposals = anbindung.open_proposals(session, sitzung_id=sitzung_id)
    proposal_tops = [new(p.titel, p.text, TopQuelle.VORSCHLAG) for p in proposals]
    ordered += proposal_tops
    ordered += [new(*item) for item in _middle_items(session, pack)]
    ordered += [new(title, None, TopQuelle.STANDARD) for title in settings.konferenz.tops_ende]
    for position, top in enumerate(ordered, start=1):
        top.reihenfolge, top.nummer = position, str(position)
        session.add(top)
    session.flush()
    anbindung.mark_proposals_taken(session, list(zip(proposals, proposal_tops, strict=True)))


def load_pack(
    session: Session, sitzung_id: int, settings: Settings, *, with_recipients: bool = True
) -> Einladungspaket:
    sitzung = session.get(Sitzung, sitzung_id)
    if sitzung is None:
        raise LookupError(f"Sitzung {sitzung_id} gibt es nicht.")
    gremium = session.get(Gremium, sitzung.gremium_id)
    assert gremium is not None
    gebiet = session.get(Gebiet, gremium.gebiet_id) if gremium.gebiet_id else None
    previous = previous_sitzung(session, sitzung)
    pack = Einladungspaket(
        sitzung=sitzung,
        gremium=gremium,
        gebiet=gebiet,
        tops=list(
            session.exec(
                select(Tagesordnungspunkt)
                .where(Tagesordnungspunkt.sitzung_id == sitzung.id)
                .order_by(col(Tagesordnungspunkt.reihenfolge))
            )
        ),
        auftraege=open_auftraege(session, gremium),
        massnahmen=running_massnahmen(session, gremium),
        profil=anbindung.sozialraumprofil(session, gebiet=gebiet, settings=settings),
        vorige_sitzung=previous,
        protokoll=anbindung.protokoll(session, sitzung=previous, settings=settings) if previous else None,
    )
    top_ids = [top.id for top in pack.tops]
    if top_ids:
        pack.dokumente = list(
            session.exec(select(TopDokument).where(col(TopDokument.top_id).in_(top_ids)).order_by(col(TopDokument.id)))
        )
    if with_recipients:
        pack.empfaenger, pack.uebersprungen = recipients(session, sitzung)
    return pack


def prepare(session: Session, sitzung_id: int, settings: Settings) -> Einladungspaket:
    """Assemble the invitation pack; (re)build the agenda while nobody is invited yet."""
    pack = load_pack(session, sitzung_id, settings)
    if pack.sitzung.status == SitzungStatus.GEPLANT:
        _rebuild_agenda(session, pack, settings)
        pack.tops = list(
            session.exec(
                select(Tagesordnungspunkt)
                .where(Tagesordnungspunkt.sitzung_id == sitzung_id)
                .order_by(col(Tagesordnungspunkt.reihenfolge))
            )
        )
    return pack
