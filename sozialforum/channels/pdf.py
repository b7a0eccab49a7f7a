"""HTML → PDF without system libraries (fpdf2), with a Unicode font so that ä, ß and € print.

The font is DejaVu Sans as shipped inside matplotlib, so nothing needs to be installed.
Supports what reports need: headings, paragraphs, tables, lists, bold/italic, images (PNG).
"""

from __future__ import annotations

import copy
import functools
from pathlib import Path
from typing import Any


@functools.cache
def _pdf_class() -> Any:
    """fpdf2 and matplotlib (for its font files) are imported on the first PDF only: together
    they take most of a second to import, which every mail run and CLI call would pay otherwise."""
    import matplotlib
    from fpdf import FPDF

    fonts = Path(matplotlib.get_data_path()) / "fonts" / "ttf"

    class Pdf(FPDF):
        def __init__(self, title: str, footer_text: str) -> None:
            super().__init__(orientation="portrait", unit="mm", format="A4")
            self.footer_text = footer_text
            self.set_title(title)
            self.set_creator("sozialforum")
            for style, name in STILE.items():
                self.fonts[f"dejavu{style}"] = _fuer_dokument(_geparst(str(fonts / name), style), len(self.fonts) + 1)
            self.set_font("DejaVu", size=10)
            self.set_auto_page_break(auto=True, margin=18)

        def footer(self) -> None:
            self.set_y(-12)
            self.set_font("DejaVu", size=8)
            self.cell(0, 8, f"{self.footer_text} – Seite {self.page_no()}/{{nb}}", align="C")

    return Pdf


STILE = {
    "": "DejaVuSans.ttf",
    "B": "DejaVuSans-Bold.ttf",
    "I": "DejaVuSans-Oblique.ttf",
    "BI": "DejaVuSans-BoldOblique.ttf",
}


@functools.cache
def _geparst(path: str, style: str) -> Any:
    """A font as fpdf2's ``add_font`` builds it, once per process: reading a TrueType file's
    metrics takes about 0.1 s a style, and every report would pay it four times."""
    from fpdf import FPDF

    probe = FPDF()
    probe.add_font("DejaVu", style, path)
    return probe.fonts[f"dejavu{style}"]


def _fuer_dokument(vorlage: Any, index: int) -> Any:
    """The parsed font for one more document. Shared: the metrics, which nothing changes. Own:
    what a document changes — the glyph subset it fills, the font file it subsets in place when
    written, its descriptor object and its number in the document."""
    from fontTools import ttLib
    from fpdf.fonts import SubsetMap

    font = copy.copy(vorlage)
    font.i = index
    font.ttfont = ttLib.TTFont(vorlage.ttffile, recalcTimestamp=False, lazy=True)
    font.desc = copy.copy(vorlage.desc)
    font.missing_glyphs = []
    font.biggest_size_pt = 0
    font.subset = SubsetMap(font)
    return font


def html_to_pdf(html: str, *, title: str, footer: str = "") -> bytes:
    """Render simple HTML (the body of a report) to PDF bytes."""
    pdf = _pdf_class()(title, footer or title)
    pdf.alias_nb_pages()
    pdf.add_page()
    pdf.write_html(html, font_family="DejaVu")
    return bytes(pdf.output())
