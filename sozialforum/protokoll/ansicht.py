"""What the pages, the command line and the final minutes show of a draft version."""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import col

from sozialforum.protokoll.eingabe import sicherer_dateiname
from sozialforum.protokoll.entwurf import kommentare
from sozialforum.protokoll.lage import decision_for, version, versions
from sozialforum.protokoll.teilnehmende import verantwortlich_name
from sozialforum.store.models import (
    Protokoll,
    ProtokollDatei,
    ProtokollEintrag,
    ProtokollFreigabe,
    ProtokollPunkt,
    ProtokollVersion,
    Tagesordnungspunkt,
)
from sozialforum.timeutil import format_datum_kurz
from sozialforum.vocab import ProtokollDateiArt, ProtokollPunktArt


def absaetze(text: str) -> list[str]:
    """Paragraphs of a plain text (blank lines separate them; single breaks become spaces)."""
    return [" ".join(part.split()) for part in re.split(r"\n\s*\n", text or "") if part.strip()]


def rows(session: Session, model: Any, version_id: int) -> list[Any]:
    return list(session.scalars(sa.select(model).where(model.version_id == version_id).order_by(model.reihenfolge)))


def eintraege(session: Session, version_id: int) -> list[dict[str, Any]]:
    return [
        {
            "top_id": e.tagesordnungspunkt_id,
            "nummer": e.nummer,
            "titel": e.titel,
            "diskussion": e.diskussion,
            "ergebnis": e.ergebnis,
            "diskussion_absaetze": absaetze(e.diskussion),
            "ergebnis_absaetze": absaetze(e.ergebnis),
        }
        for e in rows(session, ProtokollEintrag, version_id)
    ]


def punkte(session: Session, version_id: int) -> list[dict[str, Any]]:
    numbers = {
        top.id: top.nummer
        for top in session.scalars(
            sa.select(Tagesordnungspunkt)
            .join(ProtokollPunkt, col(ProtokollPunkt.tagesordnungspunkt_id) == col(Tagesordnungspunkt.id))
            .where(col(ProtokollPunkt.version_id) == version_id)
        )
    }
    result = []
    for p in rows(session, ProtokollPunkt, version_id):
        owner = (
            f"person:{p.verantwortlich_person_id}"
            if p.verantwortlich_person_id
            else f"organisation:{p.verantwortlich_organisation_id}"
        )
        result.append(
            {
                "nummer": p.reihenfolge,
                "art_wert": p.art,
                "art": ProtokollPunktArt(p.art).label,
                "beschreibung": p.beschreibung,
                "verantwortlich_wert": owner,
                "verantwortlich": verantwortlich_name(
                    session, p.verantwortlich_person_id, p.verantwortlich_organisation_id
                ),
                "frist": p.frist,
                "top_id": p.tagesordnungspunkt_id,
                "top": numbers.get(p.tagesordnungspunkt_id) if p.tagesordnungspunkt_id else None,
            }
        )
    return result


def dokument(session: Session, version_id: int) -> ProtokollDatei | None:
    """The uploaded draft document of a version. Its name is made safe for every use (pages,
    command line, the final minutes, the mail attachment): rows stored before names were
    cleaned at the upload may hold a line break or NUL that broke the approval. The row itself
    is not rewritten (the value is set as if loaded, so nothing is written back)."""
    row = session.scalars(
        sa.select(ProtokollDatei).where(
            col(ProtokollDatei.version_id) == version_id,
            col(ProtokollDatei.art) == ProtokollDateiArt.ENTWURF.value,
        )
    ).first()
    if row is not None and (name := sicherer_dateiname(row.dateiname)) != row.dateiname:
        set_committed_value(row, "dateiname", name)
    return row


def last_decision(session: Session, protokoll: Protokoll) -> tuple[ProtokollVersion, ProtokollFreigabe] | None:
    """The newest decision taken on any version (e.g. the remarks of a return)."""
    for item in reversed(versions(session, protokoll)):
        decision = decision_for(session, item.id or 0)
        if decision is not None:
            return item, decision
    return None


def comment_lines(
    session: Session, protokoll: Protokoll, names: dict[int | None, str], version_id: int | None = None
) -> list[dict[str, Any]]:
    tops = {
        top.id: top.nummer
        for top in session.scalars(
            sa.select(Tagesordnungspunkt).where(col(Tagesordnungspunkt.sitzung_id) == protokoll.sitzung_id)
        )
    }
    return [
        {
            "name": names.get(c.person_id, "Teilnehmende Person"),
            "person_id": c.person_id,
            "text": c.text,
            "top": tops.get(c.tagesordnungspunkt_id),
            "am": c.erstellt_am,
        }
        for c in kommentare(session, protokoll, version_id)
    ]


def current_view(session: Session, protokoll: Protokoll) -> dict[str, Any]:
    """The current version with its entries, items and document, or empty values before one."""
    current = version(session, protokoll)
    if current is None or current.id is None:
        return {"version": None, "eintraege": [], "punkte": [], "dokument": None}
    return {
        "version": current,
        "eintraege": eintraege(session, current.id),
        "punkte": punkte(session, current.id),
        "dokument": dokument(session, current.id),
    }


def frist_text(punkt: dict[str, Any]) -> str:
    return format_datum_kurz(punkt["frist"])
