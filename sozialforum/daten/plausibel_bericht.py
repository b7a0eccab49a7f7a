"""The plausibility report of a load: what is possible but unlikely, reported, never a block.

After the checks that refuse a file (``plausibel.pruefe``: duplicates, negative counts), the
file's values are compared, with the store, against what they should agree with:

- ``summe``: a total against the sum of its parts — an area's value against its sub-areas
  (also across tables: a wrong total delivered for a Kreis would replace the sum of its
  Gemeinden in every output), and a total over all ages against its age bands;
- ``anteil``: a share above 100 % (numerator above denominator, or a delivered share);
- ``sprung``: an indicator that moved beyond the configured band against the previous
  Stichtag, further than the area ever moved before;
- ``ohne_werte``: an area whose every value in the file is missing or ``-`` (a re-formed
  Landkreis would show zero unemployed);
- ``bruch``: a count that is not a whole number;
- ``bevoelkerung``: more inhabitants than Germany (or ten times the register), or a count
  larger than the area's population.

Each finding names file, area, Merkmal, Stichtag and the numbers in German; the load stores
them with the delivery (``Plausibilitaetsbefund``), and a person accepts them in the workspace.
All checks are array operations; texts are written only for what is found, and at most
``einzeln`` findings of one kind are listed one by one (a nationwide file with a broken column
would otherwise give 11,000 lines): the rest are counted.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlmodel import col

from sozialforum.daten.katalog import Katalog
from sozialforum.daten.plausibel import tafeln
from sozialforum.daten.plausibel_befund import Befund, Sammlung
from sozialforum.daten.plausibel_gebiete import Gebiete
from sozialforum.daten.plausibel_spruenge import spruenge
from sozialforum.daten.plausibel_werte import altersgruppen, anteile, einzelwerte, teile
from sozialforum.daten.speicher import Tafel, lade_bestand
from sozialforum.store import audit
from sozialforum.store.models import Datenlieferung, Plausibilitaetsbefund, Wertespalte
from sozialforum.store.models.base import table_of
from sozialforum.vocab import AuditAktion

if TYPE_CHECKING:
    from sozialforum.daten.zeilen import Zeilen


def befunde(session: Session, datei: str, rows: Zeilen, katalog: Katalog) -> list[Befund]:
    """The plausibility findings of a file that passed the checks (nothing is written)."""
    if not rows.anzahl or not rows.eigene()[0]:
        return []
    regeln = katalog.plausibilitaet
    gebiete = Gebiete(session)
    out = Sammlung(datei, regeln.einzeln)
    file_days = sorted(set(rows.stichtage))
    earlier = _fruehere(session, file_days[0], regeln.verlauf)
    stored: dict[date, Tafel | None] = dict(lade_bestand(session, file_days))
    names = {key.name for key in rows.merkmale}
    file_keys = set(rows.merkmale)
    by_day = {day: (tafel, where) for day, tafel, where in tafeln(stored, rows)}

    def loader(d: date) -> Callable[[], Tafel | None]:
        def load() -> Tafel | None:
            if d in by_day:
                return by_day[d][0]
            if d not in stored:  # an earlier Stichtag: read only when a jump needs it
                stored[d] = lade_bestand(session, [d]).get(d)
            return stored[d]

        return load

    for day, (tafel, where) in sorted(by_day.items(), key=lambda item: item[0]):
        einzelwerte(out, tafel, where, file_keys, day, katalog, gebiete)
        altersgruppen(out, tafel, where, file_keys, day, katalog, gebiete)
        anteile(out, tafel, where, names, day, katalog, gebiete)
        teile(out, stored.get(day), tafel, where, file_keys, day, katalog, gebiete, regeln)
        days = sorted({d for d in earlier if d < day} | {d for d in by_day if d < day})[-max(regeln.verlauf, 1) :]
        history = [(d, loader(d)) for d in days]
        spruenge(out, tafel, where, names, day, history, katalog, gebiete, regeln)
    return out.alle()


def speichere(session: Session, lieferung_id: int, found: list[Befund]) -> None:
    """The findings with the delivery, in bulk, each with its audit entry (created)."""
    if not found:
        return
    table = table_of(Plausibilitaetsbefund)
    rows = [
        {
            "datenlieferung_id": lieferung_id,
            "art": b.art,
            "gebiet": b.gebiet,
            "merkmal": b.merkmal,
            "stichtag": b.stichtag,
            "zeile": b.zeile,
            "spalte": b.spalte,
            "meldung": b.meldung,
        }
        for b in found
    ]
    session.execute(sa.insert(table), rows)
    ids = session.scalars(sa.select(table.c.id).where(table.c.datenlieferung_id == lieferung_id))
    audit.record_bulk(session, table=table.name, entries=[(i, AuditAktion.CREATE, {}) for i in ids])


def _fruehere(session: Session, first: date, count: int) -> list[date]:
    if count <= 0:
        return []
    query = (
        sa.select(col(Wertespalte.stichtag))
        .where(col(Wertespalte.stichtag) < first)
        .distinct()
        .order_by(col(Wertespalte.stichtag).desc())
        .limit(count)
    )
    return list(session.scalars(query))


def akzeptiere(session: Session, befund_id: int, *, von: str, am: datetime, begruendung: str) -> bool:
    """Record that a person checked a finding and accepts the value (audited: the table is);
    False when it was accepted before. ValueError with a German message for a bad input."""
    befund = session.get(Plausibilitaetsbefund, befund_id)
    if befund is None:
        raise ValueError("Befund: nicht gefunden (bitte aus der Liste wählen).")
    if not begruendung.strip():
        raise ValueError("Begründung: bitte angeben, warum der Wert stimmt oder hingenommen wird.")
    if befund.akzeptiert_am is not None:
        return False
    befund.akzeptiert_am, befund.akzeptiert_von, befund.begruendung = am, von, begruendung.strip()
    session.add(befund)
    return True


def offene(session: Session, grenze: int = 500) -> list[tuple[Plausibilitaetsbefund, str]]:
    """Findings not yet accepted, newest delivery first, with their file's name."""
    rows = session.execute(
        sa.select(Plausibilitaetsbefund, col(Datenlieferung.datei))
        .join(Datenlieferung, col(Datenlieferung.id) == col(Plausibilitaetsbefund.datenlieferung_id))
        .where(col(Plausibilitaetsbefund.akzeptiert_am).is_(None))
        .order_by(col(Plausibilitaetsbefund.datenlieferung_id).desc(), col(Plausibilitaetsbefund.id))
        .limit(grenze)
    ).all()
    return [(befund, datei) for befund, datei in rows]


def akzeptierte(session: Session, grenze: int = 200) -> list[tuple[Plausibilitaetsbefund, str]]:
    rows = session.execute(
        sa.select(Plausibilitaetsbefund, col(Datenlieferung.datei))
        .join(Datenlieferung, col(Datenlieferung.id) == col(Plausibilitaetsbefund.datenlieferung_id))
        .where(col(Plausibilitaetsbefund.akzeptiert_am).is_not(None))
        .order_by(col(Plausibilitaetsbefund.akzeptiert_am).desc())
        .limit(grenze)
    ).all()
    return [(befund, datei) for befund, datei in rows]
