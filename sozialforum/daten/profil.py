"""The Sozialraumprofil: one Sozialraum's indicators with change, the Kreis, the benchmark and
the target, its index and classes, its Gemeinden, trend charts, stamped with the Datenstand.
HTML for the browser, PDF for the meeting; both through one recipient's view (``Sicht``).

Contract for other areas (conference preparation): ``schreibe_profil(...)`` writes the files
and returns their paths; ``profil_kontext(...)`` gives the same content as plain data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlmodel import col

from sozialforum.channels.rendering import render
from sozialforum.daten.bildtexte import diagramm_text, karten_text
from sozialforum.daten.diagramme import Panel
from sozialforum.daten.ergebnis import Monitor
from sozialforum.daten.fehlwerte import LEGENDE
from sozialforum.daten.gebietsstand import Bereich
from sozialforum.daten.geheimhaltung import Empfaenger
from sozialforum.daten.index import GESAMT
from sozialforum.daten.kartenexport import status_karte
from sozialforum.daten.katalog import Katalog
from sozialforum.daten.profil_druck import Druckauftrag, drucke, stand_datei
from sozialforum.daten.sicht import Sicht
from sozialforum.daten.veroeffentlichung import ist_intern
from sozialforum.daten.wortlaut import wortlaut
from sozialforum.settings import DatenSettings, Settings
from sozialforum.store.models import Datenlieferung, Gebiet
from sozialforum.timeutil import format_datum_kurz, format_zahl

TEMPLATE = "reports/daten/sozialraumprofil.html"
TEMPLATE_PDF = "reports/daten/sozialraumprofil_inhalt.html"


@dataclass
class Profilausgabe:
    html: Path
    pdf: Path
    diagramme: list[Path]


def quellen(
    session: Session, katalog: Katalog | None = None, empfaenger: Empfaenger | None = None
) -> list[dict[str, Any]]:
    """The loaded sources as citations (publisher, title, Datenstand, licence; the file name only
    for reference), withdrawn deliveries left out. For a recipient outside the Geschäftsstelle
    the internal sources are left out too: none of their values is shown to them."""
    names = {q.kennung: q for q in katalog.quellen} if katalog is not None else {}
    rows = session.scalars(
        sa.select(Datenlieferung)
        .where(col(Datenlieferung.zurueckgezogen_am).is_(None))
        .order_by(col(Datenlieferung.id))
    ).all()
    result = []
    for r in rows:
        if empfaenger is not None and not empfaenger.intern and ist_intern(r.lizenz):
            continue
        quelle = names.get(r.quelle or "")
        titel = quelle.name if quelle is not None else r.datei
        if r.tabelle and r.tabelle not in titel:
            titel += f" (Tabelle {r.tabelle})"
        result.append(
            {
                "datei": r.datei,
                "titel": titel,
                "datenstand": r.datenstand,
                "herausgeber": r.herausgeber or "",
                "lizenz": r.lizenz or "",
                "stichtage": sorted(r.stichtage),
            }
        )
    return result


def zitate(rows: list[dict[str, Any]]) -> list[str]:
    """Citations, one per source (a yearly series of the same table is one citation):
    "Herausgeber: Titel, Stichtage 31.12.2019–31.12.2023, Datenstand 16.01.2024. Lizenz: …"."""
    groups: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault((row["herausgeber"], row["titel"], row["lizenz"]), []).append(row)
    result = []
    for (herausgeber, titel, lizenz), items in groups.items():
        days = sorted({d for item in items for d in item["stichtage"]})
        text = f"{herausgeber}: {titel}" if herausgeber else titel
        if days:
            first, last = (format_datum_kurz(date.fromisoformat(d)) for d in (days[0], days[-1]))
            text += f", Stichtag {first}" if first == last else f", Stichtage {first}–{last}"
        stand = max((item["datenstand"] for item in items if item["datenstand"]), default=None)
        if stand is not None:
            text += f", Datenstand {format_datum_kurz(stand)}"
        text += "."
        if lizenz:
            text += f" Lizenz: {lizenz}."
        result.append(text)
    return result


def quellenzeile(rows: list[dict[str, Any]], stichtage: list[date], stand: date | None) -> str:
    """The line under a chart: "Quelle: Statistik der BA; eigene Berechnung · Stichtage
    31.12.2018–31.12.2023 · Datenstand 27.09.2024" (the full citations stand under "Quellen")."""
    herausgeber = list(dict.fromkeys(r["herausgeber"] for r in rows if r["herausgeber"]))
    text = f"Quelle: {'; '.join([*herausgeber, 'eigene Berechnung'])}"
    if stichtage:
        first, last = format_datum_kurz(stichtage[0]), format_datum_kurz(stichtage[-1])
        text += f" · Stichtag {first}" if first == last else f" · Stichtage {first}–{last}"
    if stand is not None:
        text += f" · Datenstand {format_datum_kurz(stand)}"
    return text


