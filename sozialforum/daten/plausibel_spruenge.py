"""The plausibility check against the previous Stichtage: an indicator that moved beyond the
configured band, further than the area ever moved before (``spruenge``)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from sozialforum.daten import vorlesen
from sozialforum.daten.berechnung import Codes, Floats, kennzahl
from sozialforum.daten.fehlwerte import VORHANDEN
from sozialforum.daten.katalog import IndikatorDef, Katalog, PlausibilitaetDef
from sozialforum.daten.plausibel_befund import Befund, Sammlung, Wo, anzahlen, zelle
from sozialforum.daten.plausibel_gebiete import Gebiete
from sozialforum.daten.plausibel_tafel import Summen, ausrichten
from sozialforum.daten.speicher import Tafel
from sozialforum.timeutil import format_zahl


def spruenge(
    out: Sammlung,
    tafel: Tafel,
    where: Wo,
    names: set[str],
    day: date,
    history: list[tuple[date, Callable[[], Tafel | None]]],
    katalog: Katalog,
    gebiete: Gebiete,
    regeln: PlausibilitaetDef,
) -> None:
    """An indicator of counts that moved beyond the band against the previous Stichtag, further
    than the area ever moved between its earlier Stichtage.

    Indicators of one numerator column (and one denominator column) are computed together as
    one matrix per Stichtag (80 rates over the population: one call, not 80); the history only
    for the areas beyond the band."""
    if not history:
        return
    inds = [
        ind
        for ind in katalog.indikatoren.values()
        if names & {k.name for k in (*ind.zaehler_keys, *ind.nenner_keys)}
        and anzahlen(katalog, [*ind.zaehler_keys, *ind.nenner_keys]).all()
    ]
    if not inds:
        return
    ids = [int(i) for i in tafel.index]
    summen = Summen(tafel.spalten)
    aligned: dict[int, Tafel] = {}

    def earlier(position: int) -> Tafel:
        if position not in aligned:
            aligned[position] = ausrichten(history[position][1](), ids, tafel.spalten)
        return aligned[position]

    previous = earlier(len(history) - 1)
    known = next((raten for raten in _ZULETZT if raten.gleich(previous)), None)
    mine = _Raten(tafel)

    blocks: dict[tuple[bool, bool], list[tuple[IndikatorDef, int, int]]] = {}
    for ind in inds:
        z = summen.spalten_fuer(ind.zaehler_keys)
        n = summen.spalten_fuer(ind.nenner_keys) if ind.ist_quote else []
        if z is not None and n is not None and len(z) == 1 and len(n) <= 1:
            blocks.setdefault((True, ind.ist_quote), []).append((ind, z[0], n[0] if n else -1))
        else:
            blocks.setdefault((False, ind.ist_quote), []).append((ind, -1, -1))
    for (simple, quote), members in blocks.items():
        groups = [members] if simple else [[member] for member in members]
        for group in groups:
            _sprung_block(
                out, tafel, where, day, history, earlier, summen, group, quote, gebiete, regeln, (mine, previous, known)
            )
    # Only a refresh has a next load to take them (a single upload in the portal has none).
    _ZULETZT[:] = [mine.behalten()] if vorlesen.laeuft() else []


@dataclass
class _Raten:
    """One Stichtag's indicator values per group of indicators (value, code, comparable: present
    with enough cases), with the table they were computed from."""

    tafel: Tafel
    gruppen: dict[tuple, tuple[Floats, Codes, np.ndarray]] = field(default_factory=dict)

    def gleich(self, other: Tafel) -> bool:
        """Same areas, columns and bits: then every value computed from one is the other's."""
        mine = self.tafel
        return (
            mine.spalten == other.spalten
            and mine.werte.shape == other.werte.shape
            and list(mine.index) == list(other.index)
            and bool((mine.codes == other.codes).all())
            and bool((mine.werte.view(np.int64) == other.werte.view(np.int64)).all())
        )

    def gruppe(self, key: tuple, compute: Callable[[], tuple[Floats, Codes, np.ndarray]]) -> tuple:
        found = self.gruppen.get(key)
        if found is None:
            found = self.gruppen[key] = compute()
        return found

    def behalten(self) -> _Raten:
        """Kept beyond this load with a copy of its table: the file's arrays are not ours."""
        tafel = self.tafel
        for arrays in self.gruppen.values():
            for array in arrays:
                array.flags.writeable = False  # handed to the next load as they are
        return _Raten(
            Tafel(tafel.index.copy(), list(tafel.spalten), tafel.werte.copy(), tafel.codes.copy()), self.gruppen
        )


