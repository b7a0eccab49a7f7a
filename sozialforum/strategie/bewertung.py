"""The evaluation round (Lörrach: "Bewertung der Projekte/Maßnahmen" of the Sozialstrategie
2012–2018, a verdict per project).

A round asks the responsible person of each project that had resources in its period for a
report (figures, text, attainment of its Ziele) through a personal link, reminds once before the
deadline, and collects. The Geschäftsstelle or a Steuerungsgruppe then records a verdict per
project with reasoning; a verdict that leaves work (Prüfauftrag, Weiterentwicklung) becomes a
tracked Auftrag with a deadline, which the daily deadline flow reminds like any other. Requests
and reminders are outbox messages under keys per round and person, so a rerun sends nothing
twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from sozialforum import outbox
from sozialforum.channels.mail import OutgoingMail
from sozialforum.channels.rendering import render_text
from sozialforum.links import issue_link
from sozialforum.problems import Problem, ProblemReport
from sozialforum.settings import Settings
from sozialforum.store.models import (
    Auftrag,
    Bewertungsrunde,
    Massnahme,
    Person,
    Projektbericht,
    Projektbewertung,
    ProjektRessource,
)
from sozialforum.timeutil import berlin
from sozialforum.vocab import AuftragQuelle, AuftragStatus, LinkZweck, MassnahmeStatus, NachrichtArt, Urteil

ART = NachrichtArt.PROJEKTBERICHT
# What a verdict means for the project's own status.
_STATUS = {
    Urteil.LAUFENDES_GESCHAEFT: MassnahmeStatus.LAUFENDES_GESCHAEFT,
    Urteil.PRUEFAUFTRAG: MassnahmeStatus.PRUEFAUFTRAG,
    Urteil.WEITERENTWICKLUNG: MassnahmeStatus.WEITERENTWICKLUNG,
    Urteil.FORTSETZEN: MassnahmeStatus.LAUFENDES_GESCHAEFT,
    Urteil.BEENDET: MassnahmeStatus.BEENDET,
    Urteil.ABGESCHLOSSEN: MassnahmeStatus.ABGESCHLOSSEN,
}


@dataclass(frozen=True)
class Rundenstand:
    projekte: int
    ohne_ansprechperson: int
    eingegangen: int
    bewertet: int

    @property
    def offen(self) -> int:
        return self.projekte - self.ohne_ansprechperson - self.eingegangen


def ansprechperson(session: Session, organisation_id: int | None) -> Person | None:
    """Whom a project's report is asked of: the first contactable person of its Träger or Amt."""
    if organisation_id is None:
        return None
    for person in session.exec(
        select(Person).where(Person.organisation_id == organisation_id).order_by(col(Person.id))
    ):
        if person.contactable and person.email:
            return person
    return None


def runde_anlegen(
    session: Session,
    *,
    kennung: str,
    titel: str,
    strategie_id: int | None,
    von: int,
    bis: int,
    berichtsfrist: date,
    now: datetime,
) -> tuple[Bewertungsrunde, Rundenstand]:
    """Create the round (or find it by ``kennung``) with one report request per project that had
    planned resources in ``von``–``bis``; idempotent."""
    if bis < von:
        raise ProblemReport([Problem("Bewertungsrunde", None, "Zeitraum", "Das Ende liegt vor dem Beginn.")])
    runde = session.exec(select(Bewertungsrunde).where(Bewertungsrunde.kennung == kennung)).first()
    if runde is None:
        runde = Bewertungsrunde(
            kennung=kennung,
            titel=titel,
            strategie_id=strategie_id,
            zeitraum_von=von,
            zeitraum_bis=bis,
            berichtsfrist=berichtsfrist,
            gestartet_am=now,
        )
        session.add(runde)
        session.flush()
    known = set(session.exec(select(Projektbericht.massnahme_id).where(Projektbericht.runde_id == runde.id)))
    projects = session.exec(
        select(Massnahme)
        .where(
            col(Massnahme.id).in_(
                select(ProjektRessource.massnahme_id).where(col(ProjektRessource.jahr).between(von, bis))
            )
        )
        .order_by(col(Massnahme.id))
    ).all()
    for m in projects:
        if m.id in known:
            continue
        person = ansprechperson(session, m.verantwortlich_organisation_id)
        assert runde.id is not None and m.id is not None  # stored rows
        session.add(Projektbericht(runde_id=runde.id, massnahme_id=m.id, person_id=person.id if person else None))
    session.flush()
    return runde, stand(session, runde)


