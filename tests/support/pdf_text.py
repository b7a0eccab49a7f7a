"""What a PDF says, for tests: its pages read with pypdf, from a file or from bytes.

``text`` keeps the line breaks (a line or a page per line); ``fliesstext`` folds every run of
white space into one blank, so that a check does not depend on where WeasyPrint broke a line or
how far apart it set two table cells."""

from __future__ import annotations

import io
from pathlib import Path

from pypdf import PageObject, PdfReader


def seiten(pdf: bytes | Path) -> list[PageObject]:
    """The pages of a PDF given as bytes or as the path of a file."""
    return list(PdfReader(io.BytesIO(pdf) if isinstance(pdf, bytes) else pdf).pages)


def seitentexte(pdf: bytes | Path) -> list[str]:
    """The text of each page, as pypdf extracts it."""
    return [page.extract_text() for page in seiten(pdf)]


def text(pdf: bytes | Path) -> str:
    """The text of all pages, one page after the other (a line break between pages)."""
    return "\n".join(seitentexte(pdf))


def fliesstext(pdf: bytes | Path) -> str:
    """The text of all pages with each run of white space (line breaks too) as one blank."""
    return " ".join(text(pdf).split())
