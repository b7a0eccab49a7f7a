"""The Sozialbericht's content model: one structure, written to Word (``docx``) and to PDF (``pdf``).

Every figure comes through the recipient's view (``daten.sicht.Sicht``, public by default): a
cell the recipient may not see is "." here, is left out of every sentence, range and chart,
and its area is hatched on the maps. Headings are given by ``Bericht.gliederung`` so that both
documents have the same outline.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from sozialforum.daten.ergebnis import Monitor
from sozialforum.daten.gebietsstand import Bereich
from sozialforum.daten.katalog import IndikatorDef, Katalog
from sozialforum.daten.sicht import Sicht
from sozialforum.timeutil import format_anzahl, format_datum_kurz, format_zahl


@dataclass(frozen=True)
class Bild:
    titel: str
    alt: str  # alternative text: what the picture says, for screen readers
    png: Path  # for Word
    svg: Path | None = None  # vector for the PDF where there is one (maps)


@dataclass(frozen=True)
class Tabelle:
    titel: str
    kopf: list[str]
    zeilen: list[list[str]]  # the first column is text, the others numbers (right-aligned)


@dataclass(frozen=True)
class Kapitel:
    titel: str
    absaetze: list[str]
    bilder: list[Bild] = field(default_factory=list)
    tabellen: list[Tabelle] = field(default_factory=list)


@dataclass(frozen=True)
class Portraet:
    name: str
    schluessel: str
    absatz: str
    kennzahlen: Tabelle
    karte: Bild | None = None
    trend: Bild | None = None


@dataclass(frozen=True)
class Empfehlung:
    nummer: int
    titel: str
    text: str
    bezug: str  # "Dimension Arbeit · Sozialraum Zwei"


@dataclass
class Bericht:
    titel: str
    kommune: str
    stichtag: date
    datenstand: date | None
    fassung: str
    status: str  # "Entwurf" or "Freigegeben am 05.12.2026"
    zusammenfassung: list[str]
    kapitel: list[Kapitel]
    portraets: list[Portraet]
    projektion: list[Tabelle]
    annahmen: list[str]
    projektion_hinweis: str  # what the projection is based on, or why there is none
    empfehlungen: list[Empfehlung]
    quellen: list[str]
    zeichen: list[tuple[str, str]]

    def gliederung(self) -> list[tuple[int, str]]:
        """The headings of both documents in order: (level, text)."""
        out = [(1, "Zusammenfassung")]
        for kapitel in self.kapitel:
            out.append((1, kapitel.titel))
        out.append((1, "Sozialraumporträts"))
        out += [(2, p.name) for p in self.portraets]
        out.append((1, "Bevölkerungsvorausberechnung"))
        out.append((2, "Annahmen"))
        out += [(2, t.titel) for t in self.projektion]
        out.append((1, "Handlungsempfehlungen"))
        out += [(2, f"{e.nummer}. {e.titel}") for e in self.empfehlungen]
        out.append((1, "Quellen und Zeichenerklärung"))
        return out


def bis_stichtag(monitor: Monitor, stichtag: date | None) -> Monitor:
    """The computation as it stood on ``stichtag`` (its Stichtage up to that day)."""
    if stichtag is None:
        return monitor
    if stichtag not in monitor.stichtage:
        known = ", ".join(format_datum_kurz(d) for d in monitor.stichtage)
        raise LookupError(f"Stichtag {format_datum_kurz(stichtag)}: keine Werte berechnet (vorhanden: {known}).")
    return replace(monitor, stichtage=[d for d in monitor.stichtage if d <= stichtag])


def mit_einheit(text: str, ind: IndikatorDef) -> str:
    if not text or text in {".", "–", "-"} or not any(c.isdigit() for c in text):
        return text
    return f"{text}\u00a0{ind.einheit}" if ind.einheit else text


def sichtbar(sicht: Sicht, ind: IndikatorDef, areas: list[Bereich]) -> bool:
    """False when the recipient may see none of the indicator's values (an internal source, the
    monitor-only mode): it is left out rather than shown as a column of "."."""
    return any(not sicht.gesperrt(ind.code, b.id) for b in areas)


def sozialraeume(monitor: Monitor) -> list[Bereich]:
    day = monitor.letzter_stichtag
    return sorted((b for b in monitor.stand.am(day) if b.ebene == "sozialraum"), key=lambda b: b.schluessel)


def indikator_saetze(sicht: Sicht, ind: IndikatorDef, kreis: Bereich, areas: list[Bereich], im_gebiet: str) -> str:
    """One paragraph about an indicator with its figures: the Kreis or city value, its change,
    the benchmark, and the range over the Sozialräume (only cells the recipient may see)."""
    day = sicht.stand(ind.code)
    value = sicht.wert(ind.code, day, kreis.id)
    if value.wert is None:
        return f"{ind.name}: zum {format_datum_kurz(day)} {im_gebiet} ohne veröffentlichungsfähigen Wert."
    text = f"{ind.name}: {im_gebiet} {mit_einheit(value.text, ind)} zum {format_datum_kurz(day)}"
    change = sicht.wert(ind.code, day, kreis.id, "veraenderung")
    index = sicht.monitor.stichtage.index(day)
    if change.wert is not None and index > 0:
        text += f" ({change.text} gegenüber {sicht.monitor.stichtage[index - 1].year})"
    bench = sicht.vergleich(ind, day)
    if bench is not None and bench.wert is not None:
        text += f"; {bench.name}: {mit_einheit(format_zahl(bench.wert, ind.nachkommastellen), ind)}"
    text += "."
    cells = [(sicht.wert(ind.code, day, b.id), b) for b in areas]
    shown = [(c.wert, c.text, b.name) for c, b in cells if c.wert is not None]
    if len(shown) >= 2:
        low, high = min(shown), max(shown)
        text += (
            f" Zwischen den Sozialräumen reicht der Wert von {mit_einheit(low[1], ind)} ({low[2]}) "
            f"bis {mit_einheit(high[1], ind)} ({high[2]})."
        )
    hidden = sum(1 for c, _ in cells if c.geheim)
    if hidden:
        text += f" {format_anzahl(hidden, 'Sozialraum', 'Sozialräume')} geheim gehalten."
    if ind.ziel is not None:
        missed = [b.name for b in areas if sicht.ziel(ind.code, day, b.id) == "verfehlt"]
        text += f" Ziel {ind.ziel.text}: " + (
            f"verfehlt in {', '.join(missed)}." if missed else "in allen Sozialräumen mit Wert erreicht."
        )
    return text


def dimension_tabelle(
    sicht: Sicht, katalog: Katalog, code: str, name: str, kreis: Bereich, areas: list[Bereich]
) -> Tabelle | None:
    """The dimension's table, or None when this edition has no column for it (every indicator
    internal and no status): a table of bare area names says nothing; the chapter's text names
    what is left out."""
    inds = [i for i in katalog.indikatoren.values() if i.dimension == code and sichtbar(sicht, i, [kreis, *areas])]
    index_day = sicht.index_stand("sozialraum")
    has_index = any(sicht.index("sozialraum", code, index_day, b.id)[1] for b in areas)
    if not inds and not has_index:
        return None
    kopf = ["Gebiet", *[f"{i.name} [{i.einheit}]" if i.einheit else i.name for i in inds]]
    if has_index:
        kopf.append("Status")
    zeilen = []
    for b in [*areas, kreis]:
        row = [b.name, *[sicht.wert(i.code, sicht.stand(i.code), b.id).text for i in inds]]
        if has_index:
            row.append(sicht.index("sozialraum", code, index_day, b.id)[1] if b is not kreis else "")
        zeilen.append(row)
    stand = {sicht.stand(i.code) for i in inds}
    suffix = f", Stichtag {format_datum_kurz(max(stand))}" if stand else ""
    return Tabelle(f"{name} nach Sozialräumen{suffix}", kopf, zeilen)
