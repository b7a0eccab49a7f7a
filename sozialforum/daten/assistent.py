"""The table assistant: how to read a table that is neither GENESIS nor BA.

City offices and Landesämter publish tables in many shapes: title lines above the header, a
two-level header (the upper level merged over several columns), no header at all, keys
``1..13`` or ``01 Altstadt`` or only names, the Stichtag in the title (``Jahr: 2016``,
``Stand 31.12.2023``), in a column or in the header, percent strings (``43,00%``), decimal commas
beside whole numbers, ``.``/``-``/``x`` for suppressed or nothing, one row per area (wide) or one
row per area and Merkmal (long). ``erkenne`` proposes a reading (``Lesart``) from the grid and the
catalogue; the planner confirms or corrects it; ``lies`` turns a grid and a reading into the
``Rohdaten`` every source reader returns, so loading, checking and storing stay one path. The
choices a planner makes refer to columns by their header text, not their position, so a reading
confirmed once reads the next delivery of the same publisher as well (``zuordnung_gespeichert``).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from sozialforum.daten.katalog import Katalog, norm_label
from sozialforum.daten.quelldatei import (
    find_date,
    parse_cell,
    parse_stichtag,
)
from sozialforum.daten.rohtabelle import Raster, Zelle
from sozialforum.problems import Problem, ProblemReport

ZUORDNUNG = "zuordnung:"  # the source id of a table read by a saved reading
_STICHTAG_SPALTE = re.compile(r"^(stichtag|jahr|datum|stand|berichtsjahr|zeitpunkt)$")
_STICHTAG_TITEL = re.compile(
    r"(?:stand|stichtag|jahr|zum|am|berichtsjahr)\s*:?\s*(\d{1,2}\.\d{1,2}\.\d{4}|\d{4})", re.IGNORECASE
)
_DATUM_IM_TEXT = re.compile(r"\b(\d{1,2}\.\d{1,2}\.\d{4}|(?:19|20)\d{2})\b")
_MERKMAL_SPALTE = re.compile(r"^(merkmal|indikator|kennzahl|variable|art)$")
_WERT_SPALTE = re.compile(r"^(wert|anzahl|value)$")
_CODE = re.compile(r"^[A-Za-z]{0,4}\d{1,12}$")


@dataclass
class Lesart:
    """A reading of a table. Columns are named by ``etikett`` (header text without dates), or
    ``Spalte 1``, ``Spalte 2`` … for a table without a header."""

    kopfzeilen: int  # header rows above the data (0: none)
    schluessel: str  # the key column (codes, ``01 Altstadt`` or names)
    name: str | None = None  # a name column beside a code column
    stichtag: str = "angabe"  # titel, spalte, kopf or angabe (given when loading)
    stichtag_spalte: str | None = None
    layout: str = "breit"  # breit: a column per Merkmal; lang: a Merkmal column and a value column
    merkmal_spalte: str | None = None
    wert_spalte: str | None = None
    spalten: dict[str, str] = field(default_factory=dict)  # etikett (or, long: Merkmal text) → Merkmal
    prozent: list[str] = field(default_factory=list)  # columns written as percent strings
    herausgeber: str | None = None
    aliase: dict[str, str] = field(default_factory=dict)  # a key as written → the area's key

    def als_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def aus_dict(cls, data: dict[str, Any]) -> Lesart:
        return cls(**data)


@dataclass
class Aufbau:
    """What the grid looks like under a reading: titles, header labels, data rows."""

    titel: list[str]
    kopf_zeilen: list[int]  # line numbers of the header rows
    etiketten: list[str]  # one per column
    beschriftungen: list[str]  # the header text as shown (with dates)
    daten: list[tuple[int, list[Zelle]]]
    ausgelassen: list[int]  # lines between the data without values (section heads, footnotes)


def etikett(text: str) -> str:
    """A column's name without the dates it carries (``Einwohner 31.12.2023`` → ``einwohner #``)."""
    return norm_label(_DATUM_IM_TEXT.sub("#", text))


