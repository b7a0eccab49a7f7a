"""Strategy, projects and funding (Lörrach: Leitsätze and project verdicts; Ulm: a contract of
Ziele with Kennzahlen; Leipzig: about 110 funded projects at about 80 Träger).

A Strategie is one Fortschreibung: a new Fortschreibung is a new row (``vorgaenger_id``) with
its own elements and Ziele, so earlier verdicts and targets keep the wording they were given.
Projects are ``Massnahme`` rows (planung.py); their resources per year, areas and the parts of
the strategy they serve live here.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from sozialforum.store.models.base import Audit, instant, json_field, money, slug
from sozialforum.vocab import AntragStatus, StrategieElementArt, Urteil, Zielart, ZielEbene, Zielrichtung


class Strategie(SQLModel, table=True):
    __tablename__ = "strategie"
    __audit__: ClassVar[Audit] = Audit.VOLL

    id: int | None = Field(default=None, primary_key=True)
    kennung: str = Field(max_length=60, unique=True)
    titel: str = Field(max_length=300)
    fassung: str = Field(max_length=100, description="e.g. 'Fortschreibung 2019'")
    beschlossen_am: date | None = None
    beschluss_id: int | None = Field(default=None, foreign_key="beschluss.id")
    vorgaenger_id: int | None = Field(default=None, foreign_key="strategie.id")


class Strategieelement(SQLModel, table=True):
    """A Leitsatz, a strategic direction, a Leitlinie or a Handlungsfeld of one Strategie."""

    __tablename__ = "strategieelement"
    __audit__: ClassVar[Audit] = Audit.VOLL
    __table_args__ = (sa.UniqueConstraint("strategie_id", "art", "nummer", name="uq_strategieelement"),)

    id: int | None = Field(default=None, primary_key=True)
    strategie_id: int = Field(foreign_key="strategie.id", index=True)
    art: StrategieElementArt = slug()
    nummer: int
    titel: str = Field(max_length=300)
    text: str | None = None


class Ziel(SQLModel, table=True):
    """A Wirkungs- or Handlungsziel with its Kennzahl and target (Ulm contract)."""

    __tablename__ = "ziel"
    __audit__: ClassVar[Audit] = Audit.VOLL

    id: int | None = Field(default=None, primary_key=True)
    kennung: str = Field(max_length=60, unique=True)
    strategie_id: int = Field(foreign_key="strategie.id", index=True)
    handlungsfeld_id: int | None = Field(default=None, foreign_key="strategieelement.id")
    ebene: ZielEbene = slug(default=ZielEbene.WIRKUNGSZIEL)
    titel: str = Field(max_length=500)
    kennzahl: str = Field(max_length=300, description="name of the Kennzahl as the contract states it")
    indikator: str | None = Field(default=None, max_length=60, description="catalogue key, if from the atlas")
    einheit: str | None = Field(default=None, max_length=40)
    zielart: Zielart = slug(default=Zielart.WERT)
    richtung: Zielrichtung = slug(default=Zielrichtung.HOECHSTENS)
    zielwert: Decimal = Field(sa_type=sa.Numeric(14, 4))
    toleranz: Decimal = Field(default=Decimal(0), sa_type=sa.Numeric(14, 4))
    basisjahr: int | None = Field(default=None, description="growth targets: the year growth is measured from")


class Kennzahlwert(SQLModel, table=True):
    """A figure of a Ziel's Kennzahl at a Stichtag, for the whole area (gebiet_id None) or one
    Sozialraum: delivered by the Fachamt, or taken over from the atlas."""

    __tablename__ = "kennzahlwert"
    __audit__: ClassVar[Audit] = Audit.VOLL
    __table_args__ = (sa.UniqueConstraint("ziel_id", "stichtag", "gebiet_id", name="uq_kennzahlwert"),)

    id: int | None = Field(default=None, primary_key=True)
    ziel_id: int = Field(foreign_key="ziel.id", index=True)
    stichtag: date
    gebiet_id: int | None = Field(default=None, foreign_key="gebiet.id")
    wert: Decimal = Field(sa_type=sa.Numeric(18, 4))
    quelle: str | None = Field(default=None, max_length=300)


class ProjektBezug(SQLModel, table=True):
    """A project serves a Leitsatz/Leitlinie/Handlungsfeld or a Ziel."""

    __tablename__ = "projekt_bezug"
    __audit__: ClassVar[Audit] = Audit.VOLL
    __table_args__ = (sa.UniqueConstraint("massnahme_id", "element_id", "ziel_id", name="uq_projekt_bezug"),)

    id: int | None = Field(default=None, primary_key=True)
    massnahme_id: int = Field(foreign_key="massnahme.id", index=True)
    element_id: int | None = Field(default=None, foreign_key="strategieelement.id")
    ziel_id: int | None = Field(default=None, foreign_key="ziel.id")


class ProjektGebiet(SQLModel, table=True):
    """A Sozialraum a project works in, with its share of the project's resources (percent)."""

    __tablename__ = "projekt_gebiet"
    __audit__: ClassVar[Audit] = Audit.VOLL
    __table_args__ = (sa.UniqueConstraint("massnahme_id", "gebiet_id", name="uq_projekt_gebiet"),)

    id: int | None = Field(default=None, primary_key=True)
    massnahme_id: int = Field(foreign_key="massnahme.id", index=True)
    gebiet_id: int = Field(foreign_key="gebiet.id")
    anteil_prozent: Decimal = Field(default=Decimal(100), sa_type=sa.Numeric(7, 3))


