"""Reading workspace forms: German errors that name the field; nothing is stored on an error."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlmodel import col

from sozialforum.parsing import is_valid_email, parse_date
from sozialforum.store.models import Person
from sozialforum.vocab import Vocab

T = TypeVar("T")
V = TypeVar("V", bound=Vocab)


class Ungueltig(ValueError):
    """A German message about one field, named by its form name (``f-NAME`` on the page)."""

    def __init__(self, feld: str, meldung: str) -> None:
        super().__init__(meldung)
        self.feld = feld


@contextmanager
def am_feld(name: str) -> Iterator[None]:
    """A domain check's message (which knows no form) belongs to the field ``name``."""
    try:
        yield
    except Ungueltig:
        raise
    except ValueError as exc:
        raise Ungueltig(name, str(exc)) from None


def text(form: Mapping[str, Any], name: str, *, limit: int = 2000) -> str:
    return str(form.get(name) or "").strip()[:limit]


def email(form: Mapping[str, Any], name: str = "email") -> str | None:
    """An optional e-mail address, checked: one that no server accepts is refused here."""
    address = text(form, name, limit=254) or None
    if address is not None and not is_valid_email(address):
        raise Ungueltig(name, f"E-Mail: „{address}“ ist keine gültige Adresse.")
    return address


def datum(form: Mapping[str, Any], name: str, feld: str, *, pflicht: bool = False) -> date | None:
    raw = text(form, name, limit=20)
    if not raw:
        if pflicht:
            raise Ungueltig(name, f"{feld}: bitte ein Datum angeben.")
        return None
    try:
        return parse_date(raw)
    except ValueError as exc:
        raise Ungueltig(name, f"{feld}: {exc}.") from None


def zahl(form: Mapping[str, Any], name: str, feld: str) -> int | None:
    raw = text(form, name, limit=20)
    if not raw:
        return None
    if not raw.isdigit():
        raise Ungueltig(name, f"{feld}: bitte eine ganze Zahl angeben.")
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
        raise Ungueltig(name, f"{feld}: eine Person mit der Kennung „{kennung}“ gibt es nicht.")
    return int(found)


class Feldfehler(dict[str, str]):
    """Field name → German message. Every field of a form is checked before anything is stored,
    so the page shows all problems at once, each at its field."""

    def feld(self, name: str, lesen: Callable[[], T]) -> T | None:
        try:
            return lesen()
        except ValueError as exc:
            self[name] = str(exc)
            return None


def pflichttext(form: Mapping[str, Any], name: str, feld: str, *, limit: int) -> str:
    wert = text(form, name, limit=limit)
    if not wert:
        raise Ungueltig(name, f"{feld}: bitte angeben.")
    return wert


def wahl(form: Mapping[str, Any], name: str, kind: type[V], feld: str) -> V:
    """One value of a vocabulary chosen in a select (its slug)."""
    try:
        return kind.parse(text(form, name, limit=60))
    except ValueError:
        raise Ungueltig(name, f"{feld}: bitte wählen.") from None
