"""Funding at a glance: the Förderübersicht (money per Träger, per Handlungsfeld and per Sozialraum
against the need, the Sozialraumbudget) and the year's funding state for the leadership report.
``berichte`` renders the Förderübersicht with the other strategy reports."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pandas as pd
from sqlmodel import Session, col, select

from sozialforum.store.models import (
    Foerderantrag,
    Foerderaufruf,
    Foerderentscheidung,
    Gebiet,
    Organisation,
    Verwendungsnachweis,
)
from sozialforum.strategie import uebersicht


@dataclass
class Foerderuebersicht:
    jahr: int
    je_traeger: list[dict[str, Any]]
    je_handlungsfeld: list[dict[str, Any]]
    je_sozialraum: list[dict[str, Any]]
    gesamt_plan: float
    gesamt_ist: float | None


def foerderuebersicht(session: Session, jahr: int) -> Foerderuebersicht:
    ressourcen_, gebiete, projekte, budget = uebersicht.frames(session, jahr, jahr)
    mittel = uebersicht.mittel_je_gebiet(ressourcen_, gebiete, projekte)
    bedarf = uebersicht.gegen_bedarf(mittel, budget)
    namen = dict(session.exec(select(Organisation.id, Organisation.name)).all())
    gebiet_namen = dict(session.exec(select(Gebiet.id, Gebiet.name)).all()) | {uebersicht.KREISWEIT: "kreisweit"}

    def grouped(key: str, label: dict[Any, str] | None = None) -> list[dict[str, Any]]:
        if mittel.empty:
            return []
        g = mittel.groupby(key, as_index=False)[["plan_eur", "ist_eur"]].sum(min_count=1)
        g = g.sort_values("plan_eur", ascending=False)
        return [
            {
                "name": label.get(row[key], str(row[key])) if label else row[key],
                "plan": row["plan_eur"],
                "ist": None if pd.isna(row["ist_eur"]) else row["ist_eur"],
            }
            for _, row in g.iterrows()
        ]

    areas = [
        {
            "name": gebiet_namen.get(int(row["gebiet_id"]), str(row["gebiet_id"])),
            "plan": row["plan_eur"],
            "budget": None if pd.isna(row["betrag"]) else row["betrag"],
            "bedarfsgerecht": None if pd.isna(row["bedarfsgerecht"]) else row["bedarfsgerecht"],
            "differenz": None if pd.isna(row["differenz"]) else row["differenz"],
        }
        for _, row in bedarf.iterrows()
    ]
    ist = mittel["ist_eur"].sum(min_count=1) if not mittel.empty else None
    return Foerderuebersicht(
        jahr=jahr,
        je_traeger=grouped("traeger_id", namen),
        je_handlungsfeld=grouped("handlungsfeld"),
        je_sozialraum=areas,
        gesamt_plan=float(mittel["plan_eur"].sum()) if not mittel.empty else 0.0,
        gesamt_ist=None if ist is None or pd.isna(ist) else float(ist),
    )


@dataclass(frozen=True)
class Foerderstand:
    """The funding of one year at a glance, for the leadership report."""

    jahr: int
    aufrufe: int
    antraege: int
    offen: int
    bewilligt: int
    bewilligt_eur: Decimal
    nachweise_offen: int


def foerderstand(session: Session, jahr: int) -> Foerderstand | None:
    """None when there was no funding call for ``jahr``."""
    aufrufe = session.exec(select(Foerderaufruf).where(Foerderaufruf.foerderjahr == jahr)).all()
    if not aufrufe:
        return None
    ids = [a.id for a in aufrufe]
    antraege = session.exec(select(Foerderantrag).where(col(Foerderantrag.aufruf_id).in_(ids))).all()
    entscheidungen = session.exec(
        select(Foerderentscheidung).where(col(Foerderentscheidung.antrag_id).in_([a.id for a in antraege]))
    ).all()
    bewilligt = [e for e in entscheidungen if e.bewilligt]
    eingegangen = set(session.exec(select(Verwendungsnachweis.entscheidung_id)).all())
    return Foerderstand(
        jahr=jahr,
        aufrufe=len(aufrufe),
        antraege=len(antraege),
        offen=len(antraege) - len(entscheidungen),
        bewilligt=len(bewilligt),
        bewilligt_eur=sum((e.betrag_eur for e in bewilligt), Decimal(0)),
        nachweise_offen=sum(1 for e in bewilligt if e.id not in eingegangen),
    )
