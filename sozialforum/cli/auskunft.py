"""The Art. 15 DSGVO Auskunft as a planner reads it on screen: one section per kind of data,
German field names and dates, references by name, who changed what.

The complete document (every column, for the file sent to the person) stays the JSON of
``dsgvo.export_person``; the screen leaves out empty fields and technical bookkeeping.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rich.console import Group, RenderableType
from rich.markup import escape
from rich.padding import Padding
from rich.table import Table
from rich.text import Text
from sqlalchemy.orm import Session
from sqlmodel import SQLModel

from sozialforum.cli.anzeige import FELDER, zeilen
from sozialforum.stammdaten.akteur import akteur_text
from sozialforum.stammdaten.dsgvo import DATENARTEN
from sozialforum.store.models import OutboxMessage, Person
from sozialforum.timeutil import format_anzahl, format_datum_kurz, format_termin, format_termin_kurz
from sozialforum.vocab import AuditAktion, NachrichtArt

# Bookkeeping of delivery, links and logins: in the file, not on screen (secrets are never shown).
TECHNISCH = frozenset(
    {
        "id",
        "antwort_server",
        "fingerabdruck",
        "freigabe_lauf_id",
        "ical_sequence",
        "ical_uid",
        "inhalt",
        "inhalt_sha256",
        "lauf",
        "message_id",
        "naechster_versuch",
        "outbox_schluessel",
        "passwort_hash",
        "sequenz",
        "token_hash",
        "totp_geheimnis",
        "totp_letzter_schritt",
        "uebergabe_am",
        "uebergeben_lauf",
        "versuche",
        # The delivery's idempotency key and pointer: bookkeeping, the subject says what it was.
        "outbox_message.schluessel",
        "outbox_message.bezug",
    }
)


def _technisch(tabelle: str) -> set[str]:
    return {name.split(".")[-1] for name in TECHNISCH if "." not in name or name.startswith(f"{tabelle}.")}


def _wert(value: object) -> str:
    """A value of the audit trail (stored as JSON: ISO dates, slugs) in German."""
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, str) and len(value) >= 10 and value[4:5] == "-" and value[7:8] == "-":
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        return format_datum_kurz(moment.date()) if len(value) == 10 else format_termin_kurz(moment)
    return str(value)


def _modelle() -> dict[str, type[SQLModel]]:
    return {str(m.persist_selectable.description): m.class_ for m in SQLModel._sa_registry.mappers}


def _felder(session: Session, row: SQLModel, person_id: int, nummer: str = "") -> Table:
    """A record's filled fields, the person's own reference left out (it is them); ``nummer``
    stands before the first field when a section holds several records."""
    grid = Table.grid(padding=(0, 2, 0, 0))
    if nummer:
        grid.add_column(no_wrap=True)
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    selbst = {name for name in type(row).model_fields if name.endswith("person_id") and getattr(row, name) == person_id}
    ohne = _technisch(str(getattr(row, "__tablename__", ""))) | selbst
    for name, shown in zeilen(session, row, ohne=ohne):
        if name == "Art" and isinstance(row, OutboxMessage):
            shown = NachrichtArt.benenne(row.art)
        if shown:
            grid.add_row(*([nummer] if nummer else []), escape(name), escape(shown))
            nummer = " " if nummer else ""
    return grid


def _aenderungen(changes: dict[str, Any]) -> str:
    parts = []
    for key, change in (changes or {}).items():
        if isinstance(change, list) and len(change) == 2:
            old, new = (_wert(v) for v in change)
            parts.append(f"{FELDER.get(key, key)}: {old} → {new}")
    return "; ".join(parts)


def _protokoll(session: Session, eintraege: list[dict[str, Any]]) -> Table:
    table = Table("Zeitpunkt", "Datensatz", "Änderung")
    table.columns[0].no_wrap = table.columns[1].no_wrap = True
    for e in eintraege:
        moment = datetime.fromisoformat(e["zeitpunkt"])
        art = DATENARTEN.get(e["tabelle"], e["tabelle"])
        was = f"{AuditAktion.label_of(e['aktion'])} von {akteur_text(session, e['akteur'])}"
        detail = _aenderungen(e["aenderungen"])
        table.add_row(
            format_termin_kurz(moment),
            escape(f"{art} Nr. {e['datensatz_id']}"),
            escape(f"{was}: {detail}" if detail else was),
        )
    return table


def uebersicht(session: Session, document: dict[str, Any], *, person_id: int) -> RenderableType:
    """The Auskunft ``document`` (from ``dsgvo.export_person``) for the screen."""
    person = session.get(Person, person_id)
    assert person is not None
    moment = datetime.fromisoformat(document["erstellt_am"])
    name = person.anzeigename or person.kennung
    teile: list[RenderableType] = [
        Text(f"Auskunft nach Art. 15 DSGVO über {name} ({person.kennung})", style="bold"),
        Text(f"Stand: {format_termin(moment)}"),
        Text(""),
        Text(DATENARTEN["person"], style="bold underline"),
        Padding(_felder(session, person, person_id=-1), (0, 0, 1, 2), expand=False),
    ]
    modelle = _modelle()
    for tabelle, rows in document["daten"].items():
        teile.append(Text(f"{DATENARTEN.get(tabelle, tabelle)} ({len(rows)})", style="bold underline"))
        for nummer, raw in enumerate(rows, start=1):
            row = session.get(modelle[tabelle], raw["id"])
            if row is not None:
                marke = f"{nummer}." if len(rows) > 1 else ""
                teile.append(Padding(_felder(session, row, person_id, marke), (0, 0, 1, 2), expand=False))
    eintraege = document["protokoll"]
    teile.append(
        Text(f"Änderungsprotokoll ({format_anzahl(len(eintraege), 'Eintrag', 'Einträge')})", style="bold underline")
    )
    teile.append(_protokoll(session, eintraege) if eintraege else Padding("keine", (0, 0, 0, 2), expand=False))
    return Group(*teile)
