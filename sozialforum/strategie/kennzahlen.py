"""The figures behind the Ziele: the Fachamt's own (a table, read all or nothing), or the atlas's
(a Ziel with an ``indikator`` takes that indicator's values for the whole Kreis or Stadt and per
Sozialraum from the latest computation). Either way they become ``kennzahlwert`` rows, so
attainment reads one place.

The table: ``ziel`` (the Ziel's key), ``stichtag`` (TT.MM.JJJJ), optional ``sozialraum`` (name or
key; empty: the whole area), ``wert``, optional ``quelle``.
"""

from __future__ import annotations

import difflib
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from sqlmodel import Session, col, select

from sozialforum.channels.tabular import read_table
from sozialforum.daten.ergebnis import lade_monitor
from sozialforum.daten.fehlwerte import Fehlwert
from sozialforum.parsing import parse_date, parse_decimal_text
from sozialforum.problems import Problem, ProblemReport
from sozialforum.store.models import Gebiet, Kennzahlwert, Ziel
from sozialforum.vocab import GebietEbene

SPALTEN = ("ziel", "stichtag", "sozialraum", "wert", "quelle")
AREA_LEVELS = (GebietEbene.SOZIALRAUM.value, GebietEbene.PLANUNGSRAUM.value, GebietEbene.SOZIALREGION.value)


def _upsert(
    session: Session, ziel_id: int, stichtag: date, gebiet_id: int | None, wert: Decimal, quelle: str | None
) -> bool:
    query = select(Kennzahlwert).where(Kennzahlwert.ziel_id == ziel_id).where(Kennzahlwert.stichtag == stichtag)
    query = query.where(
        col(Kennzahlwert.gebiet_id).is_(None) if gebiet_id is None else Kennzahlwert.gebiet_id == gebiet_id
    )
    row = session.exec(query).first()
    if row is not None and Decimal(row.wert) == wert and row.quelle == quelle:
        return False
    row = row or Kennzahlwert(ziel_id=ziel_id, stichtag=stichtag, gebiet_id=gebiet_id, wert=wert)
    row.wert, row.quelle = wert, quelle
    session.add(row)
    return True


def kennzahlen_laden(session: Session, path: Path) -> tuple[int, int]:
    """(rows written, rows unchanged); a ``ProblemReport`` and nothing written on any problem."""
    table = read_table(path, required=("ziel", "stichtag", "wert"))
    problems: list[Problem] = []
    for spalte in (h for h in table.header if h and h not in SPALTEN):
        close = difflib.get_close_matches(spalte, SPALTEN, n=1)
        problems.append(
            Problem(
                path.name, 1, spalte, "Unbekannte Spalte." + (f" Gemeint ist vermutlich „{close[0]}“." if close else "")
            )
        )
    ziele = dict(session.exec(select(Ziel.kennung, Ziel.id)).all())
    areas = session.exec(
        select(Gebiet.id, Gebiet.schluessel, Gebiet.name).where(col(Gebiet.ebene).in_(AREA_LEVELS))
    ).all()
    by_name = {k.lower(): i for i, k, _ in areas} | {n.lower(): i for i, _, n in areas}
    rows = []
    for zeile, v in table.rows:
        before = len(problems)
        ziel_id = ziele.get(v.get("ziel") or "")
        if ziel_id is None:
            hint = difflib.get_close_matches(v.get("ziel") or "", list(ziele), n=1)
            problems.append(
                Problem(
                    path.name,
                    zeile,
                    "ziel",
                    f"Unbekanntes Ziel „{v.get('ziel')}“." + (f" Meinten Sie „{hint[0]}“?" if hint else ""),
                )
            )
        try:
            stichtag = parse_date(v.get("stichtag") or "")
        except ValueError as exc:
            problems.append(Problem(path.name, zeile, "stichtag", f"„{v.get('stichtag')}“: {exc}"))
        gebiet_id = None
        if v.get("sozialraum"):
            gebiet_id = by_name.get((v.get("sozialraum") or "").lower())
            if gebiet_id is None:
                problems.append(
                    Problem(path.name, zeile, "sozialraum", f"Unbekannter Sozialraum „{v.get('sozialraum')}“.")
                )
        try:
            wert = Decimal(parse_decimal_text(v.get("wert") or ""))
        except (ValueError, InvalidOperation):
            problems.append(Problem(path.name, zeile, "wert", f"„{v.get('wert')}“ ist keine Zahl."))
        quelle = v.get("quelle")
        if quelle is not None and len(quelle) > 300:
            problems.append(Problem(path.name, zeile, "quelle", "ist länger als 300 Zeichen."))
        if len(problems) == before:
            rows.append((ziel_id, stichtag, gebiet_id, wert, quelle))
    if problems:
        raise ProblemReport(problems)
    written = sum(_upsert(session, *row) for row in rows)  # type: ignore[arg-type]  # checked above
    session.flush()
    return written, len(rows) - written


def aus_atlas(session: Session) -> int:
    """Take over the atlas values of every Ziel that names an indicator (whole area and each
    Sozialraum, every Stichtag of the latest computation); the number of rows written."""
    ziele = session.exec(select(Ziel).where(col(Ziel.indikator).is_not(None))).all()
    monitor = lade_monitor(session) if ziele else None
    if monitor is None:
        return 0
    ebenen = {gebiet_id: str(ebene) for gebiet_id, ebene in session.exec(select(Gebiet.id, Gebiet.ebene)) if gebiet_id}
    written = 0
    for ziel in ziele:
        assert ziel.id is not None and ziel.indikator is not None  # stored, filtered in the query
        for day in monitor.stichtage:
            werte = monitor.werte.get((ziel.indikator, day))
            if werte is None:
                continue
            for i, area in enumerate(werte.ids):
                ebene = ebenen.get(int(str(area)))
                if werte.code[i] != Fehlwert.VORHANDEN or ebene not in (
                    GebietEbene.KREIS.value,
                    GebietEbene.SOZIALRAUM.value,
                ):
                    continue
                gebiet_id = None if ebene == GebietEbene.KREIS.value else int(str(area))
                value = Decimal(str(round(float(werte.wert[i]), 4)))
                written += _upsert(session, ziel.id, day, gebiet_id, value, "Sozialstrukturatlas")
    session.flush()
    return written
