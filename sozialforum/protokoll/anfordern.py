"""Ask the Protokollführung for the draft, remind them, and tell the Geschäftsstelle when late."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlmodel import col

from sozialforum.links import issue_link
from sozialforum.protokoll import mails
from sozialforum.protokoll.lage import (
    ProtokollFehler,
    get_protokoll,
    get_sitzung,
    gremium_of,
    is_held,
    protokoll_for_sitzung,
)
from sozialforum.protokoll.teilnehmende import protokollfuehrung
from sozialforum.settings import Settings
from sozialforum.store.db import savepoint
from sozialforum.store.models import Person, Protokoll, Sitzung, Tagesordnungspunkt
from sozialforum.timeutil import berlin, format_termin
from sozialforum.vocab import LinkZweck, ProtokollStatus

WAITING_FOR_DRAFT = (ProtokollStatus.ANGEFORDERT, ProtokollStatus.ZURUECKGEGEBEN)


def tagesordnung(session: Session, sitzung: Sitzung) -> list[Tagesordnungspunkt]:
    return list(
        session.scalars(
            sa.select(Tagesordnungspunkt)
            .where(col(Tagesordnungspunkt.sitzung_id) == sitzung.id)
            .order_by(col(Tagesordnungspunkt.reihenfolge))
        )
    )


def _create(session: Session, sitzung: Sitzung, *, now: datetime, settings: Settings) -> Protokoll:
    today = berlin(now).date()
    protokoll = Protokoll(
        sitzung_id=sitzung.id,  # type: ignore[arg-type]  # stored: id set
        status=ProtokollStatus.ANGEFORDERT,
        angefordert_am=now,
        entwurf_frist=today + timedelta(days=settings.protokoll.entwurf_frist_tage),
    )
    try:
        with savepoint(session):
            session.add(protokoll)
            session.flush()
    except IntegrityError:  # a concurrent run created it first
        existing = protokoll_for_sitzung(session, sitzung.id or 0)
        assert existing is not None
        return existing
    return protokoll


def entwurf_link(session: Session, protokoll: Protokoll, person: Person, *, now: datetime, settings: Settings) -> str:
    assert protokoll.id is not None and person.id is not None
    return issue_link(
        session,
        person_id=person.id,
        zweck=LinkZweck.PROTOKOLL_ENTWURF,
        bezug_id=protokoll.id,
        now=now,
        settings=settings,
    )


def request_draft(session: Session, *, sitzung_id: int, now: datetime, settings: Settings) -> Protokoll:
    """Create the Protokoll of a held Sitzung and ask its Protokollführung for the draft, once."""
    sitzung = get_sitzung(session, sitzung_id)
    gremium = gremium_of(session, sitzung)
    if not is_held(sitzung, now):
        raise ProtokollFehler(
            f"Die Sitzung „{sitzung.titel}“ ({format_termin(sitzung.beginn)}) hat noch nicht "
            "stattgefunden oder wurde abgesagt; das Protokoll wird erst danach angefordert."
        )
    protokoll = protokoll_for_sitzung(session, sitzung_id) or _create(session, sitzung, now=now, settings=settings)
    assert protokoll.id is not None
    bezug = {"protokoll_id": protokoll.id, "sitzung_id": sitzung_id}
    person = protokollfuehrung(session, sitzung)
    context = {"gremium": gremium, "sitzung": sitzung, "protokoll": protokoll, "settings": settings}
    if person is None:
        mails.an_geschaeftsstelle(
            session,
            schluessel=f"protokoll:{protokoll.id}:ohne-protokollfuehrung",
            subject=mails.betreff(gremium, sitzung, "keine Protokollführung benannt"),
            body=mails.text("ohne_protokollfuehrung", **context),
            bezug=bezug,
            now=now,
            settings=settings,
        )
        return protokoll
    if protokoll.protokollfuehrung_person_id != person.id and protokoll.aktuelle_version == 0:
        protokoll.protokollfuehrung_person_id = person.id
        session.add(protokoll)
    if protokoll.status != ProtokollStatus.ANGEFORDERT or protokoll.aktuelle_version > 0:
        return protokoll
    schluessel = f"protokoll:{protokoll.id}:anforderung:person={person.id}"
    if mails.already_queued(session, schluessel):
        return protokoll
    if not person.contactable:
        mails.an_geschaeftsstelle(
            session,
            schluessel=f"protokoll:{protokoll.id}:protokollfuehrung-nicht-erreichbar",
            subject=mails.betreff(gremium, sitzung, "Protokollführung nicht erreichbar"),
            body=mails.text("protokollfuehrung_nicht_erreichbar", person=person, **context),
            bezug=bezug,
            now=now,
            settings=settings,
        )
        return protokoll
    link = entwurf_link(session, protokoll, person, now=now, settings=settings)
    mails.an_person(
        session,
        schluessel=schluessel,
        person=person,
        subject=mails.betreff(gremium, sitzung, "Bitte um den Entwurf"),
        body=mails.text(
            "entwurf_anforderung", person=person, link=link, tops=tagesordnung(session, sitzung), **context
        ),
        bezug=bezug,
        now=now,
        settings=settings,
    )
    return protokoll


def remind_late(session: Session, *, protokoll_id: int, now: datetime, settings: Settings) -> list[str]:
    """Remind the Protokollführung before the due date and tell the Geschäftsstelle after it;
    each once per round (a returned draft starts a new round). Returns what was queued."""
    protokoll = get_protokoll(session, protokoll_id)
    if protokoll.status not in WAITING_FOR_DRAFT or protokoll.protokollfuehrung_person_id is None:
        return []
    person = session.get(Person, protokoll.protokollfuehrung_person_id)
    sitzung = get_sitzung(session, protokoll.sitzung_id)
    gremium = gremium_of(session, sitzung)
    today = berlin(now).date()
    runde = protokoll.aktuelle_version
    bezug = {"protokoll_id": protokoll_id, "sitzung_id": sitzung.id, "runde": runde}
    context = {"gremium": gremium, "sitzung": sitzung, "protokoll": protokoll, "settings": settings, "heute": today}
    done: list[str] = []
    reminder_day = protokoll.entwurf_frist - timedelta(days=settings.protokoll.erinnerung_vor_frist_tage)
    if protokoll.erinnert_am is None and today >= reminder_day and person is not None:
        link = entwurf_link(session, protokoll, person, now=now, settings=settings)
        queued = mails.an_person(
            session,
            schluessel=f"protokoll:{protokoll_id}:runde={runde}:erinnerung",
            person=person,
            subject=mails.betreff(gremium, sitzung, "Erinnerung an den Entwurf"),
            body=mails.text("entwurf_erinnerung", person=person, link=link, **context),
            bezug=bezug,
            now=now,
            settings=settings,
        )
        protokoll.erinnert_am = now
        done.append(
            "Erinnerung an die Protokollführung" if queued else "Erinnerung fällig, Protokollführung nicht erreichbar"
        )
    escalation_day = protokoll.entwurf_frist + timedelta(days=settings.protokoll.eskalation_nach_tagen)
    if protokoll.eskaliert_am is None and today > escalation_day:
        mails.an_geschaeftsstelle(
            session,
            schluessel=f"protokoll:{protokoll_id}:runde={runde}:eskalation",
            subject=mails.betreff(gremium, sitzung, "Entwurf überfällig"),
            body=mails.text("eskalation", person=person, **context),
            bezug=bezug,
            now=now,
            settings=settings,
        )
        protokoll.eskaliert_am = now
        done.append("Eskalation an die Geschäftsstelle")
    session.add(protokoll)
    return done
