"""Storing a computation (Berechnung) and reading it back as a ``Monitor`` for the outputs.

A computation runs Stichtag by Stichtag (only two are in memory at a time, so all Gemeinden
of Germany fit), writes its results as column chunks, the current values of the planning
areas as rows of ``indikatorwert`` for SQL readers, and a summary: what was computed, which
classes moved, which targets were missed. Unchanged inputs give no new computation.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlmodel import col

from sozialforum.daten.berechnung import Werte, ausrichtung, veraenderung
from sozialforum.daten.ergebnisspalten import lies_chunks
from sozialforum.daten.fehlwerte import Fehlwert
from sozialforum.daten.gebietsstand import Gebietsstand
from sozialforum.daten.index import Indexwerte
from sozialforum.daten.katalog import Katalog
from sozialforum.daten.speicher import lade_bestand, lade_vergleich, stichtage
from sozialforum.daten.verlauf import PLANUNGSEBENEN
from sozialforum.daten.veroeffentlichung import interne_quellen
from sozialforum.daten.vorrechnen import uebernehmen
from sozialforum.settings import DatenSettings
from sozialforum.store.direct import DirectStatement
from sozialforum.store.gc_pause import gc_angehalten
from sozialforum.store.models import (
    Berechnung,
    Ergebnisspalte,
    Gebiet,
    Indikator,
    Indikatorwert,
    Vergleichswert,
    Wertespalte,
)
from sozialforum.store.models.base import pk, table_of

_INDIKATORWERT = DirectStatement(table_of(Indikatorwert).insert())
_ERGEBNISSPALTE = DirectStatement(table_of(Ergebnisspalte).insert())
_SNAPSHOT = (
    "indikator_id",
    "gebiet_id",
    "stichtag",
    "wert",
    "zaehler",
    "nenner",
    "fehlend",
    "berechnung_id",
    "veraenderung",
    "definitionsschluessel",
)


@dataclass
class BerechnungsErgebnis:
    berechnung_id: int
    neu: bool
    zusammenfassung: dict[str, Any]


def _inputs(session: Session, katalog: Katalog, settings: DatenSettings, stand: Gebietsstand) -> str:
    """A hash of everything a computation depends on (the areas from ``stand``, read once)."""
    digest = hashlib.sha256(katalog.pruefsumme.encode())
    digest.update(settings.model_dump_json().encode())
    connection = session.connection()
    for table, column in ((Wertespalte, col(Wertespalte.id)), (Vergleichswert, col(Vergleichswert.id))):
        for (row_id,) in connection.execute(sa.select(column).order_by(column)):
            digest.update(repr((row_id,)).encode())
        digest.update(table.__tablename__.encode())
    for gebiet_id in sorted(stand.bereiche):
        b = stand.bereiche[gebiet_id]
        digest.update(
            repr((b.id, b.parent_id, b.schluessel, b.ebene, b.einwohner, b.gueltig_ab, b.gueltig_bis)).encode()
        )
    digest.update(Gebiet.__tablename__.encode())
    return digest.hexdigest()


def _missed_targets(
    aktuell: dict[str, tuple[date, Werte]], stand: Gebietsstand, katalog: Katalog
) -> list[dict[str, Any]]:
    """Targets missed at each indicator's latest Stichtag with values."""
    missed = []
    for code, ind in katalog.indikatoren.items():
        if ind.ziel is None or code not in aktuell:
            continue
        day, werte = aktuell[code]
        for i, bereich_id in enumerate(werte.ids):
            bereich = stand.bereiche[int(str(bereich_id))]
            if bereich.ebene not in PLANUNGSEBENEN or werte.code[i] != Fehlwert.VORHANDEN:
                continue
            if not ind.ziel.erreicht(float(werte.wert[i])):
                missed.append(
                    {
                        "indikator": ind.name,
                        "gebiet": bereich.name,
                        "ebene": bereich.ebene,
                        "stichtag": day.isoformat(),
                        "wert": round(float(werte.wert[i]), ind.nachkommastellen),
                        "ziel": ind.ziel.text,
                        "einheit": ind.einheit,
                    }
                )
    return missed


