"""Reading the organiser's mailbox: IMAP or a Maildir; and recognising bounces (RFC 3464).

A message is marked as processed only after its outcome was committed, so a crash reads it
again (recording an answer twice is harmless: it is the same answer). IMAP marks with the
keyword ``$SozialforumVerarbeitet`` where the server allows keywords, so that a person reading
the mailbox (and marking mail as read) does not hide replies from us; otherwise with ``\\Seen``.
"""

from __future__ import annotations

import email
import imaplib
import mailbox
import re
from collections.abc import Iterator
from dataclasses import dataclass
from email import policy
from email.message import Message
from pathlib import Path
from typing import Protocol

from sozialforum.channels.mail_transport import tls_context
from sozialforum.settings import Settings

KEYWORD = "$SozialforumVerarbeitet"


class PostfachFehler(OSError):
    """The mailbox cannot be read (login refused, folder missing); the message is German."""


@dataclass(frozen=True)
class Eingang:
    herkunft: str  # "maildir:<key>" or "imap:<folder>/<uid>"
    data: bytes


class Quelle(Protocol):
    def messages(self) -> Iterator[Eingang]: ...
    def done(self, eingang: Eingang) -> None: ...
    def close(self) -> None: ...


class MaildirQuelle:
    """Unprocessed messages of a Maildir (``new/`` and ``cur/`` without the S flag)."""

    def __init__(self, path: Path) -> None:
        if not (path / "cur").is_dir() and not (path / "new").is_dir():
            raise FileNotFoundError(f"Maildir {path} nicht gefunden (es fehlen cur/ und new/).")
        self.box = mailbox.Maildir(str(path), factory=None, create=False)

    def messages(self) -> Iterator[Eingang]:
        for key in sorted(self.box.keys()):
            message = self.box.get_message(key)
            if "S" in message.get_flags():
                continue
            with self.box.get_file(key) as handle:
                yield Eingang(f"maildir:{key}", handle.read())

    def done(self, eingang: Eingang) -> None:
        key = eingang.herkunft.removeprefix("maildir:")
        message = self.box.get_message(key)
        message.set_subdir("cur")
        message.add_flag("S")
        self.box[key] = message

    def close(self) -> None:
        self.box.close()


class ImapQuelle:
    """Unprocessed messages of one IMAP folder, read without setting \\Seen (BODY.PEEK)."""

    def __init__(self, settings: Settings) -> None:
        mail = settings.mail
        assert mail.imap_host
        if mail.imap_sicherheit == "ssl":
            self.client: imaplib.IMAP4 = imaplib.IMAP4_SSL(
                mail.imap_host, mail.imap_port, ssl_context=tls_context(settings)
            )
        else:
            self.client = imaplib.IMAP4(mail.imap_host, mail.imap_port)
            if mail.imap_sicherheit == "starttls":
                self.client.starttls(ssl_context=tls_context(settings))
        password = mail.imap_passwort.get_secret_value() if mail.imap_passwort else ""
        self.folder = mail.imap_ordner
        try:
            self.client.login(mail.imap_benutzer or "", password)
            status, _ = self.client.select(self._quoted(self.folder))
        except imaplib.IMAP4.error as exc:
            self.client.shutdown()
            raise PostfachFehler(f"Anmeldung am Postfach {mail.imap_host} abgelehnt: {exc}") from exc
        if status != "OK":
            raise PostfachFehler(f"IMAP-Ordner {self.folder!r} lässt sich nicht öffnen.")
        flags = " ".join(str(item) for item in self.client.untagged_responses.get("PERMANENTFLAGS", []))
        self.keywords = "\\*" in flags

    @staticmethod
    def _quoted(folder: str) -> str:
        return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'

    def messages(self) -> Iterator[Eingang]:
        criterion = f"UNKEYWORD {KEYWORD}" if self.keywords else "UNSEEN"
        status, data = self.client.uid("SEARCH", criterion)
        if status != "OK":
            raise PostfachFehler(f"IMAP-Suche fehlgeschlagen: {data!r}")
        for uid in (data[0] or b"").split():
            status, parts = self.client.uid("FETCH", uid.decode(), "(BODY.PEEK[])")
            content = next((p[1] for p in parts if isinstance(p, tuple) and len(p) == 2), None)
            if status == "OK" and isinstance(content, bytes):
                yield Eingang(f"imap:{self.folder}/{uid.decode()}", content)

    def done(self, eingang: Eingang) -> None:
        uid = eingang.herkunft.rsplit("/", 1)[-1]
        flag = f"({KEYWORD} \\Seen)" if self.keywords else "(\\Seen)"
        self.client.uid("STORE", uid, "+FLAGS", flag)

    def close(self) -> None:
        try:
            self.client.close()
            self.client.logout()
        except (imaplib.IMAP4.error, OSError):
            pass


def open_source(settings: Settings) -> Quelle | None:
    """The configured mailbox, or None if neither IMAP nor a Maildir is configured."""
    if settings.mail.imap_host:
        return ImapQuelle(settings)
    if settings.mail.maildir:
        return MaildirQuelle(Path(settings.mail.maildir))
    return None


@dataclass(frozen=True)
class Bounce:
    message_id: str
    diagnose: str


def _original_message_id(report: Message) -> str | None:
    for part in report.walk():
        kind = part.get_content_type()
        if kind in ("message/rfc822", "text/rfc822-headers", "message/rfc822-headers"):
            payload = part.get_payload()
            if isinstance(payload, list) and payload and isinstance(payload[0], Message):
                found = payload[0].get("Message-ID")
            else:
                raw = part.get_payload(decode=True)
                data = raw if isinstance(raw, bytes) else b""
                found = email.message_from_bytes(data, policy=policy.compat32).get("Message-ID")
            if found:
                return str(found).strip()
    return None


def parse_bounce(data: bytes) -> Bounce | None:
    """A delivery status notification that reports a permanent failure, or None.

    RFC 3464: ``multipart/report; report-type=delivery-status`` with a ``message/delivery-status``
    part (``Action: failed``) and the returned message or its headers.
    """
    message = email.message_from_bytes(data, policy=policy.compat32)
    if message.get_content_type() != "multipart/report":
        return None
    report_type = message.get_param("report-type")
    if not isinstance(report_type, str) or report_type.lower() != "delivery-status":
        return None
    status_text = ""
    for part in message.walk():
        if part.get_content_type() == "message/delivery-status":
            payload = part.get_payload()
            blocks = payload if isinstance(payload, list) else []
            status_text = "\n".join(str(block) for block in blocks) or str(part.get_payload(decode=True) or "")
    if not re.search(r"^Action:\s*failed", status_text, re.IGNORECASE | re.MULTILINE):
        return None  # delayed or relayed: not a bounce
    message_id = _original_message_id(message)
    if message_id is None:
        return None
    diagnostic = re.search(r"^Diagnostic-Code:\s*(.+)$", status_text, re.IGNORECASE | re.MULTILINE)
    status = re.search(r"^Status:\s*(\S+)", status_text, re.IGNORECASE | re.MULTILINE)
    text = (diagnostic.group(1) if diagnostic else "") or (status.group(1) if status else "unzustellbar")
    return Bounce(message_id=message_id, diagnose=text.strip())
