"""Build the Sozialbericht's content from a stored computation: chapters per dimension (text with
the figures, a map, a chart, a table), a portrait per Sozialraum, the population projection and
the Handlungsempfehlungen. Pictures are written into ``ordner/bilder``."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from sqlalchemy.orm import Session

from sozialforum.daten.diagramme import Panel, trends
from sozialforum.daten.ergebnis import Monitor
from sozialforum.daten.fehlwerte import LEGENDE
from sozialforum.daten.gebietsstand import Bereich
from sozialforum.daten.geheimhaltung import Empfaenger
from sozialforum.daten.index import GESAMT, STATUS_KLASSEN
from sozialforum.daten.kartenexport import Statusklassen, status_karteninfo, status_klassen
from sozialforum.daten.katalog import Katalog
from sozialforum.daten.profil import _panels, datenstand, quellen, zitate
from sozialforum.daten.projektion import Annahmen, annahmen_text, bevoelkerung_nach_alter, projiziere, tabelle
from sozialforum.daten.sicht import Sicht
from sozialforum.daten.speicher import lade_bestand
from sozialforum.karten.bild import choropleth_png
from sozialforum.karten.svg import choropleth
from sozialforum.settings import DatenSettings
from sozialforum.sozialbericht.inhalt import (
    Bericht,
    Bild,
    Empfehlung,
    Kapitel,
    Portraet,
    Tabelle,
    dimension_tabelle,
    indikator_saetze,
    mit_einheit,
    sichtbar,
    sozialraeume,
)
from sozialforum.sozialbericht.wortlaut import wortlaut
from sozialforum.timeutil import format_anzahl, format_datum_kurz


def _karte(daten: Statusklassen, titel: str, ordner: Path, name: str, hervorgehoben: str | None = None) -> Bild:
    karte = status_karteninfo(titel, daten, hervorgehoben)
    svg = ordner / f"{name}.svg"
    svg.write_text(choropleth(daten.flaechen, daten.klassen, karte, gesperrt=daten.gesperrt), encoding="utf-8")
    png = choropleth_png(daten.flaechen, daten.klassen, karte, ordner / f"{name}.png", gesperrt=daten.gesperrt)
    return Bild(titel, _karten_alt(daten, titel), png, svg)


def _karten_alt(daten: Statusklassen, titel: str) -> str:
    names = {f.schluessel: f.name for f in daten.flaechen}
    parts = [f"Karte: {titel}."]
    for nummer, label in STATUS_KLASSEN.items():
        members = sorted(names[k] for k, v in daten.klassen.items() if v == nummer and k not in daten.gesperrt)
        if members:
            parts.append(f"Status {label}: {', '.join(members)}.")
    if daten.gesperrt:
        parts.append(f"Geheim gehalten: {', '.join(sorted(names[k] for k in daten.gesperrt))}.")
    return " ".join(parts)


def _trend(sicht: Sicht, path: Path, panels: Sequence[Panel], titel: str) -> Bild | None:
    if not panels:
        return None
    trends(path, sicht.monitor.stichtage, panels, spalten=min(3, len(panels)))
    lines = []
    for panel in panels:
        first = panel.reihen[0]
        shown = [(d.year, v) for d, v in zip(sicht.monitor.stichtage, first[2], strict=False) if v is not None]
        if shown:
            lines.append(
                f"{panel.titel}: {first[0]} von {_zahl(shown[0][1], panel)} ({shown[0][0]}) "
                f"bis {_zahl(shown[-1][1], panel)} ({shown[-1][0]})"
            )
    return Bild(titel, f"Liniendiagramm {titel}. " + "; ".join(lines) + ".", path)


def _zahl(value: float, panel: Panel) -> str:
    from sozialforum.timeutil import format_zahl

    return f"{format_zahl(value, panel.nachkommastellen)}\u00a0{panel.einheit}".strip()


def _kreis_panels(sicht: Sicht, katalog: Katalog, dimension: str, kreis: Bereich) -> list[Panel]:
    days = sicht.monitor.stichtage
    panels = []
    for code, ind in katalog.indikatoren.items():
        if ind.dimension != dimension:
            continue
        series = [(kreis.name, "gebiet", [sicht.wert(code, d, kreis.id).wert for d in days])]
        if all(v is None for v in series[0][2]):
            continue
        bench = [sicht.vergleich(ind, d) for d in days]
        if bench[-1] is not None and any(b is not None and b.wert is not None for b in bench):
            series.append((bench[-1].name, "vergleich", [b.wert if b else None for b in bench]))
        target = (ind.ziel.hoechstens if ind.ziel.hoechstens is not None else ind.ziel.mindestens) if ind.ziel else None
        panels.append(Panel(ind.name, ind.einheit, series, target, ind.nachkommastellen))
    return panels


def _kapitel(
    session: Session, sicht: Sicht, katalog: Katalog, code: str, name: str, kreis: Bereich, ordner: Path
) -> Kapitel:
    areas = sozialraeume(sicht.monitor)
    wort = wortlaut(kreis.name)
    inds = [ind for ind in katalog.indikatoren.values() if ind.dimension == code]
    shown = [ind for ind in inds if sichtbar(sicht, ind, [kreis, *areas])]
    absaetze = [indikator_saetze(sicht, ind, kreis, areas, wort.im_gebiet) for ind in shown]
    if len(shown) < len(inds):
        absaetze.append(
            "Nicht in dieser Fassung (Daten nur für die Sozialplanung): "
            + ", ".join(ind.name for ind in inds if ind not in shown)
            + "."
        )
    day = sicht.index_stand("sozialraum")
    classes = Counter(sicht.index("sozialraum", code, day, b.id)[1] for b in areas)
    classes.pop("", None)
    if classes:
        low = [b.name for b in areas if sicht.index("sozialraum", code, day, b.id)[1] in {"niedrig", "sehr niedrig"}]
        counted = ", ".join(f"{classes[label]} {label}" for label in STATUS_KLASSEN.values() if label in classes)
        absaetze.append(
            f"Status der Dimension {name} zum {format_datum_kurz(day)}: {counted}."
            + (f" Niedriger oder sehr niedriger Status: {', '.join(low)}." if low else "")
        )
    bilder = []
    daten = status_klassen(session, sicht, "sozialraum", code)
    if daten is not None:
        bilder.append(_karte(daten, f"Status {name}, {format_datum_kurz(daten.stichtag)}", ordner, f"karte_{code}"))
    chart = _trend(
        sicht, ordner / f"entwicklung_{code}.png", _kreis_panels(sicht, katalog, code, kreis), f"Entwicklung {name}"
    )
    if chart is not None:
        bilder.append(chart)
    tabelle = dimension_tabelle(sicht, katalog, code, name, kreis, areas)
    return Kapitel(name, absaetze, bilder, [tabelle] if tabelle else [])


def _portraet(
    sicht: Sicht,
    katalog: Katalog,
    bereich: Bereich,
    kreis: Bereich,
    ordner: Path,
    daten: Statusklassen | None,
) -> Portraet:
    day = sicht.monitor.letzter_stichtag
    wort = wortlaut(kreis.name)
    index_day = sicht.index_stand("sozialraum")
    status, klasse, _dyn, dyn_klasse = sicht.index("sozialraum", GESAMT, index_day, bereich.id)
    einwohner = sicht.wert("einwohner", day, bereich.id).text if "einwohner" in katalog.indikatoren else ""
    region = sicht.monitor.stand.bereiche.get(bereich.parent_id) if bereich.parent_id else None
    absatz = f"{bereich.name}" + (f" ({region.name})" if region and region.ebene != "kreis" else "")
    absatz += f": {einwohner} Einwohnerinnen und Einwohner zum {format_datum_kurz(day)}." if einwohner else "."
    if klasse:
        absatz += f" Status-Index {status} – Status {klasse}"
        absatz += f", Dynamik {dyn_klasse}." if dyn_klasse else "."
    zeilen = []
    for code, ind in katalog.indikatoren.items():
        if not (ind.index or ind.ziel) or not sichtbar(sicht, ind, [bereich, kreis]):
            continue
        stand = sicht.stand(code)
        zeilen.append(
            [
                f"{ind.name} [{ind.einheit}]" if ind.einheit else ind.name,
                sicht.wert(code, stand, bereich.id).text,
                sicht.wert(code, stand, bereich.id, "veraenderung").text,
                sicht.wert(code, stand, kreis.id).text,
            ]
        )
    kennzahlen = Tabelle(f"Kennzahlen {bereich.name}", ["Indikator", "Wert", "Veränderung", wort.art], zeilen)
    karte = None
    if daten is not None:
        titel = f"Status-Index {format_datum_kurz(daten.stichtag)}: {bereich.name}"
        karte = _karte(daten, titel, ordner, f"karte_{bereich.schluessel}", hervorgehoben=bereich.schluessel)
    trend = _trend(
        sicht, ordner / f"entwicklung_{bereich.schluessel}.png", _panels(sicht, bereich), f"Entwicklung {bereich.name}"
    )
    return Portraet(bereich.name, bereich.schluessel, absatz, kennzahlen, karte, trend)


def _projektion(
    session: Session, monitor: Monitor, katalog: Katalog, annahmen: Annahmen | None, areas: list[Bereich]
) -> tuple[list[Tabelle], list[str], str]:
    if annahmen is None:
        return [], [], "Keine Annahmen für die Vorausberechnung angegeben (Geburten-, Sterbe- und Wanderungsraten)."
    tafeln = lade_bestand(session)
    out = []
    basis: date | None = None
    gaps = []
    for b in areas:
        try:
            day, name, counts = bevoelkerung_nach_alter(
                session,
                b.schluessel,
                merkmal=katalog.index.bevoelkerung,
                monitor=monitor,
                tafeln=tafeln,
                bis=monitor.letzter_stichtag,
            )
            result = projiziere(counts, annahmen, day.year)
        except (LookupError, ValueError) as exc:
            gaps.append(str(exc))
            continue
        basis = day
        out.append(Tabelle(f"Vorausberechnung {name}", *_kopf_zeilen(tabelle(result))))
    hinweis = (
        f"Ausgangsbevölkerung: Bevölkerung nach Altersgruppen zum {format_datum_kurz(basis)}, "
        f"fortgeschrieben bis {basis.year + annahmen.jahre}. Ergebnisse auf ganze Personen gerundet; "
        "Summen aus ungerundeten Werten."
        if basis
        else "Keine Bevölkerung nach Altersgruppen geladen: keine Vorausberechnung."
    )
    if gaps:
        hinweis += " Nicht berechnet: " + " ".join(gaps)
    return out, annahmen_text(annahmen), hinweis


def _kopf_zeilen(rows: list[list[str]]) -> tuple[list[str], list[list[str]]]:
    return rows[0], rows[1:]


def _zusammenfassung(
    sicht: Sicht, katalog: Katalog, kreis: Bereich, areas: list[Bereich], empfehlungen: int
) -> list[str]:
    day = sicht.monitor.letzter_stichtag
    wort = wortlaut(kreis.name)
    out = []
    if "einwohner" in katalog.indikatoren:
        einwohner = sicht.wert("einwohner", day, kreis.id).text
        out.append(
            f"{kreis.name} hatte zum {format_datum_kurz(day)} {einwohner} Einwohnerinnen und Einwohner "
            f"in {len(areas)} Sozialräumen."
        )
    index_day = sicht.index_stand("sozialraum")
    classes = {b.name: sicht.index("sozialraum", GESAMT, index_day, b.id) for b in areas}
    counted = Counter(c[1] for c in classes.values() if c[1] and c[1] != ".")
    if counted:
        out.append(
            f"Status-Index zum {format_datum_kurz(index_day)}: "
            + ", ".join(
                f"{format_anzahl(counted[label], 'Sozialraum', 'Sozialräume')} {label}"
                for label in STATUS_KLASSEN.values()
                if label in counted
            )
            + "."
        )
        low = [name for name, c in classes.items() if c[1] in {"niedrig", "sehr niedrig"}]
        if low:
            out.append(f"Besonderer Handlungsbedarf (Status niedrig oder sehr niedrig): {', '.join(low)}.")
        negative = [name for name, c in classes.items() if c[3] == "negativ"]
        if negative:
            out.append(f"Negative Dynamik: {', '.join(negative)}.")
    missed = []
    for code, ind in katalog.indikatoren.items():
        if ind.ziel is None:
            continue
        value = sicht.wert(code, sicht.stand(code), kreis.id)
        if value.wert is not None and not ind.ziel.erreicht(value.wert):
            missed.append(f"{ind.name} ({mit_einheit(value.text, ind)}, Ziel {ind.ziel.text})")
    if missed:
        out.append(f"{wort.gebietsweit.capitalize()} verfehlte Ziele: {'; '.join(missed)}.")
    out.append(
        f"Der Bericht schließt mit {format_anzahl(empfehlungen, 'Handlungsempfehlung', 'Handlungsempfehlungen')} "
        "der Geschäftsstelle."
        if empfehlungen
        else "Handlungsempfehlungen der Geschäftsstelle: noch keine erfasst."
    )
    return out


def baue_bericht(
    session: Session,
    monitor: Monitor,
    katalog: Katalog,
    settings: DatenSettings,
    empfaenger: Empfaenger,
    ordner: Path,
    *,
    kommune: str,
    titel: str,
    status: str,
    empfehlungen: Sequence[Empfehlung] = (),
    annahmen: Annahmen | None = None,
) -> Bericht:
    """The whole content; ``monitor`` already cut to the report's Stichtag (``bis_stichtag``)."""
    sicht = Sicht(monitor, katalog, settings, empfaenger)
    day = monitor.letzter_stichtag
    kreis = monitor.stand.kreis(day)
    if kreis is None:
        raise LookupError(f"Zum {format_datum_kurz(day)} gibt es keinen Kreis und keine Stadt im Gebietsstand.")
    bilder = ordner / "bilder"
    bilder.mkdir(parents=True, exist_ok=True)
    areas = sozialraeume(monitor)
    kapitel = [
        _kapitel(session, sicht, katalog, code, name, kreis, bilder)
        for code, name in katalog.dimensionen.items()
        if any(i.dimension == code for i in katalog.indikatoren.values())
    ]
    gesamt = status_klassen(session, sicht, "sozialraum", GESAMT)  # the same map, one area outlined each
    portraets = [_portraet(sicht, katalog, b, kreis, bilder, gesamt) for b in areas]
    projektion, annahmen_zeilen, hinweis = _projektion(session, monitor, katalog, annahmen, areas)
    return Bericht(
        titel=titel,
        kommune=kommune,
        stichtag=day,
        datenstand=datenstand(session),
        fassung=empfaenger.name,
        status=status,
        zusammenfassung=_zusammenfassung(sicht, katalog, kreis, areas, len(empfehlungen)),
        kapitel=kapitel,
        portraets=portraets,
        projektion=projektion,
        annahmen=annahmen_zeilen,
        projektion_hinweis=hinweis,
        empfehlungen=list(empfehlungen),
        quellen=zitate(quellen(session, katalog, empfaenger)),
        zeichen=[
            *LEGENDE,
            ("( )", f"Aussagewert eingeschränkt: weniger als {settings.unsicher_unter} Fälle"),
        ],
    )
