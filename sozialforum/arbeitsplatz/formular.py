"""Reading workspace forms: German errors that name the field; nothing is stored on an error."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlmodel import col

from sozialforum.parsing import is_valid_email, parse_date
from sozialforum.store.models import Person


def text(form: Mapping[str, Any], name: str, *, limit: int = 2000) -> str:
    return str(form.get(name) or "").strip()[:limit]


def email(form: Mapping[str, Any], name: str = "email") -> str | None:
    """An optional e-mail address, checked: one that no server accepts is refused here."""
    address = text(form, name, limit=254) or None
    if address is not None and not is_valid_email(address):
        raise ValueError(f"E-Mail: „{address}“ ist keine gültige Adresse.")
    return address


def datum(form: Mapping[str, Any], name: str, feld: str, *, pflicht: bool = False) -> date | None:
    raw = text(form, name, limit=20)
    if not raw:
        if pflicht:
            raise ValueError(f"{feld}: bitte ein Datum angeben.")
        return None
    try:
        return parse_date(raw)
    except ValueError as exc:
        raise ValueError(f"{feld}: {exc}.") from None


def zahl(form: Mapping[str, Any], name: str, feld: str) -> int | None:
    raw = text(form, name, limit=20)
    if not raw:
        return None
    if not raw.isdigit():
        raise ValueError(f"{feld}: bitte eine ganze Zahl angeben.")
    return int(raw)


def id_wert(form: Mapping[str, Any], name: str) -> int | None:
    raw = text(form, name, limit=20)
    return int(raw) if raw.isdigit() else None


def person_nach_kennung(session: Session, form: Mapping[str, Any], name: str, feld: str) -> int | None:
    kennung = text(form, name, limit=80)
    if not kennung:
        return None
    found = session.scalar(
        sa.select(col(Person.id)).where(col(Person.kennung) == kennung, col(Person.geloescht_am).is_(None))
    )
    if found is None:
        raise ValueError(f"{feld}: eine Person mit der Kennung „{kennung}“ gibt es nicht.")
    return int(found)
