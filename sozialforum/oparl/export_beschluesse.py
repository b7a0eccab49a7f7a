"""Each Beschluss as an OParl Paper of type "Beschluss", its implementation status under
``sozialforum:umsetzung`` (OParl has no place for it)."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlmodel import col

from sozialforum.beschluesse.stand import beschluss_staende
from sozialforum.oparl.export_adressen import T, Urls, natural
from sozialforum.oparl.export_zeiten import mit_zeiten, zeiten
from sozialforum.oparl.speicher import VENDOR
from sozialforum.store.models import Beschlusspunkt, Umsetzungsbericht
from sozialforum.store.models.base import pk


def umsetzung(stand: Any, reports: list[Umsetzungsbericht], punkte: dict[int, str]) -> dict[str, Any]:
    def day(value: date | None) -> str | None:
        return value.isoformat() if value else None

    def auftrag(t: Any) -> dict[str, Any]:
        obj = {
            "kennung": t.auftrag.kennung,
            "beschreibung": t.auftrag.beschreibung,
            "frist": day(t.auftrag.frist),
            "fristWortlaut": t.auftrag.frist_wortlaut,
            "status": t.auftrag.status,
            "fortschrittProzent": t.auftrag.fortschritt_prozent,
            "erledigtAm": day(t.auftrag.erledigt_am),
            "begonnenAm": day(t.auftrag.begonnen_am),
            "quelle": t.auftrag.quelle,
            "ampel": t.ampel.value,
        }
        if t.auftrag.beschlusspunkt_id in punkte:
            obj["punkt"] = punkte[t.auftrag.beschlusspunkt_id]
        return obj

    def bericht(r: Umsetzungsbericht) -> dict[str, Any]:
        obj = {"datum": r.datum.isoformat(), "status": r.status, "text": r.text}
        if r.auftrag_id in kennungen:
            obj["auftrag"] = kennungen[r.auftrag_id]
        return obj

    kennungen = {t.auftrag.id: t.auftrag.kennung for t in stand.auftraege}

    return {
        "status": stand.status.value,
        "statusText": stand.status.label,
        "fortschrittProzent": stand.fortschritt,
        "ampel": stand.ampel.value,
        "ampelText": stand.ampel.label,
        "naechsteFrist": day(stand.naechste_frist),
        "erledigtAm": day(stand.erledigt_am),
        "auftraege": [auftrag(t) for t in stand.auftraege],
        "berichte": [bericht(r) for r in reports],
    }


def beschluss_papers(session: Session, urls: Urls, today: date, bald: int) -> list[dict[str, Any]]:
    """Each Beschluss as a Paper of type "Beschluss", its implementation under our prefix."""
    times = zeiten(session, "beschluss")
    reports: dict[int, list[Umsetzungsbericht]] = {}
    query = sa.select(Umsetzungsbericht).order_by(col(Umsetzungsbericht.datum), col(Umsetzungsbericht.id))
    for report in session.scalars(query):
        if report.beschluss_id is not None:  # reports on an Auftrag alone are not in the export
            reports.setdefault(report.beschluss_id, []).append(report)
    punkte: dict[int, list[Beschlusspunkt]] = {}
    for punkt in session.scalars(sa.select(Beschlusspunkt).order_by(col(Beschlusspunkt.id))):
        punkte.setdefault(punkt.beschluss_id, []).append(punkt)
    result = []
    for stand in sorted(beschluss_staende(session, today=today, bald=bald), key=lambda s: s.beschluss.id or 0):
        beschluss = stand.beschluss
        obj: dict[str, Any] = {
            "id": urls.beschluss(beschluss.id),
            "type": T + "Paper",
            "body": urls.body_id,
            "name": beschluss.titel,
            "reference": beschluss.kennung,
            "date": beschluss.datum.isoformat(),
            "paperType": "Beschluss",
        }
        if beschluss.vorlage_id:
            obj["relatedPaper"] = [urls.of("paper", beschluss.vorlage_id)]
        if beschluss.gremium_id:
            obj["underDirectionOf"] = [urls.of("organization", beschluss.gremium_id)]
        if beschluss.text:
            obj[f"{VENDOR}:beschlusstext"] = beschluss.text
        for name in ("fassung", "dezernat", "amt"):
            if getattr(beschluss, name):
                obj[f"{VENDOR}:{name}"] = getattr(beschluss, name)
        own = punkte.get(beschluss.id or 0, [])
        if own:
            obj[f"{VENDOR}:punkte"] = [{"nummer": p.nummer, "text": p.text} for p in own]
        obj[f"{VENDOR}:umsetzung"] = umsetzung(
            stand, reports.get(beschluss.id or 0, []), {pk(p): p.nummer for p in own}
        )
        result.append(mit_zeiten(obj, times, beschluss.id))
    return sorted(result, key=lambda o: natural(o["id"]))
