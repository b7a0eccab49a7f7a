"""Who took part in a Sitzung, who keeps its minutes, and the attendance list.

Participants are the members of the Gremium on the day of the Sitzung plus anyone who answered
its invitation (guests, substitutes); they receive the draft for comment and the final minutes.
The attendance list comes from the RSVPs and, where there was one, the check-in at the meeting.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlmodel import col

from sozialforum.konferenz.empfaenger import members_on
from sozialforum.store.models import Mitgliedschaft, Organisation, Person, Rueckmeldung, Sitzung
from sozialforum.timeutil import berlin
from sozialforum.vocab import Antwort, MitgliedRolle


def _members(session: Session, sitzung: Sitzung) -> list[Mitgliedschaft]:
    return [m for m, _ in members_on(session, sitzung.gremium_id, berlin(sitzung.beginn).date())]  # type: ignore[arg-type]  # a sqlmodel Session (db.session_scope)


def _mit_rolle(session: Session, sitzung: Sitzung, rolle: MitgliedRolle) -> Person | None:
    for membership in sorted(_members(session, sitzung), key=lambda m: m.von, reverse=True):
        if membership.rolle == rolle:
            person = session.get(Person, membership.person_id)
            if person is not None and person.geloescht_am is None:
                return person
    return None


def protokollfuehrung(session: Session, sitzung: Sitzung) -> Person | None:
    """The designated minute-taker: Mitgliedschaft rolle=protokollfuehrung on the day."""
    return _mit_rolle(session, sitzung, MitgliedRolle.PROTOKOLLFUEHRUNG)


def sitzungsleitung(session: Session, sitzung: Sitzung) -> Person | None:
    """Who chairs the Sitzung: the Gremium's Vorsitz on the day."""
    return _mit_rolle(session, sitzung, MitgliedRolle.VORSITZ)


def teilnehmende(session: Session, sitzung: Sitzung) -> list[Person]:
    """Members on the day and everyone who answered the invitation, sorted by name."""
    ids = {m.person_id for m in _members(session, sitzung)}
    answered = sa.select(col(Rueckmeldung.person_id)).where(col(Rueckmeldung.sitzung_id) == sitzung.id)
    ids.update(session.scalars(answered))
    if not ids:
        return []
    people = session.scalars(sa.select(Person).where(col(Person.id).in_(ids)))
    return sorted(
        (p for p in people if p.geloescht_am is None),
        key=lambda p: (p.nachname.lower(), (p.vorname or "").lower(), p.id or 0),
    )


@dataclass(frozen=True)
class Anwesenheit:
    name: str
    organisation: str
    rolle: str
    status: str  # German, e.g. "anwesend", "entschuldigt"


def _status(rsvp: Rueckmeldung | None) -> str:
    if rsvp is None:
        return "keine Rückmeldung"
    if rsvp.anwesend is True:
        return "anwesend"
    if rsvp.anwesend is False:
        return "nicht anwesend" if rsvp.antwort != Antwort.ABSAGE else "entschuldigt"
    return {
        Antwort.ZUSAGE: "zugesagt (ohne Anwesenheitserfassung)",
        Antwort.ABSAGE: "entschuldigt",
        Antwort.DELEGIERT: "vertreten",
        Antwort.VIELLEICHT: "unter Vorbehalt zugesagt",
    }.get(Antwort(rsvp.antwort), "keine Rückmeldung")


def anwesenheitsliste(session: Session, sitzung: Sitzung) -> list[Anwesenheit]:
    """One line per participant: present people first, then the rest, each by name."""
    rsvps = {
        r.person_id: r
        for r in session.scalars(sa.select(Rueckmeldung).where(col(Rueckmeldung.sitzung_id) == sitzung.id))
    }
    roles = {m.person_id: m for m in _members(session, sitzung)}
    lines = []
    for person in teilnehmende(session, sitzung):
        membership = roles.get(person.id or 0)
        org_id = (membership.organisation_id if membership else None) or person.organisation_id
        organisation = session.get(Organisation, org_id) if org_id else None
        rolle = MitgliedRolle(membership.rolle).label if membership else "Gast"
        lines.append(
            Anwesenheit(
                name=person.anzeigename,
                organisation=organisation.name if organisation else "",
                rolle=rolle,
                status=_status(rsvps.get(person.id or 0)),
            )
        )
    return sorted(lines, key=lambda line: line.status != "anwesend")


def verantwortliche_auswahl(session: Session, sitzung: Sitzung) -> list[tuple[str, str]]:
    """Choices for an Auftrag's owner in the form: participants, then their organisations."""
    # Only people who may be contacted (consent or another legal basis, not opted out): the
    # owner's name is shown to every participant and reminders go to them.
    people = [p for p in teilnehmende(session, sitzung) if p.contactable]
    choices = [(f"person:{p.id}", p.anzeigename) for p in people]
    org_ids = {m.organisation_id for m in _members(session, sitzung) if m.organisation_id}
    org_ids.update(p.organisation_id for p in people if p.organisation_id)
    if org_ids:
        orgs = session.scalars(sa.select(Organisation).where(col(Organisation.id).in_(org_ids)))
        choices += [(f"organisation:{o.id}", o.name) for o in sorted(orgs, key=lambda o: o.name)]
    return choices


def verantwortlich_name(session: Session, person_id: int | None, organisation_id: int | None) -> str:
    if person_id:
        person = session.get(Person, person_id)
        if person is not None:
            return person.anzeigename
    if organisation_id:
        organisation = session.get(Organisation, organisation_id)
        if organisation is not None:
            return organisation.name
    return "–"
