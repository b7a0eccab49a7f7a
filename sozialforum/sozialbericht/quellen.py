"""Sources as citations (publisher, title of the statistics, Datenstand, licence), not file names."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlmodel import col

from sozialforum.daten.katalog import Katalog
from sozialforum.store.models import Datenlieferung
from sozialforum.timeutil import format_datum_kurz


def zitate(session: Session, katalog: Katalog) -> list[str]:
    """One citation per source and Datenstand, in the order the sources were loaded."""
    names = {q.kennung: q for q in katalog.quellen}
    out: list[str] = []
    for row in session.scalars(sa.select(Datenlieferung).order_by(col(Datenlieferung.id))):
        quelle = names.get(row.quelle or "")
        herausgeber = row.herausgeber or (quelle.herausgeber if quelle else None) or "eigene Erhebung"
        titel = quelle.name if quelle else row.datei
        if row.tabelle:
            titel += f" (Tabelle {row.tabelle})"
        text = f"{herausgeber}: {titel}"
        if row.datenstand:
            text += f", Datenstand {format_datum_kurz(row.datenstand)}"
        if row.lizenz:
            text += f"; Lizenz: {row.lizenz}"
        if text not in out:
            out.append(text + ".")
    return list(dict.fromkeys(out))
