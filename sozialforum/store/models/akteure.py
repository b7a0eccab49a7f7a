"""Akteure: organisations and their contact persons, with consent to be contacted (DSGVO)."""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar

from sqlmodel import Field, SQLModel

from sozialforum.store.models.base import PERSONAL, Audit, instant, slug
from sozialforum.vocab import OrganisationArt, Rechtsgrundlage


class Organisation(SQLModel, table=True):
    __tablename__ = "organisation"
    __audit__: ClassVar[Audit] = Audit.VOLL

    id: int | None = Field(default=None, primary_key=True)
    kennung: str = Field(max_length=40, unique=True, description="natural key from the planners' list")
    name: str = Field(max_length=300)
    art: OrganisationArt = slug()
    dachverband: str | None = Field(default=None, max_length=200)
    gebiet_id: int | None = Field(default=None, foreign_key="gebiet.id", index=True)
    email: str | None = Field(default=None, max_length=254)
    telefon: str | None = Field(default=None, max_length=60)
    adresse: str | None = Field(default=None, max_length=300)
    dezernat: str | None = Field(default=None, max_length=100, description="for Ämter: the Dezernat")


class Person(SQLModel, table=True):
    """A contact person. Personal data under the DSGVO: see services/dsgvo.py for Art. 15/17."""

    __tablename__ = "person"
    __audit__: ClassVar[Audit] = Audit.VOLL

    id: int | None = Field(default=None, primary_key=True)
    kennung: str = Field(max_length=40, unique=True)
    anrede: str | None = Field(default=None, max_length=20, sa_column_kwargs=PERSONAL)
    vorname: str | None = Field(default=None, max_length=100, sa_column_kwargs=PERSONAL)
    nachname: str = Field(max_length=100, sa_column_kwargs=PERSONAL)
    email: str | None = Field(default=None, max_length=254, index=True, sa_column_kwargs=PERSONAL)
    telefon: str | None = Field(default=None, max_length=60, sa_column_kwargs=PERSONAL)
    funktion: str | None = Field(default=None, max_length=200, sa_column_kwargs=PERSONAL)
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    # Consent to be contacted: legal basis, date and where it came from; opt-out wins over it.
    rechtsgrundlage: Rechtsgrundlage | None = slug()
    einwilligung_am: date | None = None
    einwilligung_quelle: str | None = Field(default=None, max_length=200, sa_column_kwargs=PERSONAL)
    abgemeldet_am: datetime | None = instant()
    # Set by Art. 17 erasure: the row stays so that references stay consistent, the data goes.
    geloescht_am: datetime | None = instant()
    zustellung_gestoert_am: datetime | None = instant()
    # Part of the person's calendar feed token (konferenz.feeds): one up withdraws the old address.
    kalender_generation: int = Field(default=0, sa_column_kwargs={"server_default": "0"})

    @property
    def anzeigename(self) -> str:
        return " ".join(part for part in (self.vorname, self.nachname) if part)

    @property
    def contactable(self) -> bool:
        """May we send this person mail at all (consent present, not opted out, not erased)?"""
        return (
            self.rechtsgrundlage is not None
            and self.abgemeldet_am is None
            and self.geloescht_am is None
            and bool(self.email)
        )
