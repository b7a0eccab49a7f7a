"""The approved minutes: rendered (HTML and PDF), archived, distributed once, and their
Aufträge and recommendations turned into tracked ``Auftrag`` rows (quelle=protokoll).

``finalize`` is one transaction and does nothing when the minutes were already distributed, so
a rerun, a crash in the middle or a second approval never sends anything twice.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlmodel import col

from sozialforum.channels.mail import Attachment
from sozialforum.channels.pdf import html_to_pdf
from sozialforum.channels.rendering import render
from sozialforum.protokoll import ansicht, mails
from sozialforum.protokoll.eingabe import DokumentEingabe, GeprueftesDokument, pruefe_dokument
from sozialforum.protokoll.lage import (
    ProtokollFehler,
    decision_for,
    get_protokoll,
    get_sitzung,
    gremium_of,
    version,
)
from sozialforum.protokoll.teilnehmende import anwesenheitsliste, sitzungsleitung, teilnehmende
from sozialforum.settings import Settings
from sozialforum.store.models import Auftrag, Person, Protokoll, ProtokollDatei, ProtokollPunkt, ProtokollVersion
from sozialforum.timeutil import berlin, format_datum_kurz
from sozialforum.vocab import (
    AuftragQuelle,
    AuftragStatus,
    ProtokollDateiArt,
    ProtokollPunktArt,
    ProtokollStatus,
)


def _document(
    session: Session, version_row: ProtokollVersion, settings: Settings
) -> tuple[ProtokollDatei | None, GeprueftesDokument | None]:
    datei = ansicht.dokument(session, version_row.id or 0)
    if datei is None:
        return None, None
    # Checked on upload; extracting again keeps the text out of the store (the file is the record).
    return datei, pruefe_dokument(DokumentEingabe(datei.dateiname, datei.inhalt), settings=settings)


def context(session: Session, protokoll: Protokoll, *, settings: Settings) -> dict[str, Any]:
    """Everything the final minutes show."""
    sitzung = get_sitzung(session, protokoll.sitzung_id)
    current = version(session, protokoll)
    assert current is not None and current.id is not None
    freigabe = decision_for(session, current.id)
    entries = ansicht.eintraege(session, current.id)
    items = ansicht.punkte(session, current.id)
    _, document = _document(session, current, settings)
    attendance = anwesenheitsliste(session, sitzung)
    writer = session.get(Person, protokoll.protokollfuehrung_person_id or 0)
    chair = sitzungsleitung(session, sitzung)
    return {
        "gremium": gremium_of(session, sitzung),
        "sitzung": sitzung,
        "protokoll": protokoll,
        "version": current,
        "freigabe": freigabe,
        "settings": settings,
        "protokollfuehrung": writer.anzeigename if writer else None,
        "sitzungsleitung": chair.anzeigename if chair else None,
        # As recorded in the minutes; otherwise the times of the invitation, marked as such.
        "beginn": current.beginn or sitzung.beginn,
        "ende": current.ende or sitzung.ende,
        "laut_einladung": {"beginn": current.beginn is None, "ende": current.ende is None},
        "anwesenheit": attendance,
        "anwesend": sum(1 for a in attendance if a.status == "anwesend"),
        "eintraege": entries,
        "punkte": items,
        "dokument": (
            {"dateiname": document.dateiname, "absaetze": ansicht.absaetze(document.text)} if document else None
        ),
    }


@dataclass(frozen=True)
class Endfassung:
    html: str
    pdf: bytes
    basisname: str


def render_final(session: Session, protokoll: Protokoll, *, settings: Settings) -> Endfassung:
    ctx = context(session, protokoll, settings=settings)
    html = render("reports/protokoll/endfassung.html", **ctx)
    body = render("reports/protokoll/endfassung_inhalt.html", **ctx)
    title = f"Protokoll {ctx['gremium'].name}, {format_datum_kurz(ctx['sitzung'].beginn)}"
    freigabe = ctx["freigabe"]
    pdf = html_to_pdf(
        body,
        title=title,
        footer=f"{title} – {settings.kommune}",
        erstellt=freigabe.entschieden_am if freigabe else ctx["sitzung"].ende,
    )
    day = berlin(ctx["sitzung"].beginn).date().isoformat()
    kennung = re.sub(r"[^A-Za-z0-9_-]+", "-", ctx["gremium"].kennung)
    return Endfassung(html=html, pdf=pdf, basisname=f"Protokoll_{kennung}_{day}")


@dataclass(frozen=True)
class Abschluss:
    bereits_verteilt: bool
    auftraege: int = 0
    empfaenger: int = 0
    nicht_erreichbar: int = 0
    pdf: str | None = None
    html: str | None = None

    def zusammenfassung(self) -> str:
        if self.bereits_verteilt:
            return "Das Protokoll war bereits verteilt; es wurde nichts geändert und nichts gesendet."
        return (
            f"Protokoll verteilt an {self.empfaenger} Teilnehmende ({self.nicht_erreichbar} nicht "
            f"erreichbar), {self.auftraege} Aufträge/Empfehlungen angelegt; PDF: {self.pdf}"
        )


def _archive(
    session: Session, protokoll: Protokoll, version_id: int, final: Endfassung, *, now: datetime, settings: Settings
) -> tuple[Path, Path]:
    for art, name, mimetype, content in (
        (ProtokollDateiArt.ENDFASSUNG_HTML, f"{final.basisname}.html", "text/html", final.html.encode()),
        (ProtokollDateiArt.ENDFASSUNG_PDF, f"{final.basisname}.pdf", "application/pdf", final.pdf),
    ):
        session.add(
            ProtokollDatei(
                protokoll_id=protokoll.id,  # type: ignore[arg-type]  # stored: id set
                version_id=version_id,
                art=art,
                dateiname=name,
                mimetype=mimetype,
                groesse=len(content),
                sha256=hashlib.sha256(content).hexdigest(),
                inhalt=content,
                erstellt_am=now,
            )
        )
    folder = settings.reports_dir / "protokolle"
    folder.mkdir(parents=True, exist_ok=True)
    html_path, pdf_path = folder / f"{final.basisname}.html", folder / f"{final.basisname}.pdf"
    html_path.write_text(final.html, encoding="utf-8")
    pdf_path.write_bytes(final.pdf)
    return html_path, pdf_path


def auftragstext(art: ProtokollPunktArt, beschreibung: str) -> str:
    """What the tracked Auftrag says: a recommendation is marked as one, unless its text already
    says so ("… (Empfehlung an den Jugendhilfeausschuss)" needs no "Empfehlung: " in front)."""
    if art is ProtokollPunktArt.EMPFEHLUNG and "empfehl" not in beschreibung.lower():
        return f"Empfehlung: {beschreibung}"
    return beschreibung


def _track(session: Session, protokoll: Protokoll, version_id: int) -> int:
    """Every Auftrag and recommendation of the approved version becomes a tracked Auftrag."""
    created = 0
    for punkt in ansicht.rows(session, ProtokollPunkt, version_id):
        kennung = f"protokoll-{protokoll.id}-{punkt.art}-{punkt.reihenfolge}"
        auftrag = session.scalars(sa.select(Auftrag).where(col(Auftrag.kennung) == kennung)).first()
        if auftrag is None:
            auftrag = Auftrag(
                kennung=kennung,
                quelle=AuftragQuelle.PROTOKOLL,
                sitzung_id=protokoll.sitzung_id,
                beschreibung=auftragstext(ProtokollPunktArt(punkt.art), punkt.beschreibung),
                frist=punkt.frist,
                verantwortlich_person_id=punkt.verantwortlich_person_id,
                verantwortlich_organisation_id=punkt.verantwortlich_organisation_id,
                status=AuftragStatus.OFFEN,
            )
            session.add(auftrag)
            session.flush()
            created += 1
        punkt.auftrag_id = auftrag.id
        session.add(punkt)
    return created


def finalize(session: Session, *, protokoll_id: int, now: datetime, settings: Settings) -> Abschluss:
    """Render, archive, track and distribute the approved minutes (once)."""
    protokoll = get_protokoll(session, protokoll_id)
    if protokoll.status == ProtokollStatus.VERTEILT:
        return Abschluss(bereits_verteilt=True)
    if protokoll.status != ProtokollStatus.FREIGEGEBEN:
        raise ProtokollFehler(f"Das Protokoll ist noch nicht freigegeben ({ProtokollStatus(protokoll.status).label}).")
    current = version(session, protokoll)
    assert current is not None and current.id is not None
    sitzung = get_sitzung(session, protokoll.sitzung_id)
    gremium = gremium_of(session, sitzung)
    final = render_final(session, protokoll, settings=settings)
    html_path, pdf_path = _archive(session, protokoll, current.id, final, now=now, settings=settings)
    tracked = _track(session, protokoll, current.id)
    attachments = [Attachment(f"{final.basisname}.pdf", final.pdf, "application/pdf")]
    original, _ = _document(session, current, settings)
    if original is not None:
        attachments.append(Attachment(original.dateiname, original.inhalt, original.mimetype))
    ctx = context(session, protokoll, settings=settings)
    subject = mails.betreff(gremium, sitzung, "freigegebene Fassung")
    sent = unreachable = 0
    for person in teilnehmende(session, sitzung):
        body = mails.text("verteilung", person=person, **ctx)
        queued = mails.an_person(
            session,
            schluessel=f"protokoll:{protokoll_id}:verteilung:person={person.id}",
            person=person,
            subject=subject,
            body=body,
            attachments=tuple(attachments),
            bezug={"protokoll_id": protokoll_id, "version": current.nummer},
            now=now,
            settings=settings,
        )
        sent += queued is not None
        unreachable += queued is None
    mails.an_geschaeftsstelle(
        session,
        schluessel=f"protokoll:{protokoll_id}:verteilung:geschaeftsstelle",
        subject=subject,
        body=mails.text(
            "verteilung_geschaeftsstelle",
            empfaenger=sent,
            nicht_erreichbar=unreachable,
            auftraege=tracked,
            pdf=str(pdf_path),
            **ctx,
        ),
        bezug={"protokoll_id": protokoll_id},
        now=now,
        settings=settings,
    )
    protokoll.status = ProtokollStatus.VERTEILT
    protokoll.verteilt_am = now
    session.add(protokoll)
    return Abschluss(
        bereits_verteilt=False,
        auftraege=tracked,
        empfaenger=sent,
        nicht_erreichbar=unreachable,
        pdf=str(pdf_path),
        html=str(html_path),
    )
