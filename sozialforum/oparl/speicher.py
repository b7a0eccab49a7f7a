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
from sqlmodel import SQLModel

from sozialforum.oparl.lesen import Mangel
from sozialforum.store.models import (
    Beratung,
    Gremium,
    Mitgliedschaft,
    OparlObjekt,
    Sitzung,
    Tagesordnungspunkt,
    Vorlage,
)

WITH_COLUMN: dict[str, type[SQLModel]] = {
    "gremium": Gremium,
    "sitzung": Sitzung,
    "tagesordnungspunkt": Tagesordnungspunkt,
    "vorlage": Vorlage,
    "beratung": Beratung,
    "mitgliedschaft": Mitgliedschaft,
}


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


@dataclass
class ImportBericht:
    zaehler: dict[str, dict[str, int]] = field(
        default_factory=lambda: defaultdict(lambda: {"neu": 0, "geaendert": 0, "unveraendert": 0, "uebersprungen": 0})
    )
    maengel: list[Mangel] = field(default_factory=list)
    abgerufen: int = 0  # HTTP requests

    def zaehle(self, typ: str, was: str) -> None:
        self.zaehler[typ][was] += 1

    def zusammenfassung(self) -> list[str]:
        lines = [
            f"{typ}: {c['neu']} neu, {c['geaendert']} geändert, {c['unveraendert']} unverändert"
            + (f", {c['uebersprungen']} übersprungen" if c["uebersprungen"] else "")
            for typ, c in sorted(self.zaehler.items())
        ]
        lines.append(f"{len(self.maengel)} Mängel der Quelle protokolliert (als Warnung)")
        return lines


class Index:
    """Lookups of local rows by OParl id, cached for the run."""

    def __init__(self, session: Session, now: datetime) -> None:
        self.session = session
        self.now = now
        self._cache: dict[tuple[str, str], int | None] = {}

    def find(self, tabelle: str, oparl_id: str | None) -> int | None:
        if not oparl_id:
            return None
        key = (tabelle, oparl_id)
        if key not in self._cache:
            model = WITH_COLUMN.get(tabelle)
            if model is not None:
                found = self.session.scalar(sa.select(model.id).where(model.oparl_id == oparl_id))  # type: ignore[attr-defined]
            else:
                found = self.session.scalar(
                    sa.select(OparlObjekt.datensatz_id).where(
                        OparlObjekt.oparl_id == oparl_id, OparlObjekt.tabelle == tabelle
                    )
                )
            self._cache[key] = found
        return self._cache[key]

    def set(self, tabelle: str, oparl_id: str, datensatz_id: int) -> None:
        self._cache[(tabelle, oparl_id)] = datensatz_id

    def mapped_table(self, oparl_id: str) -> str | None:
        return self.session.scalar(sa.select(OparlObjekt.tabelle).where(OparlObjekt.oparl_id == oparl_id))

    def remember(
        self,
        oparl_id: str,
        typ: str,
        tabelle: str | None,
        datensatz_id: int | None,
        *,
        modified: datetime | None,
        geloescht: bool = False,
    ) -> None:
        """Record the object in the map (every type, for modified and deletion state)."""
        row = self.session.scalars(sa.select(OparlObjekt).where(OparlObjekt.oparl_id == oparl_id)).first()
        if row is None:
            self.session.add(
                OparlObjekt(
                    oparl_id=oparl_id,
                    typ=typ,
                    tabelle=tabelle,
                    datensatz_id=datensatz_id,
                    modified=modified,
                    geloescht=geloescht,
                    zuletzt_gesehen=self.now,
                )
            )
        else:
            apply(
                row,
                {
                    "typ": typ,
                    "tabelle": tabelle,
                    "datensatz_id": datensatz_id,
                    "modified": modified,
                    "geloescht": geloescht,
                    "zuletzt_gesehen": self.now,
                },
            )
        if tabelle is not None and datensatz_id is not None:
            self.set(tabelle, oparl_id, datensatz_id)
