"""Publication levels: which values a recipient may see at all, before confidentiality.

Three levels, decided here and applied by ``Sicht`` to every output (profile, atlas, maps,
exports, Sozialbericht, workspace pages):

- **internal** (the Geschäftsstelle): everything;
- **per Kommune** (a person with Datenfreigaben): the released Gemeinden unsuppressed, the rest as
  the public sees it;
- **public**: what statistical confidentiality leaves (``geheimhaltung``).

Two rules come on top for everybody but the Geschäftsstelle:

- **Licence**: values of a source whose licence is internal ("intern (nur für die
  Sozialplanung)", anything that begins with "intern") are shown to nobody outside the
  Geschäftsstelle — not to the public, not to a Kommune. An indicator is internal when one of its
  Merkmale is delivered by internal sources only (a Merkmal that a public source delivers too,
  such as the population, stays public). The index and its classes stay public: they are the
  monitor, built from many indicators, and no value can be read back from them.
- **Monitor only** (``daten.veroeffentlichung = "nur_monitor"``, Zwickau): the index and the
  classes are public, the values behind them go only to the Kommune concerned — a person sees the
  values of the Gemeinden released to them, the public none.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlmodel import col

from sozialforum.daten.geheimhaltung import Empfaenger
from sozialforum.daten.katalog import Katalog
from sozialforum.settings import DatenSettings
from sozialforum.store.models import Datenlieferung

NUR_MONITOR = "nur_monitor"


def ist_intern(lizenz: str | None) -> bool:
    return bool(lizenz) and (lizenz or "").strip().casefold().startswith("intern")


def interne_quellen(session: Session) -> set[str]:
    """Catalogue sources with a delivery whose own licence is internal (a file may carry its
    licence; the catalogue's is the default)."""
    rows = session.execute(
        sa.select(col(Datenlieferung.quelle), col(Datenlieferung.lizenz)).where(
            col(Datenlieferung.zurueckgezogen_am).is_(None), col(Datenlieferung.quelle).is_not(None)
        )
    )
    return {quelle for quelle, lizenz in rows if quelle and ist_intern(lizenz)}


def interne_indikatoren(katalog: Katalog, extra_quellen: Iterable[str] = ()) -> frozenset[str]:
    extra = set(extra_quellen)
    internal: set[str] = set()
    public: set[str] = set()
    for quelle in katalog.quellen:
        names = {key.name for key in quelle.zuordnung.values()}
        (internal if ist_intern(quelle.lizenz) or quelle.kennung in extra else public).update(names)
    only_internal = internal - public
    return frozenset(
        code
        for code, ind in katalog.indikatoren.items()
        if any(key.name in only_internal for key in (*ind.zaehler_keys, *ind.nenner_keys))
    )


@dataclass(frozen=True)
class Veroeffentlichung:
    interne_indikatoren: frozenset[str]
    nur_monitor: bool = False

    @classmethod
    def aus(cls, katalog: Katalog, settings: DatenSettings, interne_quellen: Collection[str] = ()) -> Veroeffentlichung:
        return cls(interne_indikatoren(katalog, interne_quellen), settings.veroeffentlichung == NUR_MONITOR)

    def gesperrt(self, code: str, empfaenger: Empfaenger, bereich_id: int) -> bool:
        """True when this recipient may not see this indicator's values for this area at all."""
        if empfaenger.intern:
            return False
        if code in self.interne_indikatoren:
            return True
        return self.nur_monitor and bereich_id not in empfaenger.gemeinden

    def hinweise(self, empfaenger: Empfaenger) -> list[str]:
        """What a reader of this edition must know about the values it leaves out."""
        if empfaenger.intern:
            return []
        notes = []
        if self.interne_indikatoren:
            notes.append(
                "Indikatoren aus internen Quellen der Verwaltung (nur für die Sozialplanung) enthält "
                "diese Fassung nicht; wo sie fehlen, ist es vermerkt."
            )
        if self.nur_monitor:
            notes.append(
                "Monitor-Fassung: veröffentlicht werden der Index und die Klassen; die Werte dahinter "
                "erhält jede Kommune für ihre eigenen Gemeinden."
            )
        return notes

    def quelle_sichtbar(self, lizenz: str | None, empfaenger: Empfaenger) -> bool:
        """Citations: an internal source is named only where its values are shown."""
        return empfaenger.intern or not ist_intern(lizenz)
