"""Where the conference pack meets other areas: Träger's topic proposals (portal models), the
current Sozialraumprofil (data refresh: ``daten.profil.aktuelles_profil``) and the approved minutes
of the previous Sitzung (Protokoll models). All are imported directly: the data refresh sits below
the conferences, the models are in the store.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session, col, select

from sozialforum.settings import Settings
from sozialforum.store.models import Gebiet, Protokoll, ProtokollDatei, Sitzung, Tagesordnungspunkt, Themenvorschlag
from sozialforum.timeutil import format_datum_kurz
from sozialforum.vocab import VorschlagStatus


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


def open_proposals(session: Session, *, sitzung_id: int) -> list[Vorschlag]:
    """Proposals of Träger for this Sitzung that the Geschäftsstelle accepted. A proposal only
    submitted waits for her decision in the workspace: what goes onto an agenda is hers to
    decide, and a link that floods proposals must not fill it."""
    rows = session.exec(
        select(Themenvorschlag)
        .where(Themenvorschlag.sitzung_id == sitzung_id, Themenvorschlag.status == VorschlagStatus.UEBERNOMMEN)
        .order_by(col(Themenvorschlag.eingereicht_am), col(Themenvorschlag.id))
    ).all()
    on_agenda = set(session.exec(select(Tagesordnungspunkt.id).where(Tagesordnungspunkt.sitzung_id == sitzung_id)))
    # A proposal already on the agenda keeps its item (it is not generated, so a rebuild keeps it).
    return [
        Vorschlag(row.id, row.titel, row.begruendung)  # type: ignore[arg-type]  # stored rows have ids
        for row in rows
        if row.tagesordnungspunkt_id is None or row.tagesordnungspunkt_id not in on_agenda
    ]


def mark_proposals_taken(session: Session, pairs: list[tuple[Vorschlag, Tagesordnungspunkt]]) -> None:
    """Record which agenda item each proposal became (status: uebernommen)."""
    for proposal, top in pairs:
        row = session.get(Themenvorschlag, proposal.id)
        if row is not None:
            row.status, row.tagesordnungspunkt_id = VorschlagStatus.UEBERNOMMEN, top.id
            session.add(row)
    session.flush()


def sozialraumprofil(session: Session, *, gebiet: Gebiet | None, settings: Settings) -> Verweis | None:
    """The area's current public profile, once the data refresh has computed one."""
    if gebiet is None:
        return None
    # Imported here: the data refresh brings pandas and NumPy, which every command that touches
    # the conferences would otherwise load (about half a second).
    from sozialforum.daten.profil import aktuelles_profil

    found = aktuelles_profil(session, gebiet_id=gebiet.id, settings=settings)  # type: ignore[arg-type]  # stored: id set
    if found is None:
        return None
    return Verweis(titel=str(found.titel), url=getattr(found, "url", None), pfad=getattr(found, "pfad", None))


def protokoll(session: Session, *, sitzung: Sitzung, settings: Settings) -> Verweis | None:
    """The approved minutes of ``sitzung`` with their final PDF, if there are any."""
    found = session.exec(
        select(Protokoll).where(Protokoll.sitzung_id == sitzung.id, col(Protokoll.freigegeben_am).is_not(None))
    ).first()
    if found is None:
        return None
    pdf = session.exec(
        select(ProtokollDatei)
        .where(ProtokollDatei.protokoll_id == found.id, ProtokollDatei.art == "endfassung_pdf")
        .order_by(col(ProtokollDatei.id).desc())
    ).first()
    return Verweis(
        titel=f"Protokoll der Sitzung vom {format_datum_kurz(sitzung.beginn)}",
        datei=(pdf.dateiname, pdf.inhalt) if pdf is not None else None,
    )
