"""What the Art. 15 Auskunft says of records whose fields alone name nothing to the person: a
reminder by the deadline it was about and when it went out, a personal link by what it opened,
a form's answers by the form's questions. Each kind is looked up once for the whole document.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlmodel import SQLModel

from sozialforum.portal.formulare import Formular
from sozialforum.timeutil import format_datum_kurz, format_termin
from sozialforum.vocab import ErinnerungArt, LinkZweck

# What a personal link's ``bezug_id`` points to, by purpose: (table, words before its name).
LINK_BEZUG = {
    LinkZweck.RSVP: ("sitzung", "Sitzung"),
    LinkZweck.THEMENVORSCHLAG: ("sitzung", "Sitzung"),
    LinkZweck.PROTOKOLL_ENTWURF: ("protokoll", "Protokoll der Sitzung"),
    LinkZweck.PROTOKOLL_KOMMENTAR: ("protokoll", "Protokoll der Sitzung"),
    LinkZweck.SACHSTAND: ("auftrag", "Auftrag"),
    LinkZweck.PROJEKTBERICHT: ("bewertungsrunde", "Bewertungsrunde"),
    LinkZweck.FOERDERANTRAG: ("foerderaufruf", "Förderaufruf"),
    LinkZweck.FORMULAR: ("formular_anfrage", "Formular"),
}
# A deadline's reference (``fristen.quellen.Frist.ref``): its kind's table and words.
FRIST_BEZUG = {
    "auftrag": ("auftrag", "zum Auftrag"),
    "massnahme": ("massnahme", "zur Maßnahme"),
    "fortschreibung": ("fachplan", "zur Fortschreibung des Fachplans"),
    "meilenstein": ("fachplan", "im Fachplan"),
}


# What of a held calendar reply (``gehaltene_antwort.daten``) the person reads, in this order; the
# rest (UID, sequence, the answer's code) is the store's or already said by the record's Antwort.
KALENDERANTWORT = {
    "attendee": "Adresse in der Antwort",
    "sent_by": "beantwortet im Auftrag von",
    "delegated_from": "Vertretung für",
    "delegated_to": "weitergegeben an",
    "comment": "Kommentar",
    "proposed_start": "vorgeschlagener Beginn",
    "dtstamp": "Zeitpunkt der Antwort",
}


def kalenderantwort(daten: Mapping[str, object]) -> list[tuple[str, str]]:
    """A held calendar reply as (German name, value); empty parts left out."""
    shown = []
    for key, name in KALENDERANTWORT.items():
        value = daten.get(key)
        if not value:
            continue
        if isinstance(value, list):
            shown.append((name, ", ".join(str(v) for v in value)))
        elif key in ("proposed_start", "dtstamp") and isinstance(value, str):
            shown.append((name, format_termin(datetime.fromisoformat(value))))
        else:
            shown.append((name, str(value)))
    return shown


def _namen(session: Session, table_name: str, ids: Iterable[int]) -> dict[int, str]:
    """``Kennung „Titel“`` of rows of one table, in one query; a Protokoll by its Sitzung."""
    tables = SQLModel.metadata.tables
    table = tables[table_name]
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    if table_name == "protokoll":
        sitzung = tables["sitzung"]
        query = sa.select(table.c.id, sitzung.c.titel, sa.null()).join(sitzung, sitzung.c.id == table.c.sitzung_id)
    else:
        label = next(table.c[c] for c in ("beschreibung", "titel", "name", "formular") if c in table.c)
        code = table.c.kennung if "kennung" in table.c else sa.null()
        query = sa.select(table.c.id, label, code)
    rows = session.execute(query.where(table.c.id.in_(wanted)))
    return {int(i): f"{code} „{label}“" if code else f"„{label}“" for i, label, code in rows}


def frist_texte(session: Session, refs: Iterable[str]) -> dict[str, str]:
    """``auftrag:4`` → ``zum Auftrag B-002/2024-2 „Jährlich … berichten“``; a milestone with its key."""
    parts = {ref: ref.split(":") for ref in set(refs)}
    by_table: dict[str, set[int]] = {}
    for kind, number, *_ in (p for p in parts.values() if len(p) >= 2 and p[1].isdigit()):
        if kind in FRIST_BEZUG:
            by_table.setdefault(FRIST_BEZUG[kind][0], set()).add(int(number))
    names = {table: _namen(session, table, ids) for table, ids in by_table.items()}
    texte = {}
    for ref, (kind, *rest) in parts.items():
        table, words = FRIST_BEZUG.get(kind, ("", ""))
        name = names.get(table, {}).get(int(rest[0])) if rest and rest[0].isdigit() else None
        if name is None:
            texte[ref] = "zu einer Frist"
        elif kind == "meilenstein" and len(rest) > 1:
            texte[ref] = f"zum Meilenstein „{rest[1].replace('_', ' ').capitalize()}“ im Fachplan {name}"
        else:
            texte[ref] = f"{words} {name}"
    return texte


def link_bezuege(
    session: Session, links: Iterable[tuple[str, int]], formulare: Mapping[str, Formular]
) -> dict[tuple[str, int], str]:
    """(purpose, bezug_id) → what the link opened, e.g. ``Sitzung „Sozialraumkonferenz …“``."""
    wanted = set(links)
    by_table: dict[str, set[int]] = {}
    for zweck, bezug_id in wanted:
        if zweck in LINK_BEZUG:
            by_table.setdefault(LINK_BEZUG[LinkZweck(zweck)][0], set()).add(bezug_id)
    names = {table: _namen(session, table, ids) for table, ids in by_table.items()}
    names["formular_anfrage"] = {
        i: f"„{formulare[k].titel if k in formulare else k}“"
        for i, k in formular_kennungen(session, by_table.get("formular_anfrage", ())).items()
    }
    found = {}
    for zweck, bezug_id in wanted:
        if zweck in LINK_BEZUG:
            table, words = LINK_BEZUG[LinkZweck(zweck)]
            if bezug_id in names[table]:
                found[(zweck, bezug_id)] = f"{words} {names[table][bezug_id]}"
    return found


def formular_kennungen(session: Session, anfrage_ids: Iterable[int]) -> dict[int, str]:
    """Form requests → the key of their form in the configuration."""
    anfrage = SQLModel.metadata.tables["formular_anfrage"]
    wanted = sorted(set(anfrage_ids))
    if not wanted:
        return {}
    rows = session.execute(sa.select(anfrage.c.id, anfrage.c.formular).where(anfrage.c.id.in_(wanted)))
    return {int(i): str(k) for i, k in rows}


def gesendet(session: Session, schluessel: Iterable[str]) -> dict[str, datetime]:
    """When the outbox sent the messages with these keys (unsent ones are left out)."""
    outbox = SQLModel.metadata.tables["outbox_message"]
    wanted = sorted(set(schluessel))
    if not wanted:
        return {}
    rows = session.execute(
        sa.select(outbox.c.schluessel, outbox.c.gesendet_am).where(
            outbox.c.schluessel.in_(wanted), outbox.c.gesendet_am.is_not(None)
        )
    )
    return {key: moment for key, moment in rows}


def _vorher(stufe: int) -> str:
    if stufe == 0:
        return "am Tag der Frist"
    tage = "1 Tag" if abs(stufe) == 1 else f"{abs(stufe)} Tage"
    return f"{tage} vorher" if stufe > 0 else f"{tage} nach der Frist"


def erinnerung_text(
    art: str,
    frist: str,
    faellig_am: date,
    stufe: int,
    empfaenger: str,
    erstellt_am: datetime,
    gesendet_am: datetime | None,
) -> str:
    """``Erinnerung zum Auftrag B-1 „…“ (Frist 31.12.2026, 30 Tage vorher), versandt am … an …``;
    ``frist`` from ``frist_texte``."""
    was = ErinnerungArt.label_of(art)
    wann = f"versandt am {format_termin(gesendet_am)}" if gesendet_am else f"vorgemerkt am {format_termin(erstellt_am)}"
    return f"{was} {frist} (Frist {format_datum_kurz(faellig_am)}, {_vorher(stufe)}), {wann} an {empfaenger}"


def _antwort(value: object, optionen: Mapping[str, str], typ: str) -> str:
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if typ == "datum" and isinstance(value, str):
        try:
            return format_datum_kurz(date.fromisoformat(value))
        except ValueError:
            return value
    return optionen.get(str(value), str(value))


def formular_werte(werte: Mapping[str, object], formular: Formular | None) -> list[tuple[str, str]]:
    """A form's answers as (question, answer) in the form's order; empty answers left out,
    choices by their label."""
    felder = {f.name: f for f in formular.felder} if formular else {}
    order = [*felder, *(k for k in werte if k not in felder)]
    shown = []
    for name in order:
        value = werte.get(name)
        if value in (None, "", [], {}):
            continue
        feld = felder.get(name)
        optionen = dict(feld.optionen) if feld else {}
        items = value if isinstance(value, list) else [value]
        text = ", ".join(_antwort(v, optionen, feld.typ if feld else "") for v in items)
        shown.append((feld.label if feld else name.replace("_", " ").capitalize(), text))
    return shown
