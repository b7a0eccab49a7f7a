"""What the Träger and Gremium forms offer to choose from — the current Gebiete, the persons
(searchable by name in a datalist) — and reading a chosen person back."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlmodel import col

from sozialforum.arbeitsplatz import formular as f
from sozialforum.store.models import Gebiet, Organisation, Person
from sozialforum.vocab import GebietEbene

# The Spitzenverbände of the Freie Wohlfahrtspflege, offered (not imposed) for "Spitzenverband".
SPITZENVERBAENDE = (
    "Arbeiterwohlfahrt (AWO)",
    "Deutscher Caritasverband",
    "Diakonie Deutschland",
    "Deutsches Rotes Kreuz (DRK)",
    "Der Paritätische",
    "Zentralwohlfahrtsstelle der Juden in Deutschland (ZWST)",
)
_KENNUNG_AM_ENDE = re.compile(r"\[([^\[\]]+)\]\s*$")


@dataclass(frozen=True)
class PersonEintrag:
    id: int
    text: str  # "Nachname, Vorname – Träger [kennung]": searchable by each part


def gebiete(session: Session, heute: date) -> list[tuple[int, str]]:
    """The areas valid today, by level and name: ``(id, "Nord (Sozialraum)")``."""
    rows = session.execute(
        sa.select(col(Gebiet.id), col(Gebiet.name), col(Gebiet.ebene))
        .where(
            col(Gebiet.gueltig_ab) <= heute, sa.or_(col(Gebiet.gueltig_bis).is_(None), col(Gebiet.gueltig_bis) >= heute)
        )
        .order_by(col(Gebiet.name))
    )
    return [(int(i), f"{name} ({GebietEbene(ebene).label})") for i, name, ebene in rows]


def gebiet_id(session: Session, form: Mapping[str, Any]) -> int | None:
    gewaehlt = f.id_wert(form, "gebiet")
    if gewaehlt is not None and session.get(Gebiet, gewaehlt) is None:
        raise ValueError("Gebiet: bitte aus der Liste wählen.")
    return gewaehlt


def personen(session: Session) -> list[PersonEintrag]:
    rows = session.execute(
        sa.select(
            col(Person.id), col(Person.nachname), col(Person.vorname), col(Person.kennung), col(Organisation.name)
        )
        .outerjoin(Organisation, col(Organisation.id) == col(Person.organisation_id))
        .where(col(Person.geloescht_am).is_(None))
        .order_by(col(Person.nachname), col(Person.vorname))
    )
    eintraege = []
    for person_id, nachname, vorname, kennung, traeger in rows:
        name = f"{nachname}, {vorname}" if vorname else nachname
        eintraege.append(PersonEintrag(int(person_id), f"{name}{f' – {traeger}' if traeger else ''} [{kennung}]"))
    return eintraege


def person_id(session: Session, form: Mapping[str, Any], name: str, feld: str) -> int | None:
    """The person chosen in a datalist field: its entry ends in ``[kennung]``; a bare Kennung
    typed by hand is taken too. Empty: none."""
    text = f.text(form, name, limit=400)
    if not text:
        return None
    treffer = _KENNUNG_AM_ENDE.search(text)
    kennung = treffer.group(1).strip() if treffer else text
    found = session.scalar(
        sa.select(col(Person.id)).where(col(Person.kennung) == kennung, col(Person.geloescht_am).is_(None))
    )
    if found is None:
        raise ValueError(f"{feld}: „{text}“ ist keine bekannte Person – bitte aus der Liste wählen.")
    return int(found)
