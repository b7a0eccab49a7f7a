"""Sending and reading mail (``[mail]``): SMTP, pacing, retries, retention, DKIM, IMAP or Maildir,
and how the sender of a calendar reply is proven."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import EmailStr, Field, SecretStr

from sozialforum.settings.abschnitt import Section


class MailSettings(Section):
    # No smtp_host: messages are written as .eml files to outbox_dir (the offline demo).
    smtp_host: str | None = None
    smtp_port: int = Field(default=587, ge=1, le=65535)
    sicherheit: Literal["starttls", "ssl", "keine"] = "starttls"
    benutzer: str | None = None
    passwort: SecretStr | None = None
    timeout_sekunden: float = Field(default=30, gt=0)
    absender: EmailStr = "sozialplanung@landkreis-musterland.example"
    absender_name: str = "Geschäftsstelle Sozialplanung"
    # The mail server's limit: at most this many messages per second over SMTP. Without SMTP
    # the .eml files go into the outbox folder unthrottled (no server to protect).
    nachrichten_pro_sekunde: float = Field(default=20, gt=0)
    max_versuche: int = Field(default=5, ge=1)
    # A message the server refuses for now (4xx, e.g. 451 greylisting) stays queued and is tried
    # again with growing pauses (at most 6 hours apart) until it is this many hours old and has
    # had max_versuche attempts; only then is it a permanent failure (as mail servers do).
    aufgeben_nach_stunden: float = Field(default=72, gt=0)
    # Sent (or bounced, or withdrawn) messages keep their whole content this many days; then the
    # retention run keeps only what the record needs (headers, size, SHA-256) and drops the
    # text, the HTML and the attachments (PDF, calendar), also of the .eml copies in the Ablage.
    inhalt_aufbewahren_tage: int = Field(default=90, ge=1)
    dkim_domain: str | None = None
    dkim_selector: str | None = None
    dkim_schluessel_datei: Path | None = None
    outbox_dir: Path | None = None
    # Certificates of the SMTP and IMAP servers are always verified; a server with its own CA
    # (e.g. the Landkreis' internal one) needs its certificate file here.
    ca_datei: Path | None = None
    # Calendar replies (iTIP REPLY) and bounces are read from the organiser's mailbox: IMAP or,
    # for a local mail setup, a Maildir. The ORGANIZER of every invitation is ``absender``.
    imap_host: str | None = None
    imap_port: int = Field(default=993, ge=1, le=65535)
    imap_sicherheit: Literal["ssl", "starttls", "keine"] = "ssl"
    imap_benutzer: str | None = None
    imap_passwort: SecretStr | None = None
    imap_ordner: str = "INBOX"
    maildir: Path | None = None
    # Who sent a calendar reply is proven by the Authentication-Results header that our own
    # receiving mail server adds (RFC 8601), recognised by its authserv-id; "" for Exchange
    # Online, which writes none. Without it, DKIM signatures are verified here.
    authserv_id: str | None = Field(default=None, max_length=255)
    # "aus": a reply counts if From is the attendee; "melden": taken, unproven senders listed;
    # "streng": replies of unproven senders are held for the Geschäftsstelle.
    antworten_pruefen: Literal["aus", "melden", "streng"] = "melden"
