"""Geometries with values for QGIS (GeoPackage/GeoJSON) and an indicator map as SVG, through the
same view (Sicht) as every other output: what the recipient may not see is written as empty and
marked ``gesperrt``, never as the number."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy.orm import Session

from sozialforum.daten.ergebnis import Monitor
from sozialforum.daten.geheimhaltung import Empfaenger
from sozialforum.daten.index import STATUS_KLASSEN
from sozialforum.daten.katalog import Katalog
from sozialforum.daten.sicht import Sicht
from sozialforum.karten.geometrie import Flaeche, schreibe
from sozialforum.karten.herkunft import grenzen_quelle
from sozialforum.karten.speicher import flaechen_am
from sozialforum.karten.svg import STATUS_FARBEN, Karte, Klasse, choropleth
from sozialforum.settings import DatenSettings
from sozialforum.timeutil import format_datum_kurz


@dataclass(frozen=True)
class Exportergebnis:
    pfad: Path
    flaechen: int
    gesperrt: list[str]


def exportiere(
    session: Session,
    monitor: Monitor,
    katalog: Katalog,
    settings: DatenSettings,
    empfaenger: Empfaenger,
    code: str,
    pfad: Path,
    *,
    ebene: str = "sozialraum",
) -> Exportergebnis:
    if code not in katalog.indikatoren:
        known = ", ".join(sorted(katalog.indikatoren))
        raise ValueError(f"Indikator „{code}“ ist nicht im Katalog (vorhanden: {known})")
    sicht = Sicht(monitor, katalog, settings, empfaenger)
    day = sicht.stand(code)
    flaechen = flaechen_am(session, day, anzeige=False, ebene=ebene)
    if not flaechen:
        raise ValueError(
            f"Keine Gebietsgrenzen der Ebene „{ebene}“ für den {day:%d.%m.%Y} geladen (sozialforum karten laden)"
        )
    werte: dict[str, float | None] = {}
    gesperrt: set[str] = set()
    for flaeche in flaechen:
        bereich = monitor.stand.nach_schluessel(flaeche.schluessel, day)
        zelle = sicht.wert(code, day, bereich.id) if bereich else None
        werte[flaeche.schluessel] = zelle.wert if zelle else None
        if zelle is not None and zelle.geheim:
            gesperrt.add(flaeche.schluessel)
    schreibe(pfad, flaechen, werte, spalte=code, gesperrt=gesperrt)
    names = sorted(f.name for f in flaechen if f.schluessel in gesperrt)
    return Exportergebnis(pfad, len(flaechen), names)


def status_legende() -> list[Klasse]:
    return [Klasse(n, f"Status {label}", STATUS_FARBEN[n]) for n, label in STATUS_KLASSEN.items()]


@dataclass(frozen=True)
class Statusklassen:
    """What a status map shows: each area's class (None: no value) and the areas kept secret."""

    stichtag: date
    flaechen: list[Flaeche]
    klassen: dict[str, int | None]
    gesperrt: set[str]
    grenzen: str  # where the borders come from, printed under the map


def status_klassen(session: Session, sicht: Sicht, ebene: str, dimension: str) -> Statusklassen | None:
    """Status classes of ``dimension`` (or the overall index) for every area of ``ebene`` through
    the recipient's view; None while no borders are loaded or no area has an index."""
    day = sicht.index_stand(ebene)
    flaechen = flaechen_am(session, day, ebene=ebene)
    if not flaechen:
        return None
    nummer = {label: n for n, label in STATUS_KLASSEN.items()}
    klassen: dict[str, int | None] = {}
    gesperrt: set[str] = set()
    for flaeche in flaechen:
        other = sicht.monitor.stand.nach_schluessel(flaeche.schluessel, day)
        text = sicht.index(ebene, dimension, day, other.id)[1] if other else ""
        if text == ".":
            gesperrt.add(flaeche.schluessel)
        klassen[flaeche.schluessel] = nummer.get(text)
    if not gesperrt and all(k is None for k in klassen.values()):
        return None  # no index for this dimension: no map of empty areas
    return Statusklassen(day, flaechen, klassen, gesperrt, grenzen_quelle(session, day, ebene))


def status_karte(
    session: Session,
    sicht: Sicht,
    ebene: str,
    dimension: str,
    titel: str,
    path: Path,
    *,
    hervorgehoben: str | None = None,
) -> tuple[str, Path] | None:
    """Status classes of ``dimension`` (or the overall index) for every area of ``ebene`` as an
    SVG map, through the recipient's view; None while no borders are loaded."""
    daten = status_klassen(session, sicht, ebene, dimension)
    if daten is None:
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    svg = choropleth(
        daten.flaechen, daten.klassen, status_karteninfo(titel, daten, hervorgehoben), gesperrt=daten.gesperrt
    )
    path.write_text(svg, encoding="utf-8")
    return titel, path


def status_karteninfo(titel: str, daten: Statusklassen, hervorgehoben: str | None = None) -> Karte:
    return Karte(
        titel,
        status_legende(),
        format_datum_kurz(daten.stichtag),
        "Sozialstrukturatlas, eigene Berechnung",
        hervorgehoben,
        daten.grenzen,
    )
