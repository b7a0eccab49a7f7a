"""A computation's results as column chunks (``ergebnisspalte``) and back.

Per Stichtag: the area ids once (``gebiete``); each distinct numerator or denominator sum once
(``summe``: 80 rates over the population share one denominator); per indicator only which sums
and which factor it is made of (``indikator``), from which ``kennzahl`` gives value and code
again, bit for bit, as it did when computing. Values are not stored beside their sums: for
11,000 Gemeinden they would be most of the bytes SQLite has to write. The change against the
previous Stichtag is likewise recomputed on reading. Benchmark areas (``vergleich``) and the
index keep their full arrays; they are small or cannot be derived.

Chunks of the earlier layout (values stored in every ``indikator`` chunk) are read as before.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt

from sozialforum.daten.berechnung import Stichtagsergebnis, Werte, kennzahl
from sozialforum.daten.index import Indexwerte
from sozialforum.daten.katalog import Katalog
from sozialforum.daten.kodierung import pack, unpack_meta

Array = npt.NDArray[Any]


def _werte_blob(werte: Werte) -> bytes:
    """Values, counts and codes with their own area ids (benchmark areas)."""
    arrays: dict[str, Array] = {
        "ids": np.array(werte.ids),
        "wert": werte.wert,
        "code": werte.code,
        "zaehler": werte.zaehler,
        "zaehler_code": werte.zaehler_code,
    }
    if werte.nenner is not None and werte.nenner_code is not None:
        arrays.update(nenner=werte.nenner, nenner_code=werte.nenner_code)
    return pack(None, **arrays)


def _index_blob(index: Indexwerte) -> bytes:
    return pack(
        None,
        ids=np.array(index.ids, dtype=np.int64),
        status=index.status,
        status_code=index.status_code,
        status_klasse=index.status_klasse,
        dynamik=index.dynamik,
        dynamik_code=index.dynamik_code,
        dynamik_klasse=index.dynamik_klasse,
        indikatoren=np.array(index.indikatoren, dtype=str),
    )


def stichtag_chunks(
    berechnung_id: int, result: Stichtagsergebnis, index: list[Indexwerte], katalog: Katalog
) -> list[dict[str, Any]]:
    """The rows of ``ergebnisspalte`` for one Stichtag."""
    day = result.stichtag

    def row(art: str, kennung: str, daten: bytes) -> dict[str, Any]:
        return {"berechnung_id": berechnung_id, "art": art, "kennung": kennung, "stichtag": day, "daten": daten}

    rows = [row("gebiete", "", pack(None, ids=np.asarray(result.tafel.index, dtype=np.int32)))]
    sums: dict[int, str] = {}  # id of a sum's array → its kennung (teilsumme hands out one array per sum)

    def summe(values: Array | None, codes: Array | None) -> str | None:
        if values is None or codes is None:
            return None
        if id(values) not in sums:
            sums[id(values)] = kennung = str(len(sums))
            rows.append(row("summe", kennung, pack(None, wert=values, code=codes)))
        return sums[id(values)]

    for code, werte in result.werte.items():
        meta = {
            "zaehler": summe(werte.zaehler, werte.zaehler_code),
            "nenner": summe(werte.nenner, werte.nenner_code),
            "faktor": katalog.indikatoren[code].faktor,
        }
        rows.append(row("indikator", code, pack(meta)))
    rows += [row("vergleich", code, _werte_blob(werte)) for code, werte in result.vergleich.items()]
    rows += [row("index", i.kennung, _index_blob(i)) for i in index]
    return rows


def lies_chunks(
    chunks: list[tuple[str, str, date, bytes]],
) -> tuple[
    dict[date, list[int]],
    dict[tuple[str, date], Werte],
    dict[tuple[str, date], Werte],
    dict[tuple[str, date], Indexwerte],
]:
    """(areas per Stichtag, indicator values, benchmark values, index) of a computation."""
    decoded = [(art, kennung, day, *unpack_meta(blob)) for art, kennung, day, blob in chunks]
    areas = {day: arrays["ids"].tolist() for art, _, day, _, arrays in decoded if art == "gebiete"}
    sums = {
        (kennung, day): (arrays["wert"], arrays["code"]) for art, kennung, day, _, arrays in decoded if art == "summe"
    }
    for values, codes in sums.values():  # shared by many indicators: never changed in place
        values.flags.writeable = codes.flags.writeable = False
    werte: dict[tuple[str, date], Werte] = {}
    vergleich: dict[tuple[str, date], Werte] = {}
    index: dict[tuple[str, date], Indexwerte] = {}
    for art, kennung, day, meta, arrays in decoded:
        if art == "indikator" and "wert" in arrays:  # the earlier layout: values stored
            werte[(kennung, day)] = _werte(arrays, areas[day])
        elif art == "indikator":
            zaehler, zaehler_code = sums[(meta["zaehler"], day)]
            nenner, nenner_code = sums[(meta["nenner"], day)] if meta["nenner"] is not None else (None, None)
            wert, code = kennzahl(zaehler, zaehler_code, nenner, nenner_code, meta["faktor"])
            werte[(kennung, day)] = Werte(areas[day], wert, code, zaehler, zaehler_code, nenner, nenner_code)
        elif art == "vergleich":
            vergleich[(kennung, day)] = _werte(arrays, arrays["ids"].tolist())
        elif art == "index":
            ebene, dimension = kennung.split(":", 1)
            index[(kennung, day)] = Indexwerte(
                ebene,
                dimension,
                arrays["ids"].tolist(),
                arrays["status"],
                arrays["status_code"],
                arrays["status_klasse"],
                arrays["dynamik"],
                arrays["dynamik_code"],
                arrays["dynamik_klasse"],
                arrays["indikatoren"].tolist(),
            )
    return areas, werte, vergleich, index


def _werte(arrays: dict[str, Array], ids: list[int] | list[str]) -> Werte:
    return Werte(
        ids,
        arrays["wert"],
        arrays["code"],
        arrays["zaehler"],
        arrays["zaehler_code"],
        arrays.get("nenner"),
        arrays.get("nenner_code"),
    )
