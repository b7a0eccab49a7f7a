"""The three strategy reports, each as HTML and PDF:

- the **Strategiebericht** for the Kreistag in the shape of the Lörrach presentation: Leitsätze,
  strategic direction and Leitlinien; verdicts per Handlungsfeld; unused resources; new approaches;
  the Kennzahlen of the Ziele;
- the **Kennzahlen-Kontrakt** in the shape of the Ulm contract: Ziel, Kennzahl, target, actual,
  attainment, trend, and expenditure against the agreed growth;
- the **Förderübersicht**: money per Träger, per Handlungsfeld and per Sozialraum against the
  need (the Sozialraumbudget).

The figures come from the domain functions (``zielerreichung``, ``ressourcen``, ``uebersicht``);
this module only selects and arranges them; the Förderübersicht's figures and the year's funding
state for the leadership report are in ``foerderberichte``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
from sqlmodel import Session, col, select

from sozialforum.channels.pdf import html_to_pdf
from sozialforum.channels.rendering import render
from sozialforum.channels.tabular import to_xlsx_sheets
from sozialforum.settings import Settings
from sozialforum.store.models import (
    Bewertungsrunde,
    Massnahme,
    Organisation,
    Projektbewertung,
    Strategie,
    Strategieelement,
    Ziel,
)
from sozialforum.strategie import foerderberichte, ressourcen, zielerreichung
from sozialforum.timeutil import format_datum, format_zahl
from sozialforum.vocab import MassnahmeStatus, StrategieElementArt, Trend, Urteil, Zielart, Zielrichtung, Zielstand


@dataclass
class Kennzahlzeile:
    ziel: Ziel
    handlungsfeld: str | None
    vorgabe: str  # "höchstens 30 Monate", "Wachstum höchstens 0,6 % je Jahr seit 2015"
    jahr: int | None
    wert: float | None  # the Kennzahl's value (for growth targets: the amount, ``ist`` the rate)
    ist: float | None
    soll: float | None
    stand: Zielstand
    trend: Trend
    bereiche_verfehlt: int = 0  # Sozialräume that miss the target in that year


@dataclass
class Projektzeile:
    massnahme: Massnahme
    traeger: str | None
    urteil: Urteil | None
    begruendung: str | None


@dataclass
class Strategiebericht:
    strategie: Strategie
    jahr: int
    leitsaetze: list[Strategieelement]
    ausrichtungen: list[Strategieelement]
    leitlinien: list[Strategieelement]
    runde: Bewertungsrunde | None
    handlungsfelder: dict[str, list[Projektzeile]]
    ungenutzt: list[ressourcen.UngenutzteRessource]
    ungenutzt_eur: Decimal
    ungenutzt_vzae: Decimal
    neue_ansaetze: list[Projektzeile]
    kennzahlen: list[Kennzahlzeile]
    foerderung: dict[str, Any] = field(default_factory=dict)


def _vorgabe(ziel: Ziel) -> str:
    """The target as the contract states it: "höchstens 30 Monate", "mindestens 80 %"."""
    wert = format_zahl(float(ziel.zielwert), 2 if ziel.zielwert % 1 else 0)
    richtung = Zielrichtung(ziel.richtung).label
    if ziel.zielart == Zielart.WACHSTUM.value:
        return f"Wachstum {richtung} {wert} % je Jahr seit {ziel.basisjahr}"
    einheit = " %" if ziel.zielart == Zielart.ANTEIL.value else (f" {ziel.einheit}" if ziel.einheit else "")
    return f"{richtung} {wert}{einheit}"


def kennzahlen(session: Session, strategie: Strategie, jahr: int) -> list[Kennzahlzeile]:
    """Each Ziel's figure for the whole area in ``jahr`` (or its latest year before), with the
    number of Sozialräume that miss it that year."""
    frame = zielerreichung.aus_bestand(session, strategie.id)  # type: ignore[arg-type]  # stored: id set
    felder = {
        e.id: e.titel
        for e in session.exec(select(Strategieelement).where(Strategieelement.strategie_id == strategie.id))
    }
    zeilen = []
    for ziel in session.exec(select(Ziel).where(Ziel.strategie_id == strategie.id).order_by(col(Ziel.kennung))):
        rows = frame.loc[(frame["ziel_id"] == ziel.id) & (frame["jahr"] <= jahr)] if not frame.empty else frame
        ganz = rows.loc[rows["gebiet_id"] == -1] if not rows.empty else rows
        if ganz.empty:
            zeilen.append(
                Kennzahlzeile(
                    ziel,
                    felder.get(ziel.handlungsfeld_id) if ziel.handlungsfeld_id else None,
                    _vorgabe(ziel),
                    jahr=None,
                    wert=None,
                    ist=None,
                    soll=None,
                    stand=Zielstand.OHNE_DATEN,
                    trend=Trend.OHNE,
                )
            )
            continue
        last = ganz.iloc[-1]
        areas = rows.loc[(rows["gebiet_id"] != -1) & (rows["jahr"] == last["jahr"])]
        zeilen.append(
            Kennzahlzeile(
                ziel,
                felder.get(ziel.handlungsfeld_id) if ziel.handlungsfeld_id else None,
                _vorgabe(ziel),
                int(last["jahr"]),
                float(last["wert"]),
                None if pd.isna(last["ist"]) else float(last["ist"]),
                None if pd.isna(last["soll"]) else float(last["soll"]),
                Zielstand(last["stand"]),
                Trend(last["trend"]),
                int((areas["stand"] == Zielstand.VERFEHLT.value).sum()),
            )
        )
    return zeilen


def strategiebericht(session: Session, strategie: Strategie, jahr: int) -> Strategiebericht:
    elemente = list(
        session.exec(
            select(Strategieelement)
            .where(Strategieelement.strategie_id == strategie.id)
            .order_by(col(Strategieelement.nummer))
        )
    )

    def of(art: StrategieElementArt) -> list[Strategieelement]:
        return [e for e in elemente if e.art == art.value]

    runde = session.exec(
        select(Bewertungsrunde)
        .where(Bewertungsrunde.strategie_id == strategie.id)
        .order_by(col(Bewertungsrunde.id).desc())
    ).first()
    urteile = {}
    if runde is not None:
        urteile = {
            b.massnahme_id: b
            for b in session.exec(select(Projektbewertung).where(Projektbewertung.runde_id == runde.id))
        }
    traeger = dict(session.exec(select(Organisation.id, Organisation.name)).all())
    felder: dict[str, list[Projektzeile]] = {}
    neue: list[Projektzeile] = []
    for m in session.exec(select(Massnahme).order_by(col(Massnahme.handlungsfeld), col(Massnahme.titel))):
        b = urteile.get(m.id) if m.id is not None else None
        zeile = Projektzeile(
            m,
            traeger.get(m.verantwortlich_organisation_id),
            Urteil(b.urteil) if b else None,
            b.begruendung if b else None,
        )
        if b is not None:
            felder.setdefault(m.handlungsfeld or "ohne Handlungsfeld", []).append(zeile)
        elif m.status == MassnahmeStatus.GEPLANT.value:
            neue.append(zeile)
    findings = ressourcen.ungenutzt(ressourcen.projektjahre(session, jahr))
    eur, vzae = ressourcen.summe(findings)
    return Strategiebericht(
        strategie=strategie,
        jahr=jahr,
        leitsaetze=of(StrategieElementArt.LEITSATZ),
        ausrichtungen=of(StrategieElementArt.AUSRICHTUNG),
        leitlinien=of(StrategieElementArt.LEITLINIE),
        runde=runde,
        handlungsfelder=felder,
        ungenutzt=findings,
        ungenutzt_eur=eur,
        ungenutzt_vzae=vzae,
        neue_ansaetze=neue,
        kennzahlen=kennzahlen(session, strategie, jahr),
    )


def schreiben(
    session: Session, settings: Settings, *, jahr: int, stand: date, strategie_kennung: str | None = None
) -> list[Path]:
    """Write the three reports as HTML and PDF, and Strategiebericht with Kontrakt and the
    Förderübersicht as XLSX, under ``berichte/strategie/``; the paths written. ``stand`` is the
    day the figures are read (printed in the head and the foot of every page)."""
    query = select(Strategie)
    query = (
        query.where(Strategie.kennung == strategie_kennung)
        if strategie_kennung
        else query.order_by(col(Strategie.id).desc())
    )
    strategie = session.exec(query).first()
    target = settings.reports_dir / "strategie"
    target.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    parts: list[tuple[str, str, dict[str, Any]]] = [
        ("foerderuebersicht", f"Förderübersicht {jahr}", {"f": foerderberichte.foerderuebersicht(session, jahr)})
    ]
    if strategie is not None:
        bericht = strategiebericht(session, strategie, jahr)
        parts[:0] = [
            ("strategiebericht", f"{strategie.titel} – {strategie.fassung}", {"b": bericht}),
            ("kennzahlen_kontrakt", f"Kennzahlen-Kontrakt {jahr}", {"b": bericht}),
        ]
    for name, titel, context in parts:
        vorlage = f"reports/strategie/{name}.html"
        body = render(vorlage, titel=titel, jahr=jahr, stand=stand, settings=settings, **context)
        page = render(
            "reports/strategie/seite.html",
            vorlage=vorlage,
            titel=titel,
            jahr=jahr,
            stand=stand,
            settings=settings,
            **context,
        )
        html_path = target / f"{name}_{jahr}.html"
        html_path.write_text(page, encoding="utf-8")
        pdf_path = html_path.with_suffix(".pdf")
        fuss = f"{settings.kommune} · {titel} · Stand {format_datum(stand, weekday=False)}"
        pdf_path.write_bytes(html_to_pdf(body, title=titel, footer=fuss, erstellt=stand))
        written += [html_path, pdf_path]
    if strategie is not None:
        written.append(_strategie_xlsx(target / f"strategiebericht_{jahr}.xlsx", parts[0][2]["b"]))
    f = parts[-1][2]["f"]
    xlsx = target / f"foerderuebersicht_{jahr}.xlsx"
    xlsx.write_bytes(
        to_xlsx_sheets(
            [
                (
                    "Je Träger",
                    ["Träger", "Plan (€)", "Ist (€)"],
                    [(z["name"], z["plan"], z["ist"]) for z in f.je_traeger],
                ),
                (
                    "Je Handlungsfeld",
                    ["Handlungsfeld", "Plan (€)", "Ist (€)"],
                    [(z["name"], z["plan"], z["ist"]) for z in f.je_handlungsfeld],
                ),
                (
                    "Je Sozialraum",
                    ["Sozialraum", "Fördermittel (€)", "Sozialraumbudget (€)", "bedarfsgerecht (€)", "Differenz (€)"],
                    [(z["name"], z["plan"], z["budget"], z["bedarfsgerecht"], z["differenz"]) for z in f.je_sozialraum],
                ),
            ]
        )
    )
    written.append(xlsx)
    return written


def _strategie_xlsx(path: Path, b: Strategiebericht) -> Path:
    """Strategiebericht and Kennzahlen-Kontrakt as one workbook, for the Ämter to work on."""
    path.write_bytes(
        to_xlsx_sheets(
            [
                (
                    "Kennzahlen",
                    [
                        "Ziel",
                        "Kennzahl",
                        "Vorgabe",
                        "Jahr",
                        "Wert",
                        "Ist",
                        "Soll/erlaubt",
                        "Stand",
                        "Trend",
                        "Sozialräume verfehlt",
                    ],
                    [
                        (
                            k.ziel.titel,
                            k.ziel.kennzahl,
                            k.vorgabe,
                            k.jahr,
                            k.wert,
                            k.ist,
                            k.soll,
                            k.stand.label,
                            k.trend.label,
                            k.bereiche_verfehlt,
                        )
                        for k in b.kennzahlen
                    ],
                ),
                (
                    "Bewertungen",
                    ["Handlungsfeld", "Projekt", "Träger", "Bewertung", "Begründung"],
                    [
                        (feld, z.massnahme.titel, z.traeger, z.urteil.label if z.urteil else "", z.begruendung)
                        for feld, zeilen in b.handlungsfelder.items()
                        for z in zeilen
                    ],
                ),
                (
                    "Nicht verwendet",
                    ["Projekt", "Handlungsfeld", "Jahr", "Grund", "Euro", "VZÄ"],
                    [(r.titel, r.handlungsfeld, r.jahr, r.grund, float(r.eur), float(r.vzae)) for r in b.ungenutzt],
                ),
                (
                    "Neue Ansätze",
                    ["Projekt", "Handlungsfeld", "Träger"],
                    [(z.massnahme.titel, z.massnahme.handlungsfeld, z.traeger) for z in b.neue_ansaetze],
                ),
            ]
        )
    )
    return path
