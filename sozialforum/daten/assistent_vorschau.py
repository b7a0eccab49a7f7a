"""The assistant's dialogue: propose a reading, apply the planner's corrections, show in German
what the product would store (the first rows with their matched areas), and on confirmation save
the reading and load the file in one transaction (a refused file saves no reading either)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import numpy as np
from sqlalchemy.orm import Session

from sozialforum.daten.assistent import Lesart, aufbau, erkenne, etikett
from sozialforum.daten.assistent_lesen import Gelesen, lies
from sozialforum.daten.fehlwerte import Fehlwert
from sozialforum.daten.gebietsstand import Schluesselabgleich
from sozialforum.daten.genesis import is_genesis
from sozialforum.daten.katalog import Katalog, norm_label
from sozialforum.daten.laden import LadeErgebnis, lade_datei
from sozialforum.daten.quelldatei import read_bytes
from sozialforum.daten.rohtabelle import Raster, lies_raster
from sozialforum.daten.schluessel import Schluesselsysteme, schluessel_hinweise
from sozialforum.daten.zuordnung_gespeichert import finde, speichere
from sozialforum.problems import Problem, ProblemReport
from sozialforum.timeutil import format_datum_kurz, format_zahl

VORSCHAU_ZEILEN = 8


@dataclass
class Korrektur:
    """What the planner changes in the proposal (columns named by their header text)."""

    kopfzeilen: int | None = None
    schluessel: str | None = None
    name: str | None = None
    stichtag_spalte: str | None = None
    spalten: dict[str, str] = field(default_factory=dict)  # header text → Merkmal
    ohne: list[str] = field(default_factory=list)
    prozent: list[str] = field(default_factory=list)
    aliase: dict[str, str] = field(default_factory=dict)
    herausgeber: str | None = None


@dataclass
class Vorschau:
    name: str | None  # of the saved reading it starts from
    lesart: Lesart
    beschreibung: list[str]
    kopf: list[str]
    zeilen: list[list[str]]
    probleme: list[str]


def _korrigiere(lesart: Lesart, korrektur: Korrektur, raster: Raster, katalog: Katalog) -> Lesart:
    problems: list[Problem] = []
    if korrektur.kopfzeilen is not None:
        lesart.kopfzeilen = korrektur.kopfzeilen
    labels = aufbau(raster, lesart.kopfzeilen).etiketten

    def known(text: str, option: str) -> str:
        key = etikett(text)
        if key not in labels and norm_label(text) not in labels:
            problems.append(Problem(raster.datei, None, text, f"keine Spalte der Kopfzeile (Korrektur: {option})."))
        return key if key in labels else norm_label(text)

    if korrektur.schluessel:
        lesart.schluessel = known(korrektur.schluessel, "Schlüsselspalte")
    if korrektur.name is not None:
        lesart.name = known(korrektur.name, "Namensspalte") if korrektur.name else None
    if korrektur.stichtag_spalte:
        lesart.stichtag, lesart.stichtag_spalte = "spalte", known(korrektur.stichtag_spalte, "Stichtagsspalte")
    for text, merkmal in korrektur.spalten.items():
        name = merkmal.split("[")[0]
        if name not in katalog.merkmale:
            problems.append(Problem(raster.datei, None, text, f"unbekanntes Merkmal „{merkmal}“."))
        key = etikett(text) if lesart.layout == "lang" else known(text, "Merkmal je Spalte")
        lesart.spalten[key] = merkmal
    for text in korrektur.ohne:
        lesart.spalten.pop(etikett(text), None)
    lesart.prozent = sorted({*lesart.prozent, *(known(t, "Prozent") for t in korrektur.prozent)})
    lesart.aliase.update(korrektur.aliase)
    if korrektur.herausgeber:
        lesart.herausgeber = korrektur.herausgeber
    if problems:
        raise ProblemReport(problems)
    return lesart


def vorschlag(
    session: Session, path: Path, katalog: Katalog, korrektur: Korrektur | None = None
) -> tuple[Raster, Lesart, str | None]:
    """The reading to show: the saved one whose header fits (with its name), else a new proposal;
    then the planner's corrections."""
    raw = read_bytes(path)
    if is_genesis(raw):
        raise ProblemReport(
            [
                Problem(
                    path.name, 1, None, "Das ist eine GENESIS-Tabelle: sie wird ohne Assistent geladen (daten laden)."
                )
            ]
        )
    raster = lies_raster(path, raw)
    saved = finde(session, raster)
    lesart = Lesart.aus_dict(saved.lesart) if saved else erkenne(raster, katalog)
    return raster, _korrigiere(lesart, korrektur or Korrektur(), raster, katalog), saved.name if saved else None


def _zahl(value: float, code: int) -> str:
    if code != Fehlwert.VORHANDEN:
        return Fehlwert(code).symbol or "–"
    return format_zahl(value, 0 if float(value).is_integer() else 2)


