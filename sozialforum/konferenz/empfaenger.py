"""Who is invited: the members of the Gremium on the meeting day who may be contacted.

Rules (DSGVO Art. 6/7/21; the issue): a legal basis for contact must be present, an opt-out
wins over it, erased persons are gone; the address must be valid and the name fit for a mail
header (no line breaks, no HTML). One message per address: two contacts sharing
``info@traeger.de`` get one invitation. Everyone left out is reported with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session, col, select

from sozialforum.channels.mail import check_address, check_display_name
from sozialforum.store.models import Mitgliedschaft, Organisation, Person, Sitzung
from sozialforum.timeutil import berlin
from sozialforum.vocab import MitgliedRolle


@dataclass(frozen=True)
class Empfaenger:
    person_id: int
    email: str
    name: str
    anrede: str | None
    organisation: str | None
    rolle: str

    @property
    def key(self) -> str:
        return self.email.strip().lower()


@dataclass(frozen=True)
class Uebersprungen:
    person_id: int | None
    name: str
    grund: str


def members_on(session: Session, gremium_id: int, day: date) -> list[tuple[Mitgliedschaft, Person]]:
    """Memberships of the Gremium valid on ``day`` with their persons."""
    rows = session.exec(
        select(Mitgliedschaft, Person)
        .join(Person)
        .where(
            Mitgliedschaft.gremium_id == gremium_id,
            col(Mitgliedschaft.von) <= day,
            sa.or_(col(Mitgliedschaft.bis).is_(None), col(Mitgliedschaft.bis) >= day),
        )
        .order_by(col(Person.nachname), col(Person.vorname), col(Person.id))
    ).all()
    return list(rows)


def contact_problem(person: Person) -> str | None:
    """Why this person must not (or cannot) get mail; None if they can."""
    if person.geloescht_am is not None:
        return "Daten nach Art. 17 DSGVO gelöscht"
    if person.rechtsgrundlage is None:
        return "keine Einwilligung oder andere Rechtsgrundlage für die Kontaktaufnahme"
    if person.abgemeldet_am is not None:
        return "hat sich abgemeldet (Widerspruch)"
    if not person.email:
        return "keine E-Mail-Adresse"
    return check_address(person.email) or check_display_name(person.anzeigename)


def recipient_of(session: Session, person: Person, rolle: str = MitgliedRolle.MITGLIED.value) -> Empfaenger:
    organisation = session.get(Organisation, person.organisation_id) if person.organisation_id else None
    assert person.id is not None and person.email
    return Empfaenger(
        person_id=person.id,
        email=person.email.strip(),
        name=person.anzeigename,
        anrede=person.anrede,
        organisation=organisation.name if organisation else None,
        rolle=rolle,
    )


def recipients(session: Session, sitzung: Sitzung) -> tuple[list[Empfaenger], list[Uebersprungen]]:
    """The recipient list of a Sitzung, from the memberships valid on its (local) date."""
    day = berlin(sitzung.beginn).date()
    chosen: dict[str, Empfaenger] = {}
    seen_people: set[int] = set()
    skipped: list[Uebersprungen] = []
    for membership, person in members_on(session, sitzung.gremium_id, day):
        assert person.id is not None
        if person.id in seen_people:
            continue  # two memberships (e.g. a change of role on that day): one invitation
        seen_people.add(person.id)
        name = person.anzeigename if person.geloescht_am is None else f"Person {person.id}"
        problem = contact_problem(person)
        if problem:
            skipped.append(Uebersprungen(person.id, name, problem))
            continue
        recipient = recipient_of(session, person, membership.rolle)
        if recipient.key in chosen:
            first = chosen[recipient.key]
            skipped.append(
                Uebersprungen(person.id, name, f"gleiche Adresse wie {first.name}: eine Nachricht pro Adresse")
            )
            continue
        chosen[recipient.key] = recipient
    return list(chosen.values()), skipped