def stand(session: Session, runde: Bewertungsrunde) -> Rundenstand:
    rows = session.exec(select(Projektbericht).where(Projektbericht.runde_id == runde.id)).all()
    bewertet = session.exec(
        select(sa.func.count()).select_from(Projektbewertung).where(Projektbewertung.runde_id == runde.id)
    ).one()
    return Rundenstand(
        projekte=len(rows),
        ohne_ansprechperson=sum(1 for r in rows if r.person_id is None),
        eingegangen=sum(1 for r in rows if r.eingegangen_am is not None),
        bewertet=int(bewertet),
    )


def _offen_je_person(session: Session, runde: Bewertungsrunde) -> dict[int, list[Massnahme]]:
    rows = session.exec(
        select(Projektbericht, Massnahme)
        .join(Massnahme, col(Massnahme.id) == Projektbericht.massnahme_id)
        .where(Projektbericht.runde_id == runde.id)
        .where(col(Projektbericht.eingegangen_am).is_(None))
        .where(col(Projektbericht.person_id).is_not(None))
        .order_by(col(Massnahme.titel))
    ).all()
    grouped: dict[int, list[Massnahme]] = {}
    for bericht, massnahme in rows:
        assert bericht.person_id is not None  # filtered in the query
        grouped.setdefault(bericht.person_id, []).append(massnahme)
    return grouped


def _mail(
    session: Session,
    runde: Bewertungsrunde,
    person: Person,
    projekte: list[Massnahme],
    *,
    stufe: str,
    now: datetime,
    settings: Settings,
) -> bool:
    schluessel = f"projektbericht:{runde.id}:{person.id}:{stufe}"
    if outbox.existing_keys(session, [schluessel]) or not person.email:
        return False
    url = issue_link(
        session,
        person_id=person.id,  # type: ignore[arg-type]  # stored: id set
        zweck=LinkZweck.PROJEKTBERICHT,
        bezug_id=runde.id,  # type: ignore[arg-type]  # stored: id set
        now=now,
        settings=settings,
        gueltig_bis=datetime.combine(runde.berichtsfrist + timedelta(days=30), datetime.min.time(), tzinfo=now.tzinfo),
    )
    text = render_text(
        f"mail/strategie/projektbericht_{stufe}.txt",
        person=person,
        runde=runde,
        projekte=projekte,
        url=url,
        settings=settings,
    )
    was = "Erinnerung: " if stufe == "erinnerung" else ""
    mail = OutgoingMail(
        to=person.email,
        to_name=person.anzeigename,
        subject=f"{was}Bericht zu Ihren Projekten – {runde.titel}",
        text=text,
    )
    outbox.enqueue(
        session,
        schluessel=schluessel,
        art=ART,
        mail=mail,
        person_id=person.id,
        bezug={"runde_id": runde.id, "stufe": stufe},
        now=now,
        settings=settings,
    )
    return True


def anfragen(session: Session, runde: Bewertungsrunde, *, now: datetime, settings: Settings) -> int:
    """Ask every responsible person for the reports still open: one mail per person with one
    link to all of their projects. Returns the number of mails queued (0 on a rerun)."""
    sent = 0
    for person_id, projekte in _offen_je_person(session, runde).items():
        person = session.get(Person, person_id)
        if person is not None and person.contactable:
            sent += _mail(session, runde, person, projekte, stufe="anfrage", now=now, settings=settings)
    now_marked = session.exec(
        select(Projektbericht)
        .where(Projektbericht.runde_id == runde.id)
        .where(col(Projektbericht.angefordert_am).is_(None))
    ).all()
    for bericht in now_marked:
        if bericht.person_id is not None:
            bericht.angefordert_am = now
            session.add(bericht)
    session.flush()
    return sent


