"""The data refresh as use cases: load files (each in its own transaction), compute, write the
outputs. The flow ``datenaktualisierung``, the ``sozialforum daten`` commands and the benchmark
call these; none of them holds domain logic of its own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from fnmatch import fnmatch
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from sozialforum.daten.budget import Budget, berechne_budget, speichere_budget
from sozialforum.daten.ergebnis import BerechnungsErgebnis, Monitor, berechne, lade_monitor
from sozialforum.daten.geheimhaltung import Empfaenger
from sozialforum.daten.katalog import Katalog
from sozialforum.daten.laden import LadeErgebnis, lade_datei
from sozialforum.daten.lieferung import Rueckzug, ersetzt, finde_lieferung
from sozialforum.daten.lieferung import zurueckziehen as lieferung_zurueckziehen
from sozialforum.settings import Settings
from sozialforum.store.db import session_scope

ENDUNGEN = (".csv", ".xlsx", ".xlsm")


def quelldateien(ordner: Path, muster: Iterable[str] = ()) -> list[Path]:
    """Source files of a folder, in name order (Excel's lock files ``~$…`` skipped). A GeoJSON
    counts only when a source's file pattern names it (``daten.dateien``): a folder may hold the
    map's boundaries too, which are no statistics."""
    patterns = [m.lower() for m in muster]
    return sorted(
        p
        for p in ordner.iterdir()
        if not p.name.startswith(("~$", "."))
        and (
            p.suffix.lower() in ENDUNGEN
            or (p.suffix.lower() == ".geojson" and any(fnmatch(p.name.lower(), m) for m in patterns))
        )
    )


def lade(
    engine: Engine,
    path: Path,
    katalog: Katalog,
    *,
    now: datetime,
    akteur: str,
    stichtag: date | None = None,
    unbekannte_ignorieren: bool = False,
    probelauf: bool = False,
    zuordnung: str | None = None,
) -> LadeErgebnis:
    """One file, one transaction: a ProblemReport leaves the store as it was."""
    with session_scope(engine, actor=f"{akteur} ({path.name})") as session:
        result = lade_datei(
            session,
            path,
            katalog,
            now=now,
            akteur=akteur,
            stichtag=stichtag,
            unbekannte_ignorieren=unbekannte_ignorieren,
            zuordnung=zuordnung,
        )
        if probelauf:
            session.rollback()
        return result


def zurueckziehen(
    engine: Engine,
    katalog: Katalog,
    settings: Settings,
    angabe: str,
    *,
    grund: str,
    now: datetime,
    akteur: str,
    ersatz: Path | None = None,
    stichtag: date | None = None,
    unbekannte_ignorieren: bool = False,
) -> tuple[Rueckzug, LadeErgebnis | None, BerechnungsErgebnis]:
    """Withdraw a delivery (``angabe``: its number or file name), load its replacement if
    given (a replacement that names no Stichtag keeps the withdrawn one's), and recompute: one
    transaction, so a refused replacement withdraws nothing."""
    with session_scope(engine, actor=akteur) as session:
        lieferung = finde_lieferung(session, angabe)
        rueckzug = lieferung_zurueckziehen(session, lieferung, grund=grund, akteur=akteur, now=now)
        geladen = None
        if ersatz is not None:
            if stichtag is None and len(lieferung.stichtage) == 1:  # the file names none: as before
                stichtag = date.fromisoformat(lieferung.stichtage[0])
            geladen = lade_datei(
                session,
                ersatz,
                katalog,
                now=now,
                akteur=akteur,
                stichtag=stichtag,
                unbekannte_ignorieren=unbekannte_ignorieren,
            )
            ersetzt(session, lieferung, geladen)
        return rueckzug, geladen, berechne(session, katalog, settings.daten, now=now, akteur=akteur)


def rechne(engine: Engine, katalog: Katalog, settings: Settings, *, now: datetime, akteur: str) -> BerechnungsErgebnis:
    with session_scope(engine, actor=akteur) as session:
        return berechne(session, katalog, settings.daten, now=now, akteur=akteur)


@dataclass
class Ausgaben:
    profile: list[Path]
    atlas: Path
    budget: Budget | None = None

    @property
    def dateien(self) -> list[Path]:
        files = [self.atlas]
        for html in self.profile:
            files += [html, html.with_suffix(".pdf")]
        return files


def ausgabe_ordner(settings: Settings, empfaenger: Empfaenger) -> Path:
    name = (
        "intern"
        if empfaenger.intern
        else "oeffentlich"
        if not empfaenger.gemeinden
        else "freigabe_" + "_".join(str(i) for i in sorted(empfaenger.gemeinden))
    )
    return settings.reports_dir / "daten" / name


def _monitor(session: Session) -> Monitor:
    monitor = lade_monitor(session)
    if monitor is None or not monitor.stichtage:
        raise LookupError("Es gibt noch keine Berechnung: erst Daten laden und berechnen.")
    return monitor


def budget(
    engine: Engine,
    katalog: Katalog,
    kennung: str,
    *,
    gesamt: int,
    haushaltsjahr: int,
    now: datetime,
    stichtag: date | None = None,
) -> tuple[Budget, bool]:
    """Compute and store a Sozialraumbudget from the latest computation."""
    with session_scope(engine, actor="daten:budget") as session:
        monitor = _monitor(session)
        result = berechne_budget(
            session, monitor, katalog, kennung, gesamt=gesamt, haushaltsjahr=haushaltsjahr, stichtag=stichtag
        )
        changed = speichere_budget(session, result, berechnung_id=monitor.berechnung.id or 0, now=now)
        return result, changed


def ausgaben(
    engine: Engine,
    katalog: Katalog,
    settings: Settings,
    empfaenger: Empfaenger,
    *,
    now: datetime,
    sozialraeume: list[str] | None = None,
    ordner: Path | None = None,
    budgets: list[Budget] | None = None,
) -> Ausgaben:
    """Profiles (HTML+PDF) of the Sozialräume and the atlas, for one recipient."""
    from sozialforum.daten.atlas import schreibe_atlas  # matplotlib and WeasyPrint only when needed
    from sozialforum.daten.profil import bereite_profil
    from sozialforum.daten.profil_druck import drucke_alle

    target = ordner or ausgabe_ordner(settings, empfaenger)
    target.mkdir(parents=True, exist_ok=True)
    with session_scope(engine, actor="daten:ausgaben") as session:
        monitor = _monitor(session)
        day = monitor.letzter_stichtag
        keys = sozialraeume or sorted(b.schluessel for b in monitor.stand.am(day) if b.ebene == "sozialraum")
        prepared = [
            bereite_profil(
                session, monitor, katalog, settings.daten, key, empfaenger, target, kommune=settings.kommune, now=now
            )
            for key in keys
        ]
        drucke_alle([auftrag for _, auftrag in prepared])
        profiles = [ausgabe.html for ausgabe, _ in prepared]
        atlas = schreibe_atlas(
            session,
            monitor,
            katalog,
            settings.daten,
            empfaenger,
            target / f"sozialstrukturatlas_{day:%Y-%m-%d}.xlsx",
            kommune=settings.kommune,
            now=now,
            budgets=budgets,  # None: the stored budgets, so every edition has the sheet
        )
        return Ausgaben(profiles, atlas)


def vorhandene_ausgaben(settings: Settings, empfaenger: Empfaenger | None = None) -> list[str]:
    """The published files of the last run, if complete (a rerun without new data keeps them)."""
    folder = ausgabe_ordner(settings, empfaenger or Empfaenger.oeffentlich())
    if not folder.is_dir():
        return []
    atlas = sorted(folder.glob("sozialstrukturatlas_*.xlsx"))
    profiles = sorted(folder.glob("sozialraumprofil_*.html"))
    if not atlas or not profiles or not all(p.with_suffix(".pdf").exists() for p in profiles):
        return []
    return [str(atlas[-1]), *(str(f) for p in profiles for f in (p, p.with_suffix(".pdf")))]
