"""Loading one source file into the store: all or nothing, idempotent, with provenance.

Steps: recognise the format (GENESIS flat CSV, BA workbook, a plain table), map its columns to
Merkmale with the catalogue, match keys to areas valid on the Stichtag, check everything
(text in number columns, unknown keys, duplicates, negative counts), and only then write: one
Datenlieferung (file, checksum, Datenstand, publisher, licence), the values as column chunks, in
bulk, and the plausibility report's findings (``plausibel_bericht``: reported, not refused). The
same file again (same checksum) changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import numpy as np
import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlmodel import col

from sozialforum.daten import plausibel, plausibel_bericht, vorlesen
from sozialforum.daten.ba_excel import read_ba
from sozialforum.daten.gebietsstand import Schluesselabgleich
from sozialforum.daten.genesis import is_genesis, read_genesis, table_code
from sozialforum.daten.katalog import Katalog, QuelleDef, norm_label
from sozialforum.daten.laden_schreiben import schreibe
from sozialforum.daten.merkmale import MerkmalKey, parse_altersgruppe
from sozialforum.daten.quelldatei import Rohdaten, checksum, csv_rohbytes, read_bytes
from sozialforum.daten.schluessel import Schluesselsysteme, schluessel_hinweise
from sozialforum.daten.stadttabelle import read_tabelle
from sozialforum.daten.zeilen import Breit, Zeilen
from sozialforum.daten.zuordnung_gespeichert import ZUORDNUNG, lies_aliase, lies_gespeichert
from sozialforum.problems import Problem, ProblemReport
from sozialforum.store.gc_pause import gc_angehalten
from sozialforum.store.models import Datenlieferung
from sozialforum.zipcheck import zu_gross_entpackt


@dataclass
class LadeErgebnis:
    datei: str
    status: str  # "geladen" or "unverändert"
    quelle: str | None = None
    werte: int = 0
    gebiete: int = 0
    stichtage: list[date] = field(default_factory=list)
    vergleichswerte: int = 0
    datenlieferung_id: int | None = None
    hinweise: list[str] = field(default_factory=list)
    merkmale: list[str] = field(default_factory=list)  # the Merkmal keys the file delivers
    befunde: list[plausibel_bericht.Befund] = field(default_factory=list)  # the plausibility report

    def __str__(self) -> str:
        if self.status != "geladen":
            return (
                f"{self.datei}: bereits geladen (Lieferung {self.datenlieferung_id}), nichts geändert. "
                f"Um sie anders zu laden (Stichtag, Gebiete): erst „sozialforum daten zurueckziehen "
                f"{self.datenlieferung_id} --grund …“."
            )
        days = ", ".join(d.strftime("%d.%m.%Y") for d in self.stichtage)
        text = (
            f"{self.datei}: {self.werte} Werte für {self.gebiete} Gebiete geladen "
            f"(Stichtage {days}; Quelle {self.quelle})."
        )
        if self.befunde:
            text += f"\nPlausibilität: {len(self.befunde)} Befund(e), bitte prüfen und akzeptieren:"
            text += "".join(f"\n- {befund}" for befund in self.befunde)
        return text


def _read(
    path: Path,
    raw: bytes,
    katalog: Katalog,
    stichtag: date | None,
    digest: str | None = None,
    gespeichert: Callable[[], tuple[Rohdaten, QuelleDef] | None] | None = None,
) -> tuple[Rohdaten, QuelleDef]:
    raw = csv_rohbytes(path, raw)
    if is_genesis(raw):
        # parsed ahead on the other core when a refresh of large files runs (``vorlesen``)
        data = (vorlesen.abholen(path, digest, stichtag) if digest else None) or read_genesis(
            path, stichtag=stichtag, raw=raw, pruefsumme=digest
        )
        stem, _depth = table_code(data.tabelle or "")
        for quelle in katalog.quellen:
            if quelle.format == "genesis" and quelle.tabelle == stem:
                return data, quelle
        raise ProblemReport(
            [
                Problem(
                    path.name,
                    1,
                    None,
                    f"Für die GENESIS-Tabelle {data.tabelle} ist "
                    "im Indikatorenkatalog keine Quelle hinterlegt (quellen.tabelle).",
                )
            ]
        )
    if path.suffix.lower() in (".xlsx", ".xlsm") and _is_ba(path):
        data = read_ba(path, stichtag=stichtag)
        candidates = [q for q in katalog.quellen if q.format == "ba"]
        for quelle in candidates:
            if quelle.titel and quelle.titel.lower() in data.titel.lower():
                return data, quelle
        if len(candidates) == 1:
            return data, candidates[0]
        raise ProblemReport(
            [
                Problem(
                    path.name,
                    1,
                    None,
                    f"Die BA-Tabelle passt zu keiner BA-Quelle des Katalogs (Titel: „{data.titel}“).",
                )
            ]
        )
    saved = gespeichert() if gespeichert is not None else None  # a reading confirmed in the assistant
    return saved or read_tabelle(path, katalog, stichtag=stichtag)


def _is_ba(path: Path) -> bool:
    from openpyxl import load_workbook

    if zu_gross_entpackt(path):
        return False  # the table reader refuses it with the reason
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception:  # a damaged workbook: the table reader reports it properly
        return False
    try:
        rows = list(workbook.worksheets[0].iter_rows(max_row=200, values_only=True))
    finally:
        workbook.close()
    return any("Bundesagentur für Arbeit" in str(cell) for row in rows for cell in row if cell)


def _bands(data: Rohdaten, problems: list[Problem]) -> tuple[list[tuple[int, int | None]], np.ndarray]:
    """Age bands from the dimension column: the distinct bands and each row's index (-1: none)."""
    if data.dimension is None:
        return [], np.full(len(data.schluessel), -1)
    parsed = {text: parse_altersgruppe(text) for text in set(data.dimension)}
    bands = sorted({b for b in parsed.values() if b is not None}, key=lambda b: (b[0], b[1] or 999))
    index = {band: i for i, band in enumerate(bands)}
    rows = np.array([index.get(band, -1) if (band := parsed[text]) else -1 for text in data.dimension])
    for r in np.nonzero(rows < 0)[0]:
        problems.append(
            Problem(
                data.datei,
                int(data.zeilen[r]),
                "Altersgruppe",
                f"„{data.dimension[r]}“ ist keine Altersgruppe (erwartet z. B. "
                "„3 bis unter 6 Jahre“ oder „Insgesamt“).",
            )
        )
    return bands, rows


