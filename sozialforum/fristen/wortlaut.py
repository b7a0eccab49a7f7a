"""Deadlines as councils write them ("bis Mitte 2020", "im III. Quartal 2019") read as dates.

The original wording is always kept beside the computed date (Auftrag.frist_wortlaut): the
date is our reading, the wording is what the council decided. A wording we cannot read yields
no date, and the planners set one by hand.

Readings (a period means its last day, because a task "im 2. Halbjahr" is on time until then):
- a date: ``30.06.2020``, ``15. März 2026``, ``2026-06-30``
- a year: ``bis Ende 2019``, ``Jahresende 2026``, ``im Jahr 2019`` → 31.12.
- ``Mitte 2020``, ``zur Jahresmitte 2027`` → 30.06.; ``Anfang 2021`` → 31.01.
- half years and quarters, in digits, Roman numerals or words: ``2. Halbjahr``, ``III. Quartal``,
  ``Ende des ersten Quartals``, ``Q3 2026``
- a month: ``März 2026``, ``Ende März 2026`` → month end; ``Mitte März`` → 15.; ``Anfang März`` → 10.
- seasons (meteorological): Frühjahr → 31.05., Sommer → 31.08., Herbst → 30.11.,
  Winter → end of February of the following year
- without a year (``bis Mitte des Jahres``): the year of the reference date (the Beschluss),
  the following year if that day has already passed
- relative: ``innerhalb von 6 Monaten``, ``3 Monate nach Beschluss``, ``binnen 4 Wochen``
- recurring: ``jährlich``, ``halbjährlich``, ``vierteljährlich``/``quartalsweise``,
  ``alle 2 Jahre`` (with ``zum Jahresende`` etc. for the day): the next due date after the
  reference date, and a turnus in months
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from sozialforum.fristen.datum import month_end
from sozialforum.timeutil import MONATE, add_months

_MONTHS = {name.lower(): index for index, name in enumerate(MONATE, start=1)}
_MONTHS.update(
    {
        "jan": 1,
        "feb": 2,
        "mär": 3,
        "maerz": 3,
        "märz": 3,
        "apr": 4,
        "jun": 6,
        "jul": 7,
        "aug": 8,
        "sep": 9,
        "sept": 9,
        "okt": 10,
        "nov": 11,
        "dez": 12,
    }
)
_ORDINAL = {
    "1": 1,
    "i": 1,
    "erste": 1,
    "ersten": 1,
    "erstes": 1,
    "2": 2,
    "ii": 2,
    "zweite": 2,
    "zweiten": 2,
    "zweites": 2,
    "3": 3,
    "iii": 3,
    "dritte": 3,
    "dritten": 3,
    "drittes": 3,
    "4": 4,
    "iv": 4,
    "vierte": 4,
    "vierten": 4,
    "viertes": 4,
}
_SEASONS = {"frühjahr": (5, 0), "frühling": (5, 0), "sommer": (8, 0), "herbst": (11, 0), "winter": (2, 1)}
_RECURRING = [
    (r"vierteljährlich|quartalsweise|jedes quartal", 3),
    (r"halbjährlich|jedes halbjahr", 6),
    (r"monatlich", 1),
    (r"alle (\d+) jahre", -12),
    (r"jährlich|jedes jahr|einmal im jahr", 12),
]
_UNITS = {
    "tag": 1,
    "tage": 1,
    "tagen": 1,
    "woche": 7,
    "wochen": 7,
    "monat": 0,
    "monate": 0,
    "monaten": 0,
    "jahr": 0,
    "jahre": 0,
    "jahren": 0,
}

_ORD = r"(\d|i{1,3}|iv|erste[ns]?|zweite[ns]?|dritte[ns]?|vierte[ns]?)\.?"
_YEAR = r"(\d{4})"


@dataclass(frozen=True)
class FristAngabe:
    """What a wording says: the due date (None if unreadable) and a turnus for recurring duties."""

    wortlaut: str
    faellig: date | None
    turnus_monate: int | None = None

    @property
    def erkannt(self) -> bool:
        return self.faellig is not None


def _normalise(text: str) -> str:
    text = text.lower().replace("\u00a0", " ")
    text = re.sub(r"\s+", " ", text).strip(" .;,")
    return text


def _explicit_date(text: str) -> date | None:
    if match := re.search(r"(\d{1,2})\.(\d{1,2})\.(\d{2,4})", text):
        day, month, year = (int(part) for part in match.groups())
        year += 2000 if year < 100 else 0
        return date(year, month, day)
    if match := re.search(r"(\d{4})-(\d{2})-(\d{2})", text):
        return date.fromisoformat(match.group(0))
    months = "|".join(sorted(_MONTHS, key=len, reverse=True))
    if match := re.search(rf"(\d{{1,2}})\. ?({months})\w* {_YEAR}", text):
        return date(int(match.group(3)), _MONTHS[match.group(2)], int(match.group(1)))
    return None


def _in_year(text: str, year: int) -> date | None:
    """The period named in ``text`` within ``year`` (no year in the text itself)."""
    if half := re.search(rf"{_ORD} ?(halbjahr|hj)", text):
        number = _ORDINAL[half.group(1)]
        return month_end(year, 6 if number == 1 else 12) if number <= 2 else None
    if match := re.search(rf"{_ORD} ?quartal", text) or re.search(r"\bq([1-4])\b", text):
        quarter = _ORDINAL[match.group(1)]
        return month_end(year, quarter * 3)
    months = "|".join(sorted(_MONTHS, key=len, reverse=True))
    if match := re.search(rf"\b(anfang|mitte|ende)? ?({months})\b", text):
        month = _MONTHS[match.group(2)]
        if match.group(1) == "mitte":
            return date(year, month, 15)
        if match.group(1) == "anfang":
            return date(year, month, 10)
        return month_end(year, month)
    for season, (month, carry) in _SEASONS.items():
        if season in text:
            return month_end(year + carry, month)
    if re.search(r"mitte|jahresmitte|halbzeit", text):
        return date(year, 6, 30)
    if re.search(r"anfang|jahresbeginn|beginn", text):
        return date(year, 1, 31)
    return date(year, 12, 31)


def _relative(text: str, reference: date) -> date | None:
    match = re.search(
        r"(?:innerhalb (?:von )?|binnen |in |nach )?(\d+|ein|einem|einer|zwei|drei|sechs|zwölf) "
        r"(tag(?:e|en)?|woche(?:n)?|monat(?:e|en)?|jahr(?:e|en)?)",
        text,
    )
    if match is None or not re.search(
        r"innerhalb|binnen|nach (dem )?beschluss|nach beschluss|"
        r"monate? nach|wochen? nach|jahre? nach|tage? nach|^in ",
        text,
    ):
        return None
    if re.search(r"nach (start|beginn|abschluss|fertigstellung)", text):
        return None  # counted from an event we do not know
    words = {"ein": 1, "einem": 1, "einer": 1, "zwei": 2, "drei": 3, "sechs": 6, "zwölf": 12}
    amount = words.get(match.group(1)) or int(match.group(1))
    unit = match.group(2)
    if unit.startswith("jahr"):
        return add_months(reference, 12 * amount)
    if unit.startswith("monat"):
        return add_months(reference, amount)
    return reference + timedelta(days=amount * _UNITS[unit])


def _recurring(text: str) -> int | None:
    for pattern, months in _RECURRING:
        if match := re.search(pattern, text):
            return int(match.group(1)) * 12 if months < 0 else months
    return None


def parse_frist(wortlaut: str, *, reference: date) -> FristAngabe:
    """Read ``wortlaut`` as a due date; ``reference`` is the day the duty was given (Beschluss,
    Sitzung), needed for wordings without a year and for relative and recurring ones."""
    text = _normalise(wortlaut)
    if not text:
        return FristAngabe(wortlaut, None)
    if explicit := _explicit_date(text):
        return FristAngabe(wortlaut, explicit)
    turnus = _recurring(text)
    if turnus is not None:
        rest = re.sub(
            r"(jährlich|halbjährlich|vierteljährlich|quartalsweise|monatlich|alle \d+ jahre)", "", text
        ).strip()
        if year_in_rest := re.search(r"\d{4}", rest):
            due = _in_year(rest, int(year_in_rest.group(0)))
        elif rest and re.search(r"jahresende|jahresmitte|ende|mitte|quartal|halbjahr", rest):
            due = _first_in_years(rest, reference)
        else:
            due = add_months(reference, turnus)
        return FristAngabe(wortlaut, due, turnus)
    if match := re.search(_YEAR, text):
        year = int(match.group(1))
        if re.search(r"haushalt|etat", text):
            return FristAngabe(wortlaut, None)  # tied to a budget cycle, not to a day
        return FristAngabe(wortlaut, _in_year(text.replace(match.group(1), " "), year))
    if relative := _relative(text, reference):
        return FristAngabe(wortlaut, relative)
    if re.search(
        r"jahr|quartal|halbjahr|mitte|ende|anfang|frühjahr|sommer|herbst|winter|" + "|".join(_MONTHS), text
    ) and not re.search(r"nach|haushalt", text):
        return FristAngabe(wortlaut, _first_in_years(text, reference))
    return FristAngabe(wortlaut, None)


def _first_in_years(text: str, reference: date) -> date | None:
    """The named period in the reference year, or in the next year if it has passed."""
    due = _in_year(text, reference.year)
    if due is not None and due < reference:
        due = _in_year(text, reference.year + 1)
    return due
