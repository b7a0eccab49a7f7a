"""PDFs share the parsed fonts between documents (sozialforum.channels.pdf): the output is the
same as with fpdf2's own ``add_font`` for every document, also when documents are written at once
in several threads (Prefect runs tasks in threads)."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import matplotlib
from fpdf import FPDF

from sozialforum.channels.pdf import STILE, html_to_pdf

HTML = (
    "<h1>Sozialraumprofil Lindenau</h1><p>Grüße aus <b>Musterstadt</b>, <i>kursiv</i>, "
    "<b><i>beides</i></b>: 1.234,5 € – „Anführung“ ß Ä Ö Ü.</p>"
    "<table><thead><tr><th>Indikator</th><th>Wert</th></tr></thead>"
    "<tbody><tr><td>Kinderarmut</td><td>17,3 %</td></tr><tr><td>Altenquotient</td><td>41,0</td></tr></tbody>"
    "</table>"
)


def _ohne_zeitstempel(pdf: bytes) -> bytes:
    return re.sub(rb"/CreationDate \(D:\d+Z\)|/ID \[<[0-9A-F]+><[0-9A-F]+>\]", b"", pdf)


def _mit_fpdf_allein(html: str, title: str) -> bytes:
    """The same document the way fpdf2 documents it: every font added to every document."""
    fonts = Path(matplotlib.get_data_path()) / "fonts" / "ttf"

    class Pdf(FPDF):
        def footer(self) -> None:
            self.set_y(-12)
            self.set_font("DejaVu", size=8)
            self.cell(0, 8, f"{title} – Seite {self.page_no()}/{{nb}}", align="C")

    pdf = Pdf(orientation="portrait", unit="mm", format="A4")
    pdf.set_title(title)
    pdf.set_creator("sozialforum")
    for style, name in STILE.items():
        pdf.add_font("DejaVu", style, str(fonts / name))
    pdf.set_font("DejaVu", size=10)
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.alias_nb_pages()
    pdf.add_page()
    pdf.write_html(html, font_family="DejaVu")
    return bytes(pdf.output())


def test_shared_fonts_give_the_same_pdf_as_fpdf_alone() -> None:
    expected = _ohne_zeitstempel(_mit_fpdf_allein(HTML, "Profil"))
    assert _ohne_zeitstempel(html_to_pdf(HTML, title="Profil")) == expected
    # A second document with other glyphs, then the first again: nothing carried over.
    html_to_pdf("<p>Ωmega ≠ ≤ ≥ ¼</p>", title="Anderes")
    assert _ohne_zeitstempel(html_to_pdf(HTML, title="Profil")) == expected


def test_documents_written_in_threads_at_once_are_each_complete() -> None:
    texts = [f"<p>Sitzung {n}: Grüße {'ä' * n}{chr(0x391 + n)}</p>" + HTML for n in range(8)]
    expected = [_ohne_zeitstempel(_mit_fpdf_allein(t, "Profil")) for t in texts]
    with ThreadPoolExecutor(max_workers=4) as pool:
        written = list(pool.map(lambda t: _ohne_zeitstempel(html_to_pdf(t, title="Profil")), texts))
    assert written == expected
