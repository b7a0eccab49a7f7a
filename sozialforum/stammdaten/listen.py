"""The lists of reference data the planners keep (Gebiete, Organisationen, Personen, Gremien,
Mitgliedschaften): each list's columns, how a cell is read, which column names another list's
row, its natural key and the checks across fields. ``importer`` reads and writes by them."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlmodel import SQLModel, col

from sozialforum.parsing import parse_bool, parse_date, parse_email, parse_int, parse_int_list, parse_key
from sozialforum.store.models import Gebiet, Gremium, Mitgliedschaft, Organisation, Person
from sozialforum.store.models.gebiete import GUELTIG_SEIT_JEHER
from sozialforum.vocab import GebietEbene, GremiumArt, MitgliedRolle, OrganisationArt, Rechtsgrundlage, Vocab


@dataclass(frozen=True)
class VocabParser:
    """Parse a cell into a vocabulary; the templates offer ``kind``'s labels as a drop-down."""

    kind: type[Vocab]

    def __call__(self, raw: str) -> Vocab:
        try:
            return self.kind.parse(raw)
        except ValueError:
            raise ValueError(f"unbekannter Wert (erlaubt: {self.kind.choices()})") from None


def day_start(raw: str) -> datetime:
    return datetime.combine(parse_date(raw), datetime.min.time(), tzinfo=UTC)


@dataclass(frozen=True)
class Column:
    name: str  # column header in the file
    field: str | None = None  # model attribute; None: same as name
    required: bool = False
    parse: Callable[[str], Any] | None = None
    ref: type[SQLModel] | None = None  # value is the natural key of another table
    default: Any = None  # used when the cell is empty
    hilfe: str = ""  # what belongs in the column, for the templates and the upload page

    @property
    def attr(self) -> str:
        return self.field or self.name


@dataclass(frozen=True)
class Spec:
    kind: str
    model: type[SQLModel]
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    check: Callable[[dict[str, Any]], Iterable[tuple[str, str]]] = lambda _record: ()
    extra: tuple[Column, ...] = field(default=())  # columns handled by a post step


# --- natural keys of referenced tables -------------------------------------------------------


def ref_map(session: Session, model: type[SQLModel]) -> dict[str, int]:
    """Natural key → id. Gebiete are versioned: a key means its newest version."""
    if model is Gebiet:
        rows = session.execute(sa.select(col(Gebiet.schluessel), col(Gebiet.id)).order_by(col(Gebiet.gueltig_ab)))
    else:
        rows = session.execute(sa.select(model.kennung, model.id))  # type: ignore[attr-defined]  # the other models have a kennung
    return {key: row_id for key, row_id in rows}


REF_LABEL = {Gebiet: "Gebiet", Organisation: "Organisation", Person: "Person", Gremium: "Gremium"}


# --- checks across fields ---------------------------------------------------------------------


def _check_period(start: str, end: str, start_col: str, end_col: str) -> Callable[..., Any]:
    def check(record: dict[str, Any]) -> Iterable[tuple[str, str]]:
        if record.get(start) and record.get(end) and record[end] < record[start]:
            yield end_col, f"liegt vor „{start_col}“"

    return check


def _check_person(record: dict[str, Any]) -> Iterable[tuple[str, str]]:
    if record.get("rechtsgrundlage") == Rechtsgrundlage.EINWILLIGUNG:
        if not record.get("einwilligung_am"):
            yield "einwilligung_am", "Einwilligung ohne Datum (Art. 7 Abs. 1 DSGVO: nachweisbar)"
        if not record.get("einwilligung_quelle"):
            yield "einwilligung_quelle", "Einwilligung ohne Quelle (wo wurde sie erteilt?)"


GEBIETE = Spec(
    kind="gebiete",
    model=Gebiet,
    key=("schluessel", "gueltig_ab"),
    columns=(
        Column(
            "schluessel",
            required=True,
            hilfe="Eindeutiger Schlüssel des Gebiets: AGS/ARS oder eigener Code, z. B. SR-03.",
        ),
        Column("name", required=True, hilfe="Name, wie er in Berichten und Einladungen erscheinen soll."),
        Column("ebene", required=True, parse=VocabParser(GebietEbene), hilfe="Ebene in der Gebietsgliederung."),
        Column(
            "uebergeordnet",
            field="parent_id",
            ref=Gebiet,
            hilfe="Schlüssel des Gebiets, zu dem dieses gehört (Gemeinde → Sozialraum → Kreis).",
        ),
        Column("ags", parse=lambda raw: parse_key(raw, digits=8), hilfe="Amtlicher Gemeindeschlüssel, 8 Ziffern."),
        Column("ars", parse=lambda raw: parse_key(raw, digits=12), hilfe="Amtlicher Regionalschlüssel, 12 Ziffern."),
        Column("einwohner", parse=lambda raw: parse_int(raw, minimum=0), hilfe="Einwohnerzahl (ganze Zahl)."),
        Column("gueltig_ab", parse=parse_date, default=GUELTIG_SEIT_JEHER, hilfe="Gilt ab (Datum); leer: schon immer."),
        Column(
            "gueltig_bis", parse=parse_date, hilfe="Gilt bis (Datum), z. B. vor einer Gebietsreform; leer: weiterhin."
        ),
    ),
    check=_check_period("gueltig_ab", "gueltig_bis", "gueltig_ab", "gueltig_bis"),
    extra=(
        Column(
            "vorgaenger",
            hilfe="Bei Gebietsreformen: Schlüssel der Gebiete, aus denen dieses hervorging, durch Komma getrennt.",
        ),
    ),
)

