"""Deadline bookkeeping (reminders sent, milestones done) and the OParl synchronisation state.

The deadlines themselves are not stored twice: they are read from their sources (Auftrag.frist,
Fachplan.beschlossen_am + turnus_monate, Massnahme.naechste_pruefung) every time, so a moved or
finished item is seen at once. What is stored here is what we did about them.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from sozialforum.store.models.base import PERSONAL, Audit, instant, slug
from sozialforum.vocab import ErinnerungArt


class FristErinnerung(SQLModel, table=True):
    """One reminder or escalation decided for one deadline at one stage.

    ``schluessel`` (unique) names the deadline, its due date and the stage, e.g.
    ``erinnerung:auftrag:12:2026-06-30:30``: inserting it is the decision to remind, so a rerun,
    a crash or a catch-up after downtime can never remind twice. A moved due date is a new key.
    """

    __tablename__ = "frist_erinnerung"
    __audit__: ClassVar[Audit] = Audit.PROTOKOLL
    __table_args__ = (
        sa.Index("ix_frist_erinnerung_ref_faellig", "frist_ref", "faellig_am"),
        sa.Index("ix_frist_erinnerung_art_faellig", "art", "faellig_am"),  # the daily scan's reads
    )

    id: int | None = Field(default=None, primary_key=True)
    schluessel: str = Field(max_length=300, unique=True)
    frist_ref: str = Field(max_length=120, description="e.g. 'auftrag:12', 'meilenstein:3:entwurf'")
    faellig_am: date
    stufe: int = Field(description="days before the due date; negative: days overdue (escalation)")
    art: ErinnerungArt = slug()
    empfaenger: str = Field(max_length=254, sa_column_kwargs=PERSONAL)
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    outbox_schluessel: str = Field(max_length=300, description="the mail (or digest) that carries it")
    erstellt_am: datetime = instant(nullable=False)


class FachplanMeilenstein(SQLModel, table=True):
    """A milestone of one Fortschreibung cycle that was done or moved by the planners.

    Milestones are computed from config/fristen.toml; a row exists only where a planner recorded
    something. The cycle is named by its due date, so a new adoption starts a fresh cycle.
    """

    __tablename__ = "fachplan_meilenstein"
    __audit__: ClassVar[Audit] = Audit.VOLL
    __table_args__ = (
        sa.UniqueConstraint("fachplan_id", "zyklus_faellig", "meilenstein", name="uq_fachplan_meilenstein"),
    )

    id: int | None = Field(default=None, primary_key=True)
    fachplan_id: int = Field(foreign_key="fachplan.id", index=True)
    zyklus_faellig: date = Field(description="due date of the Fortschreibung this belongs to")
    meilenstein: str = Field(max_length=60)
    faellig_am: date | None = Field(default=None, description="moved due date, if any")
    erledigt_am: date | None = None


class OparlObjekt(SQLModel, table=True):
    """Every imported OParl object: its id, what it became here and when it last changed.

    Tables with an ``oparl_id`` column are matched on it directly; Person, Organisation and
    Beschluss have none, so this map is how a re-import finds them again.
    """

    __tablename__ = "oparl_objekt"
    __audit__: ClassVar[Audit] = Audit.MASSENDATEN
    __table_args__ = (sa.Index("ix_oparl_objekt_ziel", "tabelle", "datensatz_id"),)

    id: int | None = Field(default=None, primary_key=True)
    oparl_id: str = Field(max_length=500, unique=True)
    typ: str = Field(max_length=40)
    tabelle: str | None = Field(default=None, max_length=40)
    datensatz_id: int | None = None
    modified: datetime | None = instant()
    erstellt: datetime | None = instant()  # the source's ``created`` (the export gives it back)
    geloescht: bool = False
    zuletzt_gesehen: datetime = instant(nullable=False)


class OparlAbruf(SQLModel, table=True):
    """When a list of an OParl endpoint was last read completely (for ``modified_since``)."""

    __tablename__ = "oparl_abruf"
    __audit__: ClassVar[Audit] = Audit.PROTOKOLL

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(max_length=500, unique=True)
    letzter_abruf: datetime = instant(nullable=False)
    objekte: int = 0


class KalenderFassung(SQLModel, table=True):
    """The generation of a feed that has no row of its own to hold one (``fristen``: the deadline
    calendar of the installation, ``beschluesse.feed``). The workspace counts it up when the
    address leaked; the setting ``fristen.kalender_fassung`` still raises it (the higher counts)."""

    __tablename__ = "kalender_fassung"
    __audit__: ClassVar[Audit] = Audit.VOLL

    id: int | None = Field(default=None, primary_key=True)
    kalender: str = Field(max_length=40, unique=True)
    fassung: int = 0
