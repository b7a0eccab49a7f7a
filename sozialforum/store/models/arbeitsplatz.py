"""The workspace of the Geschäftsstelle (issue 12): the history of moved deadlines."""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar

from sqlmodel import Field, SQLModel

from sozialforum.store.models.base import Audit, instant


class FristAenderung(SQLModel, table=True):
    """A deadline moved by hand, with the reason and who moved it. ``frist_ref`` names the
    deadline as ``sozialforum.fristen.quellen.Frist.ref`` does (``auftrag:12``,
    ``meilenstein:3:entwurf``, ``massnahme:7``)."""

    __tablename__ = "frist_aenderung"
    __audit__: ClassVar[Audit] = Audit.PROTOKOLL

    id: int | None = Field(default=None, primary_key=True)
    frist_ref: str = Field(max_length=120, index=True)
    alt: date | None = None
    neu: date | None = None
    grund: str
    akteur: str = Field(max_length=200)
    geaendert_am: datetime = instant(nullable=False)
