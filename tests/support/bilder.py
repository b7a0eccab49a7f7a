"""The pictures of documents in docs/bilder: with ``SOZIALFORUM_BILDER=1`` a test writes pages of
a PDF it made there as one PNG (pdftoppm -r 60, pages side by side), so the pictures always come
from the current code and the test's fixed dates; otherwise it writes nothing."""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from PIL import Image

BILDER = Path(__file__).resolve().parents[2] / "docs" / "bilder"


def pdf_bild(pdf: bytes, name: str, seiten: Sequence[int] = (1,)) -> None:
    if os.environ.get("SOZIALFORUM_BILDER") != "1":
        return
    with tempfile.TemporaryDirectory() as tmp:
        quelle = Path(tmp) / "dokument.pdf"
        quelle.write_bytes(pdf)
        bilder = []
        for seite in seiten:
            ziel = Path(tmp) / f"seite{seite}"
            subprocess.run(
                ["pdftoppm", "-r", "60", "-f", str(seite), "-l", str(seite), "-png", "-singlefile", quelle, ziel],
                check=True,
            )
            bilder.append(Image.open(ziel.with_suffix(".png")).convert("RGB"))
        luecke = 20
        breite = sum(b.width for b in bilder) + luecke * (len(bilder) - 1)
        bild = Image.new("RGB", (breite, max(b.height for b in bilder)), (200, 200, 200))
        x = 0
        for b in bilder:
            bild.paste(b, (x, 0))
            x += b.width + luecke
        bild.save(BILDER / f"{name}.png", optimize=True)
