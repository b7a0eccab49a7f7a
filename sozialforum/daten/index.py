"""The composite index of the Sozialraummonitor, after the Berlin "Monitoring Soziale
Stadtentwicklung" (MSS): z-standardise each index indicator across the areas of one level,
add the z-values, z-standardise the sum. Status from the values, dynamics from their changes.

Classes (MSS): status hoch < −1,0 ≤ mittel ≤ +1,0 < niedrig ≤ +1,5 < sehr niedrig; dynamics
positiv < −1,0 ≤ stabil ≤ +1,0 < negativ. Indicators are oriented so that higher means more
need (``richtung``). Any indicator goes in: rates of counts, delivered shares, published
z-values or scores (``katalog``: a delivered value must declare its direction); z-values are
standardised again over the areas present, which leaves them as they are when the areas are the
publisher's. An indicator marked ``index = "status"`` serves only the status, one marked
``"dynamik"`` only the dynamics, with its value (not its change) as the dynamics input. Areas
under the population floor (300 by default) are left out, since their rates swing with a
handful of cases. The standard deviation is that of the population
of areas (ddof=0): the areas are all areas, not a sample.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt

from sozialforum.daten.berechnung import Stichtagsergebnis, Werte
from sozialforum.daten.fehlwerte import NICHT_GELIEFERT, NICHT_SINNVOLL, VORHANDEN, combine_codes
from sozialforum.daten.gebietsstand import Gebietsstand
from sozialforum.daten.katalog import Katalog
from sozialforum.daten.merkmale import parse_key

STATUS_KLASSEN = {1: "hoch", 2: "mittel", 3: "niedrig", 4: "sehr niedrig"}
DYNAMIK_KLASSEN = {1: "positiv", 2: "stabil", 3: "negativ"}
GESAMT = "gesamt"


def status_klasse(index: npt.NDArray[np.float64]) -> npt.NDArray[np.int8]:
    classes = np.select([index < -1.0, index <= 1.0, index <= 1.5, index > 1.5], [1, 2, 3, 4], 0)
    return np.where(np.isnan(index), 0, classes).astype(np.int8)


def dynamik_klasse(index: npt.NDArray[np.float64]) -> npt.NDArray[np.int8]:
    classes = np.select([index < -1.0, index <= 1.0, index > 1.0], [1, 2, 3], 0)
    return np.where(np.isnan(index), 0, classes).astype(np.int8)


def z_standardise(
    values: npt.NDArray[np.float64], codes: npt.NDArray[np.int8], present: npt.NDArray[np.bool_] | None = None
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int8]]:
    """z-values over the areas whose value is present; the others stay missing. ``present``
    (``codes == VORHANDEN``) when the caller has it already.

    Written out with the reductions ``np.mean`` and ``np.std`` use (so the same numbers), but
    without their overhead: this runs for every index indicator, level and Stichtag."""
    present = codes == VORHANDEN if present is None else present
    count = int(np.count_nonzero(present))
    if count < 2:
        return np.full(values.shape, np.nan), np.where(present, NICHT_SINNVOLL, codes).astype(np.int8)
    complete = count == len(values)
    sample = values if complete else values[present]
    deviation = sample - np.add.reduce(sample) / count
    spread = np.sqrt(np.add.reduce(deviation * deviation) / count)
    if spread == 0:
        return np.full(values.shape, np.nan), np.where(present, NICHT_SINNVOLL, codes).astype(np.int8)
    deviation /= spread
    if complete:  # every area has a value: no missing ones to place
        return deviation, codes
    out = np.full(values.shape, np.nan)
    out[present] = deviation
    return out, codes


@dataclass
class Indexwerte:
    """The index of one dimension (or ``gesamt``) on one level and Stichtag."""

    ebene: str
    dimension: str
    ids: list[int]
    status: npt.NDArray[np.float64]
    status_code: npt.NDArray[np.int8]
    status_klasse: npt.NDArray[np.int8]
    dynamik: npt.NDArray[np.float64]
    dynamik_code: npt.NDArray[np.int8]
    dynamik_klasse: npt.NDArray[np.int8]
    indikatoren: list[str]

    @property
    def kennung(self) -> str:
        return f"{self.ebene}:{self.dimension}"


def _population(result: Stichtagsergebnis, ids: list[int], stand: Gebietsstand, merkmal: str) -> np.ndarray:
    """The population for the floor: the delivered count, else the register figure."""
    tafel = result.tafel
    key = parse_key(merkmal)
    register = np.array(
        [np.nan if stand.bereiche[i].einwohner is None else stand.bereiche[i].einwohner for i in ids], dtype=np.float64
    )
    if key not in tafel.spalten:
        return register
    rows = np.searchsorted(np.asarray(tafel.index), ids)
    column = tafel.spalten.index(key)
    delivered = tafel.codes[rows, column] == VORHANDEN
    return np.where(delivered, tafel.werte[rows, column], register)


def _pick(werte: Werte, rows: np.ndarray | slice, dynamic: bool) -> tuple[np.ndarray, np.ndarray]:
    if dynamic:
        assert werte.veraenderung is not None and werte.veraenderung_code is not None
        return werte.veraenderung[rows], werte.veraenderung_code[rows]
    return werte.wert[rows], werte.code[rows]


def _composite(parts: list[tuple[np.ndarray, np.ndarray]], n: int) -> tuple[np.ndarray, np.ndarray]:
    if not parts:
        return np.full(n, np.nan), np.full(n, NICHT_GELIEFERT, dtype=np.int8)
    total = parts[0][0].copy()  # added in turn, as np.sum over the stacked parts would
    for z, _ in parts[1:]:
        total += z
    code = combine_codes(*[c for _, c in parts])
    return z_standardise(np.where(code == VORHANDEN, total, np.nan), code)


def berechne_index(
    result: Stichtagsergebnis,
    stand: Gebietsstand,
    katalog: Katalog,
    mindestzahl: int,
    bekannt: dict[tuple[str, bool], set[str]] | None = None,
) -> tuple[list[Indexwerte], list[str]]:
    """Status and dynamics per level, per dimension and overall; and German notes.

    ``bekannt`` (kept by the caller across Stichtage in time order) holds the indicators a level
    has had values for: an indicator that a level never has (HzE figures per Gemeinde) stays out
    of its index; one that is merely not yet delivered for this Stichtag makes the index of this
    Stichtag missing, instead of silently changing what the index is made of.
    """
    bekannt = {} if bekannt is None else bekannt
    notes: list[str] = []
    out: list[Indexwerte] = []
    for ebene in katalog.index.ebenen:
        ids = sorted(b.id for b in stand.am(result.stichtag) if b.ebene == ebene)
        if not ids:
            continue
        population = _population(result, ids, stand, katalog.index.bevoelkerung)
        included = population >= mindestzahl
        small = [stand.bereiche[i].name for i, ok in zip(ids, included, strict=True) if not ok]
        if small:
            notes.append(
                f"{ebene.capitalize()}: nicht im Index (unter {mindestzahl} Einwohner "
                f"oder Einwohnerzahl unbekannt): {', '.join(small)}."
            )
        z_by_indicator: dict[str, tuple[dict[bool, tuple[np.ndarray, np.ndarray]], str]] = {}
        found = np.searchsorted(np.asarray(result.tafel.index), ids)  # the index is in id order
        rows: np.ndarray | slice = found
        if len(ids) and np.array_equal(found, np.arange(found[0], found[0] + len(ids))):
            rows = slice(int(found[0]), int(found[0]) + len(ids))  # one block (all Gemeinden): views, not copies
        everyone = bool(included.all())
        for dynamic in (False, True):
            for ind in katalog.index_indikatoren():
                if not (ind.in_dynamik if dynamic else ind.im_status):
                    continue
                werte = result.werte[ind.code]
                # A dynamics-only indicator is itself a change (a published change or its z-value).
                values, codes = _pick(werte, rows, dynamic and ind.index is True)
                if not everyone:
                    codes = np.where(included, codes, NICHT_SINNVOLL).astype(np.int8)
                seen = bekannt.setdefault((ebene, dynamic), set())
                present = codes == VORHANDEN  # areas left out have "nicht sinnvoll" by now
                if not present.any():
                    if ind.code in seen:  # known at this level, missing now: the index is missing
                        z_by_indicator.setdefault(ind.code, ({}, ind.dimension))[0][dynamic] = (
                            np.full(len(ids), np.nan),
                            codes,
                        )
                    elif not dynamic or not ind.im_status:
                        notes.append(
                            f"{ebene.capitalize()}: „{ind.name}“ liegt auf dieser Ebene nicht "
                            "vor und bleibt im Index unberücksichtigt."
                        )
                    continue
                seen.add(ind.code)
                z = z_standardise(values if ind.richtung == 1 else values * ind.richtung, codes, present)
                if not (z[1] == VORHANDEN).any():
                    # No spread (all equal, e.g. no change at all): a z-value does not exist, and
                    # the indicator drops out instead of making every area's index missing.
                    kind = "Veränderung" if dynamic else "Wert"
                    notes.append(
                        f"{ebene.capitalize()}: {kind} von „{ind.name}“ ohne Streuung, im Index unberücksichtigt."
                    )
                    continue
                z_by_indicator.setdefault(ind.code, ({}, ind.dimension))[0][dynamic] = z
        dimensions = [*dict.fromkeys(d for _, d in z_by_indicator.values()), GESAMT]
        for dimension in dimensions:
            members = [code for code, (_, d) in z_by_indicator.items() if dimension in (d, GESAMT)]
            status = _composite(
                [z_by_indicator[c][0][False] for c in members if False in z_by_indicator[c][0]], len(ids)
            )
            dyn = _composite([z_by_indicator[c][0][True] for c in members if True in z_by_indicator[c][0]], len(ids))
            out.append(
                Indexwerte(
                    ebene,
                    dimension,
                    ids,
                    status[0],
                    status[1],
                    status_klasse(status[0]),
                    dyn[0],
                    dyn[1],
                    dynamik_klasse(dyn[0]),
                    members,
                )
            )
    return out, notes


def klassenwechsel(
    current: list[Indexwerte], previous: list[Indexwerte] | None, stand: Gebietsstand, day: date
) -> list[dict[str, str]]:
    """Areas whose status class moved since the previous Stichtag (overall index)."""
    if not previous:
        return []
    before = {(i.ebene, i.dimension): i for i in previous}
    moved = []
    for index in current:
        if index.dimension != GESAMT or (index.ebene, GESAMT) not in before:
            continue
        old = before[(index.ebene, GESAMT)]
        old_ids = np.asarray(old.ids)
        order = np.argsort(old_ids)
        ids = np.asarray(index.ids)
        found = np.searchsorted(old_ids[order], ids)
        found = np.minimum(found, len(old_ids) - 1)
        same = old_ids[order][found] == ids
        was = np.where(same, old.status_klasse[order][found], 0)
        for i in np.nonzero((index.status_klasse > 0) & (was > 0) & (index.status_klasse != was))[0]:
            moved.append(
                {
                    "ebene": index.ebene,
                    "gebiet": stand.bereiche[index.ids[i]].name,
                    "vorher": STATUS_KLASSEN[int(was[i])],
                    "jetzt": STATUS_KLASSEN[int(index.status_klasse[i])],
                }
            )
    return moved
