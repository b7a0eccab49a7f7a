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


def vocab(kind: type[Vocab]) -> Callable[[str], Vocab]:
    def parse(raw: str) -> Vocab:
        try:
            return kind.parse(raw)
        except ValueError:
            raise ValueError(f"unbekannter Wert (erlaubt: {kind.choices()})") from None

    return parse


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
    extra: tuple[str, ...] = field(default=())  # columns handled by a post step


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
        Column("schluessel", required=True),
        Column("name", required=True),
        Column("ebene", required=True, parse=vocab(GebietEbene)),
        Column("uebergeordnet", field="parent_id", ref=Gebiet),
        Column("ags", parse=lambda raw: parse_key(raw, digits=8)),
        Column("ars", parse=lambda raw: parse_key(raw, digits=12)),
        Column("einwohner", parse=lambda raw: parse_int(raw, minimum=0)),
        Column("gueltig_ab", parse=parse_date, default=GUELTIG_SEIT_JEHER),
        Column("gueltig_bis", parse=parse_date),
    ),
    check=_check_period("gueltig_ab", "gueltig_bis", "gueltig_ab", "gueltig_bis"),
    extra=("vorgaenger",),
)

ORGANISATIONEN = Spec(
    kind="organisationen",
    model=Organisation,
    key=("kennung",),
    columns=(
        Column("kennung", required=True),
        Column("name", required=True),
        Column("art", required=True, parse=vocab(OrganisationArt)),
        Column("dachverband"),
        Column("gebiet", field="gebiet_id", ref=Gebiet),
        Column("email", parse=parse_email),
        Column("telefon"),
        Column("adresse"),
        Column("dezernat"),
    ),
)

PERSONEN = Spec(
    kind="personen",
    model=Person,
    key=("kennung",),
    columns=(
        Column("kennung", required=True),
        Column("anrede"),
        Column("vorname"),
        Column("nachname", required=True),
        Column("email", parse=parse_email),
        Column("telefon"),
        Column("funktion"),
        Column("organisation", field="organisation_id", ref=Organisation),
        Column("rechtsgrundlage", parse=vocab(Rechtsgrundlage)),
        Column("einwilligung_am", parse=parse_date),
        Column("einwilligung_quelle"),
        Column("abgemeldet_am", parse=day_start),
    ),
    check=_check_person,
)

GREMIEN = Spec(
    kind="gremien",
    model=Gremium,
    key=("kennung",),
    columns=(
        Column("kennung", required=True),
        Column("name", required=True),
        Column("art", required=True, parse=vocab(GremiumArt)),
        Column("gebiet", field="gebiet_id", ref=Gebiet),
        Column("uebergeordnet", field="parent_id", ref=Gremium),
        Column("einladung_vorlauf_tage", parse=lambda raw: parse_int(raw, minimum=0), default=21),
        Column("erinnerung_tage", parse=parse_int_list, default=[7, 1]),
        Column("plaetze", parse=lambda raw: parse_int(raw, minimum=1), default=None),
    ),
)

MITGLIEDSCHAFTEN = Spec(
    kind="mitgliedschaften",
    model=Mitgliedschaft,
    key=("gremium_id", "person_id", "von"),
    columns=(
        Column("gremium", field="gremium_id", required=True, ref=Gremium),
        Column("person", field="person_id", required=True, ref=Person),
        Column("organisation", field="organisation_id", ref=Organisation),
        Column("rolle", parse=vocab(MitgliedRolle), default=MitgliedRolle.MITGLIED),
        Column("stimmberechtigt", parse=parse_bool, default=False),
        Column("von", required=True, parse=parse_date),
        Column("bis", parse=parse_date),
    ),
    check=_check_period("von", "bis", "von", "bis"),
)

SPECS = {spec.kind: spec for spec in (GEBIETE, ORGANISATIONEN, PERSONEN, GREMIEN, MITGLIEDSCHAFTEN)}
# The order in which a folder of lists is imported: references point backwards only.
ORDER = ("gebiete", "organisationen", "personen", "gremien", "mitgliedschaften")
