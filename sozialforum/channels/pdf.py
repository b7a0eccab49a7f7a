"""HTML → tagged PDF (PDF/UA-1) with WeasyPrint: every PDF the product writes comes from here.

A report passes the body of its document (headings, paragraphs, tables, lists, images); this
module wraps it in a German document (``lang="de-DE"``, the title, dates taken from the
document), lays it out with the print stylesheet ``templates/reports/druck.css`` and the DejaVu
fonts shipped inside matplotlib (so a fresh machine needs no font package, and every machine
prints the same glyphs), and writes a PDF with a structure tree, alternative texts from the
images' ``alt``, the footer as an artifact and embedded font subsets. The output depends only on
its input: no clock, no random identifier (mails with PDFs are compared with golden files).
"""

from __future__ import annotations

import atexit
import functools
import html as html_module
import threading
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sozialforum.ressourcen import ordner

DRUCK_CSS = ordner("templates") / "reports" / "druck.css"
SPRACHE = "de-DE"
SCHRIFTEN = {
    ("normal", "normal"): "DejaVuSans.ttf",
    ("bold", "normal"): "DejaVuSans-Bold.ttf",
    ("normal", "italic"): "DejaVuSans-Oblique.ttf",
    ("bold", "italic"): "DejaVuSans-BoldOblique.ttf",
}

# One document at a time per process: WeasyPrint's font configuration (a Pango font map) is not
# safe to share between threads, and Prefect runs tasks in threads. Its layout is pure Python,
# so threads would not print faster anyway.
_lock = threading.Lock()


class PdfFehler(RuntimeError):
    """A document cannot be printed (an image or map it shows cannot be read)."""


def _font_faces() -> str:
    import matplotlib

    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    return "\n".join(
        f'@font-face {{ font-family: "DejaVu Sans"; font-weight: {weight}; font-style: {style}; '
        f'src: url("{(folder / name).as_uri()}"); }}'
        for (weight, style), name in SCHRIFTEN.items()
    )


# What a report may load from local files: charts and maps, fonts, stylesheets.
DATEIARTEN = frozenset({".png", ".svg", ".jpg", ".jpeg", ".gif", ".webp", ".ttf", ".otf", ".woff", ".woff2", ".css"})


@functools.cache
def _werkzeug() -> tuple[Any, Any, Any]:
    """Font configuration, print stylesheet and URL fetcher, made once per process: parsing the
    stylesheet and loading the four font files costs more than a short document."""
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import FatalURLFetchingError, URLFetcher

    class NurDateien(URLFetcher):
        """Local files and data: URLs only (a report never loads anything from the network);
        a missing chart or map stops the PDF instead of leaving a hole in it. Of local files
        only images, fonts and stylesheets: whatever HTML slipped into a report could not
        embed the configuration, the database or the secret key (``<link rel=attachment>``)."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("file:") and Path(urlsplit(url).path).suffix.lower() not in DATEIARTEN:
                raise FatalURLFetchingError(f"{url}: nur Bilder, Schriften und Stylesheets werden eingebunden")
            try:
                return super().fetch(url, headers)
            except Exception as error:
                raise FatalURLFetchingError(f"{url}: {error}") from error

    fonts = FontConfiguration()
    fetcher = NurDateien(allowed_protocols={"file", "data"})
    stylesheet = CSS(
        string=_font_faces() + "\n" + DRUCK_CSS.read_text(encoding="utf-8"),
        font_config=fonts,
        url_fetcher=fetcher,
    )
    # The font configuration keeps copies of the fonts in a temporary folder, which it removes
    # when it is deleted: delete it while the interpreter can still do that.
    atexit.register(_werkzeug.cache_clear)
    return fonts, stylesheet, fetcher


def _css_text(text: str) -> str:
    """A CSS string literal (the footer goes into the page's margin box). It stands inside a
    ``<style>`` element, which only ``</style>`` ends: ``<`` and ``>`` are written as CSS escapes,
    or a name such as a Gremium's from the Ratsinformationssystem could close the element and
    add HTML (``<link rel=attachment href=file:…>`` makes WeasyPrint embed that file)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ").replace("\r", " ")
    escaped = escaped.replace("<", "\\3c ").replace(">", "\\3e ")
    return f'"{escaped}"'


def _datum(moment: date | datetime) -> str:
    if isinstance(moment, datetime):
        return moment.isoformat(timespec="seconds")
    return moment.isoformat()


def dokument(html: str, *, title: str, footer: str = "", erstellt: date | datetime | None = None) -> str:
    """The whole HTML document around a report's body, as it is printed."""
    head = [
        '<meta charset="utf-8">',
        f"<title>{html_module.escape(title)}</title>",
    ]
    if erstellt is not None:
        stamp = html_module.escape(_datum(erstellt))
        head += [
            f'<meta name="dcterms.created" content="{stamp}">',
            f'<meta name="dcterms.modified" content="{stamp}">',
        ]
    fuss = footer or title
    head.append(
        "<style>@page { @bottom-center { content: "
        + _css_text(f"{fuss} – Seite ")
        + ' counter(page) "/" counter(pages); } }</style>'
    )
    head_html = "".join(head)
    return f'<!DOCTYPE html>\n<html lang="{SPRACHE}">\n<head>{head_html}</head>\n<body>\n{html}\n</body>\n</html>\n'


def html_to_pdf(html: str, *, title: str, footer: str = "", erstellt: date | datetime | None = None) -> bytes:
    """The body of a report (HTML) as a tagged PDF (PDF/UA-1). ``footer`` is printed at the foot
    of every page with the page number (the title when empty); ``erstellt`` is the document's own
    date (an approval, a Stichtag) for its metadata — never the time of printing."""
    from weasyprint import HTML
    from weasyprint.urls import FatalURLFetchingError

    from sozialforum.channels.pdf_artefakte import footer_als_artefakt

    text = dokument(html, title=title, footer=footer, erstellt=erstellt)
    with _lock:
        fonts, stylesheet, fetcher = _werkzeug()
        try:
            # Charts and maps are named by file path: an absolute one as it is, a relative one (a
            # data_dir given as "var") against the working directory, as open() would read it.
            base = Path.cwd().as_uri() + "/"
            data = HTML(string=text, base_url=base, url_fetcher=fetcher).write_pdf(
                stylesheets=[stylesheet],
                font_config=fonts,
                pdf_variant="pdf/ua-1",
                presentational_hints=True,
                finisher=footer_als_artefakt,
            )
        except FatalURLFetchingError as error:
            raise PdfFehler(f"Das PDF „{title}“ braucht eine Datei, die nicht gelesen werden kann: {error}") from None
    assert data is not None  # no target given: the bytes are returned
    return bytes(data)
