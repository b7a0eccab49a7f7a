"""Our own export read back: a Paper of type "Beschluss" that carries ``sozialforum:umsetzung``
becomes the Beschluss it was (not a Vorlage), with its Beschlusspunkte, Aufträge and
Umsetzungsberichte. OParl has no place for them, so they travel under our prefix.

A Beschluss is found again by its Paper id (the ``oparl_objekt`` map), an Auftrag by its
Kennung, a Beschlusspunkt by its number, an Umsetzungsbericht by date, status, text and Auftrag
(reports are never changed afterwards, only added).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlmodel import col

from sozialforum.oparl.speicher import VENDOR, apply
from sozialforum.store.models import Auftrag, Beschluss, Beschlusspunkt, Umsetzungsbericht
from sozialforum.vocab import AuftragQuelle, AuftragStatus

if TYPE_CHECKING:
    from sozialforum.oparl.lauf import Lauf
    from sozialforum.oparl.stapel import Eintrag

UMSETZUNG = f"{VENDOR}:umsetzung"


def ist_beschluss(entry: Eintrag) -> bool:
    return entry.obj.get("paperType") == "Beschluss" and isinstance(entry.obj.get(UMSETZUNG), dict)


def beschluss(run: Lauf, entry: Eintrag) -> None:
    o, r = entry.obj, run.leser
    oid = r.id(o)
    if r.wahr(o, "deleted"):
        run.bericht.zaehle("Beschluss", "uebersprungen")
        return
    kennung, day = r.text(o, "reference", 60), r.datum(o, "date")
    if kennung is None or day is None:
        r.maengel.melde(oid, "reference" if kennung is None else "date", "fehlt: Beschluss übersprungen")
        run.bericht.zaehle("Beschluss", "uebersprungen")
        return
    related, direction = r.urls(o, "relatedPaper"), r.urls(o, "underDirectionOf")
    values: dict[str, Any] = {
        "kennung": kennung,
        "vorlage_id": run.index.find("vorlage", related[0]) if related else None,
        "gremium_id": run.index.find("gremium", direction[0]) if direction else None,
        "datum": day,
        "titel": r.text(o, "name", 500) or kennung,
        "text": o.get(f"{VENDOR}:beschlusstext") if isinstance(o.get(f"{VENDOR}:beschlusstext"), str) else None,
        "fassung": r.text(o, f"{VENDOR}:fassung", 300),
        "dezernat": r.text(o, f"{VENDOR}:dezernat", 100),
        "amt": r.text(o, f"{VENDOR}:amt", 100),
    }
    row_id = run.index.find("beschluss", oid)
    row = run.session.get(Beschluss, row_id) if row_id else None
    if row is None:  # the same Beschluss entered here before: adopt it
        row = run.session.scalars(sa.select(Beschluss).where(col(Beschluss.kennung) == kennung)).first()
    if row is None:
        row = Beschluss(**values)
        run.session.add(row)
        state = "neu"
    else:
        state = "geaendert" if apply(row, values) else "unveraendert"
    run.session.flush()
    created, modified = r.zeitpunkt(o, "created"), r.zeitpunkt(o, "modified")
    run.index.remember(oid, "Paper", "beschluss", row.id, modified=modified, created=created)
    run.bericht.zaehle("Beschluss", state)
    punkte = _punkte(run, row, o.get(f"{VENDOR}:punkte"))
    umsetzung = o[UMSETZUNG]
    auftraege = _auftraege(run, oid, row, punkte, umsetzung.get("auftraege"))
    _berichte(run, oid, row, auftraege, umsetzung.get("berichte"))


def _list(run: Lauf, oid: str, name: str, value: object) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        run.leser.maengel.melde(oid, name, "keine Liste von Objekten: ignoriert")
        return []
    return value


def _punkte(run: Lauf, row: Beschluss, value: object) -> dict[str, int]:
    existing = {
        p.nummer: p
        for p in run.session.scalars(sa.select(Beschlusspunkt).where(col(Beschlusspunkt.beschluss_id) == row.id))
    }
    for item in _list(run, f"{row.kennung}", f"{VENDOR}:punkte", value):
        nummer, text = str(item.get("nummer") or "")[:20], str(item.get("text") or "")
        if not nummer:
            continue
        punkt = existing.get(nummer)
        if punkt is None:
            punkt = Beschlusspunkt(beschluss_id=row.id or 0, nummer=nummer, text=text)
            run.session.add(punkt)
            existing[nummer] = punkt
        else:
            apply(punkt, {"text": text})
    run.session.flush()
    return {nummer: p.id or 0 for nummer, p in existing.items()}


def _day(run: Lauf, oid: str, name: str, value: object) -> date | None:
    return run.leser.datum({"id": oid, name: value}, name) if value is not None else None


def _status(run: Lauf, oid: str, value: object) -> AuftragStatus | None:
    try:
        return AuftragStatus(str(value))
    except ValueError:
        run.leser.maengel.melde(oid, "status", f"unbekannter Status {str(value)[:40]!r}: übersprungen")
        return None


def _quelle(value: object) -> AuftragQuelle:
    try:
        return AuftragQuelle(str(value))
    except ValueError:
        return AuftragQuelle.BESCHLUSS


def _auftraege(run: Lauf, oid: str, row: Beschluss, punkte: dict[str, int], value: object) -> dict[str, int]:
    """Each Auftrag of the Beschluss by its Kennung; Kennung → row id."""
    found: dict[str, int] = {}
    for item in _list(run, oid, f"{UMSETZUNG}/auftraege", value):
        kennung = str(item.get("kennung") or "")[:80]
        status = _status(run, f"{oid}#{kennung}", item.get("status"))
        if not kennung or status is None or not item.get("beschreibung"):
            run.leser.maengel.melde(oid, f"{UMSETZUNG}/auftraege", f"Auftrag „{kennung}“ unvollständig: übersprungen")
            continue
        where = f"{oid}#{kennung}"
        progress = item.get("fortschrittProzent")
        values: dict[str, Any] = {
            "beschluss_id": row.id,
            "beschreibung": str(item["beschreibung"]),
            "frist": _day(run, where, "frist", item.get("frist")),
            "frist_wortlaut": (str(item["fristWortlaut"])[:200] if item.get("fristWortlaut") else None),
            "status": status,
            "fortschritt_prozent": progress if isinstance(progress, int) and 0 <= progress <= 100 else 0,
            "erledigt_am": _day(run, where, "erledigtAm", item.get("erledigtAm")),
            "begonnen_am": _day(run, where, "begonnenAm", item.get("begonnenAm")),
            "quelle": _quelle(item.get("quelle")),
            "beschlusspunkt_id": punkte.get(str(item.get("punkt"))) if item.get("punkt") is not None else None,
        }
        auftrag = run.session.scalars(sa.select(Auftrag).where(col(Auftrag.kennung) == kennung)).first()
        if auftrag is None:
            auftrag = Auftrag(kennung=kennung, **values)
            run.session.add(auftrag)
            run.bericht.zaehle("Auftrag", "neu")
        else:
            run.bericht.zaehle("Auftrag", "geaendert" if apply(auftrag, values) else "unveraendert")
        run.session.flush()
        found[kennung] = auftrag.id or 0
    return found


def _berichte(run: Lauf, oid: str, row: Beschluss, auftraege: dict[str, int], value: object) -> None:
    """Reports are history: one that is not here yet is added, none is changed or removed."""
    have = {
        (b.datum, AuftragStatus(b.status), b.text, b.auftrag_id)
        for b in run.session.scalars(sa.select(Umsetzungsbericht).where(col(Umsetzungsbericht.beschluss_id) == row.id))
    }
    for item in _list(run, oid, f"{UMSETZUNG}/berichte", value):
        day = _day(run, oid, "berichte/datum", item.get("datum"))
        status = _status(run, oid, item.get("status"))
        text = item.get("text")
        if day is None or status is None or not isinstance(text, str):
            run.leser.maengel.melde(oid, f"{UMSETZUNG}/berichte", "Bericht unvollständig: übersprungen")
            continue
        auftrag_id = auftraege.get(str(item["auftrag"])) if item.get("auftrag") else None
        key = (day, status, text, auftrag_id)
        if key in have:
            run.bericht.zaehle("Umsetzungsbericht", "unveraendert")
            continue
        have.add(key)
        run.session.add(
            Umsetzungsbericht(beschluss_id=row.id, auftrag_id=auftrag_id, datum=day, status=status, text=text)
        )
        run.bericht.zaehle("Umsetzungsbericht", "neu")
    run.session.flush()
