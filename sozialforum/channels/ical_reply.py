"""Reading iTIP REPLY answers (RFC 5546 §3.2.3) out of whatever the calendar clients send.

What real clients do (CALENDAR_NOTES): Outlook/Exchange omit ORGANIZER, write ``MAILTO:`` in
upper case and base64-encode the part; Google sends the reply twice (inline ``text/calendar``
and an ``invite.ics`` attachment); times come in UTC or with Windows zone names. So:

- the answer is read only from METHOD and PARTSTAT, never from the subject line (its wording
  differs per client and language: "Akzeptiert:", "Zugesagt:", "Abgesagt:" …);
- every calendar part of the message is read (text/calendar, application/ics, any ``*.ics``
  file, also inside forwarded messages), and identical answers count once;
- a plain .ics file without an email wrapper is accepted too;
- the content-line parser is our own and lenient about what does not matter for the answer
  (unknown properties, zone names, folding with tabs), strict about what does (METHOD, UID,
  ATTENDEE, PARTSTAT).
"""

from __future__ import annotations

import email
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.message import Message
from email.utils import getaddresses

# A parameter value may be a list (RFC 5545 §3.2: ``DELEGATED-TO="mailto:a","mailto:b"``).
_PARAM = re.compile(r';([A-Za-z0-9-]+)=((?:"[^"]*"|[^;:,"]*)(?:,(?:"[^"]*"|[^;:,"]*))*)')
_LIST_ITEM = re.compile(r'"([^"]*)"|([^,]+)')


class ReplyFormatError(ValueError):
    """The input holds no readable iTIP REPLY; the message says why, in German."""


@dataclass(frozen=True)
class ContentLine:
    name: str
    params: dict[str, str]
    value: str


@dataclass(frozen=True)
class CalendarReply:
    uid: str
    attendee: str  # lower-case address, without mailto:
    partstat: str  # ACCEPTED, DECLINED, TENTATIVE, DELEGATED, NEEDS-ACTION
    sequence: int | None
    dtstamp: datetime | None
    delegated_to: tuple[str, ...] = ()  # DELEGATED-TO may name several delegates
    comment: str | None = None
    sender: str | None = None  # the From address of the mail, lower case, if there was a mail
    sent_by: str | None = None  # SENT-BY: who answered on the attendee's behalf (an assistant)
    delegated_from: tuple[str, ...] = ()  # DELEGATED-FROM: a delegate answering for an invitee
    method: str = "REPLY"  # or COUNTER: the attendee proposes another time
    proposed_start: datetime | None = None  # DTSTART of a COUNTER


def unfold(text: str) -> list[str]:
    """Undo line folding (RFC 5545 §3.1): a line starting with space or tab continues the last."""
    lines: list[str] = []
    for raw in re.split(r"\r\n|\n|\r", text):
        if raw[:1] in (" ", "\t") and lines:
            lines[-1] += raw[1:]
        elif raw.strip():
            lines.append(raw)
    return lines


def parse_line(line: str) -> ContentLine:
    """``NAME;P1=a;P2="b:c":value`` → parts. Colons inside quoted parameters are respected."""
    match = re.match(r"([A-Za-z0-9-]+)", line)
    if not match:
        raise ReplyFormatError(f"Unlesbare Kalenderzeile: {line[:80]!r}")
    position = match.end()
    params: dict[str, str] = {}
    while position < len(line) and line[position] == ";":
        param = _PARAM.match(line, position)
        if not param:
            break
        items = [
            quoted if quoted is not None and raw == "" else raw for quoted, raw in _LIST_ITEM.findall(param.group(2))
        ]
        params[param.group(1).upper()] = ",".join(item.strip() for item in items)
        position = param.end()
    if position >= len(line) or line[position] != ":":
        raise ReplyFormatError(f"Kalenderzeile ohne Wert: {line[:80]!r}")
    return ContentLine(match.group(1).upper(), params, line[position + 1 :])


def unescape(value: str) -> str:
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def address_of(value: str) -> str:
    """``MAILTO:Erika@Traeger.DE`` → ``erika@traeger.de`` (any case of the scheme)."""
    text = value.strip()
    if text.lower().startswith("mailto:"):
        text = text[7:]
    return text.strip().strip("<>").lower()


