"""Saved readings of the table assistant, found again by the fingerprint of a file's header.

A publisher's next delivery has a new file name and a new Stichtag in its title, but the same
columns: the fingerprint is taken from the header as the assistant finds it, with dates
removed (``Einwohner 31.12.2023`` and ``Einwohner 31.12.2024`` are one column). A table without
a header is recognised by its width and the keys in its first column (the areas stay). Saving
is audited (``Tabellenzuordnung`` is a fully audited table); a saved name is confirmed again
by saving under the same name.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlmodel import col

from sozialforum.daten.assistent import ZUORDNUNG, Aufbau, Lesart, aufbau, etikett
from sozialforum.daten.assistent_lesen import lies
from sozialforum.daten.katalog import Katalog, QuelleDef
from sozialforum.daten.quelldatei import Rohdaten
from sozialforum.daten.rohtabelle import Raster, lies_raster
from sozialforum.problems import Problem, ProblemReport
from sozialforum.store.models import Tabellenzuordnung


def fingerabdruck(raster: Raster) -> str:
    bau: Aufbau = aufbau(raster)
    if bau.kopf_zeilen:
        text = "kopf\n" + "\n".join(bau.etiketten)
    else:
        keys = sorted({etikett(str(cells[0])) for _, cells in bau.daten if cells and cells[0] is not None})
        text = f"ohne-kopf\n{len(bau.etiketten)}\n" + "\n".join(keys)
    return hashlib.sha256(text.encode()).hexdigest()


def speichere(
    session: Session, name: str, raster: Raster, lesart: Lesart, *, now: datetime, akteur: str
) -> Tabellenzuordnung:
    clean = " ".join(name.split())
    if not clean or len(clean) > 120:
        raise ProblemReport([Problem(raster.datei, None, "name", "Bitte einen Namen (bis 120 Zeichen) angeben.")])
    saved = session.scalar(sa.select(Tabellenzuordnung).where(col(Tabellenzuordnung.name) == clean))
    if saved is None:
        saved = Tabellenzuordnung(name=clean, fingerabdruck="", bestaetigt_am=now)
    saved.fingerabdruck = fingerabdruck(raster)
    saved.herausgeber = lesart.herausgeber
    saved.lesart = lesart.als_dict()
    saved.bestaetigt_am = now
    saved.akteur = akteur
    session.add(saved)
    session.flush()
    return saved


def finde(session: Session, raster: Raster, name: str | None = None) -> Tabellenzuordnung | None:
    """The saved reading for this file: the named one (refused when the header no longer fits),
    else the newest with the same fingerprint, else None."""
    digest = fingerabdruck(raster)
    if name:
        saved = session.scalar(sa.select(Tabellenzuordnung).where(col(Tabellenzuordnung.name) == name.strip()))
        if saved is None:
            raise ProblemReport([Problem(raster.datei, None, None, f"Keine gespeicherte Zuordnung „{name}“.")])
        if saved.fingerabdruck != digest:
            raise ProblemReport(
                [
                    Problem(
                        raster.datei,
                        None,
                        None,
                        f"Die Kopfzeile passt nicht mehr zur Zuordnung „{name}“ (Spalten geändert?): "
                        "bitte mit „sozialforum daten assistent“ neu bestätigen.",
                    )
                ]
            )
        return saved
    return session.scalar(
        sa.select(Tabellenzuordnung)
        .where(col(Tabellenzuordnung.fingerabdruck) == digest)
        .order_by(col(Tabellenzuordnung.bestaetigt_am).desc(), col(Tabellenzuordnung.id).desc())
        .limit(1)
    )


def lies_gespeichert(
    session: Session,
    path: Path,
    raw: bytes,
    katalog: Katalog,
    *,
    pruefsumme: str,
    stichtag: date | None = None,
    name: str | None = None,
) -> tuple[Rohdaten, QuelleDef] | None:
    """Read a table by its saved reading (the named one, or the one its header fits); None when
    there is none (the catalogue's own table sources are tried next)."""
    if path.suffix.lower() not in (".csv", ".xlsx", ".xlsm", ".geojson", ".json"):
        return None
    try:
        raster = lies_raster(path, raw)
        saved = finde(session, raster, name)
    except ProblemReport:
        if name:
            raise
        return None  # not a table the assistant can see: the catalogue's reader reports it
    if saved is None:
        if name:
            raise ProblemReport([Problem(path.name, None, None, f"Keine gespeicherte Zuordnung „{name}“.")])
        return None
    lesart = Lesart.aus_dict(saved.lesart)
    gelesen = lies(raster, lesart, katalog, name=saved.name, pruefsumme=pruefsumme, stichtag=stichtag)
    return gelesen.daten, gelesen.quelle


def lies_aliase(session: Session, name: str) -> dict[str, str]:
    """The keys a saved reading maps by hand (``Westl. Höhe`` → ``ST12``)."""
    lesart = session.scalar(sa.select(col(Tabellenzuordnung.lesart)).where(col(Tabellenzuordnung.name) == name))
    aliase = (lesart or {}).get("aliase") or {}
    return {str(k): str(v) for k, v in aliase.items()} if isinstance(aliase, dict) else {}


__all__ = ["ZUORDNUNG", "finde", "fingerabdruck", "lies_aliase", "lies_gespeichert", "speichere"]
