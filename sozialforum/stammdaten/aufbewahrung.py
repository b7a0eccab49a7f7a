"""Retention: what Träger staff wrote is erased once the Datenschutzerklärung says it will be.

The portal's Datenschutzerklärung promises that answers, comments and proposals are deleted
``rechtliches.speicherdauer_monate`` after the end of their Sitzung, together with the audit
trail's copy of them. This module keeps that promise; ``sozialforum dsgvo aufbewahrung`` and the
daily cycle run it.

Like the erasure of a person (``dsgvo.erase_person``), the rows stay — an answer was given, a
topic was proposed, which the attendance figures and the minutes still count — and only their
``PERSONAL`` columns are cleared. Minutes and decisions are not touched: archive law keeps them.
Each rule names a table and the day after which its rows are due; a row counts as erased when
none of its personal columns holds anything any more, so a second run finds nothing. The
counters of failed logins and link guesses (client addresses, login names) are deleted once
they have been quiet for a month. With the settings given, the same run cuts the content of
sent mail down to its record after ``mail.inhalt_aufbewahren_tage`` (``outbox.aufbewahrung``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, SQLModel

from sozialforum.konten import fehlversuche
from sozialforum.outbox import aufbewahrung as outbox_aufbewahrung
from sozialforum.settings import Settings
from sozialforum.stammdaten.dsgvo import ERASED, cleared_value, personal_columns, redact_audit
from sozialforum.timeutil import add_months, berlin


@dataclass(frozen=True)
class Regel:
    """Rows of ``tabelle`` are due once ``ende(table)`` lies before the cut-off."""

    tabelle: str
    was: str  # German, for the report
    ende: Callable[[sa.Table], sa.ColumnElement[Any]]


def _tables() -> dict[str, sa.Table]:
    return SQLModel.metadata.tables


def _sitzung_ende(table: sa.Table) -> sa.ColumnElement[Any]:
    sitzung = _tables()["sitzung"]
    return sa.select(sitzung.c.ende).where(sitzung.c.id == table.c.sitzung_id).scalar_subquery()


def _protokoll_sitzung_ende(table: sa.Table) -> sa.ColumnElement[Any]:
    sitzung, protokoll = _tables()["sitzung"], _tables()["protokoll"]
    return (
        sa.select(sitzung.c.ende)
        .join(protokoll, protokoll.c.sitzung_id == sitzung.c.id)
        .where(protokoll.c.id == table.c.protokoll_id)
        .scalar_subquery()
    )


REGELN = (
    Regel("rueckmeldung", "Rückmeldungen (Kommentar, Bedürfnisse, Vertretung)", _sitzung_ende),
    Regel("gehaltene_antwort", "zurückgehaltene Kalenderantworten", _sitzung_ende),
    Regel("themenvorschlag", "Begründungen von Themenvorschlägen", _sitzung_ende),
    Regel("protokoll_kommentar", "Kommentare zu Protokollentwürfen", _protokoll_sitzung_ende),
    Regel("email_aenderung", "Adressänderungen aus dem Portal", lambda table: table.c.angefordert_am),
)


# Failed-attempt counters (client addresses, login names) are kept while they can still matter:
# the longest lock is a day, the quiet window minutes; a month leaves room for an investigation.
FEHLVERSUCHE_RUHIG = timedelta(days=30)
FEHLVERSUCHE = "fehlversuch"
OUTBOX = "outbox_inhalt"


def stichtag(now: datetime, monate: int) -> datetime:
    """The cut-off: midnight (Berlin) of the day ``monate`` calendar months before today."""
    day = add_months(berlin(now).date(), -monate)
    return datetime.combine(day, time(), tzinfo=berlin(now).tzinfo).astimezone(UTC)


def _still_personal(column: sa.Column[Any]) -> sa.ColumnElement[bool]:
    if isinstance(column.type, sa.JSON):  # JSON has no equality on PostgreSQL; its text has
        return sa.and_(column.is_not(None), sa.cast(column, sa.Text).not_in(["[]", "null"]))
    return sa.and_(column.is_not(None), column != ERASED)


def _due(table: sa.Table, regel: Regel, cutoff: datetime) -> sa.Select[Any]:
    personal = personal_columns(table)
    return sa.select(table.c.id).where(regel.ende(table) < cutoff, sa.or_(*(_still_personal(c) for c in personal)))


def faellig(session: Session, *, now: datetime, monate: int, settings: Settings | None = None) -> dict[str, int]:
    """How many rows per rule are due (nothing changes): what a dry run reports."""
    cutoff = stichtag(now, monate)
    counts = {}
    for regel in REGELN:
        table = _tables()[regel.tabelle]
        counts[regel.tabelle] = len(session.execute(_due(table, regel, cutoff)).scalars().all())
    counts[FEHLVERSUCHE] = fehlversuche.ruhige(session, now=now, ruhig_seit=FEHLVERSUCHE_RUHIG)
    if settings is not None:
        counts[OUTBOX] = outbox_aufbewahrung.faellig(session, now=now, tage=settings.mail.inhalt_aufbewahren_tage)
    return counts


def durchsetzen(session: Session, *, now: datetime, monate: int, settings: Settings | None = None) -> dict[str, int]:
    """Erase the personal values of every due row and their copies in the audit trail; the
    number of rows erased per rule. Bypasses the ORM, as ``erase_person`` does: the audit hook
    would otherwise record the erased values once more."""
    cutoff = stichtag(now, monate)
    counts = {}
    for regel in REGELN:
        table = _tables()[regel.tabelle]
        ids = list(session.execute(_due(table, regel, cutoff)).scalars())
        if ids:
            values = {column.name: cleared_value(column) for column in personal_columns(table)}
            session.execute(sa.update(table).where(table.c.id.in_(ids)).values(values))
            redact_audit(session, [(regel.tabelle, row_id) for row_id in ids])
        counts[regel.tabelle] = len(ids)
    counts[FEHLVERSUCHE] = fehlversuche.aufraeumen(session, now=now, ruhig_seit=FEHLVERSUCHE_RUHIG)
    if settings is not None:
        tage = settings.mail.inhalt_aufbewahren_tage
        counts[OUTBOX] = outbox_aufbewahrung.kuerzen(session, settings, now=now, tage=tage)
    return counts


def bericht(counts: dict[str, int], *, monate: int, geloescht: bool, tage: int | None = None) -> str:
    """German summary, one line per rule (and for sent mail, given its ``tage``)."""
    verb = "gelöscht" if geloescht else "fällig"
    lines = [f"Aufbewahrung ({monate} Monate nach Ende der Sitzung oder Anfrage):"]
    lines += [f"  {regel.was}: {counts.get(regel.tabelle, 0)} {verb}" for regel in REGELN]
    lines.append(f"  Fehlversuchszähler (Adressen, Anmeldenamen), 30 Tage ruhig: {counts.get(FEHLVERSUCHE, 0)} {verb}")
    if OUTBOX in counts:
        gekuerzt = "auf Kopfzeilen, Größe und Prüfsumme gekürzt" if geloescht else "zu kürzen"
        lines.append(
            f"  Gesendete Nachrichten (Text, Anhänge), {tage} Tage nach dem Versand: {counts[OUTBOX]} {gekuerzt}"
        )
    return "\n".join(lines)
