"""One record as a planner reads it (``sozialforum zeige``): German field names, references by
the name of what they point to, vocabulary labels, German dates and numbers.

The store's column names are ASCII identifiers (``zustaendig_organisation_id``) and its
references are row ids; neither means anything to the Geschäftsstelle.
"""

from __future__ import annotations

import typing
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlmodel import SQLModel

from sozialforum.store.models.gebiete import GUELTIG_SEIT_JEHER
from sozialforum.timeutil import format_datum_kurz, format_termin, format_zahl
from sozialforum.vocab import Vocab

# The German name of every field ``zeige`` shows (same field name, same meaning in every table).
FELDER = {
    "id": "Id",
    "kennung": "Kennung",
    "schluessel": "Schlüssel",
    "name": "Name",
    "titel": "Titel",
    "art": "Art",
    "ebene": "Ebene",
    "ags": "Amtlicher Gemeindeschlüssel",
    "ars": "Amtlicher Regionalschlüssel",
    "parent_id": "gehört zu",
    "einwohner": "Einwohner",
    "gueltig_ab": "gültig ab",
    "gueltig_bis": "gültig bis",
    "dachverband": "Dachverband",
    "gebiet_id": "Gebiet",
    "email": "E-Mail",
    "telefon": "Telefon",
    "adresse": "Adresse",
    "dezernat": "Dezernat",
    "amt": "Amt",
    "anrede": "Anrede",
    "vorname": "Vorname",
    "nachname": "Nachname",
    "funktion": "Funktion",
    "organisation_id": "Organisation",
    "rechtsgrundlage": "Rechtsgrundlage",
    "einwilligung_am": "Einwilligung am",
    "einwilligung_quelle": "Einwilligung erteilt über",
    "abgemeldet_am": "abgemeldet am",
    "geloescht_am": "gelöscht am",
    "zustellung_gestoert_am": "Zustellung gestört seit",
    "einladung_vorlauf_tage": "Einladung (Tage vorher)",
    "erinnerung_tage": "Erinnerungen (Tage vorher)",
    "plaetze": "Plätze",
    "gremium_id": "Gremium",
    "beginn": "Beginn",
    "ende": "Ende",
    "ort": "Ort",
    "status": "Stand",
    "ical_uid": "Kennung der Kalendereinladung",
    "ical_sequence": "Fassung der Kalendereinladung",
    "serie": "Serie",
    "oparl_id": "OParl-Kennung",
    "oparl_erstellt": "im Ratsinformationssystem angelegt",
    "oparl_modified": "im Ratsinformationssystem geändert",
    "beschlossen_am": "beschlossen am",
    "turnus_monate": "Turnus der Fortschreibung (Monate)",
    "zustaendig_organisation_id": "zuständig",
    "beschluss_id": "Beschluss",
    "abgeschlossen_am": "abgeschlossen am",
    "vorlage_id": "Vorlage",
    "datum": "Datum",
    "text": "Text",
    "fassung": "Fassung",
}


def _vocab_of(annotation: Any) -> type[Vocab] | None:
    """The vocabulary of a field typed ``Vocab`` or ``Vocab | None``."""
    kinds = typing.get_args(annotation) or (annotation,)
    return next((k for k in kinds if isinstance(k, type) and issubclass(k, Vocab)), None)


def _referenz(session: Session, model: type[SQLModel], name: str, value: object) -> str | None:
    """The record a foreign key points to, by its name and key: ``Sozialregion Nord (REG-N)``."""
    column = model.__table__.c[name]  # type: ignore[attr-defined]  # SQLModel tables have __table__
    target = next(iter(column.foreign_keys), None)
    if target is None or value is None:
        return None
    table = target.column.table
    label = next((table.c[c] for c in ("name", "titel", "nachname") if c in table.c), None)
    code = next((table.c[c] for c in ("kennung", "schluessel") if c in table.c), None)
    if label is None:
        return None
    row = session.execute(
        sa.select(label, code if code is not None else sa.null()).where(target.column == value)
    ).first()
    if row is None:
        return None
    return f"{row[0]} ({row[1]})" if row[1] else str(row[0])


def wert(name: str, value: object, annotation: Any = None) -> str:
    """A field's value in German: vocabulary label, German date and time, number, yes/no."""
    vocab = _vocab_of(annotation)
    if value is None:
        return ""
    if vocab is not None:
        return vocab.label_of(value)
    if isinstance(value, datetime):
        return format_termin(value)
    if isinstance(value, date):
        return "–" if name == "gueltig_ab" and value == GUELTIG_SEIT_JEHER else format_datum_kurz(value)
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, int) and name != "id":
        return format_zahl(value)
    if isinstance(value, list):
        items = [wert(name, item) for item in value]
        return " und ".join([", ".join(items[:-1]), items[-1]]) if len(items) > 1 else "".join(items)
    return str(value)


def zeilen(session: Session, row: SQLModel) -> list[tuple[str, str]]:
    """Every field of ``row`` as (German name, German value), references resolved."""
    model = type(row)
    shown = []
    for name, field in model.model_fields.items():
        value = getattr(row, name)
        text = _referenz(session, model, name, value) if name.endswith("_id") else None
        shown.append((FELDER.get(name, name), text if text is not None else wert(name, value, field.annotation)))
    return shown
