"""Unused resources (Lörrach seed: "Nicht verwendete Ressourcen für Projekte aus der
Sozialstrategie 2012": a project budgeted at 96,000 € a year that ended, 60,000 € cut to
39,600 €, 0.5 VZÄ never created).

Planned against actual per project and year: the money of an ended project is free in full
(what it still spent that year aside); a running project that spent less frees the rest; a post
planned but never filled frees its VZÄ, one filled in part the difference.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import partial

import sqlalchemy as sa
from sqlmodel import Session

from sozialforum.store.models import Massnahme, Organisation, ProjektRessource
from sozialforum.store.models.base import table_of
from sozialforum.vocab import MassnahmeStatus

ENDED = (MassnahmeStatus.BEENDET.value, MassnahmeStatus.ABGESCHLOSSEN.value)


@dataclass(frozen=True)
class UngenutzteRessource:
    massnahme_id: int
    titel: str
    handlungsfeld: str | None
    jahr: int
    grund: str  # German, as the Kreistag reads it
    eur: Decimal = Decimal(0)
    vzae: Decimal = Decimal(0)
    # Projects of one title run by several Träger (one per Sozialraum or Träger) differ only here.
    kennung: str = ""
    traeger: str | None = None


@dataclass(frozen=True)
class Projektjahr:
    massnahme_id: int
    titel: str
    handlungsfeld: str | None
    status: str
    laufzeit_bis: date | None
    jahr: int
    plan_eur: Decimal
    ist_eur: Decimal | None
    plan_vzae: Decimal
    ist_vzae: Decimal | None
    kennung: str = ""
    traeger: str | None = None


def ungenutzt(jahre: list[Projektjahr]) -> list[UngenutzteRessource]:
    """Every unused euro and VZÄ in the given project years, one finding per cause."""
    found: list[UngenutzteRessource] = []
    for p in jahre:
        finding = partial(
            UngenutzteRessource, p.massnahme_id, p.titel, p.handlungsfeld, p.jahr, kennung=p.kennung, traeger=p.traeger
        )
        ended = p.status in ENDED or (p.laufzeit_bis is not None and p.laufzeit_bis < date(p.jahr, 1, 1))
        spent = p.ist_eur or Decimal(0)
        if ended and p.plan_eur > spent:
            found.append(finding(grund="Projekt beendet", eur=p.plan_eur - spent))
        elif p.ist_eur is not None and p.ist_eur < p.plan_eur:
            found.append(finding(grund="weniger verausgabt als geplant", eur=p.plan_eur - p.ist_eur))
        filled = p.ist_vzae if p.ist_vzae is not None else (Decimal(0) if ended else None)
        if p.plan_vzae > 0 and filled is not None and filled < p.plan_vzae:
            grund = "keine Personalstelle geschaffen" if filled == 0 else "Stelle nur teilweise besetzt"
            found.append(finding(grund=grund, vzae=p.plan_vzae - filled))
    return found


def projektjahre(session: Session, jahr: int) -> list[Projektjahr]:
    m = table_of(Massnahme)
    r = table_of(ProjektRessource)
    o = table_of(Organisation)
    rows = session.execute(
        sa.select(
            m.c.id,
            m.c.titel,
            m.c.handlungsfeld,
            m.c.status,
            m.c.laufzeit_bis,
            r.c.jahr,
            r.c.plan_eur,
            r.c.ist_eur,
            r.c.plan_vzae,
            r.c.ist_vzae,
            m.c.kennung,
            o.c.name,
        )
        .join(r, r.c.massnahme_id == m.c.id)
        .outerjoin(o, o.c.id == m.c.verantwortlich_organisation_id)
        .where(r.c.jahr == jahr)
        .order_by(m.c.handlungsfeld, m.c.titel, m.c.kennung)
    )
    return [Projektjahr(*row) for row in rows]


def summe(findings: list[UngenutzteRessource]) -> tuple[Decimal, Decimal]:
    return sum((f.eur for f in findings), Decimal(0)), sum((f.vzae for f in findings), Decimal(0))
