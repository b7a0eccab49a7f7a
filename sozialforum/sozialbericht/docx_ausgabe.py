"""The Sozialbericht as a Word document (python-docx): real headings (the navigation pane and a
table of contents work), tables with a repeated head row and right-aligned numbers, pictures
with alternative text and a caption, German as the document language. The Geschäftsstelle edits
the draft in Word; the frozen edition keeps the file as it was released."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sozialforum.sozialbericht.inhalt import Bericht, Bild, Tabelle
from sozialforum.timeutil import format_datum_kurz


def _sprache(document: Any) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    for style in document.styles:
        element = getattr(style, "element", None)
        if element is None:
            continue
        rpr = element.get_or_add_rPr() if hasattr(element, "get_or_add_rPr") else None
        if rpr is None:
            continue
        lang = rpr.find(qn("w:lang"))
        if lang is None:
            lang = OxmlElement("w:lang")
            rpr.append(lang)
        lang.set(qn("w:val"), "de-DE")
    document.core_properties.language = "de-DE"


def _tabelle(document: Any, tabelle: Tabelle, *, zahlen: bool = True) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    document.add_paragraph(tabelle.titel, style="Caption")
    table = document.add_table(rows=1 + len(tabelle.zeilen), cols=len(tabelle.kopf))
    table.style = "Table Grid"
    small = Pt(8) if len(tabelle.kopf) > 6 else Pt(9)
    # Rows and cells fetched once each: python-docx rebuilds those lists on every access.
    for r, (row, values) in enumerate(zip(table.rows, [tabelle.kopf, *tabelle.zeilen], strict=True)):
        if r == 0:  # the head row repeats on every page and is read as the head
            trpr = row._tr.get_or_add_trPr()
            header = OxmlElement("w:tblHeader")
            header.set(qn("w:val"), "true")
            trpr.append(header)
        for c, (cell, value) in enumerate(zip(row.cells, values, strict=True)):
            paragraph = cell.paragraphs[0]
            run = paragraph.add_run(value)
            run.font.size = small
            run.bold = r == 0
            right = zahlen and c > 0
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT if right else WD_ALIGN_PARAGRAPH.LEFT


def _bild(document: Any, bild: Bild, breite_cm: float) -> None:
    from docx.shared import Cm

    document.add_picture(str(bild.png), width=Cm(breite_cm))
    doc_pr = document.inline_shapes[-1]._inline.docPr
    doc_pr.set("descr", bild.alt)
    doc_pr.set("title", bild.titel)
    document.add_paragraph(bild.titel, style="Caption")


def schreibe_docx(bericht: Bericht, path: Path, *, wort_art: str) -> Path:
    import docx
    from docx.enum.text import WD_BREAK

    document = docx.Document()
    _sprache(document)
    props = document.core_properties
    props.title = bericht.titel
    props.author = bericht.kommune
    props.subject = f"Sozialbericht, Stichtag {format_datum_kurz(bericht.stichtag)}"
    props.comments = f"{bericht.status}; Fassung: {bericht.fassung}"

    def seite() -> None:
        document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    document.add_heading(bericht.titel, level=0)
    document.add_paragraph().add_run(bericht.kommune).bold = True
    stand = f" · Datenstand {format_datum_kurz(bericht.datenstand)}" if bericht.datenstand else ""
    document.add_paragraph(f"Stichtag {format_datum_kurz(bericht.stichtag)}{stand}")
    document.add_paragraph(f"{bericht.status} · Fassung: {bericht.fassung}")

    seite()
    document.add_heading("Zusammenfassung", level=1)
    for absatz in bericht.zusammenfassung:
        document.add_paragraph(absatz)
    for kapitel in bericht.kapitel:
        seite()
        document.add_heading(kapitel.titel, level=1)
        for absatz in kapitel.absaetze:
            document.add_paragraph(absatz)
        for bild in kapitel.bilder:
            _bild(document, bild, 15 if bild.svg else 16)
        for tabelle in kapitel.tabellen:
            _tabelle(document, tabelle)
    seite()
    document.add_heading("Sozialraumporträts", level=1)
    document.add_paragraph(
        f"Je Sozialraum eine Seite: Lage und Status-Index, Kennzahlen mit Veränderung und {wort_art}, Entwicklung."
    )
    for portraet in bericht.portraets:
        seite()
        document.add_heading(portraet.name, level=2)
        document.add_paragraph(portraet.absatz)
        _tabelle(document, portraet.kennzahlen)
        if portraet.karte:
            _bild(document, portraet.karte, 9)
        if portraet.trend:
            _bild(document, portraet.trend, 16)
    seite()
    document.add_heading("Bevölkerungsvorausberechnung", level=1)
    document.add_paragraph(bericht.projektion_hinweis)
    document.add_heading("Annahmen", level=2)
    for zeile in bericht.annahmen:
        document.add_paragraph(zeile, style="List Bullet")
    for tabelle in bericht.projektion:
        document.add_heading(tabelle.titel, level=2)
        _tabelle(document, tabelle)
    seite()
    document.add_heading("Handlungsempfehlungen", level=1)
    if not bericht.empfehlungen:
        document.add_paragraph("Noch keine Handlungsempfehlungen erfasst.")
    for empfehlung in bericht.empfehlungen:
        document.add_heading(f"{empfehlung.nummer}. {empfehlung.titel}", level=2)
        if empfehlung.bezug:
            document.add_paragraph().add_run(f"Bezug: {empfehlung.bezug}").italic = True
        for absatz in empfehlung.text.split("\n\n"):
            if absatz.strip():
                document.add_paragraph(absatz.strip())
    seite()
    document.add_heading("Quellen und Zeichenerklärung", level=1)
    for quelle in bericht.quellen:
        document.add_paragraph(quelle, style="List Bullet")
    _tabelle(
        document,
        Tabelle("Zeichenerklärung", ["Zeichen", "Bedeutung"], [list(z) for z in bericht.zeichen]),
        zahlen=False,
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
    return path
