"""One record as a planner reads it (``sozialforum zeige``): German field names, references by
the name of what they point to, vocabulary labels, German dates and numbers.

The store's column names are ASCII identifiers (``zustaendig_organisation_id``) and its
references are row ids; neither means anything to the Geschäftsstelle.
"""

from __future__ import annotations

import typing
from collections.abc import Collection
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlmodel import SQLModel

from sozialforum.konferenz.termine import serie_text
from sozialforum.store.models.gebiete import GUELTIG_SEIT_JEHER
from sozialforum.timeutil import format_datum_kurz, format_euro, format_termin, format_zahl
from sozialforum.vocab import Beduerfnis, Vocab

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
    "kalender_generation": "Fassung der Kalenderadresse",
    # What the DSGVO Auskunft shows of the tables about a person (a test keeps this complete).
    "absender": "Absender",
    "aktiv": "aktiv",
    "aktuelle_version": "aktuelle Fassung",
    "alte_email": "alte E-Mail",
    "anfrage_id": "Anfrage",
    "angefordert_am": "angefordert am",
    "anmerkung": "Anmerkung",
    "antwort": "Antwort",
    "antwort_id": "Antwort",
    "anwesend": "anwesend",
    "anzeigename": "Name",
    "aufruf_id": "Förderaufruf",
    "auftrag_id": "Auftrag",
    "beantragt_eur": "beantragt (Euro)",
    "beantwortet_am": "beantwortet am",
    "beduerfnisse": "Bedürfnisse",
    "begonnen_am": "begonnen am",
    "begruendung": "Begründung",
    "bemerkung": "Bemerkung",
    "beschlusspunkt_id": "Beschlusspunkt",
    "beschreibung": "Beschreibung",
    "bestaetigt_am": "bestätigt am",
    "betreff": "Betreff",
    "bezug": "Bezug",
    "bezug_id": "Bezug (Nr.)",
    "bis": "bis",
    "daten": "Inhalt der Kalenderantwort",
    "dauer_minuten": "Dauer (Minuten)",
    "eingegangen_am": "eingegangen am",
    "eingeladen_am": "eingeladen am",
    "eingeladen_an": "eingeladen an",
    "eingereicht_am": "eingereicht am",
    "eingereicht_von_person_id": "eingereicht von",
    "empfaenger": "Empfänger",
    "entwurf_frist": "Frist für den Entwurf",
    "erfasst_von": "erfasst von",
    "erinnert_am": "erinnert am",
    "erledigt_am": "erledigt am",
    "erledigt_von": "erledigt von",
    "erstellt_am": "erstellt am",
    "erteilt_am": "erteilt am",
    "eskaliert_am": "eskaliert am",
    "faellig_am": "fällig am",
    "form": "Form",
    "fortschritt_prozent": "Fortschritt (%)",
    "freigabe_erinnerungen": "Erinnerungen zur Freigabe",
    "freigegeben_am": "freigegeben am",
    "frist": "Frist",
    "frist_ref": "Frist",
    "frist_wortlaut": "Frist im Wortlaut",
    "gesendet_am": "gesendet am",
    "grund": "Grund",
    "herkunft": "Herkunft",
    "inhalt_gekuerzt_am": "Inhalt gekürzt am",
    "inhalt_groesse": "Größe (Bytes)",
    "kommentar": "Kommentar",
    "kommentar_bis": "Kommentare bis",
    "kostenplan": "Kostenplan",
    "letzte_anmeldung_am": "letzte Anmeldung am",
    "massnahme_id": "Maßnahme",
    "neue_email": "neue E-Mail",
    "nummer": "Nummer",
    "person_id": "Person",
    "personen": "Personen",
    "protokoll_id": "Protokoll",
    "protokollfuehrung_person_id": "Protokollführung",
    "quelle": "Quelle",
    "reihenfolge": "Reihenfolge",
    "rolle": "Rolle",
    "runde_id": "Bewertungsrunde",
    "sitzung_id": "Sitzung",
    "stimmberechtigt": "stimmberechtigt",
    "stufe": "Stufe",
    "tagesordnungspunkt_id": "Tagesordnungspunkt",
    "traeger_id": "Träger",
    "uebernommen": "übernommen",
    "verantwortlich_organisation_id": "verantwortliche Organisation",
    "verantwortlich_person_id": "verantwortliche Person",
    "version": "Fassung",
    "version_id": "Fassung",
    "verteilt_am": "verteilt am",
    "vertretung_email": "E-Mail der Vertretung",
    "vertretung_name": "Vertretung",
    "von": "von",
    "warteliste": "auf der Warteliste",
    "werte": "Angaben",
    "widerrufen_am": "widerrufen am",
    "zahlen": "Zahlen",
    "zuletzt_benutzt_am": "zuletzt benutzt am",
    "zurueckgenommen_am": "zurückgenommen am",
    "zweck": "Zweck",
    # The parts of a Förderantrag's cost plan (``kostenplan``, JSON).
    "stellen": "Stellen",
    "bezeichnung": "Bezeichnung",
    "entgeltgruppe": "Entgeltgruppe",
    "vzae": "VZÄ",
    "jahresbetrag_vollzeit": "Jahresbetrag (Vollzeit)",
    "sachkosten": "Sachkosten",
    "betrag": "Betrag",
    "eigenmittel": "Eigenmittel",
    "drittmittel": "Drittmittel",
}
# Amounts in euros inside JSON fields (stored as strings of the decimal or as numbers).
GELDBETRAEGE = frozenset({"jahresbetrag_vollzeit", "betrag", "eigenmittel", "drittmittel"})