def _sync_katalog(session: Session, katalog: Katalog) -> dict[str, int]:
    existing = {code: row_id for code, row_id in session.execute(sa.select(col(Indikator.code), col(Indikator.id)))}
    namen = katalog.merkmal_namen
    updates: list[dict[str, Any]] = []
    for code, ind in katalog.indikatoren.items():
        values = {
            "name": ind.name,
            "dimension": ind.dimension,
            "einheit": ind.einheit,
            "richtung": ind.richtung,
            "quelle": ind.quelle or None,
            "definition": {
                "zaehler": ind.zaehler,
                "nenner": ind.nenner,
                "faktor": ind.faktor,
                "beschreibung": ind.beschreibung(namen),
            },
            "definitionsschluessel": ind.definitionsschluessel,
            "aktualisierung": ind.aktualisierung,
            "im_index": bool(ind.index),
            "ziel": ind.ziel.model_dump() if ind.ziel else None,
            "vergleich": json.loads(ind.vergleich.model_dump_json()) if ind.vergleich else None,
        }
        if code in existing:
            updates.append({"_id": existing[code], **values})
        else:
            session.execute(sa.insert(Indikator).values(code=code, **values))
    if updates:  # one statement for all (80 indicators: 80 round trips otherwise)
        table = table_of(Indikator)
        session.connection().execute(table.update().where(table.c.id == sa.bindparam("_id")), updates)
    return {code: row_id for code, row_id in session.execute(sa.select(col(Indikator.code), col(Indikator.id)))}


def _snapshot(
    session: Session,
    aktuell: dict[str, tuple[date, Werte]],
    stand: Gebietsstand,
    katalog: Katalog,
    ids: dict[str, int],
    berechnung_id: int,
) -> None:
    """The current values of the planning areas, one row per value, each indicator at its latest
    Stichtag with values (replaces the last snapshot). Built as columns, not as a dictionary per
    row: 36,000 rows for 450 areas × 80, written after the loads while the other core is idle."""
    session.execute(sa.delete(Indikatorwert))
    columns: dict[str, list[Any]] = {name: [] for name in _SNAPSHOT}

    def present(values: np.ndarray | None, codes: np.ndarray | None) -> list[float | None]:
        if values is None or codes is None:
            return [None] * len(picked)
        return [
            float(v) if c == 0 else None for v, c in zip(values[picked].tolist(), codes[picked].tolist(), strict=True)
        ]

    planning: dict[date, tuple[list[int], np.ndarray]] = {}
    for code, (day, werte) in aktuell.items():
        if day not in planning:  # all indicators of a Stichtag share one area list
            every = [int(i) for i in werte.ids]
            planning[day] = (
                every,
                np.array([i for i, a in enumerate(every) if stand.bereiche[a].ebene in PLANUNGSEBENEN], dtype=np.int64),
            )
        areas, picked = planning[day]
        n = len(picked)
        columns["indikator_id"] += [ids[code]] * n
        columns["gebiet_id"] += [areas[i] for i in picked.tolist()]
        columns["stichtag"] += [day] * n
        columns["wert"] += present(werte.wert, werte.code)
        columns["zaehler"] += present(werte.zaehler, werte.zaehler_code)
        columns["nenner"] += present(werte.nenner, werte.nenner_code)
        columns["fehlend"] += [Fehlwert(int(c)).symbol if c else None for c in werte.code[picked].tolist()]
        columns["berechnung_id"] += [berechnung_id] * n
        columns["veraenderung"] += present(werte.veraenderung, werte.veraenderung_code)
        columns["definitionsschluessel"] += [katalog.indikatoren[code].definitionsschluessel] * n
    total = len(columns["indikator_id"])
    for start in range(0, total, 5000):  # the driver's executemany, the columns as they are
        part = {name: values[start : start + 5000] for name, values in columns.items()}
        _INDIKATORWERT.run_many(session.connection(), [{}] * len(part["indikator_id"]), part)