def zelltext(cell: Zelle) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, date):
        return cell.strftime("%d.%m.%Y")
    return str(cell).strip()


def _zahlartig(cell: Zelle) -> bool:
    if cell is None:
        return False
    if isinstance(cell, int | float):
        return True
    text = str(cell).strip().rstrip("%").strip()
    return parse_cell(text) is not None or parse_cell(text, dezimalpunkt=True) is not None


def _datenzeile(cells: list[Zelle]) -> bool:
    """A row of data: a label and mostly numbers (or symbols) behind it."""
    rest = [c for c in cells[1:] if c is not None]
    if len(rest) < 1:
        return False
    numbers = sum(_zahlartig(c) for c in rest)
    return numbers >= 1 and numbers * 2 >= len(rest)


def _code_spalte(values: list[Zelle]) -> bool:
    present = [zelltext(v) for v in values if v is not None]
    return bool(present) and all(_CODE.match(v) for v in present)


def aufbau(raster: Raster, kopfzeilen: int | None = None) -> Aufbau:
    """Title lines, header rows and data rows; ``kopfzeilen`` overrides the detected count."""
    rows = raster.zeilen
    data_like = [_datenzeile(cells) for _, cells in rows]
    first = next((i for i in range(len(rows)) if data_like[i] and (i + 1 >= len(rows) or data_like[i + 1])), None)
    if first is None:
        raise ProblemReport([Problem(raster.datei, None, None, "Keine Datenzeilen gefunden (Zeilen mit Zahlen).")])
    above = rows[:first]
    if kopfzeilen is None:
        kopfzeilen = 0
        for _, cells in reversed(above):  # header rows: several cells; a title has one
            if sum(c is not None for c in cells) < 2 or kopfzeilen == 3:
                break
            kopfzeilen += 1
    kopfzeilen = min(kopfzeilen, len(above))
    head = above[len(above) - kopfzeilen :] if kopfzeilen else []
    titel = [" ".join(zelltext(c) for c in cells if c is not None) for _, cells in above[: len(above) - kopfzeilen]]
    width = raster.breite
    labels = _labels([cells for _, cells in head], width)
    daten, ausgelassen = [], []
    for number, cells in rows[first:]:
        if sum(c is not None for c in cells) < 2:
            ausgelassen.append(number)
            continue
        daten.append((number, cells + [None] * (width - len(cells))))
    return Aufbau(
        titel=titel,
        kopf_zeilen=[number for number, _ in head],
        etiketten=[etikett(label) for label in labels],
        beschriftungen=labels,
        daten=daten,
        ausgelassen=ausgelassen,
    )


def _labels(head: list[list[Zelle]], width: int) -> list[str]:
    """One label per column; an upper level merged over several columns is carried to the right
    (``Bevölkerung | unter 21``). Without a header: ``Spalte 1`` …"""
    if not head:
        return [f"Spalte {j + 1}" for j in range(width)]
    levels = []
    for k, cells in enumerate(head):
        cells = cells + [None] * (width - len(cells))
        if k < len(head) - 1:  # an upper level: merged cells carry on to the right
            carried, last = [], None
            for cell in cells:
                last = cell if cell is not None else last
                carried.append(last)
            cells = carried
        levels.append([zelltext(c) for c in cells])
    labels: list[str] = []
    for j in range(width):
        parts = [level[j] for level in levels if level[j]]
        parts = [p for i, p in enumerate(parts) if i == 0 or p != parts[i - 1]]
        label = " | ".join(parts) or f"Spalte {j + 1}"
        if label in labels:  # two columns of one name ("Anteil" twice): told apart by position
            label = f"{label} ({j + 1})"
        labels.append(label)
    return labels


def _bekannte_spalten(katalog: Katalog) -> dict[str, str]:
    """Header texts the catalogue knows: every source's column labels and the Merkmal names."""
    known = {etikett(m.name): code for code, m in katalog.merkmale.items()}
    known.update({etikett(code): code for code in katalog.merkmale})
    for quelle in katalog.quellen:
        known.update({etikett(label): key for label, key in quelle.spalten.items()})
    return known