def datenstand(session: Session) -> date | None:
    return session.scalar(sa.select(sa.func.max(Datenlieferung.datenstand)))


def finde_sozialraum(monitor: Monitor, schluessel: str) -> Bereich:
    day = monitor.letzter_stichtag
    bereich = monitor.stand.nach_schluessel(schluessel, day)
    if bereich is None:
        names = [b for b in monitor.stand.am(day) if b.ebene == "sozialraum" and schluessel.lower() in b.name.lower()]
        if len(names) == 1:
            return names[0]
        raise LookupError(f"Sozialraum „{schluessel}“ nicht gefunden.")
    return bereich


def _indicator_rows(
    sicht: Sicht, bereich: Bereich, kreis: Bereich | None, stichtag: date, dimension: str
) -> list[dict[str, Any]]:
    rows = []
    for code, ind in sicht.katalog.indikatoren.items():
        if ind.dimension != dimension or not sicht.sichtbar(code):
            continue
        day = sicht.stand(code)
        value = sicht.wert(code, day, bereich.id)
        bench = sicht.vergleich(ind, day)
        gap = ""
        if bench and bench.wert is not None and value.wert is not None:
            gap = format_zahl(value.wert - bench.wert, ind.nachkommastellen)
            gap = ("+" + gap) if value.wert > bench.wert else gap
        rows.append(
            {
                "name": ind.name,
                "kennzahl": ind.kennzahl or "",
                "einheit": ind.einheit,
                "stand": day if day != stichtag else None,
                "wert": value.text,
                "anzahl": sicht.wert(code, day, bereich.id, "anzahl").text,
                "veraenderung": sicht.wert(code, day, bereich.id, "veraenderung").text,
                "kreis": sicht.wert(code, day, kreis.id).text if kreis else "",
                "vergleich": (
                    format_zahl(bench.wert, ind.nachkommastellen)
                    if bench and bench.wert is not None
                    else ("n. v." if bench and bench.hinweis else "")
                ),
                "vergleich_name": bench.name if bench else "",
                "vergleich_hinweis": bench.hinweis if bench else None,
                "abstand": gap,
                "ziel": ind.ziel.text if ind.ziel else "",
                "erreicht": sicht.ziel(code, day, bereich.id),
            }
        )
    return rows


