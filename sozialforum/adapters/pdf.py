"""HTML → PDF without system libraries (fpdf2), with a Unicode font so that ä, ß and € print.

The font is DejaVu Sans as shipped inside matplotlib, so nothing needs to be installed.
Supports what reports need: headings, paragraphs, tables, lists, bold/italic, images (PNG).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib
from fpdf import FPDF

_FONTS = Path(matplotlib.get_data_path()) / "fonts" / "ttf"


class _Pdf(FPDF):
    def __init__(self, title: str, footer_text: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.footer_text = footer_text
        self.set_title(title)
        self.set_creator("sozialforum")
        self.add_font("DejaVu", "", str(_FONTS / "DejaVuSans.ttf"))
        self.add_font("DejaVu", "B", str(_FONTS / "DejaVuSans-Bold.ttf"))
        self.add_font("DejaVu", "I", str(_FONTS / "DejaVuSans-Oblique.ttf"))
        self.add_font("DejaVu", "BI", str(_FONTS / "DejaVuSans-BoldOblique.ttf"))
        self.set_font("DejaVu", size=10)
        self.set_auto_page_break(auto=True, margin=18)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("DejaVu", size=8)
        self.cell(0, 8, f"{self.footer_text} – Seite {self.page_no()}/{{nb}}", align="C")


def html_to_pdf(html: str, *, title: str, footer: str = "") -> bytes:
    """Render simple HTML (the body of a report) to PDF bytes."""
    pdf = _Pdf(title, footer or title)
    pdf.alias_nb_pages()
    pdf.add_page()
    pdf.write_html(html, font_family="DejaVu")
    return bytes(pdf.output())