@gc_angehalten()  # a tenth of a nationwide refresh went to full collections finding nothing
def berechne(
    session: Session, katalog: Katalog, settings: DatenSettings, *, now: datetime, akteur: str
) -> BerechnungsErgebnis:
    """Compute atlas and monitor from every delivery in the store (in the caller's transaction)."""
    stand = Gebietsstand.aus(session)
    inputs = _inputs(session, katalog, settings, stand)
    last = session.scalars(sa.select(Berechnung).order_by(col(Berechnung.id).desc()).limit(1)).first()
    if last is not None and last.eingaben == inputs:
        return BerechnungsErgebnis(pk(last), False, last.zusammenfassung)
    days = stichtage(session)
    vergleich = lade_vergleich(session)
    definitionen = {code: ind.definitionsschluessel for code, ind in katalog.indikatoren.items()}
    berechnung = Berechnung(
        berechnet_am=now,
        eingaben=inputs,
        katalog_pruefsumme=katalog.pruefsumme,
        definitionen=definitionen,
        stichtage=[d.isoformat() for d in days],
        akteur=akteur,
    )
    session.add(berechnung)
    session.flush()
    assert berechnung.id is not None
    ids = _sync_katalog(session, katalog)

    def write(chunks: list[dict[str, Any]]) -> None:
        _ERGEBNISSPALTE.run_many(session.connection(), chunks)

    def rewind() -> None:
        session.execute(sa.delete(Ergebnisspalte).where(col(Ergebnisspalte.berechnung_id) == berechnung.id))

    # What the refresh's worker computed while the files loaded, from exactly these inputs
    # (``vorrechnen``); the Stichtage after it, or all, are computed here.
    mindestzahl = settings.einwohner_mindestzahl
    verlauf, fertig, start = uebernehmen(
        session, days, vergleich, stand, katalog, mindestzahl, berechnung.id, write, rewind
    )
    for day in days[start:]:
        tafel = lade_bestand(session, [day]).get(day)
        write(verlauf.schritt(day, tafel, vergleich.get(day), stand, katalog, mindestzahl, berechnung.id))
    summary: dict[str, Any] = {
        "stichtage": len(days),
        "letzter_stichtag": days[-1].isoformat() if days else None,
        "hinweise": verlauf.notes,
        "klassenwechsel": verlauf.moved,
        "ziele_verfehlt": [],
        "definitionen_geaendert": [],
    }
    if days:
        aktuell, summary["klassen"] = fertig if fertig is not None else verlauf.abschluss()
        summary["ziele_verfehlt"] = _missed_targets(aktuell, stand, katalog)
        _snapshot(session, aktuell, stand, katalog, ids, berechnung.id)
    else:  # every delivery withdrawn: no current values either
        session.execute(sa.delete(Indikatorwert))
    if last is not None:
        summary["definitionen_geaendert"] = [
            katalog.indikatoren[code].name
            for code, key in definitionen.items()
            if last.definitionen.get(code) not in (None, key)
        ]
    berechnung.zusammenfassung = summary
    session.flush()
    return BerechnungsErgebnis(berechnung.id, True, summary)


@dataclass
class Monitor:
    """A stored computation, read back: everything the outputs need."""

    berechnung: Berechnung
    stand: Gebietsstand
    stichtage: list[date]
    werte: dict[tuple[str, date], Werte] = field(default_factory=dict)
    vergleich: dict[tuple[str, date], Werte] = field(default_factory=dict)
    index: dict[tuple[str, date], Indexwerte] = field(default_factory=dict)
    # Catalogue sources with a delivery whose own licence is internal, read with the computation
    # (``veroeffentlichung.interne_quellen``): every view of this monitor honours them (``Sicht``).
    interne_quellen: frozenset[str] = frozenset()

    @property
    def letzter_stichtag(self) -> date:
        return self.stichtage[-1]


def lade_monitor(session: Session, berechnung_id: int | None = None) -> Monitor | None:
    query = sa.select(Berechnung).order_by(col(Berechnung.id).desc()).limit(1)
    if berechnung_id is not None:
        query = sa.select(Berechnung).where(col(Berechnung.id) == berechnung_id)
    berechnung = session.scalars(query).first()
    if berechnung is None:
        return None
    monitor = Monitor(
        berechnung,
        Gebietsstand.aus(session),
        [date.fromisoformat(d) for d in berechnung.stichtage],
        interne_quellen=frozenset(interne_quellen(session)),
    )
    chunks = session.execute(
        sa.select(
            col(Ergebnisspalte.art),
            col(Ergebnisspalte.kennung),
            col(Ergebnisspalte.stichtag),
            col(Ergebnisspalte.daten),
        ).where(col(Ergebnisspalte.berechnung_id) == berechnung.id)
    ).all()
    areas, monitor.werte, monitor.vergleich, monitor.index = lies_chunks([tuple(c) for c in chunks])
    for before, day in zip([None, *monitor.stichtage], monitor.stichtage, strict=False):
        rows = ausrichtung(areas[day], areas[before]) if before is not None else None
        for code in {k for k, d in monitor.werte if d == day}:
            previous = monitor.werte.get((code, before)) if before is not None else None
            veraenderung(monitor.werte[(code, day)], previous, rows)
    return monitor
