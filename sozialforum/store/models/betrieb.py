"""Bookkeeping of the daily planning cycle: which due action ran, and which days the cycle ran.

``ZyklusAktion.schluessel`` (unique) names one due action by its natural key, e.g.
``einladungen_versenden:sitzung:12`` or ``fristen_ueberwachen:2026-03-02``: a rerun, a retry or a
catch-up after downtime finds the row and does not run the action again. The actions themselves
are idempotent too (outbox keys, reminder log), so a crash between an action and its row repeats
work but sends nothing twice.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar

from sqlmodel import Field, SQLModel

from sozialforum.store.models.base import Audit, instant, json_field, slug
from sozialforum.vocab import ZyklusArt, ZyklusStatus


class ZyklusAktion(SQLModel, table=True):
    __tablename__ = "zyklus_aktion"
    __audit__: ClassVar[Audit] = Audit.PROTOKOLL

    id: int | None = Field(default=None, primary_key=True)
    schluessel: str = Field(max_length=300, unique=True)
    art: ZyklusArt = slug(index=True)
    faellig_am: date = Field(description="the day the action became due (earlier than tag after downtime)")
    tag: date = Field(index=True, description="the cycle day that ran (or last tried) it")
    status: ZyklusStatus = slug(index=True)
    versuche: int = 0
    parameter: dict[str, object] = json_field(default_factory=dict)
    lauf_id: str | None = Field(default=None, max_length=200, description="the flow run that ran it")
    begonnen_am: datetime = instant(nullable=False)
    beendet_am: datetime | None = instant()
    ergebnis: str | None = Field(default=None, description="German summary or error of the last attempt")


class ZyklusTag(SQLModel, table=True):
    """One day the cycle completed; the next run catches up from the day after the latest."""

    __tablename__ = "zyklus_tag"
    __audit__: ClassVar[Audit] = Audit.PROTOKOLL

    tag: date = Field(primary_key=True)
    lauf_id: str | None = Field(default=None, max_length=200)
    beendet_am: datetime = instant(nullable=False)
    nachgeholt_ab: date | None = Field(default=None, description="first missed day this run caught up")
    aktionen: int = 0
    fehler: int = 0


class Alarm(SQLModel, table=True):
    """A notification to the Geschäftsstelle and the operator about a failure (a failed flow run,
    a delivery failing for too long), kept in the store so it goes out once from whichever machine
    sees it first and the workspace's Übersicht can show it."""

    __tablename__ = "betrieb_alarm"
    __audit__: ClassVar[Audit] = Audit.PROTOKOLL

    id: int | None = Field(default=None, primary_key=True)
    # What the alarm is about, e.g. 'zustellung-gestoert:2026-03-02'; a second one is a no-op.
    schluessel: str = Field(max_length=200, unique=True)
    art: str = Field(max_length=40, index=True)
    text: str
    erstellt_am: datetime = instant(nullable=False)
    # German: where it went (file, webhook) or why it could not go.
    weitergeleitet: str | None = None
