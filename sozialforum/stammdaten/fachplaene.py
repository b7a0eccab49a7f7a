"""Fachpläne entered and kept by hand (workspace): create, edit, close. Deadlines follow from
``beschlossen_am`` + ``turnus_monate`` and the milestones of config/fristen.toml."""

from __future__ import annotations

import re
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlmodel import col

from sozialforum.store.models import Fachplan, Organisation
from sozialforum.vocab import FachplanArt

KENNUNG = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/\-]{0,59}")


def speichern(
    session: Session,
    *,
    plan: Fachplan | None,
    kennung: str,
    name: str,
    art: str,
    beschlossen_am: date | None,
    turnus_monate: int | None,
    zustaendig_organisation_id: int | None,
) -> Fachplan:
    """Create (``plan`` None) or change a Fachplan; German ``ValueError`` on bad input."""
    kennung, name = kennung.strip(), name.strip()
    if not KENNUNG.fullmatch(kennung):
        raise ValueError("Kennung: bitte 1–60 Zeichen aus Buchstaben, Ziffern, Punkt, /, - und _.")
    if not name:
        raise ValueError("Bitte geben Sie den Namen des Fachplans an.")
    try:
        planart = FachplanArt.parse(art)
    except ValueError:
        raise ValueError(f"Planart „{art}“ ist unbekannt (erlaubt: {FachplanArt.choices()}).") from None
    if turnus_monate is not None and not 1 <= turnus_monate <= 240:
        raise ValueError("Der Fortschreibungsturnus muss zwischen 1 und 240 Monaten liegen.")
    if zustaendig_organisation_id is not None and session.get(Organisation, zustaendig_organisation_id) is None:
        raise ValueError("Die zuständige Stelle gibt es nicht.")
    other = session.scalars(sa.select(Fachplan).where(col(Fachplan.kennung) == kennung)).first()
    if other is not None and other is not plan:
        raise ValueError(f"Die Kennung „{kennung}“ ist schon vergeben.")
    plan = plan or Fachplan(kennung=kennung, name=name, art=planart)
    plan.kennung, plan.name, plan.art = kennung, name, planart
    plan.beschlossen_am, plan.turnus_monate = beschlossen_am, turnus_monate
    plan.zustaendig_organisation_id = zustaendig_organisation_id
    session.add(plan)
    session.flush()
    return plan


def abschliessen(session: Session, plan: Fachplan, *, am: date) -> None:
    """The plan is not continued: its Fortschreibung and milestones are no longer due."""
    plan.abgeschlossen_am = am
    session.add(plan)
    session.flush()


def wieder_aufnehmen(session: Session, plan: Fachplan) -> None:
    plan.abgeschlossen_am = None
    session.add(plan)
    session.flush()