class ProjektRessource(SQLModel, table=True):
    """Resources of a project in one year: planned and actual euros and full-time posts (VZÄ)."""

    __tablename__ = "projekt_ressource"
    __audit__: ClassVar[Audit] = Audit.VOLL
    __table_args__ = (sa.UniqueConstraint("massnahme_id", "jahr", name="uq_projekt_ressource"),)

    id: int | None = Field(default=None, primary_key=True)
    massnahme_id: int = Field(foreign_key="massnahme.id", index=True)
    jahr: int
    plan_eur: Decimal = money(default=Decimal(0))
    ist_eur: Decimal | None = money()
    plan_vzae: Decimal = Field(default=Decimal(0), sa_type=sa.Numeric(6, 2))
    ist_vzae: Decimal | None = Field(default=None, sa_type=sa.Numeric(6, 2))


class Bewertungsrunde(SQLModel, table=True):
    """One round in which each project reports and gets a verdict (Lörrach 2012–2018)."""

    __tablename__ = "bewertungsrunde"
    __audit__: ClassVar[Audit] = Audit.VOLL

    id: int | None = Field(default=None, primary_key=True)
    kennung: str = Field(max_length=60, unique=True)
    strategie_id: int | None = Field(default=None, foreign_key="strategie.id")
    titel: str = Field(max_length=300)
    zeitraum_von: int
    zeitraum_bis: int
    berichtsfrist: date
    gestartet_am: datetime | None = instant()


class Projektbericht(SQLModel, table=True):
    """A project's report in a round: figures, text and attainment, from its Träger or Amt."""

    __tablename__ = "projektbericht"
    __audit__: ClassVar[Audit] = Audit.VOLL
    __table_args__ = (sa.UniqueConstraint("runde_id", "massnahme_id", name="uq_projektbericht"),)

    id: int | None = Field(default=None, primary_key=True)
    runde_id: int = Field(foreign_key="bewertungsrunde.id", index=True)
    massnahme_id: int = Field(foreign_key="massnahme.id")
    person_id: int | None = Field(default=None, foreign_key="person.id")
    angefordert_am: datetime | None = instant()
    erinnert_am: datetime | None = instant()
    eingegangen_am: datetime | None = instant()
    text: str | None = None
    zahlen: dict[str, Any] = json_field(default_factory=dict)


class Projektbewertung(SQLModel, table=True):
    """The verdict on a project in a round, with its reasoning."""

    __tablename__ = "projektbewertung"
    __audit__: ClassVar[Audit] = Audit.VOLL
    __table_args__ = (sa.UniqueConstraint("runde_id", "massnahme_id", name="uq_projektbewertung"),)

    id: int | None = Field(default=None, primary_key=True)
    runde_id: int = Field(foreign_key="bewertungsrunde.id", index=True)
    massnahme_id: int = Field(foreign_key="massnahme.id")
    urteil: Urteil = slug()
    begruendung: str
    folgeauftrag_id: int | None = Field(default=None, foreign_key="auftrag.id")
    bewertet_von: str = Field(max_length=200)
    bewertet_am: datetime = instant(nullable=False)


