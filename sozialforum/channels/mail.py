"""Outgoing mail as RFC 5322 bytes, built by hand so that the layout is exactly what calendars need.

Layout (CALENDAR_NOTES: Outlook 2007 reads only the first part of multipart/mixed, and a calendar
part that is not ``text/calendar`` inside the alternative becomes a plain attachment)::

    multipart/mixed                      (only when there are attachments)
      multipart/alternative
        text/plain; charset=utf-8         quoted-printable
        text/html; charset=utf-8          quoted-printable (optional)
        text/calendar; method=REQUEST     base64 (keeps the CRLFs of RFC 5545 byte for byte)
      attachments                         base64

Boundaries derive from the Message-ID, so the same message renders to the same bytes (golden
files, and a resend after a crash is byte-identical). Header values never contain CR/LF: a name
or subject with a line break would let a recipient's data add headers (header injection).
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from email.header import Header
from email.utils import format_datetime, formataddr
from pathlib import Path

from sozialforum.parsing import is_valid_email
from sozialforum.settings import Settings
from sozialforum.timeutil import as_utc, utcnow

CRLF = "\r\n"
CALENDAR_METHODS = frozenset({"REQUEST", "CANCEL", "PUBLISH", "REPLY", "COUNTER", "REFRESH", "ADD"})
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_MIMETYPE = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*$")


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mimetype: str


@dataclass(frozen=True)
class OutgoingMail:
    to: str
    to_name: str | None
    subject: str
    text: str
    html: str | None = None
    attachments: tuple[Attachment, ...] = ()
    calendar: bytes | None = None  # iCalendar bytes for the text/calendar part
    calendar_method: str | None = None  # "REQUEST", "CANCEL", "PUBLISH"


def check_address(address: str) -> str | None:
    """Why this address cannot be used (German), or None if it can."""
    if not address:
        return "keine E-Mail-Adresse angegeben"
    if "\r" in address or "\n" in address:
        return "E-Mail-Adresse enthält einen Zeilenumbruch"
    if not is_valid_email(address):
        return f"ungültige E-Mail-Adresse {address!r}"
    return None


def check_display_name(name: str | None) -> str | None:
    """Why this display name cannot go into a header (German), or None if it can."""
    if not name:
        return None
    if "\r" in name or "\n" in name:
        return "Name enthält einen Zeilenumbruch"
    if _CONTROL.search(name):
        return "Name enthält Steuerzeichen"
    if "<" in name or ">" in name:
        return "Name enthält spitze Klammern (HTML?)"
    return None


def _refuse_line_breaks(value: str, what: str) -> None:
    if _CONTROL.search(value.replace("\t", " ")):
        raise ValueError(f"{what} enthält einen Zeilenumbruch oder Steuerzeichen und wird nicht gesendet.")


# Headers repeat across a batch (the sender, the subject of a Sitzung): encoded once each.
@functools.lru_cache(maxsize=256)
def _header(name: str, value: str) -> str:
    """One header line, RFC 2047-encoded when not ASCII, folded at 78 characters."""
    charset = "us-ascii" if value.isascii() else "utf-8"
    encoded = Header(value, charset, header_name=name).encode(linesep=CRLF)
    return f"{name}: {encoded}{CRLF}"


@functools.lru_cache(maxsize=256)
def _address_header(name: str, display: str | None, address: str) -> str:
    return f"{name}: {formataddr((display or '', address), charset='utf-8')}{CRLF}"


def _qp(text: str) -> str:
    normalized = text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", CRLF)
    encoded = binascii.b2a_qp(normalized.encode("utf-8"), istext=True).decode("ascii")
    # b2a_qp keeps CRLF as given; a lone '.' line is fine: smtplib does the dot-stuffing.
    return encoded if encoded.endswith(CRLF) else encoded + CRLF


def _b64(data: bytes) -> str:
    encoded = base64.b64encode(data).decode("ascii")
    lines = [encoded[i : i + 76] for i in range(0, len(encoded), 76)]
    return CRLF.join(lines) + CRLF


def _text_part(subtype: str, text: str) -> str:
    return (
        f'Content-Type: text/{subtype}; charset="utf-8"{CRLF}'
        f"Content-Transfer-Encoding: quoted-printable{CRLF}{CRLF}{_qp(text)}"
    )


def _calendar_part(calendar: bytes, method: str) -> str:
    return (
        f'Content-Type: text/calendar; method={method}; charset="UTF-8"{CRLF}'
        f"Content-Transfer-Encoding: base64{CRLF}{CRLF}{_b64(calendar)}"
    )


def _filename_params(filename: str) -> str:
    if filename.isascii() and '"' not in filename and "\\" not in filename:
        return f'filename="{filename}"'
    # RFC 2231 for umlauts in names ("Tagesordnung Sozialraumkonferenz Süd.pdf").
    from urllib.parse import quote

    return f"filename*=utf-8''{quote(filename, safe='')}"


def _attachment_part(attachment: Attachment) -> str:
    _refuse_line_breaks(attachment.filename, "Dateiname des Anhangs")
    mimetype = attachment.mimetype.lower()
    if not _MIMETYPE.match(mimetype):
        raise ValueError(f"Ungültiger Dateityp {attachment.mimetype!r} für Anhang {attachment.filename!r}.")
    name = Path(attachment.filename).name or "anhang"
    return (
        f"Content-Type: {mimetype}{CRLF}"
        f"Content-Disposition: attachment; {_filename_params(name)}{CRLF}"
        f"Content-Transfer-Encoding: base64{CRLF}{CRLF}{_b64(attachment.content)}"
    )


def _multipart(subtype: str, boundary: str, parts: list[str]) -> str:
    body = "".join(f"--{boundary}{CRLF}{part}" for part in parts)
    return f'Content-Type: multipart/{subtype}; boundary="{boundary}"{CRLF}{CRLF}{body}--{boundary}--{CRLF}'


def _boundary(message_id: str, level: str) -> str:
    digest = hashlib.sha256(f"{message_id}/{level}".encode()).hexdigest()[:28]
    return f"=_sf_{level}_{digest}"


def normalize_message_id(message_id: str) -> str:
    inner = message_id.strip().removeprefix("<").removesuffix(">")
    if not inner or "@" not in inner or _CONTROL.search(inner) or " " in inner or "<" in inner:
        raise ValueError(f"Ungültige Message-ID {message_id!r}.")
    return f"<{inner}>"


def render_message(mail: OutgoingMail, settings: Settings, *, message_id: str, date: datetime | None = None) -> bytes:
    """The complete message as RFC 5322 bytes (CRLF line ends), DKIM-signed if configured.

    Raises ValueError (German) for an invalid recipient address, a line break in any header
    value, or an unknown calendar method; nothing is half-rendered.
    """
    problem = check_address(mail.to) or check_display_name(mail.to_name)
    if problem:
        raise ValueError(f"Empfänger abgelehnt: {problem}.")
    _refuse_line_breaks(mail.subject, "Betreff")
    sender_problem = check_address(str(settings.mail.absender)) or check_display_name(settings.mail.absender_name)
    if sender_problem:
        raise ValueError(f"Absender in der Konfiguration abgelehnt: {sender_problem}.")
    message_id = normalize_message_id(message_id)

    alternatives = [_text_part("plain", mail.text)]
    if mail.html is not None:
        alternatives.append(_text_part("html", mail.html))
    if mail.calendar is not None:
        method = (mail.calendar_method or "").upper()
        if method not in CALENDAR_METHODS:
            raise ValueError(f"Unbekannte Kalendermethode {mail.calendar_method!r}.")
        alternatives.append(_calendar_part(mail.calendar, method))

    body = (
        alternatives[0]
        if len(alternatives) == 1
        else _multipart("alternative", _boundary(message_id, "alt"), alternatives)
    )
    if mail.attachments:
        parts = [body] + [_attachment_part(attachment) for attachment in mail.attachments]
        body = _multipart("mixed", _boundary(message_id, "mix"), parts)

    moment = as_utc(date) if date is not None else utcnow()
    headers = (
        _address_header("From", settings.mail.absender_name, str(settings.mail.absender))
        + _address_header("To", mail.to_name, mail.to)
        + _header("Subject", mail.subject)
        + f"Date: {format_datetime(moment.replace(microsecond=0))}{CRLF}"
        + f"Message-ID: {message_id}{CRLF}"
        + f"MIME-Version: 1.0{CRLF}"
        + f"Content-Language: de{CRLF}"
        # RFC 3834: every mail of ours is sent by a program; vacation responders and ticket
        # systems must not answer it (their replies would land in the reply mailbox).
        + f"Auto-Submitted: auto-generated{CRLF}"
    )
    message = (headers + body).encode("ascii")
    return dkim_sign(message, settings)


def dkim_sign(message: bytes, settings: Settings) -> bytes:
    """Prepend a DKIM-Signature (RFC 6376) when domain, selector and key are configured."""
    mail = settings.mail
    if not (mail.dkim_domain and mail.dkim_selector and mail.dkim_schluessel_datei):
        return message
    from emails.signers import DKIMSigner

    signer = DKIMSigner(
        selector=mail.dkim_selector,
        domain=mail.dkim_domain,
        key=Path(mail.dkim_schluessel_datei).read_bytes(),
        include_headers=[b"from", b"to", b"subject", b"date", b"message-id", b"mime-version"],
    )
    signature = signer.get_sign_bytes(message)
    return (signature or b"") + message


def message_id_for(schluessel: str, settings: Settings) -> str:
    """A stable Message-ID derived from the outbox key: the same message keeps the same id."""
    domain = str(settings.mail.absender).rsplit("@", 1)[-1]
    digest = hashlib.sha256(schluessel.encode("utf-8")).hexdigest()[:32]
    return f"<{digest}.sozialforum@{domain}>"
