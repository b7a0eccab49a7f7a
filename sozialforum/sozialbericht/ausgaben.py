"""Editions of the Sozialbericht (one per Stichtag) and their Handlungsempfehlungen.

The Geschäftsstelle writes, edits and orders the recommendations of a draft edition in the
workspace; releasing it writes the public DOCX and PDF once into ``reports/sozialbericht/<Stichtag>``,
records their checksums and freezes the edition: afterwards nothing of it can be changed (every
change is refused with a German message), and its files are never written again. Changes are
audited by the store (the tables are ``Audit.VOLL``)."""

from __future__ import annotations

import hashlib
import shutil
from datetime import date, datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from sqlmodel import col

from sozialforum.daten.geheimhaltung import Empfaenger
from sozialforum.daten.katalog import Katalog
from sozialforum.daten.projektion import Annahmen
from sozialforum.ressourcen import konfigurationsdatei
from sozialforum.settings import Settings
from sozialforum.sozialbericht.inhalt import Empfehlung
from sozialforum.store.db import session_scope
from sozialforum.store.models import Berechnung, Berichtsausgabe, Gebiet, Handlungsempfehlung
from sozialforum.timeutil import format_datum_kurz

ENTWURF, FREIGEGEBEN = "entwurf", "freigegeben"
RATEN = Path("config/projektion.toml")


class Eingefroren(ValueError):
    """The edition is released: it cannot be changed any more."""


def stichtage(session: Session) -> list[date]:
    """The Stichtage of the latest computation (a report can show only those)."""
    row = session.scalars(sa.select(Berechnung).order_by(col(Berechnung.id).desc()).limit(1)).first()
    return [date.fromisoformat(d) for d in row.stichtage] if row else []


def ausgabe_zum(session: Session, stichtag: date | None) -> Berichtsausgabe | None:
    if stichtag is None:
        days = stichtage(session)
        if not days:
            return None
        stichtag = days[-1]
    return session.scalars(sa.select(Berichtsausgabe).where(col(Berichtsausgabe.stichtag) == stichtag)).first()


def status_text(ausgabe: Berichtsausgabe | None) -> str:
    if ausgabe is None or ausgabe.status != FREIGEGEBEN or ausgabe.freigegeben_am is None:
        return "Entwurf"
    return f"Freigegeben am {format_datum_kurz(ausgabe.freigegeben_am)}"


def lege_an(session: Session, stichtag: date, titel: str, *, now: datetime) -> Berichtsausgabe:
    titel = titel.strip()[:200] or f"Sozialbericht {stichtag.year}"
    days = stichtage(session)
    if stichtag not in days:
        known = ", ".join(format_datum_kurz(d) for d in days) or "keine – erst Daten laden und berechnen"
        raise ValueError(f"Stichtag {format_datum_kurz(stichtag)}: keine Werte berechnet (vorhanden: {known}).")
    if ausgabe_zum(session, stichtag) is not None:
        raise ValueError(f"Stichtag: für den {format_datum_kurz(stichtag)} gibt es schon eine Ausgabe.")
    ausgabe = Berichtsausgabe(titel=titel, stichtag=stichtag, angelegt_am=now)
    session.add(ausgabe)
    session.flush()
    return ausgabe


def _offen(ausgabe: Berichtsausgabe) -> None:
    if ausgabe.status == FREIGEGEBEN:
        raise Eingefroren(
            f"{ausgabe.titel} ist freigegeben ({status_text(ausgabe)}) und kann nicht mehr geändert werden."
        )


def liste(session: Session, ausgabe: Berichtsausgabe) -> list[Handlungsempfehlung]:
    return list(
        session.scalars(
            sa.select(Handlungsempfehlung)
            .where(col(Handlungsempfehlung.ausgabe_id) == ausgabe.id)
            .order_by(col(Handlungsempfehlung.position), col(Handlungsempfehlung.id))
        )
    )


def speichere(
    session: Session,
    ausgabe: Berichtsausgabe,
    katalog: Katalog,
    *,
    empfehlung_id: int | None,
    titel: str,
    text: str,
    dimension: str | None,
    gebiet_id: int | None,
) -> Handlungsempfehlung:
    """Add a recommendation at the end, or change one; German messages name the field."""
    _offen(ausgabe)
    # Browsers send a textarea's line breaks as CR LF; paragraphs are split at blank lines.
    titel, text = titel.strip(), text.replace("\r\n", "\n").strip()
    if not titel:
        raise ValueError("Titel: bitte angeben.")
    if len(titel) > 300:
        raise ValueError("Titel: höchstens 300 Zeichen.")
    if not text:
        raise ValueError("Text: bitte die Empfehlung beschreiben.")
    if dimension and dimension not in katalog.dimensionen:
        raise ValueError("Dimension: bitte aus der Liste wählen.")
    if gebiet_id is not None:
        gebiet = session.get(Gebiet, gebiet_id)
        if gebiet is None or gebiet.ebene != "sozialraum":
            raise ValueError("Sozialraum: bitte aus der Liste wählen.")
    if empfehlung_id is None:
        last = session.scalar(
            sa.select(sa.func.max(Handlungsempfehlung.position)).where(
                col(Handlungsempfehlung.ausgabe_id) == ausgabe.id
            )
        )
        assert ausgabe.id is not None
        item = Handlungsempfehlung(ausgabe_id=ausgabe.id, position=(last or 0) + 1, titel=titel, text=text)
    else:
        found = session.get(Handlungsempfehlung, empfehlung_id)
        if found is None or found.ausgabe_id != ausgabe.id:
            raise LookupError("Diese Handlungsempfehlung gibt es nicht.")
        item = found
    item.titel, item.text, item.dimension, item.gebiet_id = titel, text, dimension or None, gebiet_id
    session.add(item)
    session.flush()
    return item


