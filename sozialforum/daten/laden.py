"""Loading one source file into the store: all or nothing, idempotent, with provenance.

Steps: recognise the format (GENESIS flat CSV, BA workbook, a plain table), map its columns to
Merkmale with the catalogue, match keys to areas valid on the Stichtag, check everything
(text in number columns, unknown keys, duplicates, negative counts, a share above 100 %), and
only then write: one Datenlieferung (file, checksum, Datenstand, publisher, licence) and the
values as column chunks, in bulk. The same file again (same checksum) changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import numpy as np
import sqlalchemy as sa
from sqlalchemy.orm import Session

from sozialforum.daten import plausibel
from sozialforum.daten.ba_excel import read_ba
from sozialforum.daten.fehlwerte import Fehlwert
from sozialforum.daten.gebietsstand import Schluesselabgleich
from sozialforum.daten.genesis import is_genesis, read_genesis, table_code
from sozialforum.daten.katalog import Katalog, QuelleDef, norm_label
from sozialforum.daten.kodierung import Kodiert, kodiere, pack
from sozialforum.daten.merkmale import MerkmalKey, parse_altersgruppe
from sozialforum.daten.quelldatei import Rohdaten, checksum, decode, read_bytes
from sozialforum.daten.speicher import eindeutig
from sozialforum.daten.stadttabelle import read_tabelle
from sozialforum.models import Datenlieferung, Vergleichswert, Wertespalte
from sozialforum.problems import Problem, ProblemReport

CHUNK = 2000


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

    def __str__(self) -> str:
        if self.status != "geladen":
            return f"{self.datei}: bereits geladen, nichts geändert."
        days = ", ".join(d.strftime("%d.%m.%Y") for d in self.stichtage)
        return (f"{self.datei}: {self.werte} Werte für {self.gebiete} Gebiete geladen "
                f"(Stichtage {days}; Quelle {self.quelle}).")


@dataclass
class Zeilen:
    """The file's values in long form (parallel arrays), ready to check and store."""

    zeile: np.ndarray  # line in the file
    spalte: np.ndarray  # index into ``spalten``
    gebiet: np.ndarray  # area id, -1 for Vergleichsgebiete
    vergleich: np.ndarray  # index into ``vergleichsgebiete``, -1 for own areas
    merkmal: np.ndarray  # index into ``merkmale``
    stichtag: np.ndarray  # index into ``stichtage``
    wert: np.ndarray
    code: np.ndarray
    spalten: list[str]
    vergleichsgebiete: list[str]
    merkmale: list[MerkmalKey]
    stichtage: list[date]


def _read(path: Path, raw: bytes, katalog: Katalog, stichtag: date | None) -> tuple[Rohdaten, QuelleDef]:
    if path.suffix.lower() == ".csv":
        decode(path.name, raw[:4096])  # refuses UTF-16 and double-encoded files with the reason
        if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
            raw = raw.decode("utf-16").encode("utf-8")
    if is_genesis(raw):
        data = read_genesis(path, stichtag=stichtag, raw=raw)
        stem, _depth = table_code(data.tabelle or "")
        for quelle in katalog.quellen:
            if quelle.format == "genesis" and quelle.tabelle == stem:
                return data, quelle
        raise ProblemReport([Problem(path.name, 1, None, f"Für die GENESIS-Tabelle {data.tabelle} ist "
                                     "im Indikatorenkatalog keine Quelle hinterlegt (quellen.tabelle).")])
    if path.suffix.lower() in (".xlsx", ".xlsm") and _is_ba(path):
        data = read_ba(path, stichtag=stichtag)
        candidates = [q for q in katalog.quellen if q.format == "ba"]
        for quelle in candidates:
            if quelle.titel and quelle.titel.lower() in data.titel.lower():
                return data, quelle
        if len(candidates) == 1:
            return data, candidates[0]
        raise ProblemReport([Problem(path.name, 1, None, "Die BA-Tabelle passt zu keiner BA-Quelle "
                                     f"des Katalogs (Titel: „{data.titel}“).")])
    return read_tabelle(path, katalog, stichtag=stichtag)


