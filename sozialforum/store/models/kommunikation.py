"""What the Geschäftsstelle sends and what comes back: the mail outbox, personal links, RSVPs."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from sozialforum.store.models.base import PERSONAL, Audit, instant, json_field, slug
from sozialforum.vocab import Antwort, AntwortQuelle, LinkZweck, OutboxStatus


class OutboxMessage(SQLModel, table=True):
    """A message recorded before it is sent, so that a retry or crash never sends it twice.

    ``schluessel`` is the idempotency key, derived from what the message is about (e.g.
    ``einladung:sitzung=12:seq=0:person=7``); enqueueing the same key again is a no-op.
    """

    __tablename__ = "outbox_message"
    __audit__: ClassVar[Audit] = Audit.PROTOKOLL

    id: int | None = Field(default=None, primary_key=True)
    schluessel: str = Field(max_length=300, unique=True)
    art: str = Field(max_length=40, index=True)
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    empfaenger: str = Field(max_length=254, sa_column_kwargs=PERSONAL)
    betreff: str = Field(max_length=500, sa_column_kwargs=PERSONAL)
    status: OutboxStatus = slug(default=OutboxStatus.QUEUED, index=True)
    # The rendered RFC 5322 message: a resend after a crash sends these very bytes.
    inhalt: bytes | None = Field(default=None, sa_type=sa.LargeBinary, sa_column_kwargs=PERSONAL)
    message_id: str | None = Field(default=None, max_length=300)
    bezug: dict[str, object] = json_field(default_factory=dict)
    versuche: int = 0
    antwort_server: str | None = None
    erstellt_am: datetime = instant(nullable=False)
    gesendet_am: datetime | None = instant()
    # Queued: not before this instant (retry backoff). Sending: the claim's lease; a claim whose
    # lease ran out belongs to a run that died, and the message is taken up again.
    naechster_versuch: datetime | None = instant(index=True)
    lauf: str | None = Field(default=None, max_length=40, description="token of the claiming run")
    # The hand-over record in the store: the run (``lauf``) that began to hand this message over
    # and when, committed before the final ``.`` of DATA is sent. A message of a dead run with this
    # record is in doubt: set aside as "Zustellung unklar" for a person, never sent again by a run.
    uebergeben_lauf: str | None = Field(default=None, max_length=40)
    uebergabe_am: datetime | None = instant()
    # Retention (``outbox.aufbewahrung``): after ``mail.inhalt_aufbewahren_tage`` a sent message
    # keeps only its header block in ``inhalt``; size and SHA-256 of what was sent stay here.
    inhalt_gekuerzt_am: datetime | None = instant()
    inhalt_groesse: int | None = None
    inhalt_sha256: str | None = Field(default=None, max_length=64)


class PersonalLink(SQLModel, table=True):
    """A personal link: scoped to one person, one purpose and one object; expiring; revocable.

    Only a hash of the secret is stored, so a copy of the database opens no link.
    """

    __tablename__ = "personal_link"
    __audit__: ClassVar[Audit] = Audit.PROTOKOLL

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    zweck: LinkZweck = slug()
    bezug_id: int = Field(description="id of the Sitzung, form, Protokoll or Auftrag it is for")
    gueltig_bis: datetime = instant(nullable=False)
    widerrufen_am: datetime | None = instant()
    erstellt_am: datetime = instant(nullable=False)
    zuletzt_benutzt_am: datetime | None = instant()


class Rueckmeldung(SQLModel, table=True):
    """The RSVP of one person to one Sitzung; link and calendar reply update the same row."""

    __tablename__ = "rueckmeldung"
    __audit__: ClassVar[Audit] = Audit.VOLL
    __table_args__ = (sa.UniqueConstraint("sitzung_id", "person_id", name="uq_rueckmeldung"),)

    id: int | None = Field(default=None, primary_key=True)
    sitzung_id: int = Field(foreign_key="sitzung.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    antwort: Antwort = slug(default=Antwort.OFFEN)
    personen: int = 1
    beduerfnisse: list[str] = Field(default_factory=list, sa_type=sa.JSON, sa_column_kwargs=PERSONAL)
    kommentar: str | None = Field(default=None, sa_column_kwargs=PERSONAL)
    # The deputy named for this Sitzung (answer DELEGIERT, from the portal or a calendar).
    vertretung_name: str | None = Field(default=None, max_length=200, sa_column_kwargs=PERSONAL)
    vertretung_email: str | None = Field(default=None, max_length=254, sa_column_kwargs=PERSONAL)
    quelle: AntwortQuelle | None = slug()
    beantwortet_am: datetime | None = instant()
    anwesend: bool | None = Field(default=None, description="check-in at the meeting")
    # A Zusage beyond the Gremium's places waits (konferenz.plaetze); it moves up when one frees.
    warteliste: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    # Who entered an answer by hand (a phone call, a reply from an assistant's address).
    erfasst_von: str | None = Field(default=None, max_length=200)
    # The attendee record of the invitation: the address invited (a calendar reply must come from
    # it) and when; the SEQUENCE a calendar answer referred to (older answers are stale).
    eingeladen_an: str | None = Field(default=None, max_length=254, sa_column_kwargs=PERSONAL)
    eingeladen_am: datetime | None = instant()
    sequenz: int | None = None


class GehalteneAntwort(SQLModel, table=True):
    """A calendar reply whose sender is not proven (``mail.antworten_pruefen = "streng"``): held,
    not recorded, until the Geschäftsstelle takes it over or discards it (who and when kept)."""

    __tablename__ = "gehaltene_antwort"
    __audit__: ClassVar[Audit] = Audit.VOLL

    id: int | None = Field(default=None, primary_key=True)
    sitzung_id: int = Field(foreign_key="sitzung.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    antwort: Antwort = slug()
    absender: str | None = Field(default=None, max_length=254, sa_column_kwargs=PERSONAL)
    # The reply itself (konferenz.antworten reads it back on take-over), with its COMMENT.
    daten: dict[str, object] = Field(default_factory=dict, sa_type=sa.JSON, sa_column_kwargs=PERSONAL)
    # SHA-256 of ``daten``: a mail read again after a crash is not held twice.
    fingerabdruck: str = Field(max_length=64, unique=True)
    herkunft: str = Field(max_length=300)  # the mail (mailbox key) or file
    grund: str = Field(max_length=1000)  # why the sender is not proven, German
    eingegangen_am: datetime | None = instant()
    erledigt_am: datetime | None = instant()
    erledigt_von: str | None = Field(default=None, max_length=200)
    uebernommen: bool | None = None  # True: taken over, False: discarded


class EmailAenderung(SQLModel, table=True):
    """A contact's own change of her e-mail address; it takes effect only when the new address
    confirms it (a link mailed there), so nobody can redirect someone else's mail. The old
    address is kept once it applies: its owner can take the change back (a link mailed there)."""

    __tablename__ = "email_aenderung"
    __audit__: ClassVar[Audit] = Audit.VOLL

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    neue_email: str = Field(max_length=254, sa_column_kwargs=PERSONAL)
    angefordert_am: datetime = instant(nullable=False)
    bestaetigt_am: datetime | None = instant()
    alte_email: str | None = Field(default=None, max_length=254, sa_column_kwargs=PERSONAL)
    zurueckgenommen_am: datetime | None = instant()
