"""The header of a reference list as offices really have it, and references by name.

A list rarely comes with the importer's column names: Outlook exports "E-Mail-Adresse" and
"Firma", a Träger directory says "Träger" and "Anschrift", a Landesamt "Gemeindeschlüssel".
Each header is compared in a normal form with the column names and their other names
(``listen.ANDERE_NAMEN``). A column of no meaning here (a "Bemerkung", most of an Outlook
export's ninety) is left out and named in the result, which the dry run shows before anything is
applied; a header that looks like a misspelt column ("emial") is refused, because its addresses
must not be lost silently. References may name a Träger, Gremium or
Gebiet by its name instead of its Kennung when exactly one has that name.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlmodel import SQLModel, col

from sozialforum.channels.tabular import Table
from sozialforum.stammdaten.listen import ANDERE_NAMEN, Spec
from sozialforum.store.models import Gebiet

_UMLAUTE = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
MEHRDEUTIG = -1  # a name that several rows carry: it names none of them
# How alike a header must be to a column's name to be taken for a misspelling of it: "emial"
# for email (0.8) is, Outlook's "E-Mail: Typ" (0.77) and "Fax geschäftlich" (0.78) are not.
TIPPFEHLER = 0.8


def normalform(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower().translate(_UMLAUTE))


@dataclass
class Lesart:
    table: Table
    umbenannt: dict[str, str] = field(default_factory=dict)  # header in the file → column
    ausgelassen: list[str] = field(default_factory=list)  # of no meaning in this list


def _namen(spec: Spec) -> tuple[dict[str, str], dict[str, set[str]]]:
    """The list's columns by their own normal form, and by each of their other names."""
    eigene = {normalform(c.name): c.name for c in (*spec.columns, *spec.extra)}
    andere: dict[str, set[str]] = {}
    for column, others in ANDERE_NAMEN.get(spec.kind, {}).items():
        for other in others:
            andere.setdefault(other, set()).add(column)
    return eigene, andere


def vermutlich(spec: Spec, header: str) -> str | None:
    """The column a header that names none is probably a misspelling of ("emial" → email)."""
    eigene, andere = _namen(spec)
    known = {**eigene, **{other: min(c) for other, c in andere.items() if len(c) == 1}}
    form = normalform(header)
    if form != (ohne_ziffern := re.sub(r"[0-9]", "", form)) and ohne_ziffern in known:
        return None  # Outlook's second address or phone ("E-Mail 2: Adresse"): another column, no typo
    close = difflib.get_close_matches(form, sorted(known), n=1, cutoff=TIPPFEHLER)
    return known[close[0]] if close else None


def lies_kopf(spec: Spec, table: Table) -> Lesart:
    """The table with its headers read as the list's columns, where they can be told; columns
    of no meaning here are left out, a probable misspelling stays in for the importer to refuse."""
    eigene, andere = _namen(spec)
    vergeben = {eigene[normalform(h)] for h in table.header if normalform(h) in eigene}
    lesart = Lesart(table)
    for header in table.header:
        form = normalform(header)
        if form in eigene:
            if eigene[form] != header:
                lesart.umbenannt[header] = eigene[form]
        elif len(andere.get(form, ())) == 1 and (ziel := next(iter(andere[form]))) not in vergeben:
            lesart.umbenannt[header] = ziel
            vergeben.add(ziel)
        elif header and (all(row.get(header) is None for _, row in table.rows) or vermutlich(spec, header) is None):
            lesart.ausgelassen.append(header)
    if lesart.umbenannt or lesart.ausgelassen:
        weg, neu = set(lesart.ausgelassen), lesart.umbenannt
        lesart.table = Table(
            table.name,
            [neu.get(h, h) for h in table.header if h not in weg],
            [(line, {neu.get(h, h): v for h, v in row.items() if h not in weg}) for line, row in table.rows],
            table.kodierung,
        )
    return lesart


def namen_map(session: Session, model: type[SQLModel]) -> dict[str, int]:
    """Normalised name → id, ``MEHRDEUTIG`` where several rows share a name (a Gebiet's newest
    version counts once)."""
    if model is Gebiet:
        rows = session.execute(
            sa.select(col(Gebiet.schluessel), col(Gebiet.name), col(Gebiet.id)).order_by(col(Gebiet.gueltig_ab))
        )
        pairs = list({key: (name, row_id) for key, name, row_id in rows}.values())  # the newest version wins
    else:
        pairs = [(name, row_id) for name, row_id in session.execute(sa.select(model.name, model.id))]  # type: ignore[attr-defined]  # these models have a name
    result: dict[str, int] = {}
    for name, row_id in pairs:
        form = normalform(name)
        result[form] = MEHRDEUTIG if form in result and result[form] != row_id else row_id
    return result
