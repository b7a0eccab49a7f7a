"""Computing per Stichtag: base counts summed up the hierarchy, indicators from summed
numerators and denominators (rates are never averaged), change against the previous period.

Missing values stay missing (``fehlwerte``): a Sozialraum with one Gemeinde whose count is
secret has no sum, and its rate is missing too, with the symbol that says why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import numpy.typing as npt

from sozialforum.daten.fehlwerte import (
    BY_PRIORITY,
    NICHT_GELIEFERT,
    NICHT_SINNVOLL,
    NICHTS,
    PRIORITY,
    VORHANDEN,
    combine_codes,
    combine_sum,
)
from sozialforum.daten.gebietsstand import Gebietsstand
from sozialforum.daten.katalog import IndikatorDef, Katalog
from sozialforum.daten.merkmale import MerkmalKey, tile
from sozialforum.daten.speicher import Tafel

Floats = npt.NDArray[np.float64]
Codes = npt.NDArray[np.int8]


@dataclass
class Werte:
    """One indicator on one Stichtag over a list of areas."""

    ids: list[int] | list[str]
    wert: Floats
    code: Codes
    zaehler: Floats
    zaehler_code: Codes
    nenner: Floats | None = None
    nenner_code: Codes | None = None
    veraenderung: Floats | None = None
    veraenderung_code: Codes | None = None

    def position(self) -> dict[int | str, int]:
        keys: list[int | str] = list(self.ids)
        return {key: i for i, key in enumerate(keys)}


@dataclass
class Stichtagsergebnis:
    stichtag: date
    tafel: Tafel  # base counts of all areas after aggregation
    werte: dict[str, Werte]
    vergleich: dict[str, Werte] = field(default_factory=dict)
    hinweise: list[str] = field(default_factory=list)


def vollstaendige_tafel(tafel: Tafel | None, stand: Gebietsstand, day: date, katalog: Katalog) -> Tafel:
    """All areas valid on ``day`` (and their ancestors) with counts summed from the lowest
    level delivered. A value delivered for a higher level is kept; a sum fills in only where
    none was delivered (e.g. HzE figures that the Jugendamt delivers per Sozialraum)."""
    baum = stand.baum(day)
    spalten = tafel.spalten if tafel is not None else []
    full = Tafel.leer(baum.index, spalten)
    if tafel is None or not spalten:
        return full
    index = np.asarray(tafel.index, dtype=np.int64)
    rows = np.minimum(np.searchsorted(baum.ids, index), len(baum.ids) - 1)
    inside = baum.ids[rows] == index
    if inside.all():
        full.werte[rows] = tafel.werte
        full.codes[rows] = tafel.codes
    else:
        full.werte[rows[inside]] = tafel.werte[inside]
        full.codes[rows[inside]] = tafel.codes[inside]
    summable = np.array(
        [katalog.merkmale[k.name].art == "anzahl" if k.name in katalog.merkmale else True for k in spalten]
    )
    every = bool(summable.all())  # the usual catalogue: no column copies needed
    for children, parents, starts in baum.ebenen:
        child_values, child_codes = full.werte[children], full.codes[children]
        own_values, own_codes = full.werte[parents], full.codes[parents]
        if not every:
            child_values, child_codes = child_values[:, summable], child_codes[:, summable]
            own_values, own_codes = own_values[:, summable], own_codes[:, summable]
        sums, codes = _grouped_sum(child_values, child_codes, starts)
        keep = own_codes == VORHANDEN
        use_sum = ~keep & ((codes == VORHANDEN) | (own_codes == NICHT_GELIEFERT))
        new_values = np.where(keep, own_values, np.where(use_sum, sums, own_values))
        new_codes = np.where(keep, own_codes, np.where(use_sum, codes, own_codes)).astype(np.int8)
        if every:
            full.werte[parents], full.codes[parents] = new_values, new_codes
            continue
        block_v, block_c = full.werte[parents], full.codes[parents]
        block_v[:, summable], block_c[:, summable] = new_values, new_codes
        full.werte[parents], full.codes[parents] = block_v, block_c
    return full


def _grouped_sum(values: Floats, codes: Codes, starts: npt.NDArray[np.intp]) -> tuple[Floats, Codes]:
    """``combine_sum`` per group of consecutive rows (children sorted by parent)."""
    present = codes == VORHANDEN
    total = np.add.reduceat(np.where(present, values, 0.0), starts, axis=0)
    worst = np.maximum.reduceat(PRIORITY.take(codes), starts, axis=0)
    all_dash = np.minimum.reduceat((codes == NICHTS).astype(np.int8), starts, axis=0) == 1
    result = np.where(all_dash, NICHTS, BY_PRIORITY.take(worst)).astype(np.int8)
    return np.where(result == VORHANDEN, total, np.nan), result


Summen = dict[tuple[MerkmalKey, ...], tuple[Floats, Codes]]


def teilsumme(
    keys: tuple[MerkmalKey, ...], tafel: Tafel, hinweise: list[str], namen: dict[str, str], summen: Summen | None = None
) -> tuple[Floats, Codes]:
    """The sum of the Merkmale (with bands) of a numerator or denominator for every area.

    ``summen`` keeps the sums of one Tafel: many indicators share a denominator (the
    population), which is then summed once and stored once."""
    if summen is not None and keys in summen:
        return summen[keys]
    columns: list[int] = []
    for key in keys:
        parts = tile(key, tafel.spalten)
        if parts is None:
            delivered = sorted(k.altersgruppe for k in tafel.spalten if k.name == key.name)
            label = namen.get(key.name, key.name)
            hinweise.append(
                f"{label} {key.altersgruppe} lässt sich aus den gelieferten Altersgruppen nicht "
                f"bilden (vorhanden: {', '.join(delivered) or 'keine'})."
            )
            n = len(tafel.index)
            result = np.full(n, np.nan), np.full(n, NICHT_GELIEFERT, dtype=np.int8)
            break
        columns.extend(tafel.column(part) for part in parts)
    else:
        if len(columns) == 1:  # one Merkmal: the sum is the column itself, symbol and all
            result = tafel.werte[:, columns[0]].copy(), tafel.codes[:, columns[0]].copy()
        else:
            result = combine_sum(tafel.werte[:, columns], tafel.codes[:, columns], axis=1)
    if summen is not None:
        summen[keys] = result
    return result


def kennzahl(
    zaehler: Floats, zaehler_code: Codes, nenner: Floats | None, nenner_code: Codes | None, faktor: float
) -> tuple[Floats, Codes]:
    """Value and code of an indicator from its sums: the one rule, used when computing and when
    a stored computation is read back (which keeps the sums, not the values)."""
    if nenner is None or nenner_code is None:
        return np.where(zaehler_code == VORHANDEN, zaehler * faktor, np.nan), zaehler_code.copy()
    code = combine_codes(zaehler_code, nenner_code)
    # A denominator of nothing (0 or "-") makes the rate meaningless, not zero.
    empty = (nenner_code == NICHTS) | ((nenner_code == VORHANDEN) & (nenner == 0))
    code = np.where(empty, NICHT_SINNVOLL, code).astype(np.int8)
    with np.errstate(divide="ignore", invalid="ignore"):
        wert = np.where(code == VORHANDEN, zaehler / nenner * faktor, np.nan)
    return wert, code


def berechne_indikator(
    ind: IndikatorDef, tafel: Tafel, hinweise: list[str], namen: dict[str, str], summen: Summen | None = None
) -> Werte:
    zaehler, zaehler_code = teilsumme(ind.zaehler_keys, tafel, hinweise, namen, summen)
    nenner, nenner_code = teilsumme(ind.nenner_keys, tafel, hinweise, namen, summen) if ind.ist_quote else (None, None)
    wert, code = kennzahl(zaehler, zaehler_code, nenner, nenner_code, ind.faktor)
    return Werte(tafel.index, wert, code, zaehler, zaehler_code, nenner, nenner_code)


def ausrichtung(current: list[int] | list[str], previous: list[int] | list[str]) -> npt.NDArray[np.int64] | None:
    """Row of each current area in the previous period (-1: the area did not exist then);
    None when both periods have the same areas in the same order (the usual case)."""
    if current == previous:
        return None
    where = {key: i for i, key in enumerate(previous)}
    return np.array([where.get(key, -1) for key in current], dtype=np.int64)


def veraenderung(current: Werte, previous: Werte | None, rows: npt.NDArray[np.int64] | None) -> None:
    """Change against the previous period, aligned by area (absent then: no change); ``rows``
    from ``ausrichtung`` (None: the same areas in the same order)."""
    n = len(current.ids)
    if previous is None:
        current.veraenderung = np.full(n, np.nan)
        current.veraenderung_code = np.full(n, NICHT_GELIEFERT, dtype=np.int8)
        return
    if rows is None:
        before, before_code = previous.wert, previous.code
    else:
        found = rows >= 0
        before = np.where(found, previous.wert[np.maximum(rows, 0)], np.nan)
        before_code = np.where(found, previous.code[np.maximum(rows, 0)], NICHT_GELIEFERT).astype(np.int8)
    code = combine_codes(current.code, before_code)
    current.veraenderung = np.where(code == VORHANDEN, current.wert - before, np.nan)
    current.veraenderung_code = code


def berechne_stichtag(
    day: date,
    tafel: Tafel | None,
    vergleich: Tafel | None,
    stand: Gebietsstand,
    katalog: Katalog,
    previous: Stichtagsergebnis | None,
) -> Stichtagsergebnis:
    """Everything of one Stichtag; ``previous`` (the Stichtag before) gives the changes."""
    hinweise: list[str] = []
    full = vollstaendige_tafel(tafel, stand, day, katalog)
    namen = katalog.merkmal_namen
    werte = {}
    rows = ausrichtung(full.index, previous.tafel.index) if previous else None  # same for all
    summen: Summen = {}
    for code, ind in katalog.indikatoren.items():
        werte[code] = berechne_indikator(ind, full, hinweise, namen, summen)
        veraenderung(werte[code], previous.werte.get(code) if previous else None, rows)
    compared = {}
    if vergleich is not None:
        ignored: list[str] = []  # bands a benchmark area lacks are simply not compared
        vergleich_summen: Summen = {}
        compared = {
            code: berechne_indikator(ind, vergleich, ignored, namen, vergleich_summen)
            for code, ind in katalog.indikatoren.items()
        }
    return Stichtagsergebnis(day, full, werte, compared, list(dict.fromkeys(hinweise)))
