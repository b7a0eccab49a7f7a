"""The Sozialbericht's editions and the Handlungsempfehlungen the Geschäftsstelle writes for
them (issue 17). An edition is a draft until it is released; then its files are kept as they
were written and it can no longer be changed."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from sozialforum.store.models.base import Audit, instant, json_field


class Berichtsausgabe(SQLModel, table=True):
    __tablename__ = "berichtsausgabe"
    __audit__: ClassVar[Audit] = Audit.VOLL

    id: int | None = Field(default=None, primary_key=True)
    titel: str = Field(max_length=200)
    stichtag: date = Field(unique=True, description="the computation's Stichtag the report shows")
    status: str = Field(default="entwurf", max_length=20, description="entwurf | freigegeben")
    angelegt_am: datetime = instant(nullable=False)
    freigegeben_am: datetime | None = instant()
    freigegeben_von: str | None = Field(default=None, max_length=200)
    # Files of the released edition: relative path → sha256, so a changed file is noticed.
    dateien: dict[str, Any] = json_field(default_factory=dict)


class Handlungsempfehlung(SQLModel, table=True):
    __tablename__ = "handlungsempfehlung"
    __audit__: ClassVar[Audit] = Audit.VOLL

    id: int | None = Field(default=None, primary_key=True)
    ausgabe_id: int = Field(foreign_key="berichtsausgabe.id", index=True)
    position: int = Field(description="order in the report, 1 …")
    titel: str = Field(max_length=300)
    text: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    dimension: str | None = Field(default=None, max_length=60, description="dimension code of the catalogue")
    gebiet_id: int | None = Field(default=None, foreign_key="gebiet.id")