ORGANISATIONEN = Spec(
    kind="organisationen",
    model=Organisation,
    key=("kennung",),
    columns=(
        Column("kennung", required=True, hilfe="Eindeutiges Kürzel, z. B. AWO-KV; andere Listen verweisen darauf."),
        Column("name", required=True, hilfe="Name des Trägers oder Amts."),
        Column("art", required=True, parse=VocabParser(OrganisationArt), hilfe="Art der Organisation."),
        Column("dachverband", hilfe="Spitzenverband der freien Wohlfahrtspflege, falls vorhanden."),
        Column("gebiet", field="gebiet_id", ref=Gebiet, hilfe="Schlüssel des Gebiets, in dem der Träger tätig ist."),
        Column("email", parse=parse_email, hilfe="Funktionspostfach für Einladungen und Formulare."),
        Column("telefon"),
        Column("adresse", hilfe="Postanschrift in einer Zeile."),
        Column("dezernat", hilfe="Bei Ämtern: zuständiges Dezernat."),
    ),
)

PERSONEN = Spec(
    kind="personen",
    model=Person,
    key=("kennung",),
    columns=(
        Column("kennung", required=True, hilfe="Eindeutiges Kürzel der Person, z. B. p-mueller-awo."),
        Column("anrede", hilfe="z. B. Frau, Herr; leer: Anrede mit vollem Namen."),
        Column("vorname"),
        Column("nachname", required=True),
        Column("email", parse=parse_email, hilfe="Dienstliche Adresse für Einladungen."),
        Column("telefon"),
        Column("funktion", hilfe="z. B. Einrichtungsleitung, Fachbereichsleitung."),
        Column("organisation", field="organisation_id", ref=Organisation, hilfe="Kennung des Trägers oder Amts."),
        Column(
            "rechtsgrundlage",
            parse=VocabParser(Rechtsgrundlage),
            hilfe="Warum die Person angeschrieben werden darf (Art. 6 DSGVO); ohne sie wird niemand eingeladen.",
        ),
        Column("einwilligung_am", parse=parse_date, hilfe="Bei Einwilligung Pflicht: Datum der Einwilligung."),
        Column("einwilligung_quelle", hilfe="Bei Einwilligung Pflicht: wo sie erteilt wurde (Formular, Mail …)."),
        Column("abgemeldet_am", parse=day_start, hilfe="Datum, ab dem die Person keine Post mehr erhalten will."),
    ),
    check=_check_person,
)

GREMIEN = Spec(
    kind="gremien",
    model=Gremium,
    key=("kennung",),
    columns=(
        Column("kennung", required=True, hilfe="Eindeutiges Kürzel, z. B. srk-nord."),
        Column("name", required=True, hilfe="Name, wie er in Einladungen steht."),
        Column("art", required=True, parse=VocabParser(GremiumArt), hilfe="Art des Gremiums."),
        Column("gebiet", field="gebiet_id", ref=Gebiet, hilfe="Schlüssel des Gebiets, für das es zuständig ist."),
        Column("uebergeordnet", field="parent_id", ref=Gremium, hilfe="Kennung des Gremiums, an das es berichtet."),
        Column(
            "einladung_vorlauf_tage",
            parse=lambda raw: parse_int(raw, minimum=0),
            default=21,
            hilfe="Tage zwischen Einladung und Sitzung (leer: 21).",
        ),
        Column(
            "erinnerung_tage",
            parse=parse_int_list,
            default=[7, 1],
            hilfe="Erinnerungen so viele Tage vor der Sitzung, durch Komma getrennt (leer: 7, 1).",
        ),
        Column(
            "plaetze",
            parse=lambda raw: parse_int(raw, minimum=1),
            default=None,
            hilfe="Höchstzahl der Teilnehmenden (Raumgröße); leer: unbegrenzt.",
        ),
    ),
)