def verschiebe(session: Session, ausgabe: Berichtsausgabe, empfehlung_id: int, *, nach_oben: bool) -> bool:
    """Swap a recommendation with its neighbour; False when it is already first (or last)."""
    _offen(ausgabe)
    items = liste(session, ausgabe)
    index = next((i for i, e in enumerate(items) if e.id == empfehlung_id), None)
    if index is None:
        raise LookupError("Diese Handlungsempfehlung gibt es nicht.")
    other = index - 1 if nach_oben else index + 1
    if not 0 <= other < len(items):
        return False
    items[index], items[other] = items[other], items[index]
    for position, item in enumerate(items, start=1):
        if item.position != position:
            item.position = position
            session.add(item)
    return True


def entferne(session: Session, ausgabe: Berichtsausgabe, empfehlung_id: int) -> None:
    _offen(ausgabe)
    item = session.get(Handlungsempfehlung, empfehlung_id)
    if item is None or item.ausgabe_id != ausgabe.id:
        raise LookupError("Diese Handlungsempfehlung gibt es nicht.")
    session.delete(item)
    session.flush()
    for position, rest in enumerate(liste(session, ausgabe), start=1):
        if rest.position != position:
            rest.position = position
            session.add(rest)


def bezug(session: Session, item: Handlungsempfehlung, katalog: Katalog | None) -> str:
    parts = []
    if item.dimension:
        name = katalog.dimensionen.get(item.dimension, item.dimension) if katalog else item.dimension
        parts.append(f"Dimension {name}")
    if item.gebiet_id is not None and (gebiet := session.get(Gebiet, item.gebiet_id)) is not None:
        parts.append(gebiet.name)
    return " · ".join(parts)


def empfehlungen(session: Session, ausgabe: Berichtsausgabe | None, katalog: Katalog | None) -> list[Empfehlung]:
    if ausgabe is None:
        return []
    return [
        Empfehlung(n, item.titel, item.text, bezug(session, item, katalog))
        for n, item in enumerate(liste(session, ausgabe), start=1)
    ]


def empfehlungen_zum(
    session: Session, stichtag: date | None, katalog: Katalog | None = None
) -> tuple[str | None, str, list[Empfehlung]]:
    """(title, status, recommendations) of the edition of a Stichtag, for a draft print."""
    ausgabe = ausgabe_zum(session, stichtag)
    return (ausgabe.titel if ausgabe else None), "Entwurf", empfehlungen(session, ausgabe, katalog)


def raten(settings: Settings) -> Annahmen | None:
    """The projection's rates from ``config/projektion.toml`` (None when there is none)."""
    path = konfigurationsdatei(RATEN)
    return Annahmen.aus_toml(path) if path.exists() else None


def ordner(settings: Settings, ausgabe: Berichtsausgabe) -> Path:
    return settings.reports_dir / "sozialbericht" / f"{ausgabe.stichtag:%Y-%m-%d}"


def _pruefsumme(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def freigeben(
    session: Session, ausgabe: Berichtsausgabe, settings: Settings, katalog: Katalog, *, akteur: str, now: datetime
) -> list[Path]:
    """Write the public edition once, record the files' checksums and freeze the edition."""
    _offen(ausgabe)
    target = ordner(settings, ausgabe)
    if target.exists() and any(target.iterdir()):
        raise Eingefroren(f"Im Ordner {target} liegen schon Dateien; sie werden nicht überschrieben.")
    ausgabe.status, ausgabe.freigegeben_am, ausgabe.freigegeben_von = FREIGEGEBEN, now, akteur
    try:
        return _schreibe_freigabe(session, ausgabe, settings, katalog, target)
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)  # the transaction rolls back: no half edition stays
        raise


def _schreibe_freigabe(
    session: Session, ausgabe: Berichtsausgabe, settings: Settings, katalog: Katalog, target: Path
) -> list[Path]:
    from sozialforum.sozialbericht.schreiben import schreibe_sozialbericht

    out = schreibe_sozialbericht(
        session,
        katalog,
        settings.daten,
        Empfaenger.oeffentlich(),
        target,
        kommune=settings.kommune,
        stichtag=ausgabe.stichtag,
        titel=ausgabe.titel,
        status=status_text(ausgabe),
        empfehlungen=empfehlungen(session, ausgabe, katalog),
        annahmen=raten(settings),
    )
    files = [out.docx, out.pdf, *sorted((target / "bilder").iterdir())]
    ausgabe.dateien = {str(p.relative_to(target)): _pruefsumme(p) for p in files}
    session.add(ausgabe)
    return [out.docx, out.pdf]


def geaenderte_dateien(settings: Settings, ausgabe: Berichtsausgabe) -> list[str]:
    """Files of a released edition that are missing or changed since the release."""
    target = ordner(settings, ausgabe)
    return [
        name
        for name, digest in ausgabe.dateien.items()
        if not (target / name).exists() or _pruefsumme(target / name) != digest
    ]


def freigabe_lauf(engine: Engine, settings: Settings, ausgabe_id: int, akteur: str, now: datetime) -> list[str]:
    """The release as a run started from the workspace: German result lines."""
    from sozialforum.daten.katalog import load_for

    with session_scope(engine, actor=f"benutzer:{akteur}") as session:
        ausgabe = session.get(Berichtsausgabe, ausgabe_id)
        if ausgabe is None:
            raise LookupError("Diese Ausgabe des Sozialberichts gibt es nicht.")
        paths = freigeben(session, ausgabe, settings, load_for(settings), akteur=akteur, now=now)
        titel = ausgabe.titel
    return [f"{titel} ist freigegeben.", *(f"Datei: {p}" for p in paths)]
