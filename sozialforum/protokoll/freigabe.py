"""The Geschäftsstelle's decision on a draft: approve, or return it with remarks.

One decision per version (a unique key in the store): a second approval of the same draft,
from whichever channel, finds the first and changes nothing. Waiting for the decision never
approves anything: when it takes long, the Geschäftsstelle is reminded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sozialforum.protokoll import mails
from sozialforum.protokoll.anfordern import entwurf_link
from sozialforum.protokoll.entwurf import kommentare
from sozialforum.protokoll.lage import (
    ProtokollFehler,
    decision_for,
    get_protokoll,
    get_sitzung,
    gremium_of,
    version,
)
from sozialforum.protokoll.teilnehmende import teilnehmende
from sozialforum.settings import Settings
from sozialforum.store import audit
from sozialforum.store.db import savepoint
from sozialforum.store.models import Person, ProtokollFreigabe
from sozialforum.timeutil import berlin, format_termin
from sozialforum.vocab import AuditAktion, ProtokollEntscheidung, ProtokollStatus


@dataclass(frozen=True)
class Entscheidung:
    entscheidung: str
    version: int
    neu: bool  # False: this version had been decided before; nothing changed
    meldung: str


def _previous(decision: ProtokollFreigabe, nummer: int) -> Entscheidung:
    label = ProtokollEntscheidung(decision.entscheidung).label
    return Entscheidung(
        entscheidung=decision.entscheidung,
        version=nummer,
        neu=False,
        meldung=f"Version {nummer} wurde bereits am {format_termin(decision.entschieden_am)} {label} "
        f"({decision.entschieden_von}); es wurde nichts geändert.",
    )


def decide(
    session: Session,
    *,
    protokoll_id: int,
    version_nummer: int | None,
    entscheidung: ProtokollEntscheidung,
    anmerkungen: str,
    entschieden_von: str,
    quelle: str,
    now: datetime,
    settings: Settings,
) -> Entscheidung:
    """Record the decision on a version; a returned draft goes back to the Protokollführung."""
    protokoll = get_protokoll(session, protokoll_id)
    nummer = version_nummer or protokoll.aktuelle_version
    current = version(session, protokoll, nummer)
    if current is None or current.id is None:
        raise ProtokollFehler("Es liegt noch kein Entwurf vor, über den entschieden werden könnte.")
    version_id = current.id
    earlier = decision_for(session, version_id)
    if earlier is not None:
        return _previous(earlier, nummer)
    if nummer != protokoll.aktuelle_version or protokoll.status != ProtokollStatus.EINGEREICHT:
        raise ProtokollFehler(
            f"Version {nummer} ist nicht mehr aktuell (aktuell: Version "
            f"{protokoll.aktuelle_version}, {ProtokollStatus(protokoll.status).label})."
        )
    remarks = anmerkungen.strip()
    if entscheidung == ProtokollEntscheidung.ZURUECKGEBEN and not remarks:
        raise ProtokollFehler("Für eine Rückgabe sind Anmerkungen nötig: was soll überarbeitet werden?")
    record = ProtokollFreigabe(
        protokoll_id=protokoll_id,
        version_id=current.id,
        entscheidung=entscheidung,
        anmerkungen=remarks,
        entschieden_von=entschieden_von[:200] or "Geschäftsstelle",
        quelle=quelle[:60],
        entschieden_am=now,
    )
    try:
        with savepoint(session):
            session.add(record)
            session.flush()
    except IntegrityError:  # decided at the same moment elsewhere: that decision stands
        # PostgreSQL: the savepoint undid only this insert. SQLite has none (``db.savepoint``): the
        # failed flush ended the transaction, and since nothing was written in it before this
        # insert, a rollback loses nothing and lets us read the decision that won.
        if record in session:
            session.expunge(record)
        if not session.is_active:
            session.rollback()
        earlier = decision_for(session, version_id)
        assert earlier is not None
        return _previous(earlier, nummer)
    audit.record_bulk(
        session,
        table="protokoll_freigabe",
        entries=[
            (
                record.id or 0,
                AuditAktion.CREATE,
                {
                    "protokoll_id": protokoll_id,
                    "version": nummer,
                    "entscheidung": entscheidung.value,
                    "quelle": record.quelle,
                },
            )
        ],
    )
    protokoll.freigabe_lauf_id = None
    if entscheidung == ProtokollEntscheidung.FREIGEBEN:
        protokoll.status = ProtokollStatus.FREIGEGEBEN
        protokoll.freigegeben_am = now
        session.add(protokoll)
        return Entscheidung(entscheidung.value, nummer, True, f"Version {nummer} ist freigegeben.")
    protokoll.status = ProtokollStatus.ZURUECKGEGEBEN
    protokoll.entwurf_frist = berlin(now).date() + timedelta(days=settings.protokoll.entwurf_frist_tage)
    protokoll.erinnert_am = None
    protokoll.eskaliert_am = None
    session.add(protokoll)
    _send_back(session, protokoll_id=protokoll_id, nummer=nummer, remarks=remarks, now=now, settings=settings)
    return Entscheidung(
        entscheidung.value, nummer, True, f"Version {nummer} ist an die Protokollführung zurückgegeben."
    )


def _send_back(
    session: Session, *, protokoll_id: int, nummer: int, remarks: str, now: datetime, settings: Settings
) -> None:
    protokoll = get_protokoll(session, protokoll_id)
    sitzung = get_sitzung(session, protokoll.sitzung_id)
    gremium = gremium_of(session, sitzung)
    person = session.get(Person, protokoll.protokollfuehrung_person_id or 0)
    current = version(session, protokoll, nummer)
    assert current is not None
    names = {p.id: p.anzeigename for p in teilnehmende(session, sitzung)}
    comments = [
        (names.get(c.person_id, "Teilnehmende Person"), c.text) for c in kommentare(session, protokoll, current.id)
    ]
    bezug = {"protokoll_id": protokoll_id, "sitzung_id": sitzung.id, "version": nummer}
    context = {
        "gremium": gremium,
        "sitzung": sitzung,
        "protokoll": protokoll,
        "settings": settings,
        "nummer": nummer,
        "anmerkungen": remarks,
        "kommentare": comments,
    }
    schluessel = f"protokoll:{protokoll_id}:v{nummer}:rueckgabe"
    if person is None or mails.already_queued(session, schluessel):
        return
    if not person.contactable:
        mails.an_geschaeftsstelle(
            session,
            schluessel=schluessel,
            subject=mails.betreff(gremium, sitzung, "Rückgabe nicht zustellbar"),
            body=mails.text("protokollfuehrung_nicht_erreichbar", person=person, **context),
            bezug=bezug,
            now=now,
            settings=settings,
        )
        return
    link = entwurf_link(session, protokoll, person, now=now, settings=settings)
    mails.an_person(
        session,
        schluessel=schluessel,
        person=person,
        subject=mails.betreff(gremium, sitzung, f"Version {nummer} zur Überarbeitung zurück"),
        body=mails.text("rueckgabe", person=person, link=link, **context),
        bezug=bezug,
        now=now,
        settings=settings,
    )


def mark_waiting(session: Session, *, protokoll_id: int, lauf_id: str | None) -> None:
    """Remember which flow run waits for the decision (the CLI resumes that run)."""
    protokoll = get_protokoll(session, protokoll_id)
    protokoll.freigabe_lauf_id = lauf_id
    session.add(protokoll)


def remind_decision(session: Session, *, protokoll_id: int, now: datetime, settings: Settings) -> bool:
    """Remind the Geschäftsstelle that a draft waits for its decision. False: nothing waits."""
    protokoll = get_protokoll(session, protokoll_id)
    current = version(session, protokoll)
    if protokoll.status != ProtokollStatus.EINGEREICHT or current is None or current.id is None:
        return False
    if decision_for(session, current.id) is not None:
        return False
    sitzung = get_sitzung(session, protokoll.sitzung_id)
    gremium = gremium_of(session, sitzung)
    protokoll.freigabe_erinnerungen += 1
    session.add(protokoll)
    mails.an_geschaeftsstelle(
        session,
        schluessel=f"protokoll:{protokoll_id}:v{current.nummer}:freigabe-erinnerung={protokoll.freigabe_erinnerungen}",
        subject=mails.betreff(gremium, sitzung, f"Version {current.nummer} wartet auf Freigabe"),
        body=mails.text(
            "freigabe_erinnerung",
            gremium=gremium,
            sitzung=sitzung,
            protokoll=protokoll,
            version=current,
            settings=settings,
            kommentare=len(kommentare(session, protokoll, current.id)),
        ),
        bezug={"protokoll_id": protokoll_id, "version": current.nummer},
        now=now,
        settings=settings,
    )
    return True