MITGLIEDSCHAFTEN = Spec(
    kind="mitgliedschaften",
    model=Mitgliedschaft,
    key=("gremium_id", "person_id", "von"),
    columns=(
        Column("gremium", field="gremium_id", required=True, ref=Gremium, hilfe="Kennung des Gremiums."),
        Column("person", field="person_id", required=True, ref=Person, hilfe="Kennung der Person."),
        Column(
            "organisation",
            field="organisation_id",
            ref=Organisation,
            hilfe="Kennung der Organisation, die die Person im Gremium vertritt.",
        ),
        Column("rolle", parse=VocabParser(MitgliedRolle), default=MitgliedRolle.MITGLIED, hilfe="Leer: Mitglied."),
        Column("stimmberechtigt", parse=parse_bool, default=False, hilfe="ja oder nein (leer: nein)."),
        Column("von", required=True, parse=parse_date, hilfe="Beginn der Mitgliedschaft (Datum)."),
        Column("bis", parse=parse_date, hilfe="Ende der Mitgliedschaft (Datum); leer: besteht fort."),
    ),
    check=_check_period("von", "bis", "von", "bis"),
)

SPECS = {spec.kind: spec for spec in (GEBIETE, ORGANISATIONEN, PERSONEN, GREMIEN, MITGLIEDSCHAFTEN)}
# Other names the columns carry in lists as offices keep them (Outlook's contact export, a
# Träger directory, a Landesamt's area list), in ``spalten.normalform``: lower case, umlauts
# folded, no spaces or punctuation. A header is read as the column it names only when exactly one
# column of the list has that name and the file does not have that column under its own name.
ANDERE_NAMEN: dict[str, dict[str, tuple[str, ...]]] = {
    "gebiete": {
        "schluessel": ("kennung", "code", "gebietsschluessel", "nr", "nummer"),
        "name": ("bezeichnung", "gebiet", "gebietsname"),
        "ebene": ("gebietsebene", "typ", "art"),
        "uebergeordnet": ("gehoertzu", "uebergeordnetesgebiet", "obergebiet"),
        "ags": ("gemeindeschluessel", "amtlichergemeindeschluessel", "gemeindekennziffer", "gkz"),
        "ars": ("regionalschluessel", "amtlicherregionalschluessel"),
        "einwohner": ("einwohnerzahl", "bevoelkerung", "ew"),
        "gueltig_ab": ("gueltigvon", "ab"),
        "gueltig_bis": ("bis",),
    },
    "organisationen": {
        "kennung": ("kuerzel", "nr", "traegernummer"),
        "name": ("traeger", "organisation", "einrichtung", "bezeichnung", "firma"),
        "art": ("organisationsart", "traegerart", "typ"),
        "dachverband": ("spitzenverband", "verband"),
        "gebiet": ("sozialraum", "gebietsschluessel"),
        "email": ("emailadresse", "mail", "funktionspostfach"),
        "telefon": ("tel", "telefonnummer", "telefongeschaeftlich"),
        "adresse": ("anschrift", "postanschrift"),
    },
    "personen": {
        "nachname": ("name", "familienname"),
        "email": ("emailadresse", "mail", "dienstlicheemail"),
        "telefon": ("tel", "telefonnummer", "telefongeschaeftlich"),
        "funktion": ("position", "stellung", "stelle"),
        "organisation": ("traeger", "firma", "einrichtung", "dienststelle"),
        "einwilligung_am": ("einwilligungsdatum", "einwilligungvom"),
        "einwilligung_quelle": ("einwilligungsquelle",),
    },
    "gremien": {
        "name": ("gremium", "bezeichnung"),
        "art": ("gremienart", "typ"),
        "gebiet": ("sozialraum",),
        "einladung_vorlauf_tage": ("vorlauf", "einladungsfrist", "vorlauftage"),
        "erinnerung_tage": ("erinnerungen",),
        "plaetze": ("platzzahl", "kapazitaet", "teilnehmerzahl"),
    },
    "mitgliedschaften": {
        "stimmberechtigt": ("stimmrecht",),
        "von": ("ab", "seit", "beginn"),
        "bis": ("ende",),
    },
}

# What each list is called for the planners (upload page, templates, messages).
TITEL = {
    "gebiete": "Gebiete",
    "organisationen": "Träger und Ämter",
    "personen": "Personen",
    "gremien": "Gremien",
    "mitgliedschaften": "Mitgliedschaften",
}
# The order in which a folder of lists is imported: references point backwards only.
ORDER = ("gebiete", "organisationen", "personen", "gremien", "mitgliedschaften")
