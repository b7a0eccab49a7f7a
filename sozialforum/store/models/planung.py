"""Fachpläne with their Fortschreibungsturnus, and the Maßnahmen/Projekte in them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import ClassVar

from sqlmodel import Field, SQLModel

from sozialforum.store.models.base import Audit, money, slug
from sozialforum.vocab import FachplanArt, MassnahmeArt, MassnahmeStatus


class Fachplan(SQLModel, table=True):
    __tablename__ = "fachplan"
    __audit__: ClassVar[Audit] = Audit.VOLL

    id: int | None = Field(default=None, primary_key=True)
    kennung: str = Field(max_length=60, unique=True)
    name: str = Field(max_length=300)
    art: FachplanArt = slug()
    beschlossen_am: date | None = None
    turnus_monate: int | None = Field(default=None, description="Fortschreibungsturnus in months")
    zustaendig_organisation_id: int | None = Field(default=None, foreign_key="organisation.id")
    beschluss_id: int | None = Field(default=None, foreign_key="beschluss.id")
    # A plan that is no longer continued (replaced, merged, given up): no more deadlines.
    abgeschlossen_am: date | None = None


class Massnahme(SQLModel, table=True):
    __tablename__ = "massnahme"
    __audit__: ClassVar[Audit] = Audit.VOLL

    id: int | None = Field(default=None, primary_key=True)
    kennung: str = Field(max_length=60, unique=True)
    fachplan_id: int | None = Field(default=None, foreign_key="fachplan.id", index=True)
    titel: str = Field(max_length=500)
    handlungsfeld: str | None = Field(default=None, max_length=200)
    status: MassnahmeStatus = slug(default=MassnahmeStatus.GEPLANT)
    art: MassnahmeArt = slug(default=MassnahmeArt.BAUSTEIN)
    budget_eur_jahr: Decimal | None = money()
    vzae: Decimal | None = money()
    verantwortlich_organisation_id: int | None = Field(default=None, foreign_key="organisation.id")
    gebiet_id: int | None = Field(default=None, foreign_key="gebiet.id", index=True)
    laufzeit_von: date | None = None
    laufzeit_bis: date | None = None
    naechste_pruefung: date | None = None