def _stamp(value: str) -> datetime | None:
    try:
        return datetime.strptime(value.strip()[:16], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError:
        return None


def replies_in_calendar(text: str, *, sender: str | None = None) -> list[CalendarReply]:
    """All attendee answers of one VCALENDAR text; raises ReplyFormatError if it is not a REPLY."""
    lines = [parse_line(line) for line in unfold(text.lstrip("\ufeff"))]
    method = next((line.value.strip().upper() for line in lines if line.name == "METHOD"), None)
    if method not in ("REPLY", "COUNTER"):
        raise ReplyFormatError(f"Keine Kalenderantwort (METHOD:{method or 'fehlt'}).")
    replies: list[CalendarReply] = []
    depth: list[str] = []
    event: dict[str, list[ContentLine]] = {}
    for line in lines:
        if line.name == "BEGIN":
            depth.append(line.value.strip().upper())
            if depth[-1] == "VEVENT":
                event = {}
            continue
        if line.name == "END":
            ended = depth.pop() if depth else ""
            if ended == "VEVENT":
                replies.extend(_event_replies(event, sender, method))
            continue
        if depth and depth[-1] == "VEVENT":
            event.setdefault(line.name, []).append(line)
    if not replies:
        raise ReplyFormatError("Kalenderantwort ohne Termin mit Teilnehmer (VEVENT/ATTENDEE).")
    return replies


def _addresses(value: str | None) -> tuple[str, ...]:
    return tuple(address_of(item) for item in (value or "").split(",") if item.strip())


def _event_replies(event: dict[str, list[ContentLine]], sender: str | None, method: str) -> list[CalendarReply]:
    uid = event.get("UID", [None])[0]
    if uid is None or not uid.value.strip():
        raise ReplyFormatError("Kalenderantwort ohne UID.")
    sequence_line = event.get("SEQUENCE", [None])[0]
    try:
        sequence = int(sequence_line.value) if sequence_line else None
    except ValueError:
        sequence = None
    stamp_line = event.get("DTSTAMP", [None])[0]
    comment_line = event.get("COMMENT", [None])[0]
    start_line = event.get("DTSTART", [None])[0]
    proposed = _stamp(start_line.value) if method == "COUNTER" and start_line else None
    replies = []
    for attendee in event.get("ATTENDEE", []):
        partstat = attendee.params.get("PARTSTAT", "NEEDS-ACTION").upper()
        sent_by = attendee.params.get("SENT-BY")
        replies.append(
            CalendarReply(
                uid=uid.value.strip(),
                attendee=address_of(attendee.value),
                partstat=partstat,
                sequence=sequence,
                dtstamp=_stamp(stamp_line.value) if stamp_line else None,
                delegated_to=_addresses(attendee.params.get("DELEGATED-TO")),
                comment=unescape(comment_line.value) if comment_line else None,
                sender=sender,
                sent_by=address_of(sent_by) if sent_by else None,
                delegated_from=_addresses(attendee.params.get("DELEGATED-FROM")),
                method=method,
                proposed_start=proposed,
            )
        )
    return replies


def _is_calendar_part(part: Message) -> bool:
    content_type = part.get_content_type()
    filename = (part.get_filename() or "").lower()
    return content_type in ("text/calendar", "application/ics", "text/x-vcalendar") or (
        filename.endswith(".ics") and not part.is_multipart()
    )


def _part_text(part: Message) -> str:
    payload = part.get_payload(decode=True)  # undoes base64 and quoted-printable
    if not isinstance(payload, bytes):
        return ""
    charset = part.get_content_charset() or "utf-8"
    try:
        return payload.decode(charset)
    except (LookupError, UnicodeDecodeError):
        return payload.decode("utf-8", "replace")


def parse_reply_message(data: bytes) -> list[CalendarReply]:
    """The answers in one mail (or one bare .ics file), duplicates removed.

    Raises ReplyFormatError if there is no calendar part or none of them is a REPLY.
    """
    stripped = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped[:15].upper() == b"BEGIN:VCALENDAR":
        return _unique(replies_in_calendar(stripped.decode("utf-8", "replace")))
    message = email.message_from_bytes(data, policy=policy.compat32)
    sender = _sender(message)
    texts = [_part_text(part) for part in message.walk() if _is_calendar_part(part)]
    if not texts:
        raise ReplyFormatError("Die Nachricht enthält keinen Kalenderteil (z. B. nur winmail.dat).")
    found: list[CalendarReply] = []
    errors: list[str] = []
    for text in texts:
        try:
            found.extend(replies_in_calendar(text, sender=sender))
        except ReplyFormatError as exc:
            errors.append(str(exc))
    if not found:
        raise ReplyFormatError(errors[0])
    return _unique(found)


def _sender(message: Message) -> str | None:
    addresses = getaddresses([str(message.get("From", ""))])
    return addresses[0][1].strip().lower() if addresses and addresses[0][1] else None


def _unique(replies: list[CalendarReply]) -> list[CalendarReply]:
    seen: dict[tuple[str, str], CalendarReply] = {}
    for reply in replies:
        key = (reply.uid, reply.attendee)
        known = seen.get(key)
        # Google's two copies are identical; otherwise the later DTSTAMP is the current answer.
        if known is None or (reply.dtstamp and known.dtstamp and reply.dtstamp > known.dtstamp):
            seen[key] = reply
    return list(seen.values())
