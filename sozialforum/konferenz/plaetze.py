"""Places per Sitzung and the waiting list.

A Gremium may have a number of places per Sitzung (``Gremium.plaetze``; the room, a funded
number). Zusagen hold places with the persons each brings; a Zusage that does not fit waits.
After every change of an answer, ``zuteilen`` deals the places anew: those who hold a place keep
it in the order they answered, then the waiting list in its order; whoever now fits moves up
(and is told, see ``nachruecker_benachrichtigen``); whoever no longer fits (more persons than
free) waits. Under a row lock on the Sitzung (PostgreSQL; SQLite has one writer anyway), so
two answers at the same moment cannot both take the last place.

Plain statements on a connection: the portal's RSVP runs without the ORM (see
``portal.beteiligung``); a session's connection does as well.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session

from sozialforum import outbox
from sozialforum.settings import Settings
from sozialforum.store import audit
from sozialforum.store.models import Gremium, Person, Rueckmeldung, Sitzung
from sozialforum.store.models.base import table_of
from sozialforum.vocab import Antwort, NachrichtArt

_RSVP = table_of(Rueckmeldung)
_SITZUNG = table_of(Sitzung)
_GREMIUM = table_of(Gremium)


@dataclass
class Zuteilung:
    plaetze: int | None  # None: no limit
    belegt: int = 0
    nachgerueckt: list[int] = field(default_factory=list)  # person ids that moved up now
    wartend: list[int] = field(default_factory=list)  # person ids on the list, in its order

    @property
    def frei(self) -> int | None:
        return None if self.plaetze is None else max(self.plaetze - self.belegt, 0)

    def warteplatz(self, person_id: int) -> int | None:
        """1 for the first on the list; None if the person is not waiting."""
        return self.wartend.index(person_id) + 1 if person_id in self.wartend else None


def zuteilen(connection: sa.Connection, sitzung_id: int, *, akteur: str, now: datetime) -> Zuteilung:
    """Deal the places of the Sitzung anew (see the module); audited like every answer change."""
    query = (
        sa.select(_GREMIUM.c.plaetze)
        .select_from(_SITZUNG.join(_GREMIUM, _GREMIUM.c.id == _SITZUNG.c.gremium_id))
        .where(_SITZUNG.c.id == sitzung_id)
    )
    if connection.dialect.name == "postgresql":
        query = query.with_for_update(of=_SITZUNG)
    plaetze = connection.execute(query).scalar()
    result = Zuteilung(plaetze)
    rows = connection.execute(
        sa.select(_RSVP.c.id, _RSVP.c.person_id, _RSVP.c.personen, _RSVP.c.warteliste)
        .where(_RSVP.c.sitzung_id == sitzung_id, _RSVP.c.antwort == Antwort.ZUSAGE.value)
        .order_by(_RSVP.c.warteliste, _RSVP.c.beantwortet_am, _RSVP.c.id)
    ).all()
    changes: list[tuple[int, bool]] = []
    for row in rows:
        personen = max(row.personen, 1)
        fits = plaetze is None or result.belegt + personen <= plaetze
        if fits:
            result.belegt += personen
            if row.warteliste:
                result.nachgerueckt.append(row.person_id)
        else:
            result.wartend.append(row.person_id)
        if row.warteliste == fits:  # waiting and now fits, or holding and no longer fits
            changes.append((row.id, not fits))
    # An answer other than Zusage never waits.
    connection.execute(
        _RSVP.update()
        .where(_RSVP.c.sitzung_id == sitzung_id, _RSVP.c.antwort != Antwort.ZUSAGE.value, _RSVP.c.warteliste)
        .values(warteliste=False)
    )
    for row_id, wartet in changes:
        connection.execute(_RSVP.update().where(_RSVP.c.id == row_id).values(warteliste=wartet))
        audit.record_core(
            connection,
            actor=akteur,
            table="rueckmeldung",
            row_id=row_id,
            changes={"warteliste": (not wartet, wartet)},
            now=now,
        )
    return result


def nachruecker_benachrichtigen(
    session: Session, sitzung_id: int, person_ids: list[int], *, now: datetime, settings: Settings
) -> list[int]:
    """Queue 'a place is yours' to each person who moved up; the outbox ids."""
    sitzung = session.get(Sitzung, sitzung_id)
    assert sitzung is not None
    ids: list[int] = []
    for person_id in person_ids:
        person = session.get(Person, person_id)
        if person is None or not person.contactable or person.email is None:
            continue
        ids.append(
            outbox.enqueue_template(
                session,
                "mail/konferenz/nachgerueckt",
                to=person.email,
                to_name=person.anzeigename or None,
                subject=f"Ein Platz ist frei geworden: {sitzung.titel}",
                schluessel=f"nachgerueckt:{sitzung_id}:{person_id}:{now.isoformat()}",
                art=NachrichtArt.NACHGERUECKT,
                person_id=person_id,
                bezug={"sitzung_id": sitzung_id},
                now=now,
                settings=settings,
                gruss=f"Guten Tag {person.anzeigename},",
                sitzung=sitzung,
            )
        )
    return ids


def zuteilen_in(session: Session, sitzung_id: int, *, now: datetime) -> Zuteilung:
    """``zuteilen`` in an ORM session (after its changes are flushed), under the session's actor."""
    session.flush()
    akteur = str(session.info.get(audit.ACTOR_KEY, "system"))
    return zuteilen(session.connection(), sitzung_id, akteur=akteur, now=now)
