"""Office files (XLSX, DOCX) are ZIP archives: their unpacked size is checked before a parser
opens them. A few megabytes of upload can declare gigabytes of XML (a "zip bomb"); openpyxl reads
a workbook's shared strings and python-docx a document's body whole into memory, so such a file
from a personal link or an upload would take the portal process down. Python's ``zipfile`` never
unpacks more than a member declares, so the declared sizes are the bound that holds."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from sozialforum.timeutil import format_zahl

# Real files stay far below: a GENESIS workbook of 11,000 Gemeinden × 80 indicators unpacks to
# ~60 MB, a long Protokoll as DOCX to a few MB.
ENTPACKT_HOECHSTENS = 400 * 1024 * 1024


def zu_gross_entpackt(quelle: Path | bytes, *, hoechstens: int = ENTPACKT_HOECHSTENS) -> str | None:
    """A German sentence if the archive unpacks to more than ``hoechstens`` bytes, else None
    (also for a file that is no ZIP archive at all: the parser then reports it as damaged)."""
    try:
        with zipfile.ZipFile(io.BytesIO(quelle) if isinstance(quelle, bytes) else quelle) as archiv:
            entpackt = sum(eintrag.file_size for eintrag in archiv.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    if entpackt <= hoechstens:
        return None
    return (
        f"Die Datei entpackt sich auf {format_zahl(entpackt / 1024 / 1024)} MB (erlaubt sind "
        f"höchstens {format_zahl(hoechstens / 1024 / 1024)} MB); sie wird nicht geöffnet."
    )
