"""Where the minutes of a Sitzung stand: lookups and the plain snapshot the flow acts on."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlmodel import col

from sozialforum.store.models import Gremium, Protokoll, ProtokollFreigabe, ProtokollVersion, Sitzung
from sozialforum.timeutil import as_utc
from sozialforum.vocab import ProtokollStatus, SitzungStatus


class ProtokollFehler(Exception):
    """A step that cannot be taken now; the message is German and shown as it is."""


def get_sitzung(session: Session, sitzung_id: int) -> Sitzung:
    sitzung = session.get(Sitzung, sitzung_id)
    if sitzung is None:
        raise ProtokollFehler(f"Sitzung {sitzung_id} gibt es nicht.")
    return sitzung


def gremium_of(session: Session, sitzung: Sitzung) -> Gremium:
    gremium = session.get(Gremium, sitzung.gremium_id)
    assert gremium is not None  # foreign key
    return gremium


def protokoll_for_sitzung(session: Session, sitzung_id: int) -> Protokoll | None:
    return session.scalars(sa.select(Protokoll).where(col(Protokoll.sitzung_id) == sitzung_id)).first()


def get_protokoll(session: Session, protokoll_id: int) -> Protokoll:
    protokoll = session.get(Protokoll, protokoll_id)
    if protokoll is None:
        raise ProtokollFehler(f"Protokoll {protokoll_id} gibt es nicht.")
    return protokoll


def version(session: Session, protokoll: Protokoll, nummer: int | None = None) -> ProtokollVersion | None:
    """Version ``nummer`` (default: the current one) of the draft, or None before the first."""
    wanted = protokoll.aktuelle_version if nummer is None else nummer
    return session.scalars(
        sa.select(ProtokollVersion).where(
            col(ProtokollVersion.protokoll_id) == protokoll.id,
            col(ProtokollVersion.nummer) == wanted,
        )
    ).first()


def versions(session: Session, protokoll: Protokoll) -> list[ProtokollVersion]:
    return list(
        session.scalars(
            sa.select(ProtokollVersion)
            .where(col(ProtokollVersion.protokoll_id) == protokoll.id)
            .order_by(col(ProtokollVersion.nummer))
        )
    )


def decision_for(session: Session, version_id: int) -> ProtokollFreigabe | None:
    return session.scalars(sa.select(ProtokollFreigabe).where(col(ProtokollFreigabe.version_id) == version_id)).first()


def is_held(sitzung: Sitzung, now: datetime) -> bool:
    """Held: marked as such, or its end has passed and it was not cancelled."""
    if sitzung.status == SitzungStatus.ABGESAGT:
        return False
    return sitzung.status == SitzungStatus.DURCHGEFUEHRT or as_utc(sitzung.ende) <= as_utc(now)


@dataclass(frozen=True)
class Lage:
    """What the flow needs to decide its next step, as plain values."""

    protokoll_id: int
    sitzung_id: int
    status: str
    version: int
    kommentar_bis: str | None
    kommentierung_laeuft: bool
    bereit_zur_freigabe: bool
    entscheidung: str | None  # the decision on the current version, if one was taken
    freigabe_lauf_id: str | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def lage(session: Session, protokoll: Protokoll, *, now: datetime) -> Lage:
    current = version(session, protokoll)
    decision = decision_for(session, current.id) if current is not None and current.id else None
    running = (
        protokoll.status == ProtokollStatus.EINGEREICHT
        and protokoll.kommentar_bis is not None
        and as_utc(now) < as_utc(protokoll.kommentar_bis)
    )
    assert protokoll.id is not None
    return Lage(
        protokoll_id=protokoll.id,
        sitzung_id=protokoll.sitzung_id,
        status=ProtokollStatus(protokoll.status).value,
        version=protokoll.aktuelle_version,
        kommentar_bis=protokoll.kommentar_bis.isoformat() if protokoll.kommentar_bis else None,
        kommentierung_laeuft=running,
        bereit_zur_freigabe=protokoll.status == ProtokollStatus.EINGEREICHT and not running,
        entscheidung=decision.entscheidung if decision is not None else None,
        freigabe_lauf_id=protokoll.freigabe_lauf_id,
    )


def held_without_protokoll(session: Session, *, now: datetime, seit: datetime) -> list[int]:
    """Ids of Sitzungen held since ``seit`` whose minutes have not been requested yet."""
    rows = session.scalars(
        sa.select(Sitzung)
        .outerjoin(Protokoll, col(Protokoll.sitzung_id) == col(Sitzung.id))
        .where(
            col(Protokoll.id).is_(None),
            col(Sitzung.status) != SitzungStatus.ABGESAGT.value,
            col(Sitzung.beginn) >= seit,
            col(Sitzung.beginn) <= now,
        )
        .order_by(col(Sitzung.beginn))
    )
    return [s.id for s in rows if s.id is not None and is_held(s, now)]


def open_protokolle(session: Session) -> list[Protokoll]:
    """Minutes not yet distributed (the daily run looks after these)."""
    return list(
        session.scalars(
            sa.select(Protokoll)
            .where(col(Protokoll.status) != ProtokollStatus.VERTEILT.value)
            .order_by(col(Protokoll.id))
        )
    )
