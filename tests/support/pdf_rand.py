"""Whether a PDF draws past its right margin: a table wider than the text column shows up as
border lines beyond it (a cell's text cannot be wider than its borders)."""

from __future__ import annotations

import io

import pikepdf

# druck.css: A4 with 16 mm margins left and right; WeasyPrint draws in CSS pixels (96 per inch).
RECHTER_RAND_PX = (210 - 16) / 25.4 * 96


def ueber_den_rand(pdf: bytes) -> list[tuple[int, float]]:
    """(page number, how far in mm) for every page with lines or boxes beyond the right margin."""
    befunde = []
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        for nummer, page in enumerate(doc.pages, start=1):
            xs = [0.0]
            for operands, op in pikepdf.parse_content_stream(page):
                if str(op) == "re":
                    xs.append(float(operands[0]) + float(operands[2]))
                elif str(op) in ("m", "l"):
                    xs.append(float(operands[0]))
            if (weiter := max(xs) - RECHTER_RAND_PX) > 0.5:
                befunde.append((nummer, round(weiter / 96 * 25.4, 1)))
    return befunde
