"""The attendance list (Teilnehmerliste) of a Sitzung for the Geschäftsstelle: HTML to print
(with a column to sign) and XLSX to work with, from the invitations and answers."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlmodel import Session, select

from sozialforum.channels.pdf import html_to_pdf
from sozialforum.channels.rendering import render
from sozialforum.channels.tabular import druckfertig, safe_row
from sozialforum.store.models import Gremium, Organisation, Person, Rueckmeldung, Sitzung
from sozialforum.timeutil import berlin, format_termin
from sozialforum.vocab import Antwort, AntwortQuelle


@dataclass(frozen=True)
class Zeile:
    name: str
    organisation: str
    email: str
    antwort: str
    quelle: str
    beantwortet_am: datetime | None
    personen: int
    beduerfnisse: str
    kommentar: str


@dataclass
class Teilnehmerliste:
    sitzung: Sitzung
    gremium: Gremium
    zeilen: list[Zeile]

    def count(self, antwort: Antwort) -> int:
        return sum(1 for z in self.zeilen if z.antwort == antwort.label)

    @property
    def erwartete_personen(self) -> int:
        return sum(z.personen for z in self.zeilen if z.antwort == Antwort.ZUSAGE.label)


_ORDER = {Antwort.ZUSAGE: 0, Antwort.VIELLEICHT: 1, Antwort.DELEGIERT: 2, Antwort.OFFEN: 3, Antwort.ABSAGE: 4}


def build(session: Session, *, sitzung_id: int) -> Teilnehmerliste:
    sitzung = session.get(Sitzung, sitzung_id)
    if sitzung is None:
        raise LookupError(f"Sitzung {sitzung_id} gibt es nicht.")
    gremium = session.get(Gremium, sitzung.gremium_id)
    assert gremium is not None
    rows = session.exec(select(Rueckmeldung, Person).join(Person).where(Rueckmeldung.sitzung_id == sitzung_id)).all()
    ordered = sorted(
        rows, key=lambda pair: (_ORDER.get(Antwort(pair[0].antwort), 9), pair[1].nachname, pair[1].vorname or "")
    )
    zeilen = []
    for row, person in ordered:
        erased = person.geloescht_am is not None
        organisation = session.get(Organisation, person.organisation_id) if person.organisation_id else None
        zeilen.append(
            Zeile(
                name=f"(gelöscht, Nr. {person.id})" if erased else person.anzeigename,
                organisation=organisation.name if organisation else "",
                email="" if erased else (row.eingeladen_an or person.email or ""),
                antwort=Antwort(row.antwort).label,
                quelle=AntwortQuelle(row.quelle).label if row.quelle else "",
                beantwortet_am=row.beantwortet_am,
                personen=row.personen if row.antwort == Antwort.ZUSAGE else 0,
                beduerfnisse=", ".join(row.beduerfnisse or []),
                kommentar=_kommentar(row),
            )
        )
    return Teilnehmerliste(sitzung, gremium, zeilen)


def _kommentar(row: Rueckmeldung) -> str:
    """The comment, after the deputy named in the portal (a calendar's delegate is in it already)."""
    if row.antwort != Antwort.DELEGIERT or not row.vertretung_name:
        return row.kommentar or ""
    wer = row.vertretung_name + (f" ({row.vertretung_email})" if row.vertretung_email else "")
    return "\n".join(part for part in (f"Vertreten durch {wer}", row.kommentar) if part)


def to_html(liste: Teilnehmerliste, *, now: datetime) -> str:
    return render("reports/konferenz/teilnehmerliste.html", liste=liste, erstellt=now, Antwort=Antwort)


HEADERS = (
    "Name",
    "Organisation",
    "E-Mail",
    "Antwort",
    "Quelle",
    "Beantwortet am",
    "Personen",
    "Bedürfnisse",
    "Kommentar",
)


def to_xlsx(liste: Teilnehmerliste) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Teilnehmerliste"
    sheet.append(safe_row([f"{liste.sitzung.titel} – {format_termin(liste.sitzung.beginn)}"]))
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([])
    sheet.append(list(HEADERS))
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for zeile in liste.zeilen:
        # Excel has no time zones: local Berlin time without offset, as planners read it.
        answered = berlin(zeile.beantwortet_am).replace(tzinfo=None) if zeile.beantwortet_am else None
        sheet.append(
            safe_row(
                [
                    zeile.name,
                    zeile.organisation,
                    zeile.email,
                    zeile.antwort,
                    zeile.quelle,
                    answered,
                    zeile.personen,
                    zeile.beduerfnisse,
                    zeile.kommentar,
                ]
            )
        )
    for row in sheet.iter_rows(min_row=4, min_col=6, max_col=6):
        for cell in row:
            cell.number_format = "DD.MM.YYYY HH:MM"
    for index, width in enumerate((28, 30, 34, 14, 20, 17, 9, 24, 40), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A4"
    sheet.auto_filter.ref = f"A3:I{sheet.max_row}"
    druckfertig(sheet, 3)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def pdf_html(liste: Teilnehmerliste, *, leerzeilen: int = 8) -> str:
    """The sign-in sheet's body: everyone invited who has not declined, then blank lines for
    guests and deputies (at least ``leerzeilen``, more when many answers are still open)."""
    zeilen = [z for z in liste.zeilen if z.antwort != Antwort.ABSAGE.label]
    blank = max(leerzeilen, liste.count(Antwort.DELEGIERT) + 4)
    return render(
        "reports/konferenz/anwesenheitsliste_pdf.html",
        liste=liste,
        zeilen=zeilen,
        leer=range(len(zeilen) + 1, len(zeilen) + blank + 1),
        Antwort=Antwort,
    )


def to_pdf(liste: Teilnehmerliste, *, leerzeilen: int = 8) -> bytes:
    """The sign-in sheet for the door, as a tagged PDF."""
    return html_to_pdf(
        pdf_html(liste, leerzeilen=leerzeilen),
        title=f"Anwesenheitsliste – {liste.sitzung.titel}",
        footer=liste.gremium.name,
        erstellt=liste.sitzung.beginn,
    )


def write(liste: Teilnehmerliste, directory: Path, *, now: datetime) -> tuple[Path, Path]:
    """Write the HTML, the XLSX and the sign-in sheet (PDF, same stem); returns (html, xlsx)."""
    directory.mkdir(parents=True, exist_ok=True)
    stem = f"teilnehmerliste-sitzung-{liste.sitzung.id}"
    html_path, xlsx_path = directory / f"{stem}.html", directory / f"{stem}.xlsx"
    html_path.write_text(to_html(liste, now=now), encoding="utf-8")
    xlsx_path.write_bytes(to_xlsx(liste))
    (directory / f"{stem}.pdf").write_bytes(to_pdf(liste))
    return html_path, xlsx_path
