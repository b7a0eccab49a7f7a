"""The plausibility checks within one Stichtag: counts that are not whole, populations beyond
belief, areas without values (``einzelwerte``), age bands against their total
(``altersgruppen``), totals against their sub-areas (``teile``) and shares above 100 %
(``anteile``)."""

from __future__ import annotations

from datetime import date

import numpy as np

from sozialforum.daten.berechnung import _grouped_sum
from sozialforum.daten.fehlwerte import NICHT_GELIEFERT, NICHTS, VORHANDEN
from sozialforum.daten.katalog import Katalog, PlausibilitaetDef
from sozialforum.daten.merkmale import MerkmalKey, describe, parse_key, tile
from sozialforum.daten.plausibel_befund import Befund, Sammlung, Wo, anzahlen, genau, zelle, zellen
from sozialforum.daten.plausibel_gebiete import Gebiete
from sozialforum.daten.plausibel_tafel import Summen, ausrichten
from sozialforum.daten.speicher import Tafel
from sozialforum.timeutil import format_zahl


def einzelwerte(
    out: Sammlung,
    tafel: Tafel,
    where: Wo,
    file_keys: set[MerkmalKey],
    day: date,
    katalog: Katalog,
    gebiete: Gebiete,
) -> None:
    """Counts that are not whole, populations beyond belief, areas whose values are all missing."""
    mine = np.array([key in file_keys for key in tafel.spalten], dtype=bool)
    counts = anzahlen(katalog, tafel.spalten) & mine
    present = tafel.codes == VORHANDEN
    values = np.where(present, tafel.werte, 0.0)
    namen = katalog.merkmal_namen
    stamp = f"{day:%d.%m.%Y}"
    # Counts that are not whole numbers (12,5 Arbeitslose).
    for r, c in zip(*zellen(present & counts & (values != np.round(values))), strict=True):
        found = where(int(r), tafel.spalten[c])
        if found is None:
            continue
        key, area = tafel.spalten[c], int(tafel.index[r])
        out.add(
            Befund(
                "bruch",
                out.datei,
                f"{describe([key], namen)} in {gebiete.label(area)} am {stamp}: {genau(values[r, c])} "
                "ist eine Anzahl, aber keine ganze Zahl (Dezimal- und Tausendertrennzeichen prüfen).",
                gebiete.schluessel(area),
                str(key),
                day,
                *found,
            )
        )
    # Populations beyond belief (10^20 inhabitants), and counts above the area's population.
    population = parse_key(katalog.index.bevoelkerung)
    people_columns = np.array([key.name == population.name for key in tafel.spalten], dtype=bool)
    limit = float(katalog.plausibilitaet.hoechstbevoelkerung)
    too_many = present & (people_columns & mine) & (values > limit)
    for r, c in zip(*zellen(too_many), strict=True):
        found = where(int(r), tafel.spalten[c])
        if found is None:
            continue
        area = int(tafel.index[r])
        register = gebiete.einwohner(area)
        known = "" if register is None else f"; im Gebietsverzeichnis stehen {format_zahl(register)}"
        out.add(
            Befund(
                "bevoelkerung",
                out.datei,
                f"{describe([tafel.spalten[c]], namen)} in {gebiete.label(area)} am {stamp}: "
                f"{format_zahl(values[r, c])} – mehr, als Deutschland Einwohner hat "
                f"({format_zahl(limit)}){known}.",
                gebiete.schluessel(area),
                str(tafel.spalten[c]),
                day,
                *found,
            )
        )
    if population in tafel.spalten:
        total = tafel.column(population)
        others = counts & ~people_columns
        above = present & others & present[:, [total]] & (values > values[:, [total]])
        for r, c in zip(*zellen(above), strict=True):
            found = where(int(r), tafel.spalten[c])
            if found is None:
                continue
            area = int(tafel.index[r])
            out.add(
                Befund(
                    "bevoelkerung",
                    out.datei,
                    f"{describe([tafel.spalten[c]], namen)} in {gebiete.label(area)} am {stamp}: "
                    f"{format_zahl(values[r, c])}, mehr als die {format_zahl(values[r, total])} Einwohner "
                    "des Gebiets.",
                    gebiete.schluessel(area),
                    str(tafel.spalten[c]),
                    day,
                    *found,
                )
            )
    # An area whose every value in this file is missing or "-" (a re-formed Landkreis).
    if mine.any():
        empty = ~(present[:, mine]).any(axis=1)
        file_columns = [tafel.spalten[c] for c in np.flatnonzero(mine)]
        for r in np.flatnonzero(empty):
            line, _ = zelle(where, int(r), file_columns)
            if line is None:
                continue
            area = int(tafel.index[r])
            codes = tafel.codes[r, mine]
            all_dash = bool((codes == NICHTS).all())
            shown = "„-“ (nichts vorhanden)" if all_dash else "fehlende Werte"
            consequence = (
                "In den Kennzahlen stünde dort 0 – bei einem neu gebildeten oder umbenannten Gebiet bitte prüfen."
                if all_dash
                else "Die Kennzahlen des Gebiets fehlen für diesen Stichtag."
            )
            out.add(
                Befund(
                    "ohne_werte",
                    out.datei,
                    f"{gebiete.label(area)} am {stamp}: "
                    + (
                        f"der einzige Wert der Datei ist {shown}. "
                        if len(file_columns) == 1
                        else f"alle {len(file_columns)} Werte der Datei sind {shown}. "
                    )
                    + consequence,
                    gebiete.schluessel(area),
                    None,
                    day,
                    line,
                    None,
                )
            )


