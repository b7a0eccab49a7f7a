"""The Träger portal: Geschäftsstelle users and their sessions, form requests and answers with
versions, topic proposals, and counters of failed attempts (rate limiting)."""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from sozialforum.store.models.base import GEHEIM, PERSONAL, Audit, instant, json_field, slug
from sozialforum.vocab import BenutzerQuelle, BenutzerRolle, SitzungEnde, VorschlagStatus


class Benutzer(SQLModel, table=True):
    """A Geschäftsstelle user of the portal's staff view. Träger have no accounts (links only)."""

    __tablename__ = "benutzer"
    __audit__: ClassVar[Audit] = Audit.VOLL

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80, unique=True, description="login name")
    anzeigename: str = Field(max_length=200, sa_column_kwargs=PERSONAL)
    # "scrypt$n$r$p$salt$hash" (hashlib.scrypt); never the password itself.
    passwort_hash: str = Field(max_length=300, sa_column_kwargs=GEHEIM)
    aktiv: bool = True
    rolle: BenutzerRolle = Field(
        default=BenutzerRolle.GESCHAEFTSSTELLE,
        sa_type=sa.String(40),
        sa_column_kwargs={"server_default": BenutzerRolle.GESCHAEFTSSTELLE.value},
    )
    # fachamt: the Amt (an Organisation) whose Aufträge and Maßnahmen the user sees, and/or the
    # responsible person; kommune: the person whose Datenfreigaben name the Gemeinden.
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id")
    person_id: int | None = Field(default=None, foreign_key="person.id")
    # verzeichnis: created at a directory login; no local password (passwort_hash ""), role and
    # activity follow the directory's groups at every login.
    quelle: BenutzerQuelle = Field(
        default=BenutzerQuelle.LOKAL,
        sa_type=sa.String(20),
        sa_column_kwargs={"server_default": BenutzerQuelle.LOKAL.value},
    )
    # RFC 6238 shared secret (base32); None: no second factor.
    totp_geheimnis: str | None = Field(default=None, max_length=64, sa_column_kwargs=GEHEIM)
    # The time step of the last code accepted: a code counts once (RFC 6238 section 5.2), so
    # one read over a shoulder or from a proxy's log cannot open a second session.
    totp_letzter_schritt: int | None = Field(default=None, sa_type=sa.BigInteger)
    erstellt_am: datetime = instant(nullable=False)
    letzte_anmeldung_am: datetime | None = instant()


class BenutzerSitzung(SQLModel, table=True):
    """A login session; the cookie carries the secret, the store only its SHA-256."""

    __tablename__ = "benutzer_sitzung"
    __audit__: ClassVar[Audit] = Audit.TECHNISCH

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    benutzer_id: int = Field(foreign_key="benutzer.id", index=True)
    erstellt_am: datetime = instant(nullable=False)
    gueltig_bis: datetime = instant(nullable=False)
    beendet_am: datetime | None = instant()
    # Why it ended (``SitzungEnde``): logout, idle, a new password, a locked account, the second
    # factor changed; None for sessions ended before the reason was recorded.
    beendet_grund: SitzungEnde | None = slug(length=20)
    # The last request of the session, written at most once a minute (konten.benutzer.session_user);
    # None for sessions opened before it was recorded: their login counts as the last request.
    zuletzt_aktiv_am: datetime | None = instant()


class Fehlversuch(SQLModel, table=True):
    """Failed token or login attempts per key (``link:<address>``, ``login:<name>``) in a window."""

    __tablename__ = "fehlversuch"
    __audit__: ClassVar[Audit] = Audit.TECHNISCH

    schluessel: str = Field(max_length=200, primary_key=True)
    anzahl: int = 0
    fenster_beginn: datetime = instant(nullable=False)
    gesperrt_bis: datetime | None = instant()


class FormularAnfrage(SQLModel, table=True):
    """A form (defined in config/formulare.toml) requested from one Träger about one object."""

    __tablename__ = "formular_anfrage"
    __audit__: ClassVar[Audit] = Audit.VOLL
    __table_args__ = (sa.UniqueConstraint("formular", "organisation_id", "bezug_id", name="uq_formular_anfrage"),)

    id: int | None = Field(default=None, primary_key=True)
    formular: str = Field(max_length=60, index=True, description="kennung of the form in the config")
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    # The object the form is about (a Gebiet, a Maßnahme, a Protokoll …); its kind is fixed by
    # the form's definition. 0 when the form is about nothing in particular.
    bezug_id: int = 0
    frist: date | None = None
    erstellt_am: datetime = instant(nullable=False)


class FormularAntwort(SQLModel, table=True):
    """The current answer to a request; every submission is also kept as a version."""

    __tablename__ = "formular_antwort"
    __audit__: ClassVar[Audit] = Audit.PROTOKOLL

    id: int | None = Field(default=None, primary_key=True)
    anfrage_id: int = Field(foreign_key="formular_anfrage.id", unique=True)
    version: int = 1
    werte: dict[str, object] = json_field(default_factory=dict)
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    eingereicht_am: datetime = instant(nullable=False)


class FormularAntwortVersion(SQLModel, table=True):
    __tablename__ = "formular_antwort_version"
    __audit__: ClassVar[Audit] = Audit.PROTOKOLL
    __table_args__ = (sa.UniqueConstraint("antwort_id", "version", name="uq_formular_version"),)

    id: int | None = Field(default=None, primary_key=True)
    antwort_id: int = Field(foreign_key="formular_antwort.id", index=True)
    version: int
    werte: dict[str, object] = json_field(default_factory=dict)
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    eingereicht_am: datetime = instant(nullable=False)


class Themenvorschlag(SQLModel, table=True):
    """A topic a Träger proposes for a Sitzung's agenda; the Geschäftsstelle decides on it."""

    __tablename__ = "themenvorschlag"
    __audit__: ClassVar[Audit] = Audit.VOLL

    id: int | None = Field(default=None, primary_key=True)
    sitzung_id: int = Field(foreign_key="sitzung.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    titel: str = Field(max_length=300)
    begruendung: str | None = Field(default=None, sa_column_kwargs=PERSONAL)
    dauer_minuten: int | None = None
    status: VorschlagStatus = slug(default=VorschlagStatus.EINGEREICHT)
    tagesordnungspunkt_id: int | None = Field(default=None, foreign_key="tagesordnungspunkt.id")
    eingereicht_am: datetime = instant(nullable=False)
