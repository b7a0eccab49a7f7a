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

import numpy as np

from sozialforum.daten.fehlwerte import Fehlwert
from sozialforum.daten.katalog import Katalog, QuelleDef, norm_label
from sozialforum.daten.quelldatei import (
    Rohdaten,
    Spalte,
    cell_problem,
    dezimalpunkt_der_spalte,
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


def _text(cell: Zelle) -> str:
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
    present = [_text(v) for v in values if v is not None]
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
    titel = [" ".join(_text(c) for c in cells if c is not None) for _, cells in above[: len(above) - kopfzeilen]]
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
        levels.append([_text(c) for c in cells])
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
        texts = {_text(c) for c in columns[labels.index(merkmal)]}
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
    elif _titel_stichtag(bau.titel) is not None:
        lesart.stichtag = "titel"
    elif any(_kopf_stichtag(label) for label in bau.beschriftungen):
        lesart.stichtag = "kopf"
    return lesart


def _titel_stichtag(titel: list[str]) -> tuple[date, str] | None:
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


def _kopf_stichtag(label: str) -> date | None:
    match = _DATUM_IM_TEXT.search(label)
    return parse_stichtag(match.group(1)) if match else None


@dataclass
class Gelesen:
    daten: Rohdaten
    quelle: QuelleDef
    aufbau: Aufbau
    stichtag_herkunft: str  # how the Stichtag was found, for the preview


def lies(
    raster: Raster,
    lesart: Lesart,
    katalog: Katalog,
    *,
    name: str,
    pruefsumme: str,
    stichtag: date | None = None,
) -> Gelesen:
    """Read a grid by a reading: the rows, keys, Stichtage and values as every reader returns
    them; every cell that cannot be read is a problem with file, line and column."""
    datei = raster.datei
    bau = aufbau(raster, lesart.kopfzeilen)
    problems: list[Problem] = []
    labels = bau.etiketten

    def column(label: str | None, what: str) -> int | None:
        if label is None:
            return None
        if label not in labels:
            problems.append(
                Problem(
                    datei,
                    bau.kopf_zeilen[-1] if bau.kopf_zeilen else None,
                    label,
                    f"{what} fehlt (die Kopfzeile hat: {', '.join(bau.beschriftungen)}).",
                )
            )
            return None
        return labels.index(label)

    key_col = column(lesart.schluessel, "Schlüsselspalte")
    name_col = column(lesart.name, "Namensspalte")
    day_col = column(lesart.stichtag_spalte, "Stichtagsspalte") if lesart.stichtag == "spalte" else None
    herkunft, fixed = _stichtag(lesart, bau, stichtag, datei, problems)
    if lesart.layout == "lang":
        merkmal_col = column(lesart.merkmal_spalte, "Merkmalsspalte")
        wert_col = column(lesart.wert_spalte, "Wertspalte")
        rows, values = _lang(bau, lesart, key_col, name_col, day_col, merkmal_col, wert_col, datei, problems)
        spalten = [Spalte(label, einheit="%" if label in lesart.prozent else None) for label in values]
    else:
        rows = _zeilen(bau, key_col, name_col, day_col)
        mapped = [j for j, label in enumerate(labels) if label in lesart.spalten]
        if not mapped:
            problems.append(Problem(datei, None, None, "Keiner Spalte ist ein Merkmal zugeordnet."))
        values = {bau.beschriftungen[j]: [cells[j] for _, cells in bau.daten] for j in mapped}
        spalten = [
            Spalte(
                bau.beschriftungen[j],
                stichtag=_kopf_stichtag(bau.beschriftungen[j]) if lesart.stichtag == "kopf" else None,
                einheit="%" if labels[j] in lesart.prozent else None,
            )
            for j in mapped
        ]
    if lesart.stichtag == "kopf" and fixed is None:
        problems += [
            Problem(
                datei, bau.kopf_zeilen[-1] if bau.kopf_zeilen else None, s.label, "Die Spalte nennt keinen Stichtag."
            )
            for s in spalten
            if s.stichtag is None
        ]
    if problems:
        raise ProblemReport(problems)
    lines = [line for line, *_ in rows]
    werte = np.full((len(rows), len(spalten)), np.nan)
    codes = np.full((len(rows), len(spalten)), int(Fehlwert.NICHT_GELIEFERT), dtype=np.int8)
    for c, spalte in enumerate(spalten):
        _werte_der_spalte(values[spalte.label], lines, datei, spalte, werte[:, c], codes[:, c], problems)
    days: list[date | None] = []
    for line, _, _, cell in rows:
        if day_col is None:
            days.append(fixed)
            continue
        day = cell if isinstance(cell, date) else parse_stichtag(_text(cell)) if cell is not None else None
        if day is None:
            text = f"„{_text(cell)}“ ist kein Stichtag (erwartet TT.MM.JJJJ oder ein Jahr)."
            problems.append(Problem(datei, line, bau.beschriftungen[day_col], text))
        days.append(day)
    for line, key, _, _ in rows:
        if not key:
            problems.append(Problem(datei, line, lesart.schluessel, "Schlüssel fehlt."))
    quelle = QuelleDef(
        kennung=f"{ZUORDNUNG}{name}"[:80],
        format="tabelle",
        name=name,
        herausgeber=lesart.herausgeber,
        spalten={s.label: _merkmal_der_spalte(s.label, lesart) for s in spalten},
    )
    data = Rohdaten(
        datei=datei,
        pruefsumme=pruefsumme,
        format="tabelle",
        titel=" – ".join(bau.titel) or name,
        zeilen=np.array(lines, dtype=np.int64),
        schluessel=[key for _, key, _, _ in rows],
        namen=[shown for _, _, shown, _ in rows],
        stichtage=days,
        spalten=spalten,
        werte=werte,
        codes=codes,
        herausgeber=lesart.herausgeber,
        problems=problems,
        hinweise=[f"Gelesen mit der gespeicherten Zuordnung „{name}“."],
    )
    return Gelesen(data, quelle, bau, herkunft)


def _merkmal_der_spalte(label: str, lesart: Lesart) -> str:
    return lesart.spalten.get(etikett(label)) or lesart.spalten[norm_label(label)]


def _stichtag(
    lesart: Lesart, bau: Aufbau, given: date | None, datei: str, problems: list[Problem]
) -> tuple[str, date | None]:
    if lesart.stichtag == "titel":
        found = _titel_stichtag(bau.titel)
        if found is not None:
            return f"aus dem Titel („{found[1]}“)", found[0]
        if given is None:
            problems.append(Problem(datei, 1, None, "Der Titel nennt keinen Stichtag (z. B. „Stand 31.12.2023“)."))
        return "angegeben", given
    if lesart.stichtag == "spalte":
        return f"aus der Spalte „{lesart.stichtag_spalte}“", None
    if lesart.stichtag == "kopf":
        return "aus der Kopfzeile", given
    if given is None:
        problems.append(
            Problem(datei, None, "Stichtag", "Die Datei nennt keinen Stichtag: bitte beim Laden angeben (--stichtag).")
        )
    return "angegeben", given


def _zeilen(
    bau: Aufbau, key_col: int | None, name_col: int | None, day_col: int | None
) -> list[tuple[int, str, str, Zelle]]:
    """(line, key as matched, name as shown, Stichtag cell) per data row; a code and a name
    become ``01 Altstadt``, so a contradiction between them is caught."""
    rows = []
    for line, cells in bau.daten:
        key = _text(cells[key_col]) if key_col is not None else ""
        shown = _text(cells[name_col]) if name_col is not None else ""
        day = cells[day_col] if day_col is not None else None
        official = key.isdigit() and len(key) >= 5  # an AGS/ARS beside the name: the key alone
        rows.append((line, f"{key} {shown}" if shown and key and not official else key or shown, shown or key, day))
    return rows


def _lang(
    bau: Aufbau,
    lesart: Lesart,
    key_col: int | None,
    name_col: int | None,
    day_col: int | None,
    merkmal_col: int | None,
    wert_col: int | None,
    datei: str,
    problems: list[Problem],
) -> tuple[list[tuple[int, str, str, Zelle]], dict[str, list[Zelle]]]:
    """A long table pivoted to one row per area and Stichtag, a column per mapped Merkmal."""
    if merkmal_col is None or wert_col is None:
        return [], {}
    rows: dict[tuple[str, str], tuple[int, str, str, Zelle]] = {}
    cells_of: dict[str, dict[tuple[str, str], Zelle]] = {}
    seen: dict[tuple[str, str, str], int] = {}
    for (line, key, shown, day), (_, cells) in zip(_zeilen(bau, key_col, name_col, day_col), bau.daten, strict=True):
        text = _text(cells[merkmal_col])
        if norm_label(text) not in lesart.spalten:
            continue
        where = (key, _text(day))
        if (key, _text(day), text) in seen:
            first = seen[(key, _text(day), text)]
            message = f"„{text}“ für „{key}“ doppelt (schon in Zeile {first})."
            problems.append(Problem(datei, line, bau.beschriftungen[merkmal_col], message))
            continue
        seen[(key, _text(day), text)] = line
        rows.setdefault(where, (line, key, shown, day))
        cells_of.setdefault(text, {})[where] = cells[wert_col]
    order = list(rows)
    return [rows[w] for w in order], {text: [cells.get(w) for w in order] for text, cells in cells_of.items()}


def _werte_der_spalte(
    cells: list[Zelle],
    lines: list[int],
    datei: str,
    spalte: Spalte,
    werte: np.ndarray,
    codes: np.ndarray,
    problems: list[Problem],
) -> None:
    texts: list[str | None] = []
    for cell in cells:
        if cell is None or isinstance(cell, int | float):
            texts.append(None)
        else:
            text = _text(cell)
            texts.append(text[:-1].strip() if spalte.einheit == "%" and text.endswith("%") else text)
    punkt = dezimalpunkt_der_spalte(texts)
    if punkt is None:
        problems.append(
            Problem(datei, None, spalte.label, "Die Spalte schreibt Dezimalzahlen mal mit Punkt, mal mit Komma.")
        )
        return
    for i, (cell, shown) in enumerate(zip(cells, texts, strict=True)):
        if isinstance(cell, int | float) and not isinstance(cell, bool):
            werte[i], codes[i] = float(cell), Fehlwert.VORHANDEN
            continue
        if cell is None:
            continue  # not delivered (a long table without this Merkmal for the area)
        parsed = parse_cell(shown, dezimalpunkt=punkt)
        if parsed is None:
            problems.append(cell_problem(datei, lines[i], spalte.label, _text(cell)))
            continue
        werte[i], codes[i] = parsed