def erinnern(session: Session, runde: Bewertungsrunde, *, now: datetime, settings: Settings) -> int:
    """Once, ``erinnerung_vor_frist_tage`` before the deadline, remind whoever has not reported."""
    heute = berlin(now).date()
    if heute < runde.berichtsfrist - timedelta(days=settings.strategie.erinnerung_vor_frist_tage):
        return 0
    sent = 0
    for person_id, projekte in _offen_je_person(session, runde).items():
        person = session.get(Person, person_id)
        if (
            person is not None
            and person.contactable
            and _mail(session, runde, person, projekte, stufe="erinnerung", now=now, settings=settings)
        ):
            sent += 1
            for bericht in session.exec(
                select(Projektbericht)
                .where(Projektbericht.runde_id == runde.id)
                .where(Projektbericht.person_id == person_id)
            ):
                bericht.erinnert_am = now
                session.add(bericht)
    session.flush()
    return sent


def bericht_abgeben(
    session: Session,
    *,
    runde: Bewertungsrunde,
    massnahme_id: int,
    person_id: int,
    text: str,
    zahlen: dict[str, Any],
    now: datetime,
) -> Projektbericht:
    """A project's report, from the person it was asked of; a later report replaces it."""
    bericht = session.exec(
        select(Projektbericht)
        .where(Projektbericht.runde_id == runde.id)
        .where(Projektbericht.massnahme_id == massnahme_id)
    ).first()
    if bericht is None or bericht.person_id != person_id:
        raise ProblemReport([Problem("Projektbericht", None, None, "Dieser Bericht ist Ihnen nicht zugeordnet.")])
    bericht.text = text.strip()
    bericht.zahlen = zahlen
    bericht.eingegangen_am = now
    session.add(bericht)
    session.flush()
    return bericht


def bewerten(
    session: Session,
    *,
    runde: Bewertungsrunde,
    massnahme: Massnahme,
    urteil: Urteil,
    begruendung: str,
    von: str,
    now: datetime,
    folge_frist: date | None = None,
) -> Projektbewertung:
    """Record the verdict; a Prüfauftrag or Weiterentwicklung becomes an Auftrag with a deadline
    (``folge_frist``, required then). A second verdict in the same round replaces the first and
    moves its follow-up Auftrag."""
    problems = []
    if not begruendung.strip():
        problems.append(Problem("Bewertung", None, "Begründung", "Bitte die Bewertung begründen."))
    if urteil.folgeauftrag and folge_frist is None:
        problems.append(
            Problem("Bewertung", None, "Frist", f"„{urteil.label}“ braucht eine Frist für den Folgeauftrag.")
        )
    if problems:
        raise ProblemReport(problems)
    assert runde.id is not None and massnahme.id is not None  # stored rows
    row = session.exec(
        select(Projektbewertung)
        .where(Projektbewertung.runde_id == runde.id)
        .where(Projektbewertung.massnahme_id == massnahme.id)
    ).first() or Projektbewertung(
        runde_id=runde.id, massnahme_id=massnahme.id, urteil=urteil, begruendung="", bewertet_von=von, bewertet_am=now
    )
    row.urteil = urteil
    row.begruendung = begruendung.strip()
    row.bewertet_von = von
    row.bewertet_am = now
    kennung = f"bewertung-{runde.kennung}-{massnahme.kennung}"
    auftrag = session.exec(select(Auftrag).where(Auftrag.kennung == kennung)).first()
    if urteil.folgeauftrag:
        person = ansprechperson(session, massnahme.verantwortlich_organisation_id)
        auftrag = auftrag or Auftrag(kennung=kennung, quelle=AuftragQuelle.BEWERTUNG, beschreibung="")
        auftrag.beschreibung = f"{urteil.label}: {massnahme.titel} – {row.begruendung}"[:2000]
        auftrag.massnahme_id = massnahme.id
        auftrag.verantwortlich_organisation_id = massnahme.verantwortlich_organisation_id
        auftrag.verantwortlich_person_id = person.id if person else None
        auftrag.frist = folge_frist
        auftrag.status = AuftragStatus.OFFEN
        session.add(auftrag)
        session.flush()
        row.folgeauftrag_id = auftrag.id
    elif auftrag is not None and not AuftragStatus(auftrag.status).is_closed:
        auftrag.status = AuftragStatus.AUFGEHOBEN  # the verdict changed: no work left
        session.add(auftrag)
        row.folgeauftrag_id = None
    if urteil in _STATUS:
        massnahme.status = _STATUS[urteil]
        session.add(massnahme)
    session.add(row)
    session.flush()
    return row
