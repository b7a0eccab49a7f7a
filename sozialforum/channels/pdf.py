"""HTML → PDF without system libraries (fpdf2), with a Unicode font so that ä, ß and € print.

The font is DejaVu Sans as shipped inside matplotlib, so nothing needs to be installed.
Supports what reports need: headings, paragraphs, tables, lists, bold/italic, images (PNG).
"""

from __future__ import annotations

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
            self.add_font("DejaVu", "", str(fonts / "DejaVuSans.ttf"))
            self.add_font("DejaVu", "B", str(fonts / "DejaVuSans-Bold.ttf"))
            self.add_font("DejaVu", "I", str(fonts / "DejaVuSans-Oblique.ttf"))
            self.add_font("DejaVu", "BI", str(fonts / "DejaVuSans-BoldOblique.ttf"))
            self.set_font("DejaVu", size=10)
            self.set_auto_page_break(auto=True, margin=18)

        def footer(self) -> None:
            self.set_y(-12)
            self.set_font("DejaVu", size=8)
            self.cell(0, 8, f"{self.footer_text} – Seite {self.page_no()}/{{nb}}", align="C")

    return Pdf


def html_to_pdf(html: str, *, title: str, footer: str = "") -> bytes:
    """Render simple HTML (the body of a report) to PDF bytes."""
    pdf = _pdf_class()(title, footer or title)
    pdf.alias_nb_pages()
    pdf.add_page()
    pdf.write_html(html, font_family="DejaVu")
    return bytes(pdf.output())
