"""The Art. 15 DSGVO Auskunft as a planner and the person read it (``sozialforum dsgvo auskunft``
on screen or with ``--text``, the person's page in the workspace): one section per kind of
data, German field names and dates, references by name, who changed what.

The complete document (every column, for the file sent to the person) stays the JSON of
``dsgvo.export_person``; the screen leaves out empty fields and technical bookkeeping.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from rich.console import Console, Group, RenderableType
from rich.markup import escape
from rich.padding import Padding
from rich.table import Table
from rich.text import Text
from sqlalchemy.orm import Session
from sqlmodel import SQLModel

from sozialforum.arbeitsplatz import auskunft_texte as texte
from sozialforum.arbeitsplatz.anzeige import FELDER, referenz, wert, zeilen
from sozialforum.portal.formulare import Formular
from sozialforum.stammdaten.akteur import Akteure, akteur_namen
from sozialforum.stammdaten.dsgvo import DATENARTEN
from sozialforum.store.models import (
    FormularAntwort,
    FormularAntwortVersion,
    GehalteneAntwort,
    OutboxMessage,
    Person,
    PersonalLink,
)
from sozialforum.timeutil import format_anzahl, format_termin, format_termin_kurz
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
        "kalender_generation",
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
        # Where a held calendar reply was read (mailbox key or file): the store's bookkeeping.
        "gehaltene_antwort.herkunft",
    }
)


def _technisch(tabelle: str) -> set[str]:
    return {name.split(".")[-1] for name in TECHNISCH if "." not in name or name.startswith(f"{tabelle}.")}


def _wert(model: type[SQLModel] | None, session: Session, name: str, value: object) -> str:
    """A value of the audit trail (stored as JSON: ISO dates, slugs, ids) in German: the
    vocabulary's label, a date, the name of what an id points to."""
    if value is None or value == "" or value == []:
        return "–"
    field = model.model_fields.get(name) if model is not None else None
    if model is not None and field is not None and name.endswith("_id"):
        found = referenz(session, model, name, value)
        if found is not None:
            return found
    if isinstance(value, str) and len(value) >= 10 and value[4:5] == "-" and value[7:8] == "-":
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        return wert(name, moment.date()) if len(value) == 10 else format_termin_kurz(moment)
    return wert(name, value, field.annotation if field is not None else None) or "–"


def _modelle() -> dict[str, type[SQLModel]]:
    return {str(m.persist_selectable.description): m.class_ for m in SQLModel._sa_registry.mappers}


def _grid(rows: list[tuple[str, str]], nummer: str = "") -> Table:
    """Fields as a two-column grid; ``nummer`` stands before the first field when a section
    holds several records."""
    grid = Table.grid(padding=(0, 2, 0, 0))
    if nummer:
        grid.add_column(no_wrap=True)
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    for name, shown in rows:
        if shown:
            grid.add_row(*([nummer] if nummer else []), escape(name), escape(shown))
            nummer = " " if nummer else ""
    return grid


def _felder(session: Session, row: SQLModel, person_id: int, bezuege: _Bezuege) -> list[tuple[str, str]]:
    """A record's fields, the person's own reference left out (it is them); what a field names
    only by a key or an id is said in words."""
    selbst = {name for name in type(row).model_fields if name.endswith("person_id") and getattr(row, name) == person_id}
    ohne = _technisch(str(getattr(row, "__tablename__", ""))) | selbst
    if isinstance(row, PersonalLink):
        ohne |= {"bezug_id"}
    if isinstance(row, FormularAntwort | FormularAntwortVersion):
        ohne |= {"werte", "anfrage_id", "antwort_id"}
    if isinstance(row, GehalteneAntwort):
        ohne |= {"daten"}
    shown = zeilen(session, row, ohne=ohne)
    if isinstance(row, GehalteneAntwort):
        shown += texte.kalenderantwort(row.daten)
    if isinstance(row, OutboxMessage):
        shown = [(name, NachrichtArt.benenne(row.art) if name == "Art" else text) for name, text in shown]
    if isinstance(row, PersonalLink):
        shown.insert(1, ("für", bezuege.links.get((str(row.zweck), row.bezug_id), "")))
    if isinstance(row, FormularAntwort | FormularAntwortVersion):
        antwort = row if isinstance(row, FormularAntwort) else bezuege.antworten.get(row.antwort_id)
        formular = bezuege.formular_je_anfrage.get(antwort.anfrage_id) if antwort is not None else None
        titel = f"„{formular.titel}“" if formular else ""
        shown = [("Formular", titel), *shown, *texte.formular_werte(row.werte, formular)]
    return shown


def _aenderungen(session: Session, tabelle: str, model: type[SQLModel] | None, changes: dict[str, Any]) -> str:
    parts = []
    technisch = _technisch(tabelle)
    for key, change in (changes or {}).items():
        if isinstance(change, list) and len(change) == 2 and key not in technisch:
            old, new = (_wert(model, session, key, v) for v in change)
            parts.append(f"{FELDER.get(key, key)}: {old} → {new}")
    return "; ".join(parts)