def _is_ba(path: Path) -> bool:
    from openpyxl import load_workbook

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
    rows = np.array([index.get(parsed[text], -1) if parsed[text] else -1 for text in data.dimension])
    for r in np.nonzero(rows < 0)[0]:
        problems.append(Problem(data.datei, int(data.zeilen[r]), "Altersgruppe",
                                f"„{data.dimension[r]}“ ist keine Altersgruppe (erwartet z. B. "
                                "„3 bis unter 6 Jahre“ oder „Insgesamt“)."))
    return bands, rows


def _long(data: Rohdaten, quelle: QuelleDef, katalog: Katalog, abgleich: Schluesselabgleich,
          ignore_unknown: bool, problems: list[Problem], hints: list[str]) -> Zeilen:
    mapped = [(j, quelle.zuordnung[norm_label(s.label)]) for j, s in enumerate(data.spalten)
              if norm_label(s.label) in quelle.zuordnung]
    skipped = [s.label for s in data.spalten if norm_label(s.label) not in quelle.zuordnung]
    if not mapped:
        raise ProblemReport([Problem(data.datei, None, None, "Keine Spalte der Datei ist im Katalog "
                                     f"einem Merkmal zugeordnet (Quelle {quelle.kennung}).")])
    if skipped:
        hints.append(f"Nicht übernommene Spalten: {', '.join(dict.fromkeys(skipped))}.")
    n = len(data.schluessel)
    others = list(katalog.vergleichsgebiete)
    other_index = {key: i for i, key in enumerate(others)}
    other_of = np.array([other_index.get(k, -1) for k in data.schluessel], dtype=np.int64)
    bands, band_row = [], None
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
            match = abgleich.zuordnen([data.schluessel[r] for r in rows], [row_days[r] for r in rows])  # type: ignore[misc]
            ids = np.full(n, -1, dtype=np.int64)
            ids[rows] = match.ids
            for position, reason in match.gruende.items():
                r = int(rows[position])
                if other_of[r] < 0 and not ignore_unknown and r not in reported:
                    reported.add(r)
                    problems.append(Problem(data.datei, int(data.zeilen[r]), "Schlüssel", reason + "."))
            for day in {d for d in row_days if d is not None}:
                if day not in days:
                    days.append(day)
            position = {day: i for i, day in enumerate(days)}
            day_index = np.array([position.get(d, -1) for d in row_days], dtype=np.int64)
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
    columns = _assemble(data, parts, matched, other_of)
    return Zeilen(*columns, spalten=[s.label for s in data.spalten], vergleichsgebiete=others,
                  merkmale=merkmale, stichtage=days)


def _assemble(data: Rohdaten, parts: list[tuple[int, date | None, np.ndarray, np.ndarray | int]],
              matched: dict[date | None, tuple[np.ndarray, np.ndarray, np.ndarray]],
              other_of: np.ndarray) -> list[np.ndarray]:
    """The long columns (line, column, area, Vergleichsgebiet, Merkmal, Stichtag, value, code),
    column by column. A wide file, where every column takes the same rows, is built with one
    gather of its value matrix instead of 80 pieces glued together."""
    if len({day for _, day, _, _ in parts}) == 1 and all(isinstance(m, int) for *_, m in parts):
        ids, day_index, _ = matched[parts[0][1]]
        rows, columns = parts[0][2], np.array([j for j, *_ in parts])
        merkmale = np.array([m for *_, m in parts], dtype=np.int64)
        count, width = len(rows), len(parts)
        return [np.tile(data.zeilen[rows], width), np.repeat(columns, count),
                np.tile(np.where(other_of[rows] >= 0, -1, ids[rows]), width), np.tile(other_of[rows], width),
                np.repeat(merkmale, count), np.tile(day_index[rows], width),
                data.werte[np.ix_(rows, columns)].T.ravel(), data.codes[np.ix_(rows, columns)].T.ravel()]
    pieces = []
    for j, day, rows, merkmal in parts:
        ids, day_index, _ = matched[day]
        pieces.append((data.zeilen[rows], np.full(len(rows), j), np.where(other_of[rows] >= 0, -1, ids[rows]),
                       other_of[rows], np.full(len(rows), merkmal) if isinstance(merkmal, int) else merkmal[rows],
                       day_index[rows], data.werte[rows, j], data.codes[rows, j]))
    return [np.concatenate(values) for values in zip(*pieces, strict=True)]


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


