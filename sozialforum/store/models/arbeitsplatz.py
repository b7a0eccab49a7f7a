"""The workspace of the Geschäftsstelle (issue 12): the history of moved deadlines and the long
work started from its pages."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from sqlmodel import Field, SQLModel

from sozialforum.store.models.base import Audit, instant, json_field


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


class Arbeitslauf(SQLModel, table=True):
    """Long work started from a workspace page (sending invitations, loading a statistics
    delivery, an OParl import). It runs as a flow run, never inside the web request; the run
    writes its state, progress and German result here, and the page reads them from here —
    the same whether the run executes beside the portal or on a worker of the Prefect server."""

    __tablename__ = "arbeitslauf"
    __audit__: ClassVar[Audit] = Audit.PROTOKOLL

    id: int | None = Field(default=None, primary_key=True)
    art: str = Field(max_length=40)
    titel: str = Field(max_length=200)
    parameter: dict[str, Any] = json_field(default_factory=dict)
    gestartet_von: str = Field(max_length=200)
    gestartet_am: datetime = instant(nullable=False, index=True)
    zustand: str = Field(default="wartet", max_length=20)
    fortschritt: str | None = Field(default=None, max_length=500)
    ergebnis: list[str] = json_field(default_factory=list)
    fehler: str | None = None
    flow_run_id: str | None = Field(default=None, max_length=40)
    beendet_am: datetime | None = instant()