def altersgruppen(
    out: Sammlung,
    tafel: Tafel,
    where: Wo,
    file_keys: set[MerkmalKey],
    day: date,
    katalog: Katalog,
    gebiete: Gebiete,
) -> None:
    """A total over all ages against the age bands that add up to it."""
    tolerance = katalog.plausibilitaet.summe_toleranz
    for key in tafel.spalten:
        if not key.alle_alter or katalog.merkmale.get(key.name) is None:
            continue
        parts = tile(key, [k for k in tafel.spalten if k.name == key.name and not k.alle_alter])
        if not parts or not ({key, *parts} & file_keys):
            continue
        total_c = tafel.column(key)
        columns = [tafel.column(p) for p in parts]
        codes = tafel.codes[:, [total_c, *columns]]
        usable = ((codes == VORHANDEN) | (codes == NICHTS)).all(axis=1) & (codes[:, 0] == VORHANDEN)
        total = tafel.werte[:, total_c]
        summed = np.where(tafel.codes[:, columns] == VORHANDEN, tafel.werte[:, columns], 0.0).sum(axis=1)
        off = usable & (np.abs(total - summed) > np.maximum(1.0, tolerance * np.abs(total)))
        for r in np.flatnonzero(off):
            line, column = zelle(where, int(r), [key, *parts])
            if line is None:
                continue
            area = int(tafel.index[r])
            out.add(
                Befund(
                    "summe",
                    out.datei,
                    f"{describe([key], katalog.merkmal_namen)} in {gebiete.label(area)} am {day:%d.%m.%Y}: "
                    f"insgesamt {format_zahl(total[r])}, die Altersgruppen "
                    f"({', '.join(p.altersgruppe for p in parts)}) ergeben {format_zahl(summed[r])} "
                    f"(Abweichung {format_zahl(total[r] - summed[r])}).",
                    gebiete.schluessel(area),
                    str(key),
                    day,
                    line,
                    column,
                )
            )