def _long(
    data: Rohdaten,
    quelle: QuelleDef,
    katalog: Katalog,
    abgleich: Schluesselabgleich,
    ignore_unknown: bool,
    problems: list[Problem],
    hints: list[str],
    aliase: dict[str, str] | None = None,
) -> Zeilen:
    mapped = [
        (j, quelle.zuordnung[norm_label(s.label)])
        for j, s in enumerate(data.spalten)
        if norm_label(s.label) in quelle.zuordnung
    ]
    skipped = [s.label for s in data.spalten if norm_label(s.label) not in quelle.zuordnung]
    if not mapped:
        raise ProblemReport(
            [
                Problem(
                    data.datei,
                    None,
                    None,
                    f"Keine Spalte der Datei ist im Katalog einem Merkmal zugeordnet (Quelle {quelle.kennung}).",
                )
            ]
        )
    if skipped:
        hints.append(f"Nicht übernommene Spalten: {', '.join(dict.fromkeys(skipped))}.")
    n = len(data.schluessel)
    systeme = Schluesselsysteme(abgleich, fremde_ignorieren=ignore_unknown, aliase=aliase)
    others = list(katalog.vergleichsgebiete)
    other_index = {key: i for i, key in enumerate(others)}
    other_of = np.array([other_index.get(k, -1) for k in data.schluessel], dtype=np.int64)
    bands: list[tuple[int, int | None]] = []
    band_row = None
    if data.dimension is not None and any(k.alle_alter for _, k in mapped):
        bands, band_row = _bands(data, problems)
    days: list[date] = []
    merkmale = _Reihe()
    matched: dict[date | None, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
    reported: set[int] = set()
    parts: list[tuple[int, date | None, np.ndarray, np.ndarray | int]] = []
    for j, key in mapped:
        column_day = data.spalten[j].stichtag
        if column_day not in matched:
            row_days = [column_day or day for day in data.stichtage]
            known = np.array([day is not None for day in row_days])
            rows = np.nonzero(known)[0]
            every = len(rows) == n  # the usual file: every row has its day
            known_days = [d for d in (row_days if every else [row_days[r] for r in rows.tolist()]) if d is not None]
            known_keys = data.schluessel if every else [data.schluessel[r] for r in rows.tolist()]
            benchmark = (other_of[rows] >= 0).tolist()  # Vergleichsgebiete: not areas, never reported
            match = systeme.zuordnen(known_keys, known_days, ignorieren=benchmark.__getitem__)
            ids = np.full(n, -1, dtype=np.int64)
            ids[rows] = match.ids
            for position, reason in match.melden.items():
                r = int(rows[position])
                if r not in reported:
                    reported.add(r)
                    problems.append(Problem(data.datei, int(data.zeilen[r]), "Schlüssel", reason + "."))
            hints.extend(h for h in schluessel_hinweise(match, known_keys) if h not in hints)
            for day in {d for d in row_days if d is not None}:
                if day not in days:
                    days.append(day)
            day_position: dict[date | None, int] = {day: i for i, day in enumerate(days)}
            day_index = np.array([day_position.get(d, -1) for d in row_days], dtype=np.int64)
            # Rows in area order, so that the values of a column are already in the order in
            # which they are stored (a wide file then needs no sort of its 880,000 values).
            matched[column_day] = (ids, day_index, np.argsort(ids, kind="stable"))
        ids, day_index, by_area = matched[column_day]
        keep = ((ids >= 0) | (other_of >= 0)) & (day_index >= 0)
        if key.alle_alter and band_row is not None:
            keep &= band_row >= 0
            variants = [key.with_band(*band) for band in bands]
            codes = [_index(merkmale, v) for v in variants]
            merkmal: np.ndarray | int = np.array(codes, dtype=np.int64)[np.maximum(band_row, 0)]
        else:
            merkmal = _index(merkmale, key)
        parts.append((j, column_day, by_area[keep[by_area]], merkmal))
    spalten, stichtage = [s.label for s in data.spalten], days
    wide = _wide(data, parts, matched, other_of)
    if wide is not None:
        return Zeilen(spalten, others, merkmale, stichtage, breit=wide)
    pieces = []
    for j, part_day, rows, merkmal in parts:
        ids, day_index, _ = matched[part_day]
        pieces.append(
            (
                data.zeilen[rows],
                np.full(len(rows), j),
                np.where(other_of[rows] >= 0, -1, ids[rows]),
                other_of[rows],
                np.full(len(rows), merkmal) if isinstance(merkmal, int) else merkmal[rows],
                day_index[rows],
                data.werte[rows, j],
                data.codes[rows, j],
            )
        )
    long = [np.concatenate(values) for values in zip(*pieces, strict=True)]
    return Zeilen(spalten, others, merkmale, stichtage, long=long)


def _wide(
    data: Rohdaten,
    parts: list[tuple[int, date | None, np.ndarray, np.ndarray | int]],
    matched: dict[date | None, tuple[np.ndarray, np.ndarray, np.ndarray]],
    other_of: np.ndarray,
) -> Breit | None:
    """The matrix of a file whose columns all take the same rows (one Merkmal each), with the
    rows in area order; None for other layouts."""
    if len({day for _, day, _, _ in parts}) != 1 or not all(isinstance(m, int) for *_, m in parts):
        return None
    ids, day_index, _ = matched[parts[0][1]]
    rows = parts[0][2]
    gebiet = np.where(other_of[rows] >= 0, -1, ids[rows])
    if len(gebiet) > 1 and not (gebiet[1:] >= gebiet[:-1]).all():  # a benchmark area's own id
        order = np.argsort(gebiet, kind="stable")
        rows, gebiet = rows[order], gebiet[order]
    columns = np.array([j for j, *_ in parts], dtype=np.int64)
    kodiert = None
    if np.array_equal(rows, np.arange(len(data.zeilen))) and np.array_equal(columns, np.arange(len(data.spalten))):
        werte, codes = data.werte, data.codes  # already in area order and all mapped: no copy
        kodiert = data.spalten_kodiert  # and so is what the worker encoded
    else:
        werte, codes = data.werte[np.ix_(rows, columns)], data.codes[np.ix_(rows, columns)]
    return Breit(
        zeile=data.zeilen[rows],
        gebiet=gebiet,
        vergleich=other_of[rows],
        stichtag=day_index[rows],
        spalte=columns,
        merkmal=np.array([m for *_, m in parts], dtype=np.int64),
        werte=werte,
        codes=codes,
        kodiert=kodiert,
    )


class _Reihe(list[MerkmalKey]):
    """Merkmale in the order first met, with their positions at hand (80 columns: no scans)."""

    def __init__(self) -> None:
        super().__init__()
        self.position: dict[MerkmalKey, int] = {}


def _index(items: _Reihe, key: MerkmalKey) -> int:
    if key not in items.position:
        items.position[key] = len(items)
        items.append(key)
    return items.position[key]


# The key index of the last load of a refresh: the next file's load reads the areas again (they
# may have changed) and takes the index when the rows are the same (~7 ms of ~18 for 11,000
# Gemeinden). Forgotten when the refresh ends.
_VORIGER: list[Schluesselabgleich] = []


def _vergessen() -> None:
    _VORIGER.clear()


vorlesen.am_ende(_vergessen)


@gc_angehalten()  # a tenth of a nationwide refresh went to full collections finding nothing
def lade_datei(
    session: Session,
    path: Path,
    katalog: Katalog,
    *,
    now: datetime,
    akteur: str,
    stichtag: date | None = None,
    unbekannte_ignorieren: bool = False,
    zuordnung: str | None = None,
) -> LadeErgebnis:
    """Load one file inside the caller's transaction; raise ProblemReport (nothing written).
    ``zuordnung``: the saved reading of the table assistant to use (else the one whose header
    fits, else the catalogue's table sources)."""
    raw = read_bytes(path)
    digest = checksum(raw)
    existing = session.scalar(sa.select(col(Datenlieferung.id)).where(col(Datenlieferung.pruefsumme) == digest))
    if existing is not None:
        return LadeErgebnis(path.name, "unverändert", datenlieferung_id=existing)
    data, quelle = _read(
        path,
        raw,
        katalog,
        stichtag,
        digest,
        lambda: lies_gespeichert(session, path, raw, katalog, pruefsumme=digest, stichtag=stichtag, name=zuordnung),
    )
    problems = list(data.problems)
    hints: list[str] = []
    abgleich = Schluesselabgleich.aus(session, _VORIGER[0] if _VORIGER else None)
    _VORIGER[:] = [abgleich] if vorlesen.laeuft() else []  # for the next file of a refresh
    aliase = None
    if quelle.kennung.startswith(ZUORDNUNG):
        aliase = lies_aliase(session, quelle.name)
    rows = _long(data, quelle, katalog, abgleich, unbekannte_ignorieren, problems, hints, aliase)
    problems.extend(plausibel.pruefe(session, data.datei, rows, katalog))
    if problems:
        raise ProblemReport(problems)
    if not rows.anzahl:
        raise ProblemReport([Problem(path.name, None, None, "Die Datei enthält keine Werte für bekannte Gebiete.")])
    befunde = plausibel_bericht.befunde(session, data.datei, rows, katalog)
    days = sorted(rows.stichtage)
    lieferung = Datenlieferung(
        datei=path.name,
        pruefsumme=digest,
        datenstand=data.datenstand,
        herausgeber=data.herausgeber or quelle.herausgeber,
        lizenz=data.lizenz or quelle.lizenz,
        geladen_am=now,
        format=data.format,
        quelle=quelle.kennung,
        tabelle=data.tabelle,
        werte=rows.anzahl,
        stichtage=[d.isoformat() for d in days],
        hinweise=[*hints, *data.hinweise],
        akteur=akteur,
        zuordnung=quelle.name if quelle.kennung.startswith(ZUORDNUNG) else None,
    )
    session.add(lieferung)
    session.flush()
    assert lieferung.id is not None
    schreibe(session, lieferung.id, rows)
    plausibel_bericht.speichere(session, lieferung.id, befunde)
    own, areas, others = rows.eigene()
    merkmale = [str(key) for key in rows.merkmale]
    return LadeErgebnis(
        path.name, "geladen", quelle.kennung, own, areas, days, others, lieferung.id, hints, merkmale, befunde
    )