# The values of the Stichtag a load just checked are the "previous" of the next load's check (a
# refresh loads its files oldest first): kept here, the next load takes them instead of computing
# the 880,000 rates of a nationwide file again. Found by content, not by object: the next load
# reads that Stichtag back from the store (``speicher.lade_bestand``, another Tafel), and a store
# that changed in between (a withdrawn delivery, a second file for the day) simply does not match.
# Kept only while a refresh is open (``vorlesen``) and forgotten when it ends: ~17 MB for a
# nationwide file, which a long-lived process (the portal, a worker) must not hold on to.
_ZULETZT: list[_Raten] = []


def _vergessen() -> None:
    _ZULETZT.clear()


vorlesen.am_ende(_vergessen)


def _block(
    tafel: Tafel, summen: Summen, group: list[tuple[IndikatorDef, int, int]], quote: bool, rows: np.ndarray | None
) -> tuple[Floats, Codes, Floats, Codes]:
    """Value, code, numerator and its code of the group's indicators: areas × indicators."""
    if group[0][1] < 0:  # one indicator with sums of several columns
        wert, code, z, zc = summen.kennzahl(group[0][0], tafel, rows)
        return wert[:, None], code[:, None], z[:, None], zc[:, None]
    z_cols = [z for _, z, _ in group]
    werte = tafel.werte if rows is None else tafel.werte[rows]
    codes = tafel.codes if rows is None else tafel.codes[rows]
    z, zc = werte[:, z_cols], codes[:, z_cols]
    faktor = np.array([ind.faktor for ind, _, _ in group])
    if not quote:
        wert, code = kennzahl(z, zc, None, None, 1.0)
        return wert * faktor, code, z, zc
    n_cols = [n for _, _, n in group]
    if len(set(n_cols)) == 1:  # one denominator for all (the population): a view, not 80 copies of it
        n, nc = np.broadcast_to(werte[:, n_cols[:1]], z.shape), np.broadcast_to(codes[:, n_cols[:1]], z.shape)
    else:
        n, nc = werte[:, n_cols], codes[:, n_cols]
    wert, code = kennzahl(z, zc, n, nc, 1.0)
    return wert * faktor, code, z, zc


class _Zellen:
    """The cells of a mask in row order, listed a slice at a time: a file where most values
    move (the benchmark's random counts: 690,000 of 880,000) needs the first few thousand only,
    and listing all of them cost more than the comparison itself."""

    def __init__(self, mask: np.ndarray) -> None:
        self.mask = mask
        self.ends = np.cumsum(np.count_nonzero(mask, axis=1))  # cells up to and including each row
        self.anzahl = int(self.ends[-1]) if len(self.ends) else 0

    def teil(self, start: int, stop: int) -> tuple[np.ndarray, np.ndarray]:
        """(rows, columns) of the cells ``start`` … ``stop - 1``."""
        stop = min(stop, self.anzahl)
        if start >= stop:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        first = int(np.searchsorted(self.ends, start, side="right"))
        last = int(np.searchsorted(self.ends, stop - 1, side="right"))
        rows, columns = np.nonzero(self.mask[first : last + 1])
        skip = start - (int(self.ends[first - 1]) if first else 0)
        return rows[skip : skip + stop - start] + first, columns[skip : skip + stop - start]


