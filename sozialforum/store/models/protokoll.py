"""The minutes of a Sitzung (DOMAIN.md, step 4): versions of the draft, entries per
Tagesordnungspunkt, the Aufträge and recommendations in them, comments, the Geschäftsstelle's
decisions and the files (uploaded drafts, the archived final minutes).

A version is never changed once submitted; a revision is a new version, so the history the
final minutes show is the history that happened. On approval every ``ProtokollPunkt`` of the
approved version becomes a foundation ``Auftrag`` (quelle=protokoll) that the deadline flow watches.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from sozialforum.store.models.base import PERSONAL, Audit, instant, slug
from sozialforum.vocab import (
    ProtokollDateiArt,
    ProtokollEntscheidung,
    ProtokollForm,
    ProtokollPunktArt,
    ProtokollStatus,
)


class Protokoll(SQLModel, table=True):
    """One per Sitzung: where its minutes stand."""

    __tablename__ = "protokoll"
    __audit__: ClassVar[Audit] = Audit.VOLL

    id: int | None = Field(default=None, primary_key=True)
    sitzung_id: int = Field(foreign_key="sitzung.id", unique=True)
    status: ProtokollStatus = slug(default=ProtokollStatus.ANGEFORDERT, index=True)
    protokollfuehrung_person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    angefordert_am: datetime = instant(nullable=False)
    entwurf_frist: date = Field(description="due date of the (next) draft")
    erinnert_am: datetime | None = instant()
    eskaliert_am: datetime | None = instant()
    aktuelle_version: int = Field(default=0, description="number of the latest submitted version")
    kommentar_bis: datetime | None = instant()
    freigegeben_am: datetime | None = instant()
    verteilt_am: datetime | None = instant()
    # The Prefect flow run waiting for the decision on the current version (a plain id: the
    # domain does not know Prefect; the CLI uses it to resume that very run).
    freigabe_lauf_id: str | None = Field(default=None, max_length=64)
    freigabe_erinnerungen: int = 0


class ProtokollVersion(SQLModel, table=True):
    __tablename__ = "protokoll_version"
    __audit__: ClassVar[Audit] = Audit.PROTOKOLL
    __table_args__ = (sa.UniqueConstraint("protokoll_id", "nummer", name="uq_protokoll_version"),)

    id: int | None = Field(default=None, primary_key=True)
    protokoll_id: int = Field(foreign_key="protokoll.id", index=True)
    nummer: int
    form: ProtokollForm = slug(default=ProtokollForm.STRUKTURIERT)
    eingereicht_am: datetime = instant(nullable=False)
    eingereicht_von_person_id: int | None = Field(default=None, foreign_key="person.id")
    anmerkung: str | None = Field(default=None, description="a note of the Protokollführung")
    # When the Sitzung actually began and ended, as the Protokollführung recorded it (the
    # Sitzung keeps the times of the invitation).
    beginn: datetime | None = instant()
    ende: datetime | None = instant()


class ProtokollEintrag(SQLModel, table=True):
    """What was discussed and decided under one Tagesordnungspunkt, in one version."""

    __tablename__ = "protokoll_eintrag"
    __audit__: ClassVar[Audit] = Audit.PROTOKOLL

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(foreign_key="protokoll_version.id", index=True)
    tagesordnungspunkt_id: int | None = Field(default=None, foreign_key="tagesordnungspunkt.id")
    reihenfolge: int
    nummer: str = Field(max_length=20)
    titel: str = Field(max_length=500)
    diskussion: str = ""
    ergebnis: str = ""


class ProtokollPunkt(SQLModel, table=True):
    """An Auftrag or a recommendation in one version; tracked as an ``Auftrag`` once approved."""

    __tablename__ = "protokoll_punkt"
    __audit__: ClassVar[Audit] = Audit.PROTOKOLL

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(foreign_key="protokoll_version.id", index=True)
    tagesordnungspunkt_id: int | None = Field(default=None, foreign_key="tagesordnungspunkt.id")
    reihenfolge: int
    art: ProtokollPunktArt = slug(default=ProtokollPunktArt.AUFTRAG)
    beschreibung: str
    verantwortlich_person_id: int | None = Field(default=None, foreign_key="person.id")
    verantwortlich_organisation_id: int | None = Field(default=None, foreign_key="organisation.id")
    frist: date
    auftrag_id: int | None = Field(default=None, foreign_key="auftrag.id")


class ProtokollKommentar(SQLModel, table=True):
    __tablename__ = "protokoll_kommentar"
    __audit__: ClassVar[Audit] = Audit.PROTOKOLL

    id: int | None = Field(default=None, primary_key=True)
    protokoll_id: int = Field(foreign_key="protokoll.id", index=True)
    version_id: int = Field(foreign_key="protokoll_version.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    tagesordnungspunkt_id: int | None = Field(default=None, foreign_key="tagesordnungspunkt.id")
    text: str = Field(sa_column_kwargs=PERSONAL)
    erstellt_am: datetime = instant(nullable=False)


class ProtokollFreigabe(SQLModel, table=True):
    """The Geschäftsstelle's decision on one version; at most one per version, so two approvals
    of the same draft can never both count."""

    __tablename__ = "protokoll_freigabe"
    __audit__: ClassVar[Audit] = Audit.PROTOKOLL  # one immutable decision per version (freigabe.py records it)

    id: int | None = Field(default=None, primary_key=True)
    protokoll_id: int = Field(foreign_key="protokoll.id", index=True)
    version_id: int = Field(foreign_key="protokoll_version.id", unique=True)
    entscheidung: ProtokollEntscheidung = slug()
    anmerkungen: str = ""
    entschieden_von: str = Field(max_length=200)
    quelle: str = Field(max_length=60, description="prefect-ui/api, cli, demo …")
    entschieden_am: datetime = instant(nullable=False)


class ProtokollDatei(SQLModel, table=True):
    """An uploaded draft document or an archived final version (the bytes live in the store)."""

    __tablename__ = "protokoll_datei"
    __audit__: ClassVar[Audit] = Audit.PROTOKOLL
    __table_args__ = (sa.UniqueConstraint("protokoll_id", "version_id", "art", name="uq_protokoll_datei"),)

    id: int | None = Field(default=None, primary_key=True)
    protokoll_id: int = Field(foreign_key="protokoll.id", index=True)
    version_id: int = Field(foreign_key="protokoll_version.id", index=True)
    art: ProtokollDateiArt = slug()
    dateiname: str = Field(max_length=255)
    mimetype: str = Field(max_length=100)
    groesse: int
    sha256: str = Field(max_length=64)
    inhalt: bytes = Field(sa_type=sa.LargeBinary)
    erstellt_am: datetime = instant(nullable=False)
