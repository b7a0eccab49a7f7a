"""What the Träger and Gremium forms offer to choose from — the current Gebiete, the persons
found by a search on the server — and reading a chosen person back."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
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
_TRENNER = re.compile(r"[\s,;–]+")
MAX_TREFFER = 50


@dataclass(frozen=True)
class Eintrag:
    id: int
    kennung: str
    text: str  # "Nachname, Vorname – Träger [kennung]", "Name [kennung]": read back by the Kennung


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


def _passt(begriff: str, felder: tuple[Any, ...]) -> list[sa.ColumnElement[bool]]:
    """One condition per word of ``begriff`` (up to six): it occurs in one of ``felder``."""
    woerter = [w for w in _TRENNER.split(begriff.lower()) if w][:6]
    return [sa.or_(*(sa.func.lower(col(feld)).contains(w, autoescape=True) for feld in felder)) for w in woerter]


def traeger_suchen(session: Session, begriff: str) -> Suche:
    """Träger and Ämter matching every word of ``begriff`` in name or Kennung, at most
    ``MAX_TREFFER``."""
    bedingungen = _passt(begriff, (Organisation.name, Organisation.kennung))
    rows = (
        session.execute(
            sa.select(col(Organisation.id), col(Organisation.name), col(Organisation.kennung))
            .where(*bedingungen)
            .order_by(col(Organisation.name))
            .limit(MAX_TREFFER + 1)
        ).all()
        if bedingungen
        else []
    )
    eintraege = [Eintrag(int(i), str(k), f"{n} [{k}]") for i, n, k in rows[:MAX_TREFFER]]
    return Suche(begriff, eintraege, len(rows) > MAX_TREFFER)


def traeger_id(session: Session, form: Mapping[str, Any], name: str, feld: str) -> int | None:
    """The Träger or Amt named in a text field: ``Name [kennung]`` as the suggestions write it,
    a Kennung, or a name that exactly one carries; anything else is searched and the message
    says how many match (the form offers them). Empty: none."""
    text = f.text(form, name, limit=400)
    if not text:
        return None
    treffer = _KENNUNG_AM_ENDE.search(text)
    kennung = treffer.group(1).strip() if treffer else text
    found = session.scalar(sa.select(col(Organisation.id)).where(col(Organisation.kennung) == kennung))
    if found is None and not treffer:
        gleich = session.scalars(
            sa.select(col(Organisation.id)).where(sa.func.lower(col(Organisation.name)) == text.lower()).limit(2)
        ).all()
        found = gleich[0] if len(gleich) == 1 else None
    if found is not None:
        return int(found)
    passend = traeger_suchen(session, text)
    if not passend.eintraege:
        raise f.Ungueltig(name, f"{feld}: „{text}“ ist kein bekannter Träger und kein Amt.")
    if passend.mehr:
        raise f.Ungueltig(name, f"{feld}: zu „{text}“ passen mehr als {MAX_TREFFER} – bitte genauer angeben.")
    raise f.Ungueltig(name, f"{feld}: zu „{text}“ passen {len(passend.eintraege)} – bitte aus der Liste wählen.")


def gibt_personen(session: Session) -> bool:
    return session.scalar(sa.select(sa.exists().where(col(Person.geloescht_am).is_(None)))) is True


@dataclass(frozen=True)
class Suche:
    begriff: str
    eintraege: list[Eintrag]
    mehr: bool  # more than MAX_TREFFER matched: the planner should narrow the search

    @property
    def optionen(self) -> list[tuple[str, str]]:
        return [(e.kennung, e.text) for e in self.eintraege]


def suchen(session: Session, begriff: str, *, ohne: Collection[int] = ()) -> Suche:
    """Persons matching every word of ``begriff`` in name, e-mail, Kennung or Träger — at most
    ``MAX_TREFFER``: a picker offers a handful, never the whole store (20,000 persons made the
    Gremium page 1.1 MiB and 252 ms CPU when it listed them all). ``ohne``: persons not to offer
    (a Gremium's members of today, whom adding again would only be refused)."""
    felder = (Person.nachname, Person.vorname, Person.email, Person.kennung, Organisation.name, Organisation.kennung)
    bedingungen = _passt(begriff, felder)
    if not bedingungen:
        return Suche(begriff, [], False)
    rows = session.execute(
        sa.select(
            col(Person.id), col(Person.nachname), col(Person.vorname), col(Person.kennung), col(Organisation.name)
        )
        .outerjoin(Organisation, col(Organisation.id) == col(Person.organisation_id))
        .where(col(Person.geloescht_am).is_(None), col(Person.id).not_in(ohne), *bedingungen)
        .order_by(col(Person.nachname), col(Person.vorname), col(Person.kennung))
        .limit(MAX_TREFFER + 1)
    ).all()
    eintraege = []
    for person_id, nachname, vorname, kennung, traeger in rows[:MAX_TREFFER]:
        name = f"{nachname}, {vorname}" if vorname else nachname
        text = f"{name}{f' – {traeger}' if traeger else ''} [{kennung}]"
        eintraege.append(Eintrag(int(person_id), str(kennung), text))
    return Suche(begriff, eintraege, len(rows) > MAX_TREFFER)


def person_id(session: Session, form: Mapping[str, Any], name: str, feld: str) -> int | None:
    """The person chosen in a person field: a search hit's entry ends in ``[kennung]``; a bare
    Kennung typed by hand is taken too. Anything else is searched for, and the message says
    how many match — the form comes back offering them, so the planner picks, never the
    server guessing. Empty: none."""
    text = f.text(form, name, limit=400)
    if not text:
        return None
    treffer = _KENNUNG_AM_ENDE.search(text)
    kennung = treffer.group(1).strip() if treffer else text
    found = session.scalar(
        sa.select(col(Person.id)).where(col(Person.kennung) == kennung, col(Person.geloescht_am).is_(None))
    )
    if found is not None:
        return int(found)
    passend = suchen(session, text)
    if not passend.eintraege:
        raise ValueError(f"{feld}: „{text}“ ist keine bekannte Person.")
    if len(passend.eintraege) == 1:
        raise ValueError(f"{feld}: zu „{text}“ passt eine Person – bitte aus der Liste wählen.")
    if passend.mehr:
        raise ValueError(f"{feld}: zu „{text}“ passen mehr als {MAX_TREFFER} Personen – bitte genauer angeben.")
    raise ValueError(f"{feld}: zu „{text}“ passen {len(passend.eintraege)} Personen – bitte eine aus der Liste wählen.")