_EINHEITSWORT = {"anzahl", "insgesamt", "zusammen", "personen", "gesamt", "absolut"}
_ANTEIL = re.compile(r"%|anteil|quote|je \d")


def _merkmal_fuer(label: str, known: dict[str, str]) -> str | None:
    """The Merkmal for a header: the whole text, else of a two-level header the lower level, or
    the upper one when the lower only names the unit (``Arbeitslose | Anzahl``). A share
    (``Anteil in %``) never takes the count's Merkmal of its upper level."""
    key = etikett(label)
    if key in known:
        return known[key]
    parts = [etikett(p) for p in label.split("|")]
    if len(parts) < 2:
        return None
    if parts[-1] in _EINHEITSWORT:
        return known.get(parts[-2])
    return None if _ANTEIL.search(parts[-1]) else known.get(parts[-1])


def erkenne(raster: Raster, katalog: Katalog) -> Lesart:
    """The proposed reading of a grid."""
    bau = aufbau(raster)
    columns = list(zip(*(cells for _, cells in bau.daten), strict=True)) if bau.daten else []
    labels = bau.etiketten
    stichtag_spalte = next((labels[j] for j, e in enumerate(labels) if _STICHTAG_SPALTE.match(e)), None)
    candidates = [j for j, e in enumerate(labels) if e != stichtag_spalte]
    key = candidates[0]
    name = None
    if len(candidates) > 1:
        after = candidates[1]
        if _code_spalte(list(columns[key])) and not any(_zahlartig(v) for v in columns[after] if v is not None):
            name = labels[after]
    used = {labels[key], name, stichtag_spalte}
    lesart = Lesart(kopfzeilen=len(bau.kopf_zeilen), schluessel=labels[key], name=name)
    merkmal = next((e for e in labels if _MERKMAL_SPALTE.match(e) and e not in used), None)
    wert = next((e for e in labels if _WERT_SPALTE.match(e) and e not in used), None)
    known = _bekannte_spalten(katalog)
    if merkmal and wert:
        lesart.layout, lesart.merkmal_spalte, lesart.wert_spalte = "lang", merkmal, wert
        texts = {zelltext(c) for c in columns[labels.index(merkmal)]}
        lesart.spalten = {norm_label(t): known[etikett(t)] for t in sorted(texts) if etikett(t) in known}
        used |= {merkmal, wert}
    else:
        for j, label in enumerate(bau.beschriftungen):
            if labels[j] in used:
                continue
            merkmal_key = _merkmal_fuer(label, known)
            if merkmal_key:
                lesart.spalten[labels[j]] = merkmal_key
    for j, e in enumerate(labels):
        present = [str(v).strip() for v in columns[j] if isinstance(v, str) and v.strip() not in ("", ".", "-", "x")]
        if (present and all(v.endswith("%") for v in present)) or "%" in e:
            lesart.prozent.append(e)
    if stichtag_spalte:
        lesart.stichtag, lesart.stichtag_spalte = "spalte", stichtag_spalte
    elif titel_stichtag(bau.titel) is not None:
        lesart.stichtag = "titel"
    elif any(kopf_stichtag(label) for label in bau.beschriftungen):
        lesart.stichtag = "kopf"
    return lesart


def titel_stichtag(titel: list[str]) -> tuple[date, str] | None:
    for line in titel:
        match = _STICHTAG_TITEL.search(line)
        if match:
            day = parse_stichtag(match.group(1))
            if day is not None:
                return day, match.group(0)
    for line in titel:
        day = find_date(line)
        if day is not None:
            return day, day.strftime("%d.%m.%Y")
    return None


def kopf_stichtag(label: str) -> date | None:
    match = _DATUM_IM_TEXT.search(label)
    return parse_stichtag(match.group(1)) if match else None