def teile(
    out: Sammlung,
    stored: Tafel | None,
    tafel: Tafel,
    where: Wo,
    file_keys: set[MerkmalKey],
    day: date,
    katalog: Katalog,
    gebiete: Gebiete,
    regeln: PlausibilitaetDef,
) -> None:
    """An area's count against the sum of its sub-areas, the file's values over the stored ones,
    summed up the tree as the computation does (``berechnung.vollstaendige_tafel``: a delivered
    value wins over the sum). Only where every sub-area has a value (``-`` counts as 0) and the
    total or one of its parts comes from this file. A delivered total wins over the sum in every
    output, so a typo in it (7.602 for 6.702), or another table's total, must be seen here."""
    keys = [k for k in tafel.spalten if k in file_keys and katalog.merkmale.get(k.name) is not None]
    keys = [k for k, is_count in zip(keys, anzahlen(katalog, keys), strict=True) if is_count]
    if not keys:
        return
    # Only an area with a value of its own (in the file or stored) can disagree with its parts:
    # a file of Gemeinden alone, with nothing above them stored, has nothing to compare.
    delivered = np.asarray(tafel.index, dtype=np.int64)
    if stored is not None:
        delivered = np.concatenate([delivered, np.asarray(stored.index, dtype=np.int64)])
    if not np.isin(delivered, gebiete.eltern()).any():
        return
    valid, ebenen = gebiete.ebenen(day)
    if not ebenen:
        return
    index = valid.tolist()
    full = ausrichten(stored, index, keys, kopie=True)
    mine = ausrichten(tafel, index, keys)
    from_file = np.isin(valid, np.asarray(tafel.index, dtype=np.int64))
    full.werte[from_file], full.codes[from_file] = mine.werte[from_file], mine.codes[from_file]
    involved = from_file.copy()
    namen = katalog.merkmal_namen
    file_rows = np.asarray(tafel.index, dtype=np.int64)
    for children, parents, starts in ebenen:
        sums, codes = _grouped_sum(full.werte[children], full.codes[children], starts)
        own, own_codes = full.werte[parents], full.codes[parents]
        child_from_file = np.maximum.reduceat(involved[children].astype(np.int8), starts) > 0
        sizes = np.diff(np.append(starts, len(children)))
        compare = (own_codes == VORHANDEN) & (codes == VORHANDEN) & (from_file[parents] | child_from_file)[:, None]
        off = compare & (np.abs(own - sums) > np.maximum(1.0, regeln.summe_toleranz * np.abs(own)))
        for g, j in zip(*np.nonzero(off), strict=True):
            area, key = int(valid[parents[g]]), keys[j]
            line, column = None, None
            if from_file[parents[g]]:
                found = where(int(np.searchsorted(file_rows, area)), key)
                line, column = found if found is not None else (None, None)
            source = "aus dieser Datei" if from_file[parents[g]] else "aus einer früheren Lieferung"
            parts_source = "mit Werten dieser Datei" if child_from_file[g] else "aus früheren Lieferungen"
            out.add(
                Befund(
                    "summe",
                    out.datei,
                    f"{describe([key], namen)} in {gebiete.label(area)} am {day:%d.%m.%Y}: geliefert "
                    f"{format_zahl(own[g, j])} ({source}), die Summe der {int(sizes[g])} Teilgebiete "
                    f"({parts_source}) ist {format_zahl(sums[g, j])} "
                    f"(Abweichung {format_zahl(own[g, j] - sums[g, j])}). "
                    "In den Kennzahlen gilt der gelieferte Wert, nicht die Summe.",
                    gebiete.schluessel(area),
                    str(key),
                    day,
                    line,
                    column,
                )
            )
        # Up the tree as the computation goes: the delivered value, else the sum.
        use_sum = (own_codes != VORHANDEN) & ((codes == VORHANDEN) | (own_codes == NICHT_GELIEFERT))
        full.werte[parents] = np.where(use_sum, sums, own)
        full.codes[parents] = np.where(use_sum, codes, own_codes)
        involved[parents] |= child_from_file


def anteile(
    out: Sammlung, tafel: Tafel, where: Wo, names: set[str], day: date, katalog: Katalog, gebiete: Gebiete
) -> None:
    """A share (unit %) cannot exceed 100 %: the numerator is part of the denominator; a
    delivered share neither."""
    summen = Summen(tafel.spalten)
    for ind in katalog.indikatoren.values():
        keys = (*ind.zaehler_keys, *ind.nenner_keys)
        if ind.einheit != "%" or not names & {k.name for k in keys}:
            continue
        z, zc = summen.summe(ind.zaehler_keys, tafel)
        if ind.ist_quote:
            n, nc = summen.summe(ind.nenner_keys, tafel)
            bad = np.flatnonzero((zc == VORHANDEN) & (nc == VORHANDEN) & (z > n))
        else:
            n = np.full(len(z), 100.0 / ind.faktor)
            bad = np.flatnonzero((zc == VORHANDEN) & (z * ind.faktor > 100.0))
        for r in bad:
            line, column = zelle(where, int(r), keys)
            if line is None:
                continue
            area = int(tafel.index[r])
            numbers = (
                f"{format_zahl(z[r])} von {format_zahl(n[r])}" if ind.ist_quote else f"{genau(z[r] * ind.faktor)} %"
            )
            out.add(
                Befund(
                    "anteil",
                    out.datei,
                    f"„{ind.name}“ in {gebiete.label(area)} am {day:%d.%m.%Y}: {numbers} – ein Anteil über 100 % "
                    + ("ist nicht möglich (Zähler größer als Nenner)." if ind.ist_quote else "ist nicht möglich."),
                    gebiete.schluessel(area),
                    ind.code,
                    day,
                    line,
                    column,
                )
            )
