"""Reading a table by a confirmed reading (``Lesart``): ``lies`` turns the grid into the
``Rohdaten`` every source reader returns, with every cell that cannot be read as a problem
naming file, line and column; ``assistent.erkenne`` proposes the reading."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from sozialforum.daten.assistent import (
    ZUORDNUNG,
    Aufbau,
    Lesart,
    aufbau,
    etikett,
    kopf_stichtag,
    titel_stichtag,
    zelltext,
)
from sozialforum.daten.fehlwerte import Fehlwert
from sozialforum.daten.katalog import Katalog, QuelleDef, norm_label
from sozialforum.daten.quelldatei import (
    Rohdaten,
    Spalte,
    cell_problem,
    dezimalpunkt_der_spalte,
    parse_cell,
    parse_stichtag,
)
from sozialforum.daten.rohtabelle import Raster, Zelle
from sozialforum.problems import Problem, ProblemReport


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
                stichtag=kopf_stichtag(bau.beschriftungen[j]) if lesart.stichtag == "kopf" else None,
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
        day = cell if isinstance(cell, date) else parse_stichtag(zelltext(cell)) if cell is not None else None
        if day is None:
            text = f"„{zelltext(cell)}“ ist kein Stichtag (erwartet TT.MM.JJJJ oder ein Jahr)."
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
        found = titel_stichtag(bau.titel)
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
        key = zelltext(cells[key_col]) if key_col is not None else ""
        shown = zelltext(cells[name_col]) if name_col is not None else ""
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
        text = zelltext(cells[merkmal_col])
        if norm_label(text) not in lesart.spalten:
            continue
        where = (key, zelltext(day))
        if (key, zelltext(day), text) in seen:
            first = seen[(key, zelltext(day), text)]
            message = f"„{text}“ für „{key}“ doppelt (schon in Zeile {first})."
            problems.append(Problem(datei, line, bau.beschriftungen[merkmal_col], message))
            continue
        seen[(key, zelltext(day), text)] = line
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
            text = zelltext(cell)
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
            problems.append(cell_problem(datei, lines[i], spalte.label, zelltext(cell)))
            continue
        werte[i], codes[i] = parsed