def profil_kontext(
    session: Session,
    monitor: Monitor,
    katalog: Katalog,
    settings: DatenSettings,
    bereich: Bereich,
    empfaenger: Empfaenger,
    *,
    kommune: str,
    now: datetime,
    diagramme: list[tuple[str, str, str]] | None = None,  # title, image, alternative text
) -> dict[str, Any]:
    sicht = Sicht(monitor, katalog, settings, empfaenger)
    day = monitor.letzter_stichtag
    kreis = monitor.stand.kreis(day)
    region = monitor.stand.bereiche.get(bereich.parent_id) if bereich.parent_id else None
    if region is not None and (region.ebene == "kreis" or region.name in (kommune, kreis.name if kreis else "")):
        region = None  # a city's Sozialraum under the city itself: no "Stadt Ulm · Stadt Ulm"
    gemeinden = monitor.stand.kinder(bereich.id, day)
    index_codes = [i.code for i in katalog.index_indikatoren() if sicht.sichtbar(i.code)]
    index_day = sicht.index_stand(bereich.ebene)
    status = sicht.index(bereich.ebene, GESAMT, index_day, bereich.id)
    return {
        "kommune": kommune,
        "wortlaut": wortlaut(kreis.name if kreis else kommune),
        "gebiet": bereich,
        "region": region,
        "stichtag": day,
        "vorher": monitor.stichtage[-2] if len(monitor.stichtage) > 1 else None,
        "datenstand": datenstand(session),
        "berechnet_am": now,
        "empfaenger": empfaenger,
        "hinweise": sicht.veroeffentlichung.hinweise(empfaenger),
        "einwohner": sicht.wert("einwohner", day, bereich.id).text if "einwohner" in katalog.indikatoren else "",
        "index": {
            "status": status[0],
            "klasse": status[1],
            "dynamik": status[2],
            "dynamik_klasse": status[3],
            "stand": index_day if index_day != day else None,
        },
        "dimensionen": [
            {
                "name": name,
                "index": sicht.index(bereich.ebene, code, index_day, bereich.id),
                "zeilen": _indicator_rows(sicht, bereich, kreis, day, code),
                "nicht_enthalten": [
                    i.name for i in katalog.indikatoren.values() if i.dimension == code and not sicht.sichtbar(i.code)
                ],
            }
            for code, name in katalog.dimensionen.items()
            if any(i.dimension == code for i in katalog.indikatoren.values())
        ],
        # With its unit, as in the tables of the dimensions ("Arbeitslosenanteil [%]").
        "gemeinde_spalten": [f"{katalog.indikatoren[c].name} [{katalog.indikatoren[c].einheit}]" for c in index_codes],
        "gemeinden": [
            {
                "name": g.name,
                "schluessel": g.schluessel,
                "werte": [sicht.wert(c, sicht.stand(c), g.id).text for c in index_codes],
                "klasse": sicht.index(g.ebene, GESAMT, sicht.index_stand(g.ebene), g.id)[1],
            }
            for g in gemeinden
        ],
        "diagramme": diagramme or [],
        "quellen": zitate(zitiert := quellen(session, katalog, empfaenger)),
        "quellenzeile": quellenzeile(zitiert, monitor.stichtage, datenstand(session)),
        "legende": [
            *LEGENDE,
            ("( )", f"Aussagewert eingeschränkt: weniger als {settings.unsicher_unter} Fälle"),
            ("n. v.", "nicht vergleichbar: abweichende Definition"),
        ],
        "geheimhaltung": settings.geheimhaltung_schwelle,
    }


def _panels(sicht: Sicht, bereich: Bereich) -> list[Panel]:
    """Trend panels of the index indicators and the Kennzahlen with targets."""
    monitor, katalog = sicht.monitor, sicht.katalog
    days = monitor.stichtage
    kreis = monitor.stand.kreis(days[-1])
    panels = []
    for code, ind in katalog.indikatoren.items():
        if not (ind.index or ind.ziel):
            continue
        series = [(bereich.name, "gebiet", [sicht.wert(code, d, bereich.id).wert for d in days])]
        if all(v is None for v in series[0][2]):
            continue
        if kreis is not None:
            series.append((kreis.name, "kreis", [sicht.wert(code, d, kreis.id).wert for d in days]))
        bench = [sicht.vergleich(ind, d) for d in days]
        if bench[-1] is not None and any(b is not None and b.wert is not None for b in bench):
            series.append((bench[-1].name, "vergleich", [b.wert if b else None for b in bench]))
        target = (ind.ziel.hoechstens if ind.ziel.hoechstens is not None else ind.ziel.mindestens) if ind.ziel else None
        panels.append(Panel(ind.name, ind.einheit, series, target, ind.nachkommastellen))
    return panels


def _karte(session: Session, sicht: Sicht, bereich: Bereich, folder: Path) -> tuple[str, Path] | None:
    """The Sozialraum in its surroundings: status classes of all areas of its level, it outlined.
    None while no borders are loaded (``sozialforum karten laden``)."""
    day = sicht.index_stand(bereich.ebene)
    kreis = sicht.monitor.stand.kreis(day)
    titel = f"Status-Index {format_datum_kurz(day)}: {bereich.name}" + (f" ({kreis.name})" if kreis else "")
    path = folder / f"{bereich.schluessel}_karte.svg"
    return status_karte(session, sicht, bereich.ebene, GESAMT, titel, path, hervorgehoben=bereich.schluessel)


def schreibe_profil(
    session: Session,
    monitor: Monitor,
    katalog: Katalog,
    settings: DatenSettings,
    schluessel: str,
    empfaenger: Empfaenger,
    ausgabe: Path,
    *,
    kommune: str,
    now: datetime,
) -> Profilausgabe:
    """HTML and PDF of one Sozialraum's profile (several: ``bereite_profil`` and ``drucke_alle``)."""
    ausgabe_, auftrag = bereite_profil(
        session, monitor, katalog, settings, schluessel, empfaenger, ausgabe, kommune=kommune, now=now
    )
    drucke(auftrag)
    return ausgabe_


