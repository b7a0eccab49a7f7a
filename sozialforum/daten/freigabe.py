"""Entitlements: which person of a Kommune may see the unsuppressed detail of which Gemeinde.

Granting and revoking are written to the audit trail (who may see confidential figures is
exactly what a data-protection officer asks about).
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlmodel import col

from sozialforum.store import audit
from sozialforum.store.models import Datenfreigabe, Gebiet, Person
from sozialforum.vocab import AuditAktion

EINHEIT = "gemeinde"


class FreigabeFehler(ValueError):
    pass


def _person(session: Session, kennung: str) -> Person:
    person = session.scalars(sa.select(Person).where(col(Person.kennung) == kennung)).first()
    if person is None or person.geloescht_am is not None:
        raise FreigabeFehler(f"Person „{kennung}“ nicht gefunden.")
    return person


def _gemeinde(session: Session, schluessel: str) -> Gebiet:
    gebiet = session.scalars(
        sa.select(Gebiet)
        .where(sa.or_(col(Gebiet.schluessel) == schluessel, col(Gebiet.ags) == schluessel))
        .order_by(col(Gebiet.gueltig_ab).desc())
    ).first()
    if gebiet is None:
        raise FreigabeFehler(f"Gemeinde „{schluessel}“ nicht gefunden.")
    if gebiet.ebene != EINHEIT:
        raise FreigabeFehler(f"„{gebiet.name}“ ist keine Gemeinde: Freigaben gelten je Gemeinde.")
    return gebiet


def erteile(session: Session, *, person: str, gemeinde: str, am: date, bemerkung: str | None = None) -> bool:
    """Grant; returns False when the grant already exists."""
    who, where = _person(session, person), _gemeinde(session, gemeinde)
    exists = session.scalar(
        sa.select(col(Datenfreigabe.id)).where(
            col(Datenfreigabe.person_id) == who.id, col(Datenfreigabe.gebiet_id) == where.id
        )
    )
    if exists is not None:
        return False
    row_id = session.execute(
        sa.insert(Datenfreigabe)
        .values(person_id=who.id, gebiet_id=where.id, erteilt_am=am, bemerkung=bemerkung)
        .returning(col(Datenfreigabe.id))
    ).scalar_one()
    assert row_id is not None  # RETURNING the new primary key
    audit.record_bulk(
        session,
        table="datenfreigabe",
        entries=[(row_id, AuditAktion.CREATE, {"person": who.kennung, "gemeinde": where.schluessel})],
    )
    return True


def entziehe(session: Session, *, person: str, gemeinde: str) -> bool:
    who, where = _person(session, person), _gemeinde(session, gemeinde)
    row_id = session.scalar(
        sa.select(col(Datenfreigabe.id)).where(
            col(Datenfreigabe.person_id) == who.id, col(Datenfreigabe.gebiet_id) == where.id
        )
    )
    if row_id is None:
        return False
    session.execute(sa.delete(Datenfreigabe).where(col(Datenfreigabe.id) == row_id))
    audit.record_bulk(
        session,
        table="datenfreigabe",
        entries=[(row_id, AuditAktion.DELETE, {"person": who.kennung, "gemeinde": where.schluessel})],
    )
    return True


def liste(session: Session) -> list[tuple[str, str, str, date]]:
    rows = session.execute(
        sa.select(col(Person.kennung), col(Person.nachname), col(Gebiet.name), col(Datenfreigabe.erteilt_am))
        .join(Person, col(Person.id) == col(Datenfreigabe.person_id))
        .join(Gebiet, col(Gebiet.id) == col(Datenfreigabe.gebiet_id))
        .order_by(Person.kennung, Gebiet.name)
    ).all()
    return [tuple(row) for row in rows]
