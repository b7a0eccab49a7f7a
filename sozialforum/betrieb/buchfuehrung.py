"""What the planning cycle did: one row per due action (by its unique key) and one per day.

An action is booked ``laeuft`` in its own transaction before it runs and ``erledigt`` or
``fehlgeschlagen`` after; a crash in between leaves ``laeuft`` and the next run repeats it (the
actions are idempotent). Replaced reminder stages are booked ``uebersprungen`` so they are never
sent late.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlmodel import col

from sozialforum.betrieb.zyklus import Aktion
from sozialforum.store.models import ZyklusAktion, ZyklusTag
from sozialforum.vocab import ZyklusStatus

ERGEBNIS_MAX = 4000


def _row(session: Session, key: str) -> ZyklusAktion | None:
    return session.scalars(sa.select(ZyklusAktion).where(col(ZyklusAktion.schluessel) == key)).first()


def beginnen(session: Session, aktion: Aktion, *, tag: date, now: datetime, lauf_id: str | None) -> ZyklusAktion:
    """Book the action as running (a new attempt of an existing row, or a new row)."""
    row = _row(session, aktion.schluessel)
    if row is None:
        row = ZyklusAktion(
            schluessel=aktion.schluessel,
            art=aktion.art,
            faellig_am=aktion.faellig_am,
            tag=tag,
            status=ZyklusStatus.LAEUFT,
            versuche=0,
            parameter=aktion.parameter,
            begonnen_am=now,
        )
    row.status, row.tag, row.lauf_id, row.begonnen_am = ZyklusStatus.LAEUFT, tag, lauf_id, now
    row.versuche += 1
    row.beendet_am, row.ergebnis = None, None
    session.add(row)
    session.flush()
    return row


def _finish(session: Session, key: str, status: ZyklusStatus, *, now: datetime, ergebnis: str) -> None:
    row = _row(session, key)
    if row is None:
        raise LookupError(f"Die Aktion {key} wurde nicht begonnen.")
    row.status, row.beendet_am, row.ergebnis = status, now, ergebnis[:ERGEBNIS_MAX]
    session.add(row)
    session.flush()


def erledigt(session: Session, key: str, *, now: datetime, ergebnis: str) -> None:
    _finish(session, key, ZyklusStatus.ERLEDIGT, now=now, ergebnis=ergebnis)


def fehlgeschlagen(session: Session, key: str, *, now: datetime, fehler: str) -> None:
    _finish(session, key, ZyklusStatus.FEHLGESCHLAGEN, now=now, ergebnis=fehler)


def ersetzte_buchen(session: Session, aktion: Aktion, *, tag: date, now: datetime) -> list[str]:
    """Book the stages this action replaces as skipped (only those not already booked)."""
    booked = []
    for key in aktion.ersetzt:
        if _row(session, key) is not None:
            continue
        session.add(
            ZyklusAktion(
                schluessel=key,
                art=aktion.art,
                faellig_am=aktion.faellig_am,
                tag=tag,
                status=ZyklusStatus.UEBERSPRUNGEN,
                versuche=0,
                parameter=aktion.parameter,
                begonnen_am=now,
                beendet_am=now,
                ergebnis=f"ersetzt durch {aktion.schluessel} (verpasst während einer Ausfallzeit)",
            )
        )
        booked.append(key)
    session.flush()
    return booked


def letzter_tag(session: Session, *, vor: date | None = None) -> date | None:
    """The latest day the cycle completed (before ``vor``, if given)."""
    query = sa.select(sa.func.max(ZyklusTag.tag))
    if vor is not None:
        query = query.where(col(ZyklusTag.tag) < vor)
    return session.scalar(query)


def tag_abschliessen(
    session: Session, *, tag: date, now: datetime, lauf_id: str | None, aktionen: int, fehler: int
) -> ZyklusTag:
    """Book the day as completed; remember the first missed day when this run caught up."""
    previous = letzter_tag(session, vor=tag)
    gap = previous is not None and (tag - previous).days > 1
    row = session.get(ZyklusTag, tag) or ZyklusTag(tag=tag, beendet_am=now)
    row.lauf_id, row.beendet_am = lauf_id, now
    row.aktionen += aktionen
    row.fehler = fehler
    if gap and previous is not None:
        row.nachgeholt_ab = date.fromordinal(previous.toordinal() + 1)
    session.add(row)
    session.flush()
    return row