def vorschau(
    session: Session,
    path: Path,
    katalog: Katalog,
    korrektur: Korrektur | None = None,
    *,
    stichtag: date | None = None,
) -> Vorschau:
    raster, lesart, name = vorschlag(session, path, katalog, korrektur)
    bau = aufbau(raster, lesart.kopfzeilen)
    written = dict(zip(bau.etiketten, bau.beschriftungen, strict=True))

    def shown(column: str | None) -> str:
        return f"„{written.get(column or '', column)}“"

    lines = [f"Gespeicherte Zuordnung „{name}“ passt zur Kopfzeile."] if name else []
    lines += [f"Titel: {' / '.join(bau.titel)}"] if bau.titel else []
    if bau.kopf_zeilen:
        stufen = " (zweistufig)" if len(bau.kopf_zeilen) > 1 else ""
        first, last = bau.kopf_zeilen[0], bau.kopf_zeilen[-1]
        lines.append(f"Kopfzeilen: Zeile {first}–{last}{stufen}" if last != first else f"Kopfzeile: Zeile {first}")
    else:
        lines.append("Keine Kopfzeile: Spalten heißen „Spalte 1“, „Spalte 2“ …")
    named = f", Namen aus {shown(lesart.name)}" if lesart.name else ""
    lines.append(f"Schlüssel: Spalte {shown(lesart.schluessel)}{named}")
    layout = "breit (eine Zeile je Gebiet)" if lesart.layout == "breit" else "lang (eine Zeile je Gebiet und Merkmal)"
    lines.append(f"Aufbau: {layout}")
    for column, merkmal in lesart.spalten.items():
        unit = " (Prozentangaben)" if column in lesart.prozent else ""
        lines.append(f"{shown(column)} → {merkmal} ({katalog.merkmale[merkmal.split('[')[0]].name}){unit}")
    if lesart.layout == "breit":
        own = (lesart.schluessel, lesart.name, lesart.stichtag_spalte)
        skipped = [c for c in bau.etiketten if c not in lesart.spalten and c not in own]
        if skipped:
            lines.append(f"Nicht übernommen: {', '.join(shown(c) for c in skipped)}")
    if bau.ausgelassen:
        lines.append(f"Zeilen ohne Werte übersprungen: {', '.join(map(str, bau.ausgelassen))}")
    try:
        gelesen = lies(raster, lesart, katalog, name=name or "Vorschau", pruefsumme="", stichtag=stichtag)
    except ProblemReport as report:
        return Vorschau(name, lesart, lines, [], [], [str(p) for p in report.problems])
    lines.append(f"Stichtag: {_stichtage(gelesen)} {gelesen.stichtag_herkunft}")
    kopf, zeilen, probleme = _zeilen(session, gelesen, lesart, lines)
    return Vorschau(name, lesart, lines, kopf, zeilen, probleme + [str(p) for p in gelesen.daten.problems])


def _stichtage(gelesen: Gelesen) -> str:
    data = gelesen.daten
    days = sorted({d for d in data.stichtage if d} | {s.stichtag for s in data.spalten if s.stichtag})
    return ", ".join(format_datum_kurz(d) for d in days) or "–"


def _zeilen(
    session: Session, gelesen: Gelesen, lesart: Lesart, lines: list[str]
) -> tuple[list[str], list[list[str]], list[str]]:
    data = gelesen.daten
    systeme = Schluesselsysteme(Schluesselabgleich.aus(session), aliase=lesart.aliase)
    in_header = next((c.stichtag for c in data.spalten if c.stichtag), None)
    days = [d or in_header for d in data.stichtage]
    known = [i for i, d in enumerate(days) if d is not None]
    match = systeme.zuordnen([data.schluessel[i] for i in known], [d for d in days if d is not None])
    ids = np.full(len(days), -1)
    ids[known] = match.ids
    stand = systeme.abgleich.stand
    matched = int((ids >= 0).sum())
    lines.append(f"Gebiete: {matched} von {len(days)} Zeilen zugeordnet.")
    lines += schluessel_hinweise(match, [data.schluessel[i] for i in known])
    problems = [f"Zeile {data.zeilen[known[p]]}: {reason}" for p, reason in sorted(match.melden.items())]
    merkmale = gelesen.quelle.spalten
    kopf = ["Zeile", "In der Datei", "Gebiet", "Stichtag", *(f"{s.label} → {merkmale[s.label]}" for s in data.spalten)]
    rows = []
    for i in range(min(VORSCHAU_ZEILEN, len(days))):
        area, day = stand.bereiche.get(int(ids[i])), days[i]
        rows.append(
            [
                str(data.zeilen[i]),
                data.schluessel[i],
                f"{area.schluessel} {area.name}" if area else "nicht zugeordnet",
                format_datum_kurz(day) if day else "–",
                *(_zahl(float(data.werte[i, c]), int(data.codes[i, c])) for c in range(len(data.spalten))),
            ]
        )
    return kopf, rows, problems


def bestaetige(
    session: Session,
    path: Path,
    katalog: Katalog,
    name: str,
    korrektur: Korrektur | None = None,
    *,
    now: datetime,
    akteur: str,
    stichtag: date | None = None,
    unbekannte_ignorieren: bool = False,
) -> LadeErgebnis:
    """Save the reading under ``name`` and load the file with it (the caller's transaction)."""
    raster, lesart, _ = vorschlag(session, path, katalog, korrektur)
    speichere(session, name, raster, lesart, now=now, akteur=akteur)
    result = lade_datei(
        session,
        path,
        katalog,
        now=now,
        akteur=akteur,
        stichtag=stichtag,
        unbekannte_ignorieren=unbekannte_ignorieren,
        zuordnung=" ".join(name.split()),
    )
    return result
