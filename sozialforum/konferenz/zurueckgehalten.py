"""Calendar replies held because their sender is not proven (``mail.antworten_pruefen = "streng"``).

A held reply is stored in the transaction that read its mail, so it survives a crash and is not
lost when the mail is marked as processed; the same reply read again is not held twice. The
Geschäftsstelle sees the open ones on the Sitzung's page and takes one over
(``antworten.take_over``: the same checks as for any reply, against the answers of now) or
discards it; either way who and when stay on the row and in the audit trail.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from sozialforum.channels.ical_reply import CalendarReply
from sozialforum.store.models import GehalteneAntwort
from sozialforum.timeutil import as_utc
from sozialforum.vocab import Antwort

_ZEITEN = ("dtstamp", "proposed_start")
_LISTEN = ("delegated_to", "delegated_from")


def als_daten(reply: CalendarReply) -> dict[str, Any]:
    daten = asdict(reply)
    for key in _ZEITEN:
        daten[key] = daten[key].isoformat() if daten[key] else None
    for key in _LISTEN:
        daten[key] = list(daten[key])
    return daten


def aus_daten(daten: dict[str, Any]) -> CalendarReply:
    werte = dict(daten)
    for key in _ZEITEN:
        werte[key] = datetime.fromisoformat(werte[key]) if werte.get(key) else None
    for key in _LISTEN:
        werte[key] = tuple(werte.get(key) or ())
    return CalendarReply(**werte)


def halten(
    session: Session,
    reply: CalendarReply,
    *,
    sitzung_id: int,
    person_id: int,
    antwort: Antwort,
    herkunft: str,
    grund: str,
    now: datetime,
) -> bool:
    """Hold one reply; False if this very reply is held already (its mail read again)."""
    daten = als_daten(reply)
    fingerabdruck = hashlib.sha256(json.dumps(daten, sort_keys=True).encode()).hexdigest()
    if session.exec(select(GehalteneAntwort.id).where(GehalteneAntwort.fingerabdruck == fingerabdruck)).first():
        return False
    session.add(
        GehalteneAntwort(
            sitzung_id=sitzung_id,
            person_id=person_id,
            antwort=antwort,
            absender=reply.sender,
            daten=daten,
            fingerabdruck=fingerabdruck,
            herkunft=herkunft[:300],
            grund=grund[:1000],
            eingegangen_am=as_utc(now),
        )
    )
    session.flush()
    return True


def offene(session: Session, sitzung_id: int) -> list[GehalteneAntwort]:
    """The held replies of a Sitzung nobody has decided on yet, oldest first."""
    return list(
        session.exec(
            select(GehalteneAntwort)
            .where(GehalteneAntwort.sitzung_id == sitzung_id, col(GehalteneAntwort.erledigt_am).is_(None))
            .order_by(col(GehalteneAntwort.eingegangen_am), col(GehalteneAntwort.id))
        ).all()
    )


def offene_von(session: Session, sitzung_id: int, held_id: int) -> GehalteneAntwort:
    """One open held reply of this Sitzung; LookupError (German) if there is none."""
    row = session.get(GehalteneAntwort, held_id)
    if row is None or row.sitzung_id != sitzung_id or row.erledigt_am is not None:
        raise LookupError(
            "Diese zurückgehaltene Antwort gibt es nicht (mehr); vielleicht hat sie schon jemand erledigt."
        )
    return row


def erledigen(session: Session, row: GehalteneAntwort, *, uebernommen: bool, von: str, now: datetime) -> None:
    row.erledigt_am, row.erledigt_von, row.uebernommen = as_utc(now), von[:200], uebernommen
    session.add(row)
    session.flush()


def verwerfen(session: Session, *, sitzung_id: int, held_id: int, now: datetime, von: str) -> None:
    """Discard a held reply (e.g. a forgery); it stays on record as discarded, by whom."""
    erledigen(session, offene_von(session, sitzung_id, held_id), uebernommen=False, von=von, now=now)
