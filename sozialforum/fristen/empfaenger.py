"""Who hears about a deadline: the responsible person, else their unit, else the Geschäftsstelle.

A person who may not be contacted (no legal basis, opted out, erased) is never mailed; the
reminder then goes to the unit's address or to the Geschäftsstelle, which is responsible for
following up anyway.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlmodel import col

from sozialforum.fristen.quellen import Frist
from sozialforum.parsing import is_valid_email
from sozialforum.settings import Settings
from sozialforum.store.models import Organisation, Person


@dataclass(frozen=True)
class Empfaenger:
    schluessel: str  # "person:7" or "adresse:amt@…": one recipient, for digest keys
    adresse: str
    name: str | None
    person_id: int | None


class EmpfaengerVerzeichnis:
    """Resolves recipients with two queries for a whole batch instead of one per deadline."""

    def __init__(self, session: Session, fristen: list[Frist], settings: Settings) -> None:
        person_ids = {f.person_id for f in fristen if f.person_id is not None}
        org_ids = {f.organisation_id for f in fristen if f.organisation_id is not None}
        self.personen: dict[int | None, Person] = {}
        self.organisationen: dict[int | None, Organisation] = {}
        if person_ids:
            self.personen = {
                p.id: p for p in session.scalars(sa.select(Person).where(col(Person.id).in_(sorted(person_ids))))
            }
        if org_ids:
            query = sa.select(Organisation).where(col(Organisation.id).in_(sorted(org_ids)))
            self.organisationen = {o.id: o for o in session.scalars(query)}
        stelle = settings.geschaeftsstelle
        self.geschaeftsstelle = Empfaenger(f"adresse:{stelle.email}", str(stelle.email), stelle.name, None)
        self.leitung = [Empfaenger(f"adresse:{a}", str(a), None, None) for a in stelle.leitung] or [
            self.geschaeftsstelle
        ]

    def fuer(self, frist: Frist) -> Empfaenger:
        person = self.personen.get(frist.person_id) if frist.person_id is not None else None
        if person is not None and person.contactable and is_valid_email(person.email):
            return Empfaenger(f"person:{person.id}", str(person.email), person.anzeigename, person.id)
        org = self.organisationen.get(frist.organisation_id) if frist.organisation_id is not None else None
        if org is not None and org.email and is_valid_email(org.email):
            return Empfaenger(f"adresse:{org.email.lower()}", org.email, org.name, None)
        return self.geschaeftsstelle

    def zustaendig(self, frist: Frist) -> str:
        """Who is responsible, as text for the leadership (names, not addresses)."""
        person = self.personen.get(frist.person_id) if frist.person_id is not None else None
        org = self.organisationen.get(frist.organisation_id) if frist.organisation_id is not None else None
        parts = []
        if person is not None and person.geloescht_am is None:
            parts.append(person.anzeigename)
        if org is not None:
            parts.append(org.name)
        return ", ".join(parts) or "nicht benannt (Geschäftsstelle)"
