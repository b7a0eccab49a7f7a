"""The refresh's summary (Prefect artifact, command line, demo) in German: Stichtage as dates,
levels by their German name."""

from __future__ import annotations

from sozialforum.daten.berichtstext import zusammenfassung_markdown

SUMMARY = {
    "berechnung_id": 1,
    "neu": True,
    "stichtage": 6,
    "letzter_stichtag": "2023-12-31",
    "klassenwechsel": [
        {"gebiet": "Sozialraum Osterberg", "ebene": "sozialraum", "vorher": "mittel", "jetzt": "hoch"},
        {"gebiet": "Rabenhorst", "ebene": "gemeinde", "vorher": "mittel", "jetzt": "hoch"},
    ],
    "ziele_verfehlt": [],
}


def test_summary_in_german() -> None:
    text = zusammenfassung_markdown([], SUMMARY, None, [], [])
    assert "6 Stichtage, letzter 31.12.2023." in text and "2023-12-31" not in text
    assert "- Sozialraum Osterberg: Status mittel → hoch" in text
    assert "- Rabenhorst (Gemeinde): Status mittel → hoch" in text and "(gemeinde)" not in text
