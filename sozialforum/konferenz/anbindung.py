"""Where the conference pack meets other areas: Träger's topic proposals (portal), the current
Sozialraumprofil (data refresh: ``daten.profil.aktuelles_profil``) and the approved minutes of
the previous Sitzung (Protokoll models).

Those areas are built in parallel; each hook uses them only if they are present, so that an
installation without them still invites. The contracts used are named at each function.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from sozialforum.settings import Settings
from sozialforum.store.models import Gebiet, Sitzung, Tagesordnungspunkt
from sozialforum.timeutil import format_datum_kurz


@dataclass(frozen=True)
class Verweis:
    """A document the invitation points to (a link) or carries (a file)."""

    titel: str
    url: str | None = None
    pfad: Path | None = None
    datei: tuple[str, bytes] | None = None  # (file name, PDF bytes) kept in the store

    def attachment(self, limit: int) -> tuple[str, bytes] | None:
        """The document as a file to attach, if there is one of at most ``limit`` bytes."""
        if self.datei is not None:
            return self.datei if len(self.datei[1]) <= limit else None
        if self.pfad is not None and self.pfad.is_file() and self.pfad.stat().st_size <= limit:
            return self.pfad.name, self.pfad.read_bytes()
        return None


@dataclass(frozen=True)
class Vorschlag:
    id: int
    titel: str
    text: str | None


def _optional(module: str) -> Any | None:
    try:
        return importlib.import_module(module)
    except ImportError:
        return None


def open_proposals(session: Session, *, sitzung_id: int) -> list[Vorschlag]:
    """Proposals of Träger for this Sitzung that are submitted or accepted, not rejected or
    withdrawn (portal: ``models.portal.Themenvorschlag`` with ``VorschlagStatus``)."""
    portal = _optional("sozialforum.store.models.portal")
    model = getattr(portal, "Themenvorschlag", None)
    if model is None:
        return []
    from sozialforum.vocab import VorschlagStatus  # type: ignore[attr-defined]

    wanted = (VorschlagStatus.EINGEREICHT, VorschlagStatus.UEBERNOMMEN)
    rows = session.exec(
        select(model)
        .where(model.sitzung_id == sitzung_id, model.status.in_(wanted))
        .order_by(model.eingereicht_am, model.id)
    ).all()
    on_agenda = set(session.exec(select(Tagesordnungspunkt.id).where(Tagesordnungspunkt.sitzung_id == sitzung_id)))
    # A proposal already on the agenda keeps its item (it is not generated, so a rebuild keeps it).
    return [
        Vorschlag(row.id, row.titel, row.begruendung)
        for row in rows
        if row.tagesordnungspunkt_id is None or row.tagesordnungspunkt_id not in on_agenda
    ]


def mark_proposals_taken(session: Session, pairs: list[tuple[Vorschlag, Tagesordnungspunkt]]) -> None:
    """Record which agenda item each proposal became (status: uebernommen)."""
    if not pairs:
        return
    portal = _optional("sozialforum.store.models.portal")
    model = getattr(portal, "Themenvorschlag", None)
    if model is None:
        return
    from sozialforum.vocab import VorschlagStatus  # type: ignore[attr-defined]

    for proposal, top in pairs:
        row = session.get(model, proposal.id)
        if row is not None:
            row.status, row.tagesordnungspunkt_id = VorschlagStatus.UEBERNOMMEN, top.id
            session.add(row)
    session.flush()


def sozialraumprofil(session: Session, *, gebiet: Gebiet | None, settings: Settings) -> Verweis | None:
    """The area's current profile, if the data refresh provides one.

    Contract looked for: ``sozialforum.daten.profil.aktuelles_profil(session, *, gebiet_id,
    settings)`` returning an object with ``titel`` and ``url`` or ``pfad`` (or None).
    """
    if gebiet is None:
        return None
    module = _optional("sozialforum.daten.profil")
    finder = getattr(module, "aktuelles_profil", None)
    if finder is None:
        return None
    found = finder(session, gebiet_id=gebiet.id, settings=settings)
    if found is None:
        return None
    return Verweis(titel=str(found.titel), url=getattr(found, "url", None), pfad=getattr(found, "pfad", None))


def protokoll(session: Session, *, sitzung: Sitzung, settings: Settings) -> Verweis | None:
    """The approved minutes of ``sitzung`` with their final PDF, if the Protokoll area has them
    (``models.protokoll``: Protokoll with ``freigegeben_am``, ProtokollDatei ``endfassung_pdf``)."""
    models = _optional("sozialforum.store.models.protokoll")
    if models is None:
        return None
    record, document = models.Protokoll, models.ProtokollDatei
    found = session.exec(
        select(record).where(record.sitzung_id == sitzung.id, record.freigegeben_am.is_not(None))
    ).first()
    if found is None:
        return None
    pdf = session.exec(
        select(document)
        .where(document.protokoll_id == found.id, document.art == "endfassung_pdf")
        .order_by(document.id.desc())
    ).first()
    return Verweis(
        titel=f"Protokoll der Sitzung vom {format_datum_kurz(sitzung.beginn)}",
        datei=(pdf.dateiname, pdf.inhalt) if pdf is not None else None,
    )