def _sprung_block(
    out: Sammlung,
    tafel: Tafel,
    where: Wo,
    day: date,
    history: list[tuple[date, Callable[[], Tafel | None]]],
    earlier: Callable[[int], Tafel],
    summen: Summen,
    group: list[tuple[IndikatorDef, int, int]],
    quote: bool,
    gebiete: Gebiete,
    regeln: PlausibilitaetDef,
    raten: tuple[_Raten, Tafel, _Raten | None],
) -> None:
    key = (quote, regeln.mindestfaelle, tuple((i.zaehler_keys, i.nenner_keys, i.faktor, z, n) for i, z, n in group))

    def werte(source: Tafel) -> Callable[[], tuple[Floats, Codes, np.ndarray]]:
        def compute() -> tuple[Floats, Codes, np.ndarray]:
            wert, code, cases, cases_code = _block(source, summen, group, quote, None)
            # comparable: a value, and enough cases for a rate to mean something
            return wert, code, (code == VORHANDEN) & (cases_code == VORHANDEN) & (cases >= regeln.mindestfaelle)

        return compute

    mine, previous, kept_before = raten
    now, _, now_ok = mine.gruppe(key, werte(tafel))
    then, then_code, then_ok = kept_before.gruppe(key, werte(previous)) if kept_before else werte(previous)()
    ok = now_ok & then_ok
    # Over all 880,000 cells of a nationwide file: as few passes as the comparison needs. Cells
    # that are not ``ok`` (NaN there) are never looked at: only the cells of ``ok`` are listed.
    with np.errstate(invalid="ignore"):
        change = now - then
        band = np.abs(then)
        band *= regeln.sprung
        beyond = np.abs(change) > band
    beyond &= ok
    cells = _Zellen(beyond)
    if not cells.anzahl:
        return
    # The area's own history: the earlier Stichtage, for the areas beyond the band only, in
    # chunks until the list is full (a broken file would otherwise be compared cell by cell).
    steps = len(history) - 1
    if not steps:  # no history yet: every value beyond the band is a finding; texts for the first
        free = out.frei("sprung")
        out.zaehle("sprung", max(0, cells.anzahl - free))
        rows, columns = cells.teil(0, free)
        series: list[tuple[Floats, Codes]] = [(then[rows, columns], then_code[rows, columns])]
        largest = np.zeros(len(rows))
    else:
        kept: list[tuple[np.ndarray, np.ndarray, np.ndarray, list[tuple[Floats, Codes]]]] = []
        found, start = 0, 0
        while start < cells.anzahl and found < max(out.frei("sprung"), 1):
            chunk_rows, c = cells.teil(start, start + 4096)
            start += len(chunk_rows)
            picked = np.unique(chunk_rows)
            at = np.searchsorted(picked, chunk_rows)
            older = [_block(earlier(p), summen, group, quote, picked) for p in range(steps)]
            part = [(v[at, c], k[at, c]) for v, k, *_ in older]
            part.append((then[chunk_rows, c], then_code[chunk_rows, c]))
            biggest = np.zeros(len(chunk_rows))
            for (a, a_code), (b, b_code) in itertools.pairwise(part):
                both = (a_code == VORHANDEN) & (b_code == VORHANDEN)
                biggest = np.maximum(biggest, np.where(both, np.abs(b - a), 0.0))
            keep = np.abs(change[chunk_rows, c]) > biggest
            kept.append((chunk_rows[keep], c[keep], biggest[keep], [(v[keep], k[keep]) for v, k in part]))
            found += int(keep.sum())
        out.ungeprueft += cells.anzahl - start
        rows = np.concatenate([k[0] for k in kept])
        columns = np.concatenate([k[1] for k in kept])
        largest = np.concatenate([k[2] for k in kept])
        series = [
            (np.concatenate([k[3][i][0] for k in kept]), np.concatenate([k[3][i][1] for k in kept]))
            for i in range(steps + 1)
        ]
    free = out.frei("sprung")
    if len(rows) > free:
        out.zaehle("sprung", len(rows) - free)
    before_day = history[-1][0]
    for k in range(min(free, len(rows))):
        r, j = int(rows[k]), int(columns[k])
        ind = group[j][0]
        digits = ind.nachkommastellen
        line, column = zelle(where, r, [*ind.zaehler_keys, *ind.nenner_keys])
        area = int(tafel.index[r])
        percent = change[r, j] / abs(then[r, j]) * 100 if then[r, j] else float("inf")
        known = [float(values[k]) for values, codes in series if codes[k] == VORHANDEN]
        past = (
            f"; bisher zwischen {format_zahl(min(known), digits)} und {format_zahl(max(known), digits)}, "
            f"größte Änderung zwischen zwei Stichtagen {format_zahl(largest[k], digits)}"
            if steps and len(known) > 1
            else ""
        )
        out.add(
            Befund(
                "sprung",
                out.datei,
                f"„{ind.name}“ in {gebiete.label(area)} am {day:%d.%m.%Y}: {format_zahl(now[r, j], digits)} "
                f"nach {format_zahl(then[r, j], digits)} am {before_day:%d.%m.%Y} "
                f"({'+' if percent > 0 else ''}{format_zahl(percent, 1)} %, erlaubt "
                f"±{format_zahl(regeln.sprung * 100)} %){past}.",
                gebiete.schluessel(area),
                ind.code,
                day,
                line,
                column,
            )
        )