def lade_datei(session: Session, path: Path, katalog: Katalog, *, now: datetime,
               akteur: str, stichtag: date | None = None,
               unbekannte_ignorieren: bool = False) -> LadeErgebnis:
    """Load one file inside the caller's transaction; raise ProblemReport (nothing written)."""
    raw = read_bytes(path)
    digest = checksum(raw)
    existing = session.scalar(sa.select(Datenlieferung.id).where(Datenlieferung.pruefsumme == digest))
    if existing is not None:
        return LadeErgebnis(path.name, "unverändert", datenlieferung_id=existing)
    data, quelle = _read(path, raw, katalog, stichtag)
    problems = list(data.problems)
    hints: list[str] = []
    abgleich = Schluesselabgleich.aus(session)
    rows = _long(data, quelle, katalog, abgleich, unbekannte_ignorieren, problems, hints)
    problems.extend(plausibel.pruefe(session, data.datei, rows, katalog))
    if problems:
        raise ProblemReport(problems)
    if not len(rows.wert):
        raise ProblemReport([Problem(path.name, None, None, "Die Datei enthält keine Werte für "
                                     "bekannte Gebiete.")])
    days = sorted(rows.stichtage)
    lieferung = Datenlieferung(
        datei=path.name, pruefsumme=digest, datenstand=data.datenstand,
        herausgeber=data.herausgeber or quelle.herausgeber, lizenz=data.lizenz or quelle.lizenz,
        geladen_am=now, format=data.format, quelle=quelle.kennung, tabelle=data.tabelle,
        werte=len(rows.wert), stichtage=[d.isoformat() for d in days],
        hinweise=[*hints, *data.hinweise], akteur=akteur)
    session.add(lieferung)
    session.flush()
    assert lieferung.id is not None
    _write(session, lieferung.id, rows)
    return LadeErgebnis(path.name, "geladen", quelle.kennung, int((rows.gebiet >= 0).sum()),
                        len(eindeutig(rows.gebiet[rows.gebiet >= 0])), days,
                        int((rows.gebiet < 0).sum()), lieferung.id, hints)


def _write(session: Session, lieferung_id: int, rows: Zeilen) -> None:
    own = rows.gebiet >= 0
    group = rows.merkmal * len(rows.stichtage) + rows.stichtag
    mine = np.flatnonzero(own)
    # Chunks are (Merkmal × Stichtag) with areas in order; ``_long`` delivers a wide file in
    # exactly that order, so the sort is only needed for other layouts.
    order = group[mine] * (int(rows.gebiet.max(initial=0)) + 1) + rows.gebiet[mine]
    if len(order) > 1 and not (order[1:] >= order[:-1]).all():
        mine = mine[np.argsort(order, kind="stable")]
    groups = group[mine]
    starts = np.flatnonzero(groups[1:] != groups[:-1]) + 1
    chunks = []
    shared: tuple[np.ndarray, Kodiert] | None = None
    for pick in np.split(mine, starts):
        merkmal, day = divmod(int(group[pick[0]]), len(rows.stichtage))
        gebiet = rows.gebiet[pick].astype(np.int32)
        if shared is None or not np.array_equal(shared[0], gebiet):  # every column of a file: once
            shared = (gebiet, kodiere(gebiet))
        chunks.append({"datenlieferung_id": lieferung_id, "merkmal": str(rows.merkmale[merkmal]),
                       "stichtag": rows.stichtage[day], "anzahl": len(pick),
                       "daten": pack(gebiet=shared[1], wert=rows.wert[pick], code=rows.code[pick])})
    for start in range(0, len(chunks), CHUNK):
        session.execute(Wertespalte.__table__.insert(), chunks[start:start + CHUNK])
    others = [{"datenlieferung_id": lieferung_id,
               "schluessel": rows.vergleichsgebiete[int(rows.vergleich[i])],
               "merkmal": str(rows.merkmale[int(rows.merkmal[i])]),
               "stichtag": rows.stichtage[int(rows.stichtag[i])],
               "wert": None if rows.code[i] else float(rows.wert[i]),
               "fehlend": Fehlwert(int(rows.code[i])).symbol or None}
              for i in np.nonzero(~own)[0]]
    for start in range(0, len(others), CHUNK):
        session.execute(Vergleichswert.__table__.insert(), others[start:start + CHUNK])
