"""Withdrawing and replacing a delivery (a file loaded with the wrong Stichtag, or while the area
list was incomplete).

A withdrawn delivery's values are removed; its row stays as the record of what was loaded, with
the reason, who and when, and an audit entry. Its ``pruefsumme`` becomes ``zurueckgezogen-<id>``
(the checksum moves to ``zurueckgezogen_pruefsumme``), so the same file can be loaded again. The
caller recomputes in the same transaction (``aktualisierung.zurueckziehen``): either the values
are gone and the results no longer use them, or nothing changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlmodel import col

from sozialforum.daten.laden import LadeErgebnis
from sozialforum.problems import Problem, ProblemReport
from sozialforum.store.audit import record_bulk
from sozialforum.store.models import Datenlieferung, Vergleichswert, Wertespalte
from sozialforum.timeutil import format_datum_kurz
from sozialforum.vocab import AuditAktion

GRUND_MINDESTENS = 5


@dataclass
class Rueckzug:
    lieferung_id: int
    datei: str
    werte: int  # values removed (own areas) …
    vergleichswerte: int  # … and of the Vergleichsgebiete
    grund: str

    def __str__(self) -> str:
        return (
            f"Lieferung {self.lieferung_id} ({self.datei}) zurückgezogen: {self.werte} Werte und "
            f"{self.vergleichswerte} Vergleichswerte entfernt. Grund: {self.grund}"
        )


def finde_lieferung(session: Session, angabe: str) -> Datenlieferung:
    """A delivery by its number or its file name (the newest one still in force of that name)."""
    text = angabe.strip()
    if text.isdigit():
        found = session.get(Datenlieferung, int(text))
        if found is None:
            raise LookupError(f"Lieferung {text} gibt es nicht.")
        return found
    candidates = session.scalars(
        sa.select(Datenlieferung)
        .where(col(Datenlieferung.datei) == text, col(Datenlieferung.zurueckgezogen_am).is_(None))
        .order_by(col(Datenlieferung.id).desc())
    ).all()
    if not candidates:
        raise LookupError(f"Keine gültige Lieferung der Datei „{text}“ (Nummern: sozialforum daten lieferungen).")
    if len(candidates) > 1:
        numbers = ", ".join(str(c.id) for c in candidates)
        raise LookupError(
            f"Die Datei „{text}“ wurde mehrmals geliefert (Lieferungen {numbers}): bitte die Nummer angeben."
        )
    return candidates[0]


def zurueckziehen(
    session: Session,
    lieferung: Datenlieferung,
    *,
    grund: str,
    akteur: str,
    now: datetime,
) -> Rueckzug:
    """Remove a delivery's values and record why (inside the caller's transaction)."""
    reason = " ".join(grund.split())
    where = f"Lieferung {lieferung.id}"
    if len(reason) < GRUND_MINDESTENS:
        raise ProblemReport([Problem(where, None, "grund", "Bitte einen Grund angeben (mindestens ein paar Wörter).")])
    if lieferung.zurueckgezogen_am is not None:
        raise ProblemReport(
            [
                Problem(
                    where,
                    None,
                    None,
                    f"ist bereits am {format_datum_kurz(lieferung.zurueckgezogen_am.date())} zurückgezogen "
                    f"(Grund: {lieferung.zurueckgezogen_grund}).",
                )
            ]
        )
    assert lieferung.id is not None
    removed = [
        session.connection().execute(sa.delete(model).where(col(model.datenlieferung_id) == lieferung.id)).rowcount
        for model in (Wertespalte, Vergleichswert)
    ]
    werte = lieferung.werte
    lieferung.zurueckgezogen_pruefsumme = lieferung.pruefsumme
    lieferung.pruefsumme = f"zurueckgezogen-{lieferung.id}"
    lieferung.zurueckgezogen_am = now
    lieferung.zurueckgezogen_grund = reason[:500]
    lieferung.zurueckgezogen_von = akteur
    session.add(lieferung)
    session.flush()
    changes = {"zurueckgezogen_grund": reason, "werte": werte, "vergleichswerte": removed[1]}
    record_bulk(session, table="datenlieferung", entries=[(lieferung.id, AuditAktion.UPDATE, changes)])
    return Rueckzug(lieferung.id, lieferung.datei, werte, removed[1], reason)


def ersetzt(session: Session, alt: Datenlieferung, neu: LadeErgebnis) -> None:
    """Record that a withdrawn delivery was replaced by a new load (in the same transaction)."""
    if neu.status != "geladen" or neu.datenlieferung_id is None:
        raise ProblemReport(
            [
                Problem(
                    neu.datei,
                    None,
                    None,
                    f"Die Ersatzdatei ist bereits als Lieferung {neu.datenlieferung_id} geladen; nichts zurückgezogen.",
                )
            ]
        )
    assert alt.id is not None
    alt.ersetzt_durch = neu.datenlieferung_id
    session.add(alt)
    session.flush()
    record_bulk(
        session, table="datenlieferung", entries=[(alt.id, AuditAktion.UPDATE, {"ersetzt_durch": alt.ersetzt_durch})]
    )
