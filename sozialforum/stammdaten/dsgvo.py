"""Data subject rights for contact persons: access (Art. 15 DSGVO) and erasure (Art. 17 DSGVO).

Both walk the schema instead of a hand-kept list: every table with a foreign key to ``person``
holds data about the person, and columns marked ``PERSONAL`` (models/base.py) are personal
data. A table added later is therefore covered without touching this module.

Erasure keeps the rows so that Sitzungen, Beschlüsse and statistics stay consistent (a
Mitgliedschaft existed, an RSVP was given), but clears every personal value in them, revokes
the person's links, and redacts personal values in the audit trail — the one change the
append-only trail allows, because the law demands it. It bypasses the ORM on purpose: the
audit hook would otherwise record the old values once more.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlmodel import SQLModel, col

from sozialforum.store.models import AuditEntry, Person, PersonalLink
from sozialforum.timeutil import format_zahl
from sozialforum.vocab import AuditAktion

ERASED = "[gelöscht]"

# What each table holds about a person, as the Geschäftsstelle names it (a test keeps this
# complete for every table the schema walk finds).
DATENARTEN = {
    "person": "Personendaten",
    "audit_entry": "Einträge im Änderungsprotokoll",
    "benutzer": "Benutzerkonten",
    "datenfreigabe": "Datenfreigaben",
    "email_aenderung": "Adressänderungen",
    "formular_antwort": "Formularantworten",
    "formular_antwort_version": "Fassungen von Formularantworten",
    "frist_erinnerung": "Fristerinnerungen",
    "mitgliedschaft": "Mitgliedschaften",
    "outbox_message": "Nachrichten",
    "personal_link": "persönliche Links",
    "protokoll": "Protokollführungen",
    "protokoll_version": "eingereichte Protokollentwürfe",
    "protokoll_kommentar": "Kommentare zu Protokollentwürfen",
    "protokoll_punkt": "Aufträge und Empfehlungen aus Protokollen",
    "rueckmeldung": "Rückmeldungen",
    "gehaltene_antwort": "zurückgehaltene Kalenderantworten",
    "themenvorschlag": "Themenvorschläge",
    "auftrag": "Aufträge",
    "foerderantrag": "Förderanträge",
    "projektbericht": "Projektberichte",
}


class PersonNotFound(LookupError):
    def __str__(self) -> str:
        return f"Person „{self.args[0]}“ nicht gefunden."


def _referencing_tables() -> list[tuple[sa.Table, list[sa.Column[Any]]]]:
    """Tables with at least one foreign key to person.id, with those columns."""
    person = SQLModel.metadata.tables["person"]
    found = []
    for table in SQLModel.metadata.sorted_tables:
        columns = [fk.parent for fk in table.foreign_keys if fk.column.table is person]
        if columns and table is not person:
            found.append((table, columns))
    return found


def personal_columns(table: sa.Table) -> list[sa.Column[Any]]:
    return [column for column in table.columns if column.info.get("personal")]


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return value


def find_person(session: Session, key: str) -> Person:
    condition = col(Person.id) == int(key) if key.isdigit() else col(Person.kennung) == key
    person = session.scalars(sa.select(Person).where(condition)).first()
    if person is None:
        raise PersonNotFound(key)
    return person


def export_person(session: Session, person_id: int, *, now: datetime) -> dict[str, Any]:
    """Everything stored about one person (Art. 15), as a JSON-ready document."""
    person_table = SQLModel.metadata.tables["person"]
    row = session.execute(sa.select(person_table).where(person_table.c.id == person_id)).mappings().one()
    document: dict[str, Any] = {
        "auskunft_nach": "Art. 15 DSGVO",
        "erstellt_am": now.isoformat(),
        "person": {key: _plain(value) for key, value in row.items()},
        "daten": {},
    }
    audit_keys: list[tuple[str, int]] = [("person", person_id)]
    for table, columns in _referencing_tables():
        condition = sa.or_(*(column == person_id for column in columns))
        rows: Sequence[Mapping[Any, Any]] = session.execute(sa.select(table).where(condition)).mappings().all()
        if table.name == "personal_link":
            rows = [{k: v for k, v in r.items() if k != "token_hash"} for r in rows]
        if rows:
            document["daten"][table.name] = [{k: _plain(v) for k, v in r.items()} for r in rows]
            audit_keys += [(table.name, r["id"]) for r in rows if "id" in r]
    entries = _audit_entries(session, audit_keys)
    document["protokoll"] = [
        {
            "zeitpunkt": e.zeitpunkt.isoformat(),
            "akteur": e.akteur,
            "tabelle": e.tabelle,
            "datensatz_id": e.datensatz_id,
            "aktion": e.aktion,
            "aenderungen": e.aenderungen,
        }
        for e in entries
    ]
    return document


def _audit_entries(session: Session, keys: list[tuple[str, int]]) -> list[AuditEntry]:
    by_table: dict[str, list[int]] = {}
    for table, row_id in keys:
        by_table.setdefault(table, []).append(row_id)
    conditions = [
        sa.and_(col(AuditEntry.tabelle) == t, col(AuditEntry.datensatz_id).in_(ids)) for t, ids in by_table.items()
    ]
    return list(session.scalars(sa.select(AuditEntry).where(sa.or_(*conditions)).order_by(col(AuditEntry.id))))


def cleared_value(column: sa.Column[Any]) -> Any:
    if column.nullable:
        return None
    if isinstance(column.type, sa.JSON):
        return []
    return ERASED


def erase_person(session: Session, person_id: int, *, now: datetime, actor: str) -> dict[str, int]:
    """Erase one person's personal data (Art. 17); return what was cleared, per table."""
    counts: dict[str, int] = {}
    person_table = SQLModel.metadata.tables["person"]
    values = {c.name: cleared_value(c) for c in personal_columns(person_table)}
    values.update(
        geloescht_am=now, rechtsgrundlage=None, einwilligung_am=None, abgemeldet_am=None, zustellung_gestoert_am=None
    )
    session.execute(sa.update(person_table).where(person_table.c.id == person_id).values(values))
    counts["person"] = 1
    audit_keys: list[tuple[str, int]] = [("person", person_id)]
    for table, columns in _referencing_tables():
        condition = sa.or_(*(column == person_id for column in columns))
        ids = [r for (r,) in session.execute(sa.select(table.c.id).where(condition))] if "id" in table.c else []
        audit_keys += [(table.name, row_id) for row_id in ids]
        personal = personal_columns(table)
        if personal and ids:
            session.execute(
                sa.update(table).where(table.c.id.in_(ids)).values({c.name: cleared_value(c) for c in personal})
            )
            counts[table.name] = len(ids)
    session.execute(
        sa.update(PersonalLink)
        .where(col(PersonalLink.person_id) == person_id, col(PersonalLink.widerrufen_am).is_(None))
        .values(widerrufen_am=now)
    )
    counts["audit_entry"] = redact_audit(session, audit_keys)
    session.execute(
        sa.insert(AuditEntry).values(
            zeitpunkt=now,
            akteur=actor,
            tabelle="person",
            datensatz_id=person_id,
            aktion=AuditAktion.ERASE.value,
            aenderungen={},
        )
    )
    return counts


def loeschbericht(counts: Mapping[str, int]) -> str:
    """What an erasure cleared, in German: ``Personendaten: 1, Mitgliedschaften: 2, …``."""
    return ", ".join(f"{DATENARTEN.get(table, table)}: {format_zahl(n)}" for table, n in counts.items())


def redact_audit(session: Session, keys: list[tuple[str, int]]) -> int:
    redacted = 0
    for entry in _audit_entries(session, keys):
        table = SQLModel.metadata.tables.get(entry.tabelle)
        personal = {c.name for c in personal_columns(table)} if table is not None else set()
        changes = {
            key: ([ERASED, ERASED] if key in personal else value) for key, value in (entry.aenderungen or {}).items()
        }
        if changes != entry.aenderungen:
            session.execute(sa.update(AuditEntry).where(col(AuditEntry.id) == entry.id).values(aenderungen=changes))
            redacted += 1
    return redacted
