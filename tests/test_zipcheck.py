"""Office files that unpack into hundreds of megabytes (zip bombs) are refused before a parser
opens them: a DOCX Protokoll from a personal link, a workbook for the master data and for the
data refresh. The bombs here are real: deflated zeros, as a few lines of Python make them."""

from __future__ import annotations

import io
import resource
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from sozialforum.channels.tabular import read_table
from sozialforum.daten.quelldatei import open_workbook
from sozialforum.problems import ProblemReport
from sozialforum.protokoll.eingabe import DokumentEingabe, pruefe_dokument
from sozialforum.settings import Settings
from sozialforum.zipcheck import ENTPACKT_HOECHSTENS, zu_gross_entpackt

MB = 1024 * 1024
MELDUNG = "Die Datei entpackt sich auf 450 MB (erlaubt sind höchstens 400 MB); sie wird nicht geöffnet."


def _mit_bombe(archiv: bytes, mitglied: str) -> bytes:
    """The archive with one more member of 450 MB zeros (deflated to well under a megabyte)."""
    puffer = io.BytesIO(archiv)
    with (
        zipfile.ZipFile(puffer, "a", zipfile.ZIP_DEFLATED, compresslevel=9) as zip_,
        zip_.open(mitglied, "w", force_zip64=True) as datei,
    ):
        null = bytes(MB)
        for _ in range(450):
            datei.write(null)
    return puffer.getvalue()


@pytest.fixture(scope="module")
def arbeitsmappe() -> bytes:
    puffer = io.BytesIO()
    book = Workbook()
    book.active.append(["kennung", "nachname"])
    book.active.append(["P1", "Meier"])
    book.save(puffer)
    return puffer.getvalue()


@pytest.fixture(scope="module")
def mappenbombe(arbeitsmappe: bytes) -> bytes:
    return _mit_bombe(arbeitsmappe, "xl/sharedStrings2.xml")


def test_a_real_workbook_passes_and_the_limit_is_far_above_real_files(arbeitsmappe: bytes) -> None:
    assert zu_gross_entpackt(arbeitsmappe) is None
    assert zu_gross_entpackt(b"kein Archiv") is None  # the parser reports it as damaged
    assert ENTPACKT_HOECHSTENS == 400 * MB


def test_a_docx_protokoll_that_unpacks_to_450_mb_is_refused_unread(tmp_path: Path) -> None:
    docx = _mit_bombe(b"", "word/document.xml")
    einstellungen = Settings(data_dir=tmp_path, protokoll={"upload_max_mb": 10})
    assert len(docx) < MB  # well within the upload limit
    vorher = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(ProblemReport) as gefangen:
        pruefe_dokument(DokumentEingabe(dateiname="Protokoll.docx", inhalt=docx), settings=einstellungen)
    assert str(gefangen.value).endswith(MELDUNG) and "Protokoll.docx" in str(gefangen.value)
    # Nothing was unpacked: the peak resident set grew by far less than the 450 MB.
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - vorher < 100 * 1024


def test_a_master_data_workbook_that_unpacks_to_450_mb_is_refused(mappenbombe: bytes, tmp_path: Path) -> None:
    pfad = tmp_path / "personen.xlsx"
    pfad.write_bytes(mappenbombe)
    with pytest.raises(ProblemReport) as gefangen:
        read_table(pfad, required=["kennung"])
    assert gefangen.value.problems[0].datei == "personen.xlsx" and gefangen.value.problems[0].meldung == MELDUNG


def test_a_statistics_workbook_that_unpacks_to_450_mb_is_refused(mappenbombe: bytes, tmp_path: Path) -> None:
    pfad = tmp_path / "Kreistabelle.xlsx"
    pfad.write_bytes(mappenbombe)
    with pytest.raises(ProblemReport) as gefangen:
        open_workbook(pfad)
    assert gefangen.value.problems[0].meldung == MELDUNG
