"""Attainment of targets per Stichtag and area (Ulm: the Kennzahlen contract with the finance
department).

A target says what is measured (``Zielart``), which way is good (``Zielrichtung``), the
``zielwert`` and a ``toleranz`` in the unit of the measure (percentage points for shares and
growth rates). Values, shares and durations are compared as they are. A growth target
("expenditure growth held to 0.6 % a year") compares the average yearly growth since the base
year, ``(wert / basiswert) ** (1 / jahre) - 1``, with the target; the value the agreed growth
allows (``basiswert * (1 + zielwert) ** jahre``) is reported beside it, since the committee
reads euros, not rates.

Everything is computed on whole columns (one frame of Kennzahl values in, one frame of
attainment out), so 5,000 projects × 10 years × 50 Sozialräume cost about what pandas costs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlmodel import Session

from sozialforum.store.models import Kennzahlwert, Ziel
from sozialforum.store.models.base import table_of
from sozialforum.vocab import Trend, Zielart, Zielrichtung, Zielstand

# A change smaller than this (in the measure's unit) is "unverändert": figures are published
# with at most four decimals.
_GLEICH = 1e-9


@dataclass(frozen=True)
class Zielvorgabe:
    """What a target demands; ``zielwert`` and ``toleranz`` of growth targets in percent a year."""

    zielart: Zielart
    richtung: Zielrichtung
    zielwert: float
    toleranz: float = 0.0
    basisjahr: int | None = None


def zielerreichung(werte: pd.DataFrame, vorgaben: dict[int, Zielvorgabe]) -> pd.DataFrame:
    """Attainment for every row of ``werte`` (columns ``ziel_id``, ``gebiet_id``, ``jahr``,
    ``wert``; ``gebiet_id`` may be -1 for the whole area).

    Returns the rows with ``ist`` (the value, or the average growth in % a year), ``soll`` (the
    target; for growth: the value the agreed growth allows), ``abstand`` (how far the target is
    missed, ≥ 0, in the unit of ``ist``), ``stand`` and ``trend`` (against the row of the previous
    year of the same Ziel and area).
    """
    frame = werte.sort_values(["ziel_id", "gebiet_id", "jahr"], kind="stable").reset_index(drop=True)
    ids = frame["ziel_id"].to_numpy()
    table = pd.DataFrame.from_dict(
        {
            zid: (
                v.zielart.value,
                1.0 if v.richtung is Zielrichtung.HOECHSTENS else -1.0,
                v.zielwert,
                v.toleranz,
                np.nan if v.basisjahr is None else v.basisjahr,
            )
            for zid, v in vorgaben.items()
        },
        orient="index",
        columns=["zielart", "vorzeichen", "zielwert", "toleranz", "basisjahr"],
    )
    missing = set(np.unique(ids)) - set(table.index)
    if missing:
        raise KeyError(f"Keine Zielvorgabe für Ziel {sorted(missing)}")
    spec = table.loc[ids].reset_index(drop=True)
    wert = frame["wert"].to_numpy(dtype=float)
    wachstum = (spec["zielart"] == Zielart.WACHSTUM.value).to_numpy()

    ist = wert.copy()
    soll = spec["zielwert"].to_numpy(dtype=float).copy()
    if wachstum.any():
        basis = _basiswert(frame, spec)
        jahre = frame["jahr"].to_numpy(dtype=float) - spec["basisjahr"].to_numpy(dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            rate = (np.power(wert / basis, 1.0 / jahre) - 1.0) * 100.0
            erlaubt = basis * np.power(1.0 + spec["zielwert"].to_numpy(dtype=float) / 100.0, jahre)
        valid = wachstum & (jahre > 0) & (basis > 0)
        ist = np.where(wachstum, np.where(valid, rate, np.nan), ist)
        soll = np.where(wachstum, np.where(valid, erlaubt, np.nan), soll)

    vorzeichen = spec["vorzeichen"].to_numpy(dtype=float)
    # How far the target is missed, in the unit of ``ist`` (never negative).
    abstand = np.maximum(0.0, vorzeichen * (ist - spec["zielwert"].to_numpy(dtype=float)))
    toleranz = spec["toleranz"].to_numpy(dtype=float)
    stand = np.select(
        [np.isnan(ist), abstand <= _GLEICH, abstand <= toleranz + _GLEICH],
        [Zielstand.OHNE_DATEN.value, Zielstand.ERREICHT.value, Zielstand.TOLERANZ.value],
        default=Zielstand.VERFEHLT.value,
    )

    same_series = (
        frame["ziel_id"].eq(frame["ziel_id"].shift()) & frame["gebiet_id"].eq(frame["gebiet_id"].shift())
    ).to_numpy()
    vorher = np.roll(ist, 1)
    # Lower is better for "höchstens", so the improvement is the fall times the sign.
    besserung = -vorzeichen * (ist - vorher)
    trend = np.select(
        [~same_series | np.isnan(vorher) | np.isnan(ist), besserung > _GLEICH, besserung < -_GLEICH],
        [Trend.OHNE.value, Trend.BESSER.value, Trend.SCHLECHTER.value],
        default=Trend.GLEICH.value,
    )
    result = frame.copy()
    result["ist"] = ist
    result["soll"] = soll
    result["abstand"] = np.where(np.isnan(ist), np.nan, abstand)
    result["stand"] = stand
    result["trend"] = trend
    return result


def _basiswert(frame: pd.DataFrame, spec: pd.DataFrame) -> np.ndarray:
    """Each row's value in its target's base year (same Ziel and area), NaN where missing."""
    key = frame[["ziel_id", "gebiet_id", "jahr"]].copy()
    key["basisjahr"] = spec["basisjahr"].to_numpy()
    base = frame[["ziel_id", "gebiet_id", "jahr", "wert"]].rename(columns={"jahr": "basisjahr", "wert": "basiswert"})
    base["basisjahr"] = base["basisjahr"].astype(float)
    merged = key.merge(base, on=["ziel_id", "gebiet_id", "basisjahr"], how="left")
    return merged["basiswert"].to_numpy(dtype=float)


def aus_bestand(session: Session, strategie_id: int) -> pd.DataFrame:
    """Attainment of every Ziel of a Strategie over all its stored Kennzahl values (one query
    for the targets, one for the values); the whole area has ``gebiet_id`` −1."""
    z = table_of(Ziel)
    k = table_of(Kennzahlwert)
    vorgaben = {
        row.id: Zielvorgabe(
            Zielart(row.zielart), Zielrichtung(row.richtung), float(row.zielwert), float(row.toleranz), row.basisjahr
        )
        for row in session.execute(
            sa.select(z.c.id, z.c.zielart, z.c.richtung, z.c.zielwert, z.c.toleranz, z.c.basisjahr).where(
                z.c.strategie_id == strategie_id
            )
        )
    }
    werte = pd.read_sql(
        sa.select(
            k.c.ziel_id,
            sa.func.coalesce(k.c.gebiet_id, -1).label("gebiet_id"),
            k.c.stichtag,
            sa.type_coerce(k.c.wert, sa.Float).label("wert"),
        ).where(k.c.ziel_id.in_(sa.select(z.c.id).where(z.c.strategie_id == strategie_id))),
        session.connection(),
    )
    werte["jahr"] = pd.to_datetime(werte.pop("stichtag")).dt.year
    werte["wert"] = werte["wert"].astype(float)
    return zielerreichung(werte, vorgaben)
