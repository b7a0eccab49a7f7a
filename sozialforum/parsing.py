"""Parsing values as users write them (German dates and numbers, ja/nein). One place for it.

Every parser raises ValueError with a German text that says what was expected.
"""

from __future__ import annotations

import re
from datetime import date

_EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)
_TRUE = {"ja", "j", "x", "1", "true", "wahr", "yes"}
_FALSE = {"nein", "n", "0", "false", "falsch", "no", ""}


def is_valid_email(address: str | None) -> bool:
    """A deliverable-looking address with no CR/LF or spaces (no header injection)."""
    return bool(address) and len(address or "") <= 254 and bool(_EMAIL.match(address or ""))


def parse_email(raw: str) -> str:
    if not is_valid_email(raw):
        raise ValueError("keine gültige E-Mail-Adresse (erwartet z. B. name@traeger.de)")
    return raw


def parse_date(raw: str) -> date:
    """``31.12.2025`` or ``2025-12-31``."""
    text = raw.strip()
    try:
        if re.fullmatch(r"\d{1,2}\.\d{1,2}\.\d{4}", text):
            day, month, year = (int(part) for part in text.split("."))
            return date(year, month, day)
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return date.fromisoformat(text)
    except ValueError:
        pass
    raise ValueError("kein gültiges Datum (erwartet TT.MM.JJJJ oder JJJJ-MM-TT)")


def parse_bool(raw: str | None) -> bool:
    text = (raw or "").strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError("erwartet ja oder nein")


def parse_int(raw: str, *, minimum: int | None = None) -> int:
    text = raw.strip().replace(".", "") if re.fullmatch(r"\d{1,3}(\.\d{3})+", raw.strip()) else raw
    try:
        value = int(text)
    except ValueError:
        raise ValueError("keine ganze Zahl") from None
    if minimum is not None and value < minimum:
        raise ValueError(f"muss mindestens {minimum} sein")
    return value


def parse_decimal_text(raw: str) -> str:
    """German ``1.234,50``, ``1.000`` or plain ``1234.50`` → ``1234.50`` (as text, for Decimal).

    Without a comma, dots that group exactly three digits are thousands separators (``1.000`` is
    a thousand euros in a German form, not one), any other single dot is a decimal point."""
    text = raw.strip().replace("€", "").replace("\u00a0", "").replace(" ", "")
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    elif re.fullmatch(r"-?[1-9]\d{0,2}(\.\d{3})+", text):
        text = text.replace(".", "")
    if not re.fullmatch(r"-?\d+(\.\d+)?", text):
        raise ValueError("keine Zahl (erwartet z. B. 1.234,50)")
    return text


def parse_int_list(raw: str | None) -> list[int]:
    """``21, 7, 1`` → [21, 7, 1]."""
    if not raw:
        return []
    try:
        return [int(part) for part in re.split(r"[,; ]+", raw.strip()) if part]
    except ValueError:
        raise ValueError("erwartet ganze Zahlen, durch Komma getrennt") from None


def parse_key(raw: str, *, digits: int | None = None) -> str:
    """An official key (AGS 8, ARS 12 digits) as a string; Excel's lost leading zeros restored."""
    text = raw.strip()
    if digits is None:
        return text
    if not text.isdigit() or len(text) > digits:
        raise ValueError(f"erwartet {digits} Ziffern")
    return text.zfill(digits)
