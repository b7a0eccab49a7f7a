"""Import of reference data (Gebiete, Organisationen, Personen, Gremien, Mitgliedschaften) from
CSV/XLSX lists as planners keep them in Excel.

Every import is all-or-nothing: all rows are parsed and checked first and every problem is
reported with file, row and column; only a clean file is written. Re-importing updates rows by
their natural key and never duplicates. Writes are bulk statements (100,000 persons in seconds),
and each created or changed row gets its audit entry in the same transaction. What each list
holds (columns, keys, checks) is in ``listen``; how a file's headers and names are read, in
``spalten``; a person list without Kennungen (an Outlook export), in ``kontakte``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlmodel import col

from sozialforum.channels.tabular import Table, check_header, read_table
from sozialforum.problems import Problem, ProblemReport
from sozialforum.stammdaten.kontakte import Abgleich, abgleichen
from sozialforum.stammdaten.listen import ORDER, REF_LABEL, SPECS, Column, Spec, ref_map
from sozialforum.stammdaten.spalten import MEHRDEUTIG, lies_kopf, namen_map, normalform, vermutlich
from sozialforum.store import audit
from sozialforum.store.models import GebietVorgaenger, Person
from sozialforum.vocab import AuditAktion

CHUNK = 5000


@dataclass
class ImportResult:
    kind: str
    datei: str
    neu: int = 0
    geaendert: int = 0
    unveraendert: int = 0
    umbenannt: dict[str, str] = field(default_factory=dict)  # header in the file → column read
    ausgelassen: list[str] = field(default_factory=list)  # columns of no meaning here, left out
    kodierung: str = "utf-8"
    kontakte: Abgleich | None = None  # a person list without Kennungen, matched to the store

    def __str__(self) -> str:
        text = f"{self.datei}: {self.neu} neu, {self.geaendert} geändert, {self.unveraendert} unverändert"
        if self.umbenannt:
            text += "; gelesen als: " + ", ".join(f"„{h}“ → {c}" for h, c in self.umbenannt.items())
        if self.ausgelassen:
            text += "; nicht gelesen (keine Spalte dieser Liste): " + ", ".join(f"„{h}“" for h in self.ausgelassen)
        if self.kodierung == "cp1252":
            text += "; gelesen als Windows-1252"
        if self.kontakte is not None:
            text += f"; {self.kontakte}"
        return text


# --- the engine -------------------------------------------------------------------------------


def _misspelt(spec: Spec, table: Table) -> list[Problem]:
    """What ``lies_kopf`` kept although it names no column: a misspelling, refused."""
    known = {c.name for c in (*spec.columns, *spec.extra)}
    return [
        Problem(table.name, 1, header, f"Unbekannte Spalte. Gemeint ist vermutlich „{vermutlich(spec, header)}“.")
        for header in table.header
        if header and header not in known
    ]


def _parse_rows(
    session: Session, spec: Spec, table: Table
) -> tuple[list[tuple[int, dict[str, Any], dict[str, Any]]], list[Problem]]:
    """Parse and resolve every row; return (line, record, extra raw values) and all problems."""
    problems: list[Problem] = []
    limits = _limits(spec)
    # Key columns are always in the record: an absent one (e.g. gueltig_ab) takes its default.
    present = [c for c in spec.columns if c.name in table.header or c.attr in spec.key]
    refs = {c.ref: ref_map(session, c.ref) for c in present if c.ref is not None}
    names = {c.ref: namen_map(session, c.ref) for c in present if c.ref is not None and c.ref is not Person}
    # Self-references may point to rows of this same file that do not exist yet.
    own_keys = {row.get(spec.columns[0].name) for _, row in table.rows}
    parsed = []
    for line, row in table.rows:
        record: dict[str, Any] = {}
        deferred: dict[str, Any] = {c.name: row.get(c.name) for c in spec.extra if c.name in table.header}
        for column in present:
            raw = row.get(column.name)
            if raw is not None and (message := _text_problem(raw, limits.get(column.attr), column)) is not None:
                problems.append(Problem(table.name, line, column.name, message))
                record[column.attr] = None
                continue
            if raw is None:
                if column.required:
                    problems.append(Problem(table.name, line, column.name, "Pflichtfeld ist leer."))
                record[column.attr] = column.default
                continue
            if column.ref is not None:
                target = refs[column.ref].get(raw)
                if target is None and column.ref in names:  # a name instead of the Kennung
                    target = names[column.ref].get(normalform(raw))
                    if target == MEHRDEUTIG:
                        problems.append(
                            Problem(
                                table.name, line, column.name, f"„{raw}“ heißen mehrere: bitte die Kennung angeben."
                            )
                        )
                        record[column.attr] = None
                        continue
                if target is None and column.ref is spec.model and raw in own_keys:
                    deferred[column.attr] = raw
                    record[column.attr] = None
                    continue
                if target is None:
                    label = REF_LABEL.get(column.ref, column.ref.__name__)
                    problems.append(Problem(table.name, line, column.name, f"unbekannte(s) {label} „{raw}“."))
                record[column.attr] = target
                continue
            try:
                record[column.attr] = column.parse(raw) if column.parse else raw
            except ValueError as exc:
                problems.append(Problem(table.name, line, column.name, f"„{raw}“: {exc}."))
                record[column.attr] = None
        for column_name, message in spec.check(record):
            problems.append(Problem(table.name, line, column_name, message + "."))
        parsed.append((line, record, deferred))
    problems += _cycles(session, spec, table, parsed)
    seen: dict[tuple[Any, ...], int] = {}
    for line, record, _ in parsed:
        key = tuple(record.get(name) for name in spec.key)
        if None in key:
            continue
        if key in seen:
            shown = ", ".join(str(record.get(name)) for name in spec.key)
            problems.append(
                Problem(
                    table.name,
                    line,
                    spec.columns[0].name,
                    f"doppelter Schlüssel ({shown}), schon in Zeile {seen[key]}.",
                )
            )
        else:
            seen[key] = line
    return parsed, problems


# Text longer than this is no master data (a pasted document, a cell run wild).
MAX_TEXT = 5000


def _limits(spec: Spec) -> dict[str, int]:
    """Column lengths from the model, checked before the database sees the value."""
    table = spec.model.__table__  # type: ignore[attr-defined]  # SQLModel declares no __table__ on the class
    return {c.name: getattr(c.type, "length", None) or MAX_TEXT for c in table.columns}


def _text_problem(raw: str, limit: int | None, column: Column) -> str | None:
    """What makes a cell unusable whatever its column: control characters (a NUL byte, a line
    break inside a name), a formula where text belongs, more characters than the field holds."""
    if any(ord(c) < 32 or ord(c) == 127 for c in raw):
        return "enthält Zeilenumbrüche oder Steuerzeichen; bitte als eine Zeile ohne Sonderzeichen eingeben."
    if column.parse is not None:  # the parser says what is wrong with a date, a key, an address
        return None if len(raw) <= MAX_TEXT else f"ist {len(raw)} Zeichen lang; höchstens {MAX_TEXT} Zeichen."
    if column.ref is None and raw[0] in "=@":
        return f"beginnt mit „{raw[0]}“ wie eine Tabellenformel; bitte den Text selbst eintragen."
    if limit is not None and len(raw) > limit:
        return f"ist {len(raw)} Zeichen lang; höchstens {limit} Zeichen."
    return None


def _cycles(
    session: Session, spec: Spec, table: Table, parsed: list[tuple[int, dict[str, Any], dict[str, Any]]]
) -> list[Problem]:
    """A hierarchy that runs in a circle (A under B under A) is refused, with every row on it."""
    column = next((c for c in spec.columns if c.ref is spec.model and c.name == "uebergeordnet"), None)
    if column is None:
        return []
    key_column = spec.columns[0].name
    parent: dict[str, str] = {}
    model = spec.model
    key_attr = key_column
    ids = {row_id: key for key, row_id in ref_map(session, model).items()}
    for key, parent_id in session.execute(sa.select(getattr(model, key_attr), model.parent_id)):  # type: ignore[attr-defined]  # only hierarchical models come here
        if parent_id in ids:
            parent[key] = ids[parent_id]
    lines: dict[str, int] = {}
    for line, row in table.rows:
        key, up = row.get(key_column), row.get(column.name)
        if key:
            lines[key] = line
            if up:
                parent[key] = up
            else:
                parent.pop(key, None)
    problems = []
    for start, line in lines.items():
        seen = [start]
        current = parent.get(start)
        while current is not None and current not in seen:
            seen.append(current)
            current = parent.get(current)
        if current == start:
            kreis = " → ".join([*seen, start])
            problems.append(Problem(table.name, line, column.name, f"Die Hierarchie läuft im Kreis: {kreis}."))
    return problems


def _existing(session: Session, spec: Spec, fields: list[str]) -> dict[tuple[Any, ...], dict[str, Any]]:
    table = spec.model.__table__  # type: ignore[attr-defined]  # SQLModel declares no __table__ on the class
    columns = [table.c.id, *(table.c[name] for name in dict.fromkeys([*spec.key, *fields]))]
    result: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in session.execute(sa.select(*columns)).mappings():
        result[tuple(row[name] for name in spec.key)] = dict(row)
    return result


def _same(old: Any, new: Any) -> bool:
    if isinstance(old, datetime) and isinstance(new, datetime):
        return old.astimezone(UTC) == new.astimezone(UTC)
    return bool(old == new)


def _write(
    session: Session, spec: Spec, parsed: list[tuple[int, dict[str, Any], dict[str, Any]]], result: ImportResult
) -> dict[tuple[Any, ...], int]:
    model_table = spec.model.__table__  # type: ignore[attr-defined]  # SQLModel declares no __table__ on the class
    fields = list(parsed[0][1]) if parsed else []
    existing = _existing(session, spec, fields)
    inserts, updates, audits = [], [], []
    for _, record, _ in parsed:
        key = tuple(record[name] for name in spec.key)
        current = existing.get(key)
        if current is None:
            inserts.append(record)
            continue
        diff = {name: [current[name], value] for name, value in record.items() if not _same(current[name], value)}
        if diff:
            updates.append({"_id": current["id"], **record})
            audits.append((current["id"], AuditAktion.UPDATE, diff))
        else:
            result.unveraendert += 1
    for start in range(0, len(inserts), CHUNK):
        session.execute(sa.insert(model_table), inserts[start : start + CHUNK])
    if updates:
        statement = (
            sa.update(model_table)
            .where(model_table.c.id == sa.bindparam("_id"))
            .values({name: sa.bindparam(name) for name in fields})
        )
        session.execute(statement, updates, execution_options={"synchronize_session": False})
    ids = {key: row["id"] for key, row in _existing(session, spec, []).items()}
    new_keys = [tuple(record[name] for name in spec.key) for record in inserts]
    audits.extend((ids[key], AuditAktion.CREATE, {}) for key in new_keys)
    audit.record_bulk(session, table=model_table.name, entries=audits)
    result.neu, result.geaendert = len(inserts), len(updates)
    return ids


def _post(
    session: Session,
    spec: Spec,
    parsed: list[tuple[int, dict[str, Any], dict[str, Any]]],
    ids: dict[tuple[Any, ...], int],
    table: Table,
) -> None:
    """Self-references within the file and the Gebiet predecessor links, after all rows exist."""
    if not any(deferred for _, _, deferred in parsed):
        return
    refs = ref_map(session, spec.model)
    model_table = spec.model.__table__  # type: ignore[attr-defined]  # SQLModel declares no __table__ on the class
    problems: list[Problem] = []
    for line, record, deferred in parsed:
        row_id = ids[tuple(record[name] for name in spec.key)]
        for attr, raw in deferred.items():
            if attr == "vorgaenger":
                links = []
                for key in filter(None, (part.strip() for part in (raw or "").split(","))):
                    if key not in refs:
                        problems.append(Problem(table.name, line, "vorgaenger", f"unbekanntes Gebiet „{key}“."))
                    else:
                        links.append({"gebiet_id": row_id, "vorgaenger_id": refs[key]})
                session.execute(sa.delete(GebietVorgaenger).where(col(GebietVorgaenger.gebiet_id) == row_id))
                if links:
                    session.execute(sa.insert(GebietVorgaenger), links)
            elif raw is not None:
                session.execute(sa.update(model_table).where(model_table.c.id == row_id).values({attr: refs[raw]}))
    if problems:
        raise ProblemReport(problems)


def import_file(session: Session, kind: str, path: Path) -> ImportResult:
    """Import one list into the session's transaction; raise ProblemReport if anything is wrong."""
    spec = SPECS[kind]
    # An older Outlook exports contacts in Windows-1252 only; the other lists come from Excel.
    lesart = lies_kopf(spec, read_table(path, windows=kind == "personen"))
    table, kontakte = lesart.table, None
    if kind == "personen" and "kennung" not in table.header:
        table, kontakte = abgleichen(session, table)
    check_header(table, [c.name for c in spec.columns if c.required], _misspelt(spec, table))
    parsed, problems = _parse_rows(session, spec, table)
    if problems:
        raise ProblemReport(problems)
    result = ImportResult(
        kind=kind,
        datei=path.name,
        umbenannt=lesart.umbenannt,
        ausgelassen=lesart.ausgelassen,
        kodierung=table.kodierung,
        kontakte=kontakte,
    )
    ids = _write(session, spec, parsed, result)
    _post(session, spec, parsed, ids, table)
    session.flush()
    return result


def find_lists(folder: Path) -> list[tuple[str, Path]]:
    """The lists in a folder, by name (``personen.csv``, ``gremien.xlsx`` …), in import order."""
    found = []
    for kind in ORDER:
        for suffix in (".csv", ".xlsx"):
            if (folder / f"{kind}{suffix}").exists():
                found.append((kind, folder / f"{kind}{suffix}"))
    return found


def import_folder(session: Session, folder: Path) -> list[ImportResult]:
    """Import every list of a folder in one transaction (the caller commits or rolls back)."""
    lists = find_lists(folder)
    if not lists:
        raise ProblemReport([Problem(folder.name, None, None, "Keine Listen gefunden (erwartet z. B. personen.csv).")])
    return [import_file(session, kind, path) for kind, path in lists]