class Foerderaufruf(SQLModel, table=True):
    """A call for funding applications with deadline, budget line and criteria (the Leitsätze)."""

    __tablename__ = "foerderaufruf"
    __audit__: ClassVar[Audit] = Audit.VOLL

    id: int | None = Field(default=None, primary_key=True)
    kennung: str = Field(max_length=60, unique=True)
    titel: str = Field(max_length=300)
    strategie_id: int | None = Field(default=None, foreign_key="strategie.id")
    frist: date
    haushaltsstelle: str = Field(max_length=100, description="budget line, e.g. PSP-Element 1.31.3.1.01.01")
    mittel_eur: Decimal = money()
    foerderjahr: int


class Foerderantrag(SQLModel, table=True):
    __tablename__ = "foerderantrag"
    __audit__: ClassVar[Audit] = Audit.VOLL
    __table_args__ = (sa.UniqueConstraint("aufruf_id", "kennung", name="uq_foerderantrag"),)

    id: int | None = Field(default=None, primary_key=True)
    aufruf_id: int = Field(foreign_key="foerderaufruf.id", index=True)
    kennung: str = Field(max_length=60)
    traeger_id: int = Field(foreign_key="organisation.id", index=True)
    person_id: int | None = Field(default=None, foreign_key="person.id")
    massnahme_id: int | None = Field(default=None, foreign_key="massnahme.id")
    titel: str = Field(max_length=300)
    kostenplan: dict[str, Any] = json_field(default_factory=dict)
    beantragt_eur: Decimal = money()
    status: AntragStatus = slug(default=AntragStatus.ENTWURF)
    eingereicht_am: datetime | None = instant()


class Antragsbewertung(SQLModel, table=True):
    """A reviewer's score of an application against one criterion (a Leitsatz of the call)."""

    __tablename__ = "antragsbewertung"
    __audit__: ClassVar[Audit] = Audit.VOLL
    __table_args__ = (sa.UniqueConstraint("antrag_id", "element_id", name="uq_antragsbewertung"),)

    id: int | None = Field(default=None, primary_key=True)
    antrag_id: int = Field(foreign_key="foerderantrag.id", index=True)
    element_id: int = Field(foreign_key="strategieelement.id")
    punkte: int
    notiz: str | None = None


class Foerderentscheidung(SQLModel, table=True):
    """The decision on an application: amount, period, budget line, conditions, and the Bescheid."""

    __tablename__ = "foerderentscheidung"
    __audit__: ClassVar[Audit] = Audit.VOLL

    id: int | None = Field(default=None, primary_key=True)
    antrag_id: int = Field(foreign_key="foerderantrag.id", unique=True)
    bewilligt: bool
    betrag_eur: Decimal = money(default=Decimal(0))
    von: date | None = None
    bis: date | None = None
    haushaltsstelle: str | None = Field(default=None, max_length=100)
    auflagen: str | None = None
    begruendung: str | None = None
    verwendungsnachweis_frist: date | None = None
    verwendungsnachweis_auftrag_id: int | None = Field(default=None, foreign_key="auftrag.id")
    entschieden_von: str = Field(max_length=200)
    entschieden_am: datetime = instant(nullable=False)
    bescheid_pdf: bytes | None = Field(default=None, sa_type=sa.LargeBinary)


class Foerderrate(SQLModel, table=True):
    """An instalment of a decided grant."""

    __tablename__ = "foerderrate"
    __audit__: ClassVar[Audit] = Audit.VOLL
    __table_args__ = (sa.UniqueConstraint("entscheidung_id", "nummer", name="uq_foerderrate"),)

    id: int | None = Field(default=None, primary_key=True)
    entscheidung_id: int = Field(foreign_key="foerderentscheidung.id", index=True)
    nummer: int
    faellig_am: date
    betrag_eur: Decimal = money()
    gezahlt_am: date | None = None


class Verwendungsnachweis(SQLModel, table=True):
    """Sachbericht and zahlenmäßiger Nachweis of a grant; its deadline is a tracked Auftrag."""

    __tablename__ = "verwendungsnachweis"
    __audit__: ClassVar[Audit] = Audit.VOLL

    id: int | None = Field(default=None, primary_key=True)
    entscheidung_id: int = Field(foreign_key="foerderentscheidung.id", unique=True)
    eingegangen_am: date | None = None
    sachbericht: str | None = None
    ausgaben_eur: Decimal | None = money()
    zahlen: dict[str, Any] = json_field(default_factory=dict)