# Fields holding a list of slugs (JSON), whose type does not name their vocabulary.
LISTENVOKABELN: dict[str, type[Vocab]] = {"beduerfnisse": Beduerfnis}


def _vocab_of(annotation: Any) -> type[Vocab] | None:
    """The vocabulary of a field typed ``Vocab`` or ``Vocab | None``."""
    kinds = typing.get_args(annotation) or (annotation,)
    return next((k for k in kinds if isinstance(k, type) and issubclass(k, Vocab)), None)


def referenz(session: Session, model: type[SQLModel], name: str, value: object) -> str | None:
    """The record a foreign key points to, by its name and key: ``Sozialregion Nord (REG-N)``."""
    column = model.__table__.c[name]  # type: ignore[attr-defined]  # SQLModel tables have __table__
    target = next(iter(column.foreign_keys), None)
    if target is None or value is None:
        return None
    table = target.column.table
    label = next((table.c[c] for c in ("name", "titel", "nachname") if c in table.c), None)
    code = next((table.c[c] for c in ("kennung", "schluessel") if c in table.c), None)
    if label is None and table.name == "protokoll":  # minutes have no title: they are a Sitzung's
        sitzung = model.metadata.tables["sitzung"]
        titel = session.execute(
            sa.select(sitzung.c.titel).join(table, table.c.sitzung_id == sitzung.c.id).where(target.column == value)
        ).scalar()
        return f"Protokoll der Sitzung „{titel}“" if titel is not None else None
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
    vocab = _vocab_of(annotation) or LISTENVOKABELN.get(name)
    if value is None:
        return ""
    if name == "serie" and isinstance(value, str):
        return serie_text(value)
    if vocab is not None and not isinstance(value, list):
        return vocab.label_of(value)
    if isinstance(value, datetime):
        return format_termin(value)
    if isinstance(value, date):
        return "–" if name == "gueltig_ab" and value == GUELTIG_SEIT_JEHER else format_datum_kurz(value)
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if name in GELDBETRAEGE and isinstance(value, str | int | float | Decimal):
        try:
            return format_euro(Decimal(str(value)), 2)
        except InvalidOperation:
            return str(value)
    if name == "vzae" and isinstance(value, str | int | float):
        return wert(name, Decimal(str(value)))
    if isinstance(value, int) and name != "id":
        return format_zahl(value)
    if isinstance(value, Decimal):
        return format_zahl(value, 2)
    if isinstance(value, list):
        items = [wert(name, item, vocab) for item in value]
        return " und ".join([", ".join(items[:-1]), items[-1]]) if len(items) > 1 else "".join(items)
    if isinstance(value, dict):  # the answers of a form, a cost plan: one "Feld: Wert" after another
        return "; ".join(f"{FELDER.get(k, k)}: {wert(k, v)}" for k, v in value.items())
    return str(value)


def zeilen(session: Session, row: SQLModel, ohne: Collection[str] = ()) -> list[tuple[str, str]]:
    """Every field of ``row`` (but those named in ``ohne``) as (German name, German value),
    references resolved."""
    model = type(row)
    shown = []
    for name, field in model.model_fields.items():
        if name in ohne:
            continue
        value = getattr(row, name)
        text = referenz(session, model, name, value) if name.endswith("_id") else None
        shown.append((FELDER.get(name, name), text if text is not None else wert(name, value, field.annotation)))
    return shown
