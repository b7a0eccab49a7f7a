"""Aufträge, Beschlüsse and Berichtspflichten entered by hand (when no OParl system delivers
them, or for tasks from a phone call): the same rows the deadline and leadership-report flows
read, so what is entered here is reminded and reported from the next run on."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlmodel import col

from sozialforum.fristen.wortlaut import parse_frist
from sozialforum.store.models import Auftrag, Beschluss, Beschlusspunkt, Gremium, Organisation, Person, Vorlage
from sozialforum.store.models.base import pk
from sozialforum.vocab import AuftragQuelle, VorlageArt


@dataclass(frozen=True)
class AuftragEingabe:
    beschreibung: str
    frist: date | None = None
    frist_wortlaut: str | None = None
    verantwortlich_organisation_id: int | None = None
    verantwortlich_person_id: int | None = None


def _kennung(session: Session, prefix: str) -> str:
    while True:  # random, short, unique: never derived from a count that two planners race on
        kennung = f"{prefix}-{secrets.token_hex(3).upper()}"
        if session.scalar(sa.select(col(Auftrag.id)).where(col(Auftrag.kennung) == kennung)) is None:
            return kennung


def auftrag_pruefen(session: Session, eingabe: AuftragEingabe, *, reference: date) -> tuple[date | None, str | None]:
    """An Auftrag's input checked before anything is written: its due date (read from the
    wording when no date is given) and the wording."""
    if not eingabe.beschreibung.strip():
        raise ValueError("Bitte beschreiben Sie den Auftrag.")
    org, person = eingabe.verantwortlich_organisation_id, eingabe.verantwortlich_person_id
    if org is not None and session.get(Organisation, org) is None:
        raise ValueError("Die verantwortliche Stelle gibt es nicht.")
    if person is not None and session.get(Person, person) is None:
        raise ValueError("Die verantwortliche Person gibt es nicht.")
    frist, wortlaut = eingabe.frist, (eingabe.frist_wortlaut or "").strip() or None
    if frist is None and wortlaut:
        angabe = parse_frist(wortlaut, reference=reference)
        if angabe.faellig is None:
            raise ValueError(f"Die Frist „{wortlaut}“ lässt sich nicht als Datum lesen; bitte ein Datum angeben.")
        frist = angabe.faellig
    return frist, wortlaut


def neuer_auftrag(
    session: Session,
    eingabe: AuftragEingabe,
    *,
    today: date,
    quelle: AuftragQuelle = AuftragQuelle.BESCHLUSS,
    beschluss_id: int | None = None,
    beschlusspunkt_id: int | None = None,
    massnahme_id: int | None = None,
    sitzung_id: int | None = None,
) -> Auftrag:
    """One Auftrag with a responsible person or unit and a due date (or a wording to read one from;
    a recurring wording such as "jährlich zum 31.03." makes it a Berichtspflicht that rolls on)."""
    frist, wortlaut = auftrag_pruefen(session, eingabe, reference=today)
    auftrag = Auftrag(
        kennung=_kennung(session, "BP" if quelle is AuftragQuelle.BERICHTSPFLICHT else "A"),
        quelle=quelle,
        beschluss_id=beschluss_id,
        beschlusspunkt_id=beschlusspunkt_id,
        massnahme_id=massnahme_id,
        sitzung_id=sitzung_id,
        beschreibung=eingabe.beschreibung.strip(),
        verantwortlich_organisation_id=eingabe.verantwortlich_organisation_id,
        verantwortlich_person_id=eingabe.verantwortlich_person_id,
        frist=frist,
        frist_wortlaut=wortlaut,
    )
    session.add(auftrag)
    session.flush()
    return auftrag


def neuer_beschluss(
    session: Session,
    *,
    kennung: str,
    titel: str,
    datum: date,
    gremium_id: int | None,
    text: str | None,
    vorlage_kennung: str | None,
    auftraege: list[AuftragEingabe],
) -> Beschluss:
    """A Beschluss entered by hand (no OParl system): its Vorlage (found or created by its
    Drucksachennummer), the adopted text as one Beschlusspunkt, and its Aufträge."""
    kennung, titel = kennung.strip(), titel.strip()
    if not kennung or not titel:
        raise ValueError("Bitte geben Sie Kennung und Titel des Beschlusses an.")
    if session.scalar(sa.select(col(Beschluss.id)).where(col(Beschluss.kennung) == kennung)) is not None:
        raise ValueError(f"Einen Beschluss mit der Kennung „{kennung}“ gibt es schon.")
    if gremium_id is not None and session.get(Gremium, gremium_id) is None:
        raise ValueError("Das Gremium gibt es nicht.")
    vorlage_id = None
    if vorlage_kennung and vorlage_kennung.strip():
        vorlage = session.scalars(sa.select(Vorlage).where(col(Vorlage.kennung) == vorlage_kennung.strip())).first()
        if vorlage is None:
            vorlage = Vorlage(
                kennung=vorlage_kennung.strip(), art=VorlageArt.VERWALTUNGSVORLAGE, titel=titel, datum=datum
            )
            session.add(vorlage)
            session.flush()
        vorlage_id = vorlage.id
    beschluss = Beschluss(
        kennung=kennung, titel=titel, datum=datum, gremium_id=gremium_id, text=text or None, vorlage_id=vorlage_id
    )
    session.add(beschluss)
    session.flush()
    punkt_id = None
    if text and text.strip():
        punkt = Beschlusspunkt(beschluss_id=pk(beschluss), nummer="1", text=text.strip())
        session.add(punkt)
        session.flush()
        punkt_id = punkt.id
    for eingabe in auftraege:
        neuer_auftrag(session, eingabe, today=datum, beschluss_id=beschluss.id, beschlusspunkt_id=punkt_id)
    return beschluss
