"""A person list without a Kennung column — an Outlook contact export ("Vorname", "Nachname",
"Firma", "E-Mail-Adresse", …) — matched against the persons already stored.

Each row is the person of the same e-mail address if there is one, else the person of the same
first and last name (when their addresses do not contradict each other); it takes that person's
Kennung, so loading the same export twice updates and never duplicates. A row that matches
nobody gets a new Kennung from the name (``kennung``). "Firma" names a Träger by its name or
Kennung (its Kurzname); an unknown Firma is named in the result, and the person comes without
a Träger (or keeps the one stored). A row with a Firma and no name (a Träger's general address)
is no person: it is skipped and named, with a remark when that Träger has no address yet. An
empty cell leaves what is stored for a known person: the export knows less than the store. The
importer then loads the completed table as every list, all or nothing."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlmodel import col

from sozialforum.channels.tabular import Table
from sozialforum.stammdaten import kennung as kennungen
from sozialforum.stammdaten.spalten import MEHRDEUTIG, normalform
from sozialforum.store.models import Organisation, Person

# Text columns an export may leave empty although the store knows them.
ERGAENZT = ("anrede", "vorname", "email", "telefon", "funktion", "organisation")


@dataclass(frozen=True)
class Zeile:
    zeile: int
    name: str
    kennung: str
    erkannt: str | None  # how a stored person was recognised ("am Namen"); None: new


@dataclass(frozen=True)
class Firmenzeile:
    """A row with a Firma and no name — a Träger's general address in the planner's contacts."""

    zeile: int
    firma: str
    email: str | None
    traeger_ohne_email: str | None  # the Träger of that name when it has no address stored yet

    def __str__(self) -> str:
        text = f"Zeile {self.zeile}: kein Nachname – ausgelassen (Firmenkontakt „{self.firma}“)"
        if self.traeger_ohne_email and self.email:
            text += f"; der Träger „{self.traeger_ohne_email}“ hat noch keine E-Mail-Adresse, hier steht {self.email}"
        return text


@dataclass
class Abgleich:
    zeilen: list[Zeile] = field(default_factory=list)
    unbekannte_firmen: dict[str, list[int]] = field(default_factory=dict)  # Firma → its lines
    firmenkontakte: list[Firmenzeile] = field(default_factory=list)

    @property
    def neu(self) -> list[Zeile]:
        return [z for z in self.zeilen if z.erkannt is None]

    @property
    def bekannt(self) -> list[Zeile]:
        return [z for z in self.zeilen if z.erkannt is not None]

    def __str__(self) -> str:
        text = f"Ohne Spalte „kennung“ abgeglichen: {len(self.neu)} neu, {len(self.bekannt)} schon im Bestand"
        if self.unbekannte_firmen:
            firmen = ", ".join(
                f"„{firma}“ (Zeile {', '.join(map(str, z))})" for firma, z in self.unbekannte_firmen.items()
            )
            text += f"; unbekannte Firma, ohne Träger übernommen: {firmen}"
        return "; ".join([text, *map(str, self.firmenkontakte)])


@dataclass
class _Bestand:
    per_email: dict[str, int] = field(default_factory=dict)  # casefolded address → person id
    per_name: dict[tuple[str, str], int] = field(default_factory=dict)  # MEHRDEUTIG for namesakes
    werte: dict[int, dict[str, str | None]] = field(default_factory=dict)  # id → stored text values
    kennungen: set[str] = field(default_factory=set)


def _bestand(session: Session) -> _Bestand:
    bestand = _Bestand(kennungen=set(session.scalars(sa.select(col(Person.kennung)))))
    rows = session.execute(
        sa.select(Person, col(Organisation.kennung))
        .outerjoin(Organisation, col(Organisation.id) == col(Person.organisation_id))
        .where(col(Person.geloescht_am).is_(None))
    )
    for person, traeger in rows:
        pid = int(person.id)
        werte: dict[str, str | None] = {name: getattr(person, name) for name in ERGAENZT[:-1]}
        bestand.werte[pid] = {**werte, "organisation": traeger, "kennung": person.kennung}
        if person.email:
            bestand.per_email.setdefault(person.email.casefold(), pid)
        name = (normalform(person.vorname or ""), normalform(person.nachname))
        bestand.per_name[name] = MEHRDEUTIG if name in bestand.per_name else pid
    return bestand


def _traeger(session: Session) -> tuple[dict[str, str | int], dict[str, str]]:
    """Normalised name and Kennung → Kennung, ``MEHRDEUTIG`` where a name names several; and
    Kennung → name of the Träger that have no e-mail address."""
    result: dict[str, str | int] = {}
    ohne_email: dict[str, str] = {}
    rows = session.execute(sa.select(col(Organisation.kennung), col(Organisation.name), col(Organisation.email)))
    for kennung, name, email in rows:
        for form in {normalform(name), normalform(kennung)}:
            result[form] = MEHRDEUTIG if result.get(form, kennung) != kennung else kennung
        if not email:
            ohne_email[kennung] = name
    return result, ohne_email


def _firmenkontakt(
    line: int, row: dict[str, str | None], traeger: dict[str, str | int], ohne_email: dict[str, str]
) -> Firmenzeile | None:
    """A row with a Firma but neither first nor last name is no person: skipped and said. A
    row with a first name and no last name is a person with a gap; the importer refuses it."""
    firma = row.get("organisation")
    if not firma or row.get("nachname") or row.get("vorname"):
        return None
    gefunden = traeger.get(normalform(firma))
    name = ohne_email.get(gefunden) if isinstance(gefunden, str) else None
    return Firmenzeile(line, firma, row.get("email"), name)


def _erkennen(bestand: _Bestand, row: dict[str, str | None]) -> tuple[int | None, str | None]:
    email = (row.get("email") or "").casefold()
    if email and email in bestand.per_email:
        return bestand.per_email[email], "an der E-Mail-Adresse"
    found = bestand.per_name.get((normalform(row.get("vorname") or ""), normalform(row.get("nachname") or "")))
    if found is None or found == MEHRDEUTIG:
        return None, None
    stored = (bestand.werte[found]["email"] or "").casefold()
    if email and stored and email != stored:
        return None, None  # a namesake with another address: another person
    return found, "am Namen"


def abgleichen(session: Session, table: Table) -> tuple[Table, Abgleich]:
    """The table with a ``kennung`` column filled in and Firma names read as Träger Kennungen."""
    bestand = _bestand(session)
    traeger, ohne_email = _traeger(session) if "organisation" in table.header else ({}, {})
    abgleich = Abgleich()
    vergeben: set[str] = set()
    in_datei: dict[str, str] = {}  # address → Kennung given in this file: a second row is a duplicate
    rows = []
    for line, original in table.rows:
        row = dict(original)
        if (firmenzeile := _firmenkontakt(line, row, traeger, ohne_email)) is not None:
            abgleich.firmenkontakte.append(firmenzeile)
            continue
        person_id, erkannt = _erkennen(bestand, row)
        if person_id is not None:
            stored = bestand.werte[person_id]
            kennung = str(stored["kennung"])
            for name in ERGAENZT:
                if name in table.header and row.get(name) is None:
                    row[name] = stored[name]
            if (row.get("email") or "").casefold() == (stored["email"] or "").casefold():
                row["email"] = stored["email"]  # "Anna@…" for "anna@…" is no change
        elif (email := (row.get("email") or "").casefold()) in in_datei:
            kennung = in_datei[email]  # the importer refuses the second row as a double key
        else:
            stamm = kennungen.stamm(("p", row.get("nachname"), row.get("vorname")), (1, 20, 12), ersatz="p")
            kennung = kennungen.frei_in(bestand.kennungen | vergeben, stamm)
        vergeben.add(kennung)
        if row.get("email"):
            in_datei.setdefault(str(row["email"]).casefold(), kennung)
        firma = original.get("organisation")
        if firma is not None:
            gefunden = traeger.get(normalform(firma))
            if gefunden is None:
                abgleich.unbekannte_firmen.setdefault(firma, []).append(line)
                row["organisation"] = bestand.werte[person_id]["organisation"] if person_id is not None else None
            elif gefunden != MEHRDEUTIG:
                row["organisation"] = str(gefunden)
            # several Träger of that name: left as it is, for the importer to say so
        name = " ".join(part for part in (row.get("vorname"), row.get("nachname")) if part)
        abgleich.zeilen.append(Zeile(line, name or "(ohne Namen)", kennung, erkannt))
        rows.append((line, {**row, "kennung": kennung}))
    return Table(table.name, ["kennung", *table.header], rows, table.kodierung), abgleich