def _protokoll(session: Session, eintraege: list[dict[str, Any]], eintrag_nr: dict[tuple[str, int], str]) -> Table:
    """The audit trail: each record named as its section above names it (``Mitgliedschaften,
    Eintrag 2``), who changed it by name, values in words."""
    table = Table("Zeitpunkt", "Datensatz", "Änderung")
    table.columns[0].no_wrap = table.columns[1].no_wrap = True
    modelle = _modelle()
    wer: Akteure = akteur_namen(session, (e["akteur"] for e in eintraege))
    for e in eintraege:
        moment = datetime.fromisoformat(e["zeitpunkt"])
        art = DATENARTEN.get(e["tabelle"], e["tabelle"])
        datensatz = eintrag_nr.get((e["tabelle"], e["datensatz_id"]), f"{art} (nicht mehr vorhanden)")
        was = f"{AuditAktion.label_of(e['aktion'])} von {wer[e['akteur']]}"
        detail = _aenderungen(session, e["tabelle"], modelle.get(e["tabelle"]), e["aenderungen"])
        table.add_row(format_termin_kurz(moment), escape(datensatz), escape(f"{was}: {detail}" if detail else was))
    return table


@dataclass(frozen=True)
class _Bezuege:
    """What the document's records refer to, each kind looked up once."""

    links: dict[tuple[str, int], str]
    antworten: dict[int, FormularAntwort]
    formular_je_anfrage: dict[int, Formular]


def _bezuege(session: Session, daten: dict[str, list[dict[str, Any]]], formulare: dict[str, Formular]) -> _Bezuege:
    bezug = ((r["zweck"], r["bezug_id"]) for r in daten.get("personal_link", []))
    links = texte.link_bezuege(session, bezug, formulare)
    antwort_ids = {r["antwort_id"] for r in daten.get("formular_antwort_version", [])}
    antworten = {pk: session.get(FormularAntwort, pk) for pk in antwort_ids}
    gefunden = {pk: a for pk, a in antworten.items() if a is not None}
    anfrage_ids = {a.anfrage_id for a in gefunden.values()}
    anfrage_ids |= {r["anfrage_id"] for r in daten.get("formular_antwort", [])}
    kennungen = texte.formular_kennungen(session, anfrage_ids)
    return _Bezuege(links, gefunden, {i: formulare[k] for i, k in kennungen.items() if k in formulare})


def _erinnerungen(session: Session, rows: list[dict[str, Any]]) -> list[RenderableType]:
    """Each reminder as one sentence: what it was about, its deadline, when it went out."""
    fristen = texte.frist_texte(session, (r["frist_ref"] for r in rows))
    versandt = texte.gesendet(session, (r["outbox_schluessel"] for r in rows))
    teile: list[RenderableType] = []
    for nummer, r in enumerate(rows, start=1):
        satz = texte.erinnerung_text(
            r["art"],
            fristen[r["frist_ref"]],
            date.fromisoformat(r["faellig_am"]),
            r["stufe"],
            r["empfaenger"],
            datetime.fromisoformat(r["erstellt_am"]),
            versandt.get(r["outbox_schluessel"]),
        )
        zeile = Table.grid(padding=(0, 2, 0, 0))
        if len(rows) > 1:
            zeile.add_column(no_wrap=True)
        zeile.add_column(overflow="fold")
        zeile.add_row(*([f"{nummer}."] if len(rows) > 1 else []), escape(satz))
        teile.append(Padding(zeile, (0, 0, 1, 2), expand=False))
    return teile


def uebersicht(
    session: Session, document: dict[str, Any], *, person_id: int, formulare: dict[str, Formular]
) -> RenderableType:
    """The Auskunft ``document`` (from ``dsgvo.export_person``) for the screen and for the
    text handed to the person; ``formulare``: the form definitions, for their questions."""
    person = session.get(Person, person_id)
    assert person is not None
    moment = datetime.fromisoformat(document["erstellt_am"])
    name = person.anzeigename or person.kennung
    bezuege = _bezuege(session, document["daten"], formulare)
    teile: list[RenderableType] = [
        Text(f"Auskunft nach Art. 15 DSGVO über {name} ({person.kennung})", style="bold"),
        Text(f"Stand: {format_termin(moment)}"),
        Text(""),
        Text(DATENARTEN["person"], style="bold underline"),
        Padding(_grid(_felder(session, person, -1, bezuege)), (0, 0, 1, 2), expand=False),
    ]
    eintrag_nr = {("person", person_id): DATENARTEN["person"]}
    modelle = _modelle()
    for tabelle, rows in document["daten"].items():
        art = DATENARTEN.get(tabelle, tabelle)
        teile.append(Text(f"{art} ({len(rows)})", style="bold underline"))
        for nummer, raw in enumerate(rows, start=1):
            if "id" in raw:
                eintrag_nr[(tabelle, raw["id"])] = f"{art}, Eintrag {nummer}" if len(rows) > 1 else art
        if tabelle == "frist_erinnerung":
            teile += _erinnerungen(session, rows)
            continue
        for nummer, raw in enumerate(rows, start=1):
            row = session.get(modelle[tabelle], raw["id"])
            if row is not None:
                marke = f"{nummer}." if len(rows) > 1 else ""
                felder = _felder(session, row, person_id, bezuege)
                teile.append(Padding(_grid(felder, marke), (0, 0, 1, 2), expand=False))
    eintraege = document["protokoll"]
    teile.append(
        Text(f"Änderungsprotokoll ({format_anzahl(len(eintraege), 'Eintrag', 'Einträge')})", style="bold underline")
    )
    leer = Padding("keine", (0, 0, 0, 2), expand=False)
    teile.append(_protokoll(session, eintraege, eintrag_nr) if eintraege else leer)
    return Group(*teile)


def als_text(lesbar: RenderableType, breite: int = 100) -> str:
    """The overview as a plain text document (100 characters wide), e.g. for the letter to the person."""
    datei = Console(file=io.StringIO(), width=breite, record=True, color_system=None)
    datei.print(lesbar, highlight=False)
    return "".join(f"{line.rstrip()}\n" for line in datei.export_text().splitlines())
