"""Finding imported OParl objects again (idempotent by OParl id) and counting what changed.

Gremium, Sitzung, Tagesordnungspunkt, Vorlage, Beratung and Mitgliedschaft carry ``oparl_id``;
Person, Organisation and Beschluss are found through the map table ``oparl_objekt``.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlmodel import SQLModel, col

from sozialforum.oparl.lesen import Mangel
from sozialforum.oparl.schreiben import aendern, chunks, einfuegen
from sozialforum.store.direct import DirectStatement
from sozialforum.store.models import (
    Beratung,
    Gremium,
    Mitgliedschaft,
    OparlObjekt,
    Sitzung,
    Tagesordnungspunkt,
    Vorlage,
)
from sozialforum.store.models.base import table_of
from sozialforum.timeutil import format_anzahl

WITH_COLUMN: dict[str, type[SQLModel]] = {
    "gremium": Gremium,
    "sitzung": Sitzung,
    "tagesordnungspunkt": Tagesordnungspunkt,
    "vorlage": Vorlage,
    "beratung": Beratung,
    "mitgliedschaft": Mitgliedschaft,
}


# Tables whose rows carry the source's created/modified themselves (``oparl_erstellt``,
# ``oparl_modified``): a live row of these needs no map entry. They are the bulk of an import
# (Meetings, AgendaItems, Papers, Consultations), and an entry each, with its unique URL index,
# cost a fifth of a full import's time.
TIMES_ON_ROW = frozenset({"sitzung", "tagesordnungspunkt", "vorlage", "beratung"})

VENDOR = "sozialforum"  # the prefix of our extension fields (``sozialforum:umsetzung``)


def kennung_for(oparl_id: str, prefix: str = "oparl") -> str:
    """A natural key derived from the OParl id, so that a re-import finds the same row."""
    return f"{prefix}-{hashlib.sha1(oparl_id.encode()).hexdigest()[:12]}"  # noqa: S324 (a name, not security)


def apply(row: Any, values: dict[str, Any]) -> bool:
    """Set changed values only (so unchanged rows stay clean: no audit entry, no update)."""
    changed = False
    for key, value in values.items():
        if getattr(row, key) != value:
            setattr(row, key, value)
            changed = True
    return changed


KINDS = ("neu", "geaendert", "unveraendert", "uebersprungen", "geloescht")


# The OParl types counted by the import, as the Geschäftsstelle names them in the summary.
TYPEN_DEUTSCH = {
    "AgendaItem": "Tagesordnungspunkte",
    "Consultation": "Beratungen",
    "File": "Dateien",
    "Meeting": "Sitzungen",
    "Membership": "Mitgliedschaften",
    "Organization": "Gremien",
    "Paper": "Vorlagen",
    "Person": "Personen",
    "Auftrag": "Aufträge",
    "Beschluss": "Beschlüsse",
    "Umsetzungsbericht": "Umsetzungsberichte",
}


@dataclass
class ImportBericht:
    zaehler: dict[str, dict[str, int]] = field(default_factory=lambda: defaultdict(lambda: dict.fromkeys(KINDS, 0)))
    maengel: list[Mangel] = field(default_factory=list)
    abgerufen: int = 0  # HTTP requests
    fehlend: list[str] = field(default_factory=list)  # German: what could not be read (a gap)
    klaerung: list[str] = field(default_factory=list)  # German: cases for the Geschäftsstelle
    geloescht: int = 0  # rows removed because the source deleted them

    @property
    def vollstaendig(self) -> bool:
        return not self.fehlend

    def zaehle(self, typ: str, was: str, anzahl: int = 1) -> None:
        self.zaehler[typ][was] += anzahl

    def zusammenfassung(self) -> list[str]:
        lines = [
            f"{TYPEN_DEUTSCH.get(typ, typ)}: {c['neu']} neu, {c['geaendert']} geändert, {c['unveraendert']} unverändert"
            + (f", {c['uebersprungen']} übersprungen" if c["uebersprungen"] else "")
            + (f", {c['geloescht']} gelöscht" if c["geloescht"] else "")
            for typ, c in sorted(self.zaehler.items(), key=lambda item: TYPEN_DEUTSCH.get(item[0], item[0]))
        ]
        if self.geloescht:
            entfernt = format_anzahl(self.geloescht, "Datensatz", "Datensätze")
            lines.append(f"{entfernt} entfernt, weil die Quelle sie gelöscht hat")
        lines.append(f"{format_anzahl(len(self.maengel), 'Mangel', 'Mängel')} der Quelle protokolliert (als Warnung)")
        if self.klaerung:
            faelle = format_anzahl(len(self.klaerung), "Fall", "Fälle")
            lines.append(f"{faelle} zur Klärung durch die Geschäftsstelle (sozialforum oparl klaerung)")
        if self.fehlend:
            listen = format_anzahl(len(self.fehlend), "Liste", "Listen")
            lines.append(f"UNVOLLSTÄNDIG: {listen} nicht ganz gelesen – der nächste Lauf holt sie nach:")
            lines.extend(f"  {gap}" for gap in self.fehlend)
        return lines


_UNKNOWN = object()  # not looked up yet (None is a cached "no such row")
_MAP_COLUMNS = ("typ", "tabelle", "datensatz_id", "modified", "erstellt", "geloescht", "zuletzt_gesehen")


class Index:
    """Lookups of local rows by OParl id, cached for the run."""

    def __init__(self, session: Session, now: datetime) -> None:
        self.session = session
        self.now = now
        # per table, then OParl id: no (table, id) tuple built and hashed per lookup (a full
        # import looks up a million times), and each lookup in a smaller dictionary
        self._cache: dict[str, dict[str, int | None]] = {}
        self.aliases: dict[str, str] = {}  # URL fetched → id the object gave itself
        self._loaded: set[str] = set()
        self._objekte: dict[str, dict[str, Any]] = {}  # the map (as far as read), as this run leaves it
        self._neu: set[str] = set()  # entries of the map that are not in the table yet
        self._complete = False  # the whole map is read
        self._absent: set[str] = set()  # ids known not to be in the map
        self._dirty: set[str] = set()  # entries of the map to write

    def _load(self, tabelle: str) -> None:
        """Every known OParl id of ``tabelle`` in one query (no round trip per object)."""
        self._loaded.add(tabelle)
        model = WITH_COLUMN.get(tabelle)
        if model is not None:
            table = table_of(model)
            query = sa.select(table.c.oparl_id, table.c.id).where(table.c.oparl_id.is_not(None))
        else:
            query = sa.select(col(OparlObjekt.oparl_id), col(OparlObjekt.datensatz_id)).where(
                col(OparlObjekt.tabelle) == tabelle, col(OparlObjekt.datensatz_id).is_not(None)
            )
        self.session.flush()  # as ``session.execute`` would: rows the ORM still holds count
        # one dictionary built by the interpreter, not a call per row (an incremental run reads
        # a full import's 150,000 Beratungen here); the column is unique: no id twice
        found = dict(DirectStatement(query).all(self.session.connection(), {}, named=False))
        rows = self._cache.setdefault(tabelle, {})
        found.update(rows)  # what the run has set already stays
        rows.update(found)

    def find(self, tabelle: str, oparl_id: str | None) -> int | None:
        if not oparl_id:
            return None
        if self.aliases:
            oparl_id = self.aliases.get(oparl_id, oparl_id)
        rows = self._cache.get(tabelle)
        if rows is not None:
            found = rows.get(oparl_id, _UNKNOWN)
            if found is not _UNKNOWN:
                return found  # type: ignore[return-value]  # an id or None, as stored
        if tabelle not in self._loaded:
            self._load(tabelle)
        return self._cache[tabelle].setdefault(oparl_id, None)

    def find_all(self, tabelle: str, oparl_ids: list[str]) -> dict[str, int | None]:
        """``find`` for many ids at once (the batches of a full import), without a call each."""
        if tabelle not in self._loaded:
            self._load(tabelle)
        rows, aliases = self._cache[tabelle], self.aliases
        if aliases:
            return {o: rows.get(aliases.get(o, o)) for o in oparl_ids}
        return {o: rows.get(o) for o in oparl_ids}

    def set(self, tabelle: str, oparl_id: str, datensatz_id: int | None) -> None:
        self._cache.setdefault(tabelle, {})[oparl_id] = datensatz_id

    def _rows(self, where: Any) -> None:
        table = table_of(OparlObjekt)
        query = sa.select(table.c.id, table.c.oparl_id, *(table.c[c] for c in _MAP_COLUMNS))
        if where is None:  # the whole map (tens of thousands of rows): without the result machinery
            self.session.flush()
            found: Any = DirectStatement(query).all(self.session.connection(), {}, named=False)
        else:
            found = self.session.execute(query.where(where))
        for row in found:
            self._objekte[row[1]] = dict(zip(_MAP_COLUMNS, row[2:], strict=True))

    def preload(self, oparl_ids: list[str]) -> None:
        """Read the map entries of the run's objects at once: the whole map when the run is a
        large part of it (a full import), else just these (an incremental run stays small)."""
        table = table_of(OparlObjekt)
        total = self.session.scalar(sa.select(sa.func.count()).select_from(table)) or 0
        if len(oparl_ids) * 10 >= total:
            self._rows(None)
            self._complete = True
            return
        for part in chunks(sorted(set(oparl_ids))):
            self._rows(table.c.oparl_id.in_(part))
        self._absent.update(o for o in oparl_ids if o not in self._objekte)

    def _objekt(self, oparl_id: str) -> dict[str, Any] | None:
        if oparl_id in self._objekte:
            return self._objekte[oparl_id]
        if self._complete or oparl_id in self._absent:
            return None
        self._rows(table_of(OparlObjekt).c.oparl_id == oparl_id)  # not preloaded: this one alone
        if oparl_id not in self._objekte:
            self._absent.add(oparl_id)
        return self._objekte.get(oparl_id)

    def mapped_table(self, oparl_id: str) -> str | None:
        row = self._objekt(oparl_id)
        return row["tabelle"] if row else None

    def remember(
        self,
        oparl_id: str,
        typ: str,
        tabelle: str | None,
        datensatz_id: int | None,
        *,
        modified: datetime | None,
        geloescht: bool = False,
        created: datetime | None = None,
    ) -> None:
        """Record the object in the map (for modified and deletion state); written with the
        other entries of the run by ``write_map``. A live row of ``TIMES_ON_ROW`` carries its
        times itself and gets no entry (an existing one, a deletion record, is brought up to date)."""
        row = self._objekt(oparl_id)
        if row is None and tabelle in TIMES_ON_ROW and datensatz_id is not None and not geloescht:
            self.set(tabelle, oparl_id, datensatz_id)
            return
        values: dict[str, Any] = {
            "typ": typ,
            "tabelle": tabelle,
            "datensatz_id": datensatz_id,
            "modified": modified,
            "geloescht": geloescht,
            "zuletzt_gesehen": self.now,
        }
        if row is None:
            self._objekte[oparl_id] = {**values, "erstellt": created}
            self._neu.add(oparl_id)
        else:
            if created is not None:
                values["erstellt"] = created
            if any(row[k] != v for k, v in values.items()):
                row.update(values)
                self._dirty.add(oparl_id)
        if tabelle is not None and datensatz_id is not None:
            self.set(tabelle, oparl_id, datensatz_id)

    def remember_rows(self, typ: str, tabelle: str, rows: list[tuple[str, int, dict[str, Any]]]) -> None:
        """``remember`` for many rows just written to a ``TIMES_ON_ROW`` table (OParl id, row id,
        values with ``oparl_modified``/``oparl_erstellt``): those without a map entry, nearly all,
        only go into the run's index, without a call each."""
        cache = self._cache.setdefault(tabelle, {})
        entries, absent = self._objekte, self._absent
        for oparl_id, row_id, values in rows:
            if oparl_id not in entries and (self._complete or oparl_id in absent):
                cache[oparl_id] = row_id
            else:
                modified, created = values["oparl_modified"], values["oparl_erstellt"]
                self.remember(oparl_id, typ, tabelle, row_id, modified=modified, created=created)

    def write_map(self) -> None:
        """The changed entries of the map: one executemany for the new, one for the changed."""
        table = table_of(OparlObjekt)
        entries = self._objekte
        einfuegen(self.session, table, [{"oparl_id": o, **entries[o]} for o in sorted(self._neu)])
        aendern(
            self.session,
            table,
            "oparl_id",
            [
                {"_oparl_id": o, **{f"_{c}": entries[o][c] for c in _MAP_COLUMNS}}
                for o in sorted(self._dirty - self._neu)
            ],
        )
        self._neu.clear()
        self._dirty.clear()
