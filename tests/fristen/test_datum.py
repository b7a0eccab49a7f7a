"""Date arithmetic across daylight-saving changes, month ends and year ends; deadline wordings."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from sozialforum.fristen.datum import days_until, next_due_after, today_in_berlin, week_key
from sozialforum.fristen.konfiguration import load_meilensteine
from sozialforum.fristen.wortlaut import parse_frist
from sozialforum.problems import ProblemReport
from sozialforum.timeutil import add_months
from tests.conftest import REPO


@pytest.mark.parametrize(
    ("instant", "day"),
    [
        # Spring forward, 29 March 2026: 00:30 UTC is 01:30 CET, 01:30 UTC is 03:30 CEST.
        (datetime(2026, 3, 28, 22, 59, tzinfo=UTC), date(2026, 3, 28)),
        (datetime(2026, 3, 28, 23, 0, tzinfo=UTC), date(2026, 3, 29)),
        (datetime(2026, 3, 29, 1, 30, tzinfo=UTC), date(2026, 3, 29)),
        (datetime(2026, 3, 29, 21, 59, tzinfo=UTC), date(2026, 3, 29)),
        (datetime(2026, 3, 29, 22, 0, tzinfo=UTC), date(2026, 3, 30)),  # midnight is now UTC+2
        # Fall back, 25 October 2026: the hour 02:00–03:00 happens twice.
        (datetime(2026, 10, 24, 21, 59, tzinfo=UTC), date(2026, 10, 24)),
        (datetime(2026, 10, 24, 22, 0, tzinfo=UTC), date(2026, 10, 25)),
        (datetime(2026, 10, 25, 22, 59, tzinfo=UTC), date(2026, 10, 25)),
        (datetime(2026, 10, 25, 23, 0, tzinfo=UTC), date(2026, 10, 26)),
        # Year end: New Year's Eve 23:30 UTC is already 1 January in Berlin.
        (datetime(2026, 12, 31, 22, 59, tzinfo=UTC), date(2026, 12, 31)),
        (datetime(2026, 12, 31, 23, 30, tzinfo=UTC), date(2027, 1, 1)),
    ],
)
def test_today_in_berlin(instant: datetime, day: date) -> None:
    assert today_in_berlin(instant) == day


def test_days_until_counts_calendar_days_across_dst() -> None:
    # 23-hour and 25-hour days still count as one day each.
    assert days_until(date(2026, 3, 30), date(2026, 3, 28)) == 2
    assert days_until(date(2026, 10, 26), date(2026, 10, 24)) == 2
    assert days_until(date(2027, 1, 1), date(2026, 12, 31)) == 1
    assert days_until(date(2026, 12, 31), date(2027, 1, 2)) == -2


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),  # leap year
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
        (date(2026, 8, 31), -6, date(2026, 2, 28)),
        (date(2026, 5, 31), 1, date(2026, 6, 30)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),  # year end
        (date(2027, 1, 15), -1, date(2026, 12, 15)),
        (date(2021, 6, 15), 60, date(2026, 6, 15)),  # a five-year Fortschreibungsturnus
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2026, 6, 15), -12, date(2025, 6, 15)),
    ],
)
def test_add_months_clamps_to_month_end(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


def test_recurring_due_dates_do_not_drift_at_month_ends() -> None:
    # A yearly duty from 29 February: 28 February in common years, 29 again in leap years.
    assert next_due_after(date(2024, 2, 29), 12, date(2027, 3, 1)) == date(2028, 2, 29)
    # Quarterly from 31 January: 30 April, 31 July, 31 October (not 30 after April).
    assert next_due_after(date(2026, 1, 31), 3, date(2026, 7, 5)) == date(2026, 7, 31)
    assert next_due_after(date(2026, 1, 31), 3, date(2026, 8, 1)) == date(2026, 10, 31)


def test_week_key_crosses_year_end() -> None:
    assert week_key(date(2026, 12, 31)) == "2026-W53"
    assert week_key(date(2027, 1, 3)) == "2026-W53"
    assert week_key(date(2027, 1, 4)) == "2027-W01"
    assert week_key(date(2024, 12, 30)) == "2025-W01"


LEIPZIG = date(2018, 9, 19)  # Beschluss der Ratsversammlung (seed 004)


@pytest.mark.parametrize(
    ("wortlaut", "expected"),
    [
        ("bis Mitte 2020", date(2020, 6, 30)),  # the Leipzig Auftrag, kept beside the date
        ("bis Ende 2019", date(2019, 12, 31)),
        ("im 2. Halbjahr 2019", date(2019, 12, 31)),
        ("im zweiten Halbjahr 2019", date(2019, 12, 31)),
        ("im III. Quartal 2019", date(2019, 9, 30)),
        ("im IV. Quartal 2019", date(2019, 12, 31)),
        ("bis Ende des ersten Quartals 2025", date(2025, 3, 31)),
        ("Q3 2026", date(2026, 9, 30)),
        ("bis Februar 2026", date(2026, 2, 28)),
        ("bis Februar 2028", date(2028, 2, 29)),
        ("bis Mitte März 2026", date(2026, 3, 15)),
        ("bis zum 15. März 2026", date(2026, 3, 15)),
        ("bis 30.06.2020", date(2020, 6, 30)),
        ("zur Jahresmitte 2027", date(2027, 6, 30)),
        ("bis Jahresende 2026", date(2026, 12, 31)),
        ("bis Herbst 2026", date(2026, 11, 30)),
        ("im Winter 2026", date(2027, 2, 28)),
        ("bis Mitte des Jahres", date(2019, 6, 30)),  # no year: the next such day after the Beschluss
        ("bis Ende des Jahres", date(2018, 12, 31)),
        ("innerhalb von 6 Monaten", date(2019, 3, 19)),
        ("binnen 4 Wochen", date(2018, 10, 17)),
        ("mit dem Haushalt 2026", None),
        ("ein Jahr nach Start", None),
        ("zeitnah", None),
    ],
)
def test_parse_frist(wortlaut: str, expected: date | None) -> None:
    angabe = parse_frist(wortlaut, reference=LEIPZIG)
    assert angabe.faellig == expected
    assert angabe.wortlaut == wortlaut


def test_parse_recurring_duties() -> None:
    yearly = parse_frist("jährlich zum Jahresende", reference=date(2026, 1, 10))
    assert (yearly.faellig, yearly.turnus_monate) == (date(2026, 12, 31), 12)
    quarterly = parse_frist("vierteljährlich", reference=date(2026, 1, 31))
    assert (quarterly.faellig, quarterly.turnus_monate) == (date(2026, 4, 30), 3)
    assert parse_frist("alle 2 Jahre", reference=date(2026, 1, 1)).turnus_monate == 24


def test_milestone_config_shipped_and_rejects_typos(tmp_path: Path) -> None:
    config = load_meilensteine(REPO / "config" / "fristen.toml")
    assert [m.schluessel for m in config.fuer("altenhilfeplan")] == [
        "datenanalyse",
        "beteiligung",
        "entwurf",
        "ratsvorlage",
    ]
    assert config.fuer("jugendhilfeplan")[-1].schluessel == "jugendhilfeausschuss"
    bad = tmp_path / "fristen.toml"
    bad.write_text(
        '[[planarten.altenhilfeplann]]\nschluessel = "x"\nname = "X"\nmonate_vorher = 1\n'
        '[[planarten.standard]]\nschluessel = "entwurf"\nname = "E"\nmonate_vorher = -2\n',
        encoding="utf-8",
    )
    with pytest.raises(ProblemReport) as caught:
        load_meilensteine(bad)
    text = str(caught.value)
    assert "„planarten.altenhilfeplann“: unbekannte Planart" in text
    assert "„planarten.standard[0].monate_vorher“: muss eine ganze Zahl ≥ 0 sein" in text
    assert "fristen.toml" in text