def bereite_profil(
    session: Session,
    monitor: Monitor,
    katalog: Katalog,
    settings: DatenSettings,
    schluessel: str,
    empfaenger: Empfaenger,
    ausgabe: Path,
    *,
    kommune: str,
    now: datetime,
) -> tuple[Profilausgabe, Druckauftrag]:
    """Everything read from the store: the HTML is written, the chart and PDF are left to print."""
    bereich = finde_sozialraum(monitor, schluessel)
    sicht = Sicht(monitor, katalog, settings, empfaenger)
    panels = _panels(sicht, bereich)
    chart = ausgabe / "diagramme" / f"{bereich.schluessel}_entwicklung.png" if panels else None
    if chart is not None:
        chart.parent.mkdir(parents=True, exist_ok=True)
    charts = [("Entwicklung der Indikatoren", chart, diagramm_text(monitor.stichtage, panels))] if chart else []
    if karte := _karte(session, sicht, bereich, ausgabe / "diagramme"):
        charts.append((*karte, karten_text(karte[1])))
    base = f"sozialraumprofil_{bereich.schluessel}"
    context = profil_kontext(
        session,
        monitor,
        katalog,
        settings,
        bereich,
        empfaenger,
        kommune=kommune,
        now=now,
        diagramme=[(title, f"diagramme/{path.name}", alt) for title, path, alt in charts],
    )
    html_path = ausgabe / f"{base}.html"
    html_path.write_text(render(TEMPLATE, **context, pdf=False), encoding="utf-8")
    pdf_context = {**context, "diagramme": [(title, str(path), alt) for title, path, alt in charts]}
    pdf_path = ausgabe / f"{base}.pdf"
    auftrag = Druckauftrag(
        pdf=pdf_path,
        html=render(TEMPLATE_PDF, **pdf_context, pdf=True),
        titel=f"Sozialraumprofil {bereich.name}",
        fusszeile=f"{kommune} – Sozialraumprofil {bereich.name}",
        diagramm=chart,
        stichtage=list(monitor.stichtage),
        panels=panels,
        berechnung=str(monitor.berechnung.id),
    )
    return Profilausgabe(html_path, pdf_path, [path for _, path, _ in charts]), auftrag


@dataclass(frozen=True)
class ProfilVerweis:
    titel: str
    pfad: Path
    url: str | None = None


def aktuelles_profil(session: Session, *, gebiet_id: int, settings: Settings) -> ProfilVerweis | None:
    """The current public Sozialraumprofil (PDF) of a Sozialraum, or of a Gemeinde's Sozialraum;
    written when the latest computation has none yet. None before the first computation.

    Contract for the conference preparation: what goes out with an invitation is the public
    version (small counts suppressed), stamped with the computation's time."""
    from sozialforum.daten.ergebnis import lade_monitor
    from sozialforum.daten.katalog import load_for

    gebiet = session.get(Gebiet, gebiet_id)
    if gebiet is not None and gebiet.ebene == "gemeinde" and gebiet.parent_id is not None:
        gebiet = session.get(Gebiet, gebiet.parent_id)
    if gebiet is None or gebiet.ebene != "sozialraum":
        return None
    monitor = lade_monitor(session)
    if monitor is None or not monitor.stichtage:
        return None
    folder = settings.reports_dir / "daten" / "oeffentlich"
    pdf = folder / f"sozialraumprofil_{gebiet.schluessel}.pdf"
    stamp = monitor.berechnung.berechnet_am
    stand = stand_datei(pdf)
    if not pdf.exists() or not stand.exists() or stand.read_text(encoding="utf-8") != str(monitor.berechnung.id):
        folder.mkdir(parents=True, exist_ok=True)
        pdf = schreibe_profil(
            session,
            monitor,
            load_for(settings),
            settings.daten,
            gebiet.schluessel,
            Empfaenger.oeffentlich(),
            folder,
            kommune=settings.kommune,
            now=stamp,
        ).pdf
    return ProfilVerweis(f"Sozialraumprofil {gebiet.name}, Stichtag {format_datum_kurz(monitor.letzter_stichtag)}", pdf)
