"""Kennungen the planners never have to invent: made from a name (``p-weiss-mueller-joerg``,
``awo-kreisverband``), plain ASCII and readable in lists and files, numbered when taken
(``…-2``). Used when a person, Träger or Gremium is entered by hand and for contact lists
that come without one (an Outlook export)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlmodel import SQLModel

_UMLAUTE = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "ae", "Ö": "oe", "Ü": "ue"})


def teil(text: str | None, laenge: int = 40) -> str:
    """``Jörg Weiß-Müller`` → ``joerg-weiss-mueller``, cut at a hyphen within ``laenge``."""
    folded = unicodedata.normalize("NFKD", (text or "").translate(_UMLAUTE).lower())
    slug = re.sub(r"[^a-z0-9]+", "-", folded.encode("ascii", "ignore").decode()).strip("-")
    if len(slug) > laenge:
        cut = slug[: laenge + 1].rsplit("-", 1)[0] if "-" in slug[: laenge + 1] else slug[:laenge]
        slug = cut.strip("-")
    return slug


def stamm(teile: Iterable[str | None], laengen: Iterable[int], *, ersatz: str) -> str:
    """The readable stem from the name's parts (each cut to its length); ``ersatz`` if none is left."""
    return "-".join(t for t in (teil(text, n) for text, n in zip(teile, laengen, strict=True)) if t) or ersatz


def frei(session: Session, model: type[SQLModel], basis: str) -> str:
    """``basis``, or ``basis-2``, ``basis-3`` … — the first the table does not hold yet."""
    column = model.kennung  # type: ignore[attr-defined]  # every model named here has a kennung
    return frei_in(set(session.scalars(sa.select(column).where(column.like(f"{basis}%")))), basis)


def frei_in(belegt: set[str], basis: str) -> str:
    """The first of ``basis``, ``basis-2`` … not in ``belegt`` (a whole list's Kennungen at once)."""
    kennung, nummer = basis, 1
    while kennung in belegt:
        nummer += 1
        kennung = f"{basis}-{nummer}"
    return kennung
